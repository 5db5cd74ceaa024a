#!/usr/bin/env bash
# Bounded soak: runs `logtop --batch` at a steady rate and samples its memory and open files.
#   scripts/soak.sh [MINUTES] [RATE]      defaults: 10 minutes, 2000 lines/s
# Prints a sample every 30 s and a summary; exits non-zero if RSS or open files kept growing
# (last quarter's average more than 25 % / 5 fds above the second quarter's).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-10}"
rate="${2:-2000}"
./scripts/setup.sh
swift build -c release --product logtop >/dev/null
bin="$(swift build -c release --show-bin-path)/logtop"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" --batch --duration "${minutes}m" --rate "$rate" --results "$work/results.txt" 2>"$work/stderr.txt" &
pid=$!
printf "%8s %10s %6s %8s %12s\n" "elapsed" "rss_kib" "fds" "threads" "lines"
samples=()
fds_samples=()
start=$(date +%s)
while kill -0 "$pid" 2>/dev/null; do
  sleep 30
  kill -0 "$pid" 2>/dev/null || break
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  fds=$(ls "/proc/$pid/fd" | wc -l)
  thr=$(awk '/Threads/ {print $2}' "/proc/$pid/status")
  lines=$(grep -c '^requests' "$work/results.txt" 2>/dev/null || true)
  elapsed=$(( $(date +%s) - start ))
  printf "%7ss %10s %6s %8s %12s\n" "$elapsed" "$rss" "$fds" "$thr" "${lines} blocks"
  samples+=("$rss"); fds_samples+=("$fds")
done
wait "$pid" || true
tail -3 "$work/stderr.txt"
n=${#samples[@]}
if (( n < 8 )); then echo "soak: too few samples ($n)"; exit 0; fi
q=$(( n / 4 ))
avg() { local s=0 c=0; for v in "$@"; do s=$((s+v)); c=$((c+1)); done; echo $(( s / c )); }
second=$(avg "${samples[@]:q:q}"); last=$(avg "${samples[@]:n-q:q}")
fsecond=$(avg "${fds_samples[@]:q:q}"); flast=$(avg "${fds_samples[@]:n-q:q}")
echo "soak: RSS second quarter avg ${second} KiB, last quarter avg ${last} KiB; fds ${fsecond} -> ${flast}"
if (( last > second * 125 / 100 )) || (( flast > fsecond + 5 )); then
  echo "soak: FAIL: growth"; exit 1
fi
echo "soak: OK: flat"
