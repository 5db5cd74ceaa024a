#!/usr/bin/env bash
# Compares GoAccess with logtop's analysis engine on the same synthetic access log.
#
#   scripts/goaccess-compare.sh [LINES]        (default 1,000,000)
#
# 1. builds `loggen` and `enginebench` from the Benchmarks/ package (release);
# 2. writes LINES combined-format lines from LogtopCore's TrafficModel(seed: 1), 200 lines per
#    second of event time, to a temporary file (and reads it once so that it sits in the page cache);
# 3. times GoAccess headless on it, twice: with --log-format=COMBINED (it ignores the trailing
#    request-time field), then with a custom format that also reads that field (%T), so that it
#    computes latencies like logtop does;
# 4. times `enginebench FILE` (4 MiB reads, byte-wise line split, AnalysisEngine.ingest(line:),
#    then snapshot() and finish()) and `enginebench --parse-only FILE`;
# 5. prints lines per second side by side: per second of wall time and per second of CPU time
#    (user + system) of each whole process, and its peak RSS (the fastest of REPEAT runs).
#
# Environment: REPEAT (default 1) rounds, the tools taking turns in each, fastest run kept;
# KEEP_LOG=1 keeps the temporary folder. CPU time is less disturbed by other load than wall time.
# GoAccess comes from Debian's package `goaccess`; it is installed with apt-get when missing (as root).
set -euo pipefail

lines=${1:-1000000}
repeat=${REPEAT:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$root/Benchmarks"

if ! command -v goaccess >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        echo "== installing goaccess" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq goaccess >/dev/null
    else
        echo "goaccess is not installed: sudo apt-get install goaccess" >&2
        exit 1
    fi
fi

echo "== building loggen and enginebench (release)" >&2
swift build -c release --package-path "$bench" --product loggen >&2
swift build -c release --package-path "$bench" --product enginebench >&2
bin=$(swift build -c release --package-path "$bench" --show-bin-path)

work=$(mktemp -d "${TMPDIR:-/tmp}/goaccess-compare.XXXXXX")
if [ "${KEEP_LOG:-0}" = 1 ]; then echo "== keeping $work" >&2; else trap 'rm -rf "$work"' EXIT; fi
log="$work/access.log"

echo "== generating $lines lines" >&2
"$bin/loggen" "$lines" > "$log"
cat "$log" > /dev/null
size=$(wc -c < "$log")

# measure NAME COMMAND...: runs the command once under /usr/bin/time and keeps, in $work/NAME.result
# ("wall cpu kib"), the run with the shortest wall time so far.
measure() {
    local name=$1; shift
    /usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err" || {
        echo "$name failed:" >&2; cat "$work/$name.err" >&2; exit 1; }
    read -r wall user sys kib < <(tail -n 1 "$work/$name.time")
    local cpu; cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    if [ ! -s "$work/$name.result" ] || awk -v a="$wall" -v b="$(cut -d' ' -f1 "$work/$name.result")" 'BEGIN { exit !(a < b) }'
    then echo "$wall $cpu $kib" > "$work/$name.result"; fi
}

# GoAccess's own count of valid requests, from its JSON report.
valid() { grep -o '"valid_requests": *[0-9]*' "$1" | head -n 1 | grep -o '[0-9]*$'; }

echo "== load before measuring: $(cut -d' ' -f1-3 /proc/loadavg) (on $(nproc) cores)" >&2

# The tools take turns, so that a burst of load from elsewhere does not hit only one of them.
for round in $(seq "$repeat"); do
    echo "== round $round of $repeat: goaccess COMBINED, goaccess COMBINED + %T, logtop engine, logtop parser" >&2
    measure goaccess-combined goaccess "$log" --no-global-config --no-progress --log-format=COMBINED \
        -o "$work/goaccess-combined.json"
    measure goaccess-timed goaccess "$log" --no-global-config --no-progress \
        --log-format='%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T' --date-format=%d/%b/%Y --time-format=%T \
        -o "$work/goaccess-timed.json"
    measure logtop-engine "$bin/enginebench" "$log"
    measure logtop-parse "$bin/enginebench" --parse-only "$log"
done

for name in goaccess-combined goaccess-timed; do
    v=$(valid "$work/$name.json")
    [ "$v" = "$lines" ] || echo "warning: $name counted $v valid requests of $lines" >&2
done
for name in logtop-engine logtop-parse; do
    m=$(grep -o 'malformed=[0-9]*' "$work/$name.out" | cut -d= -f2)
    [ "$m" = 0 ] || echo "warning: $name found $m malformed lines" >&2
done

echo
echo "$lines lines, $((size / 1048576)) MiB, CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); the whole process of each tool, its fastest of $repeat runs"
printf '%-42s %8s %12s %8s %12s %8s\n' "tool" "wall s" "lines/s" "CPU s" "lines/CPU s" "RSS MiB"
row() {
    read -r wall cpu kib < "$work/$2.result"
    awk -v label="$1" -v w="$wall" -v c="$cpu" -v k="$kib" -v n="$lines" 'BEGIN {
        printf "%-42s %8.2f %12d %8.2f %12d %8.1f\n", label, w, (w > 0 ? n / w : 0), c, (c > 0 ? n / c : 0), k / 1024 }'
}
row "goaccess $(goaccess --version | head -n 1 | grep -o '[0-9][0-9.]*[0-9]') COMBINED" goaccess-combined
row "goaccess COMBINED + %T" goaccess-timed
row "logtop AnalysisEngine (parse + aggregate)" logtop-engine
row "logtop AccessLogParser only" logtop-parse
echo
echo "enginebench's own timing (after start-up, reading included), last round:"
grep -h '^enginebench' "$work/logtop-engine.out" "$work/logtop-parse.out" | sed 's/^/  /'
