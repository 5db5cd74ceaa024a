#!/usr/bin/env bash
# Fuzzes the access-log parser and the engine with libFuzzer.
#   scripts/fuzz.sh [SECONDS]      default 60; findings land in Fuzz/findings/
# The corpus in Fuzz/corpus/ seeds it; new interesting inputs are written to .build-fuzz/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
out=.build-fuzz
mkdir -p "$out/corpus" Fuzz/findings
swiftc -O -parse-as-library -sanitize=fuzzer,address -module-name LogtopFuzz \
  $(find Sources/LogtopCore -name "*.swift") Fuzz/ParserFuzzer.swift -o "$out/parser-fuzzer"
"$out/parser-fuzzer" -max_total_time="$seconds" -max_len=4096 -artifact_prefix=Fuzz/findings/ \
  "$out/corpus" Fuzz/corpus
