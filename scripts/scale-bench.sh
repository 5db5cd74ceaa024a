#!/usr/bin/env bash
# Merged throughput with 1, 2 and 3 `logtop analyze` processes on this machine.
#
# For each member count: a fresh `logtop broker`, the members and a merged view (`--batch --source
# none`); once every member holds partitions, one `logtop generate` process produces LINES lines as
# fast as it can. Throughput is measured while the view goes from 10 % to 90 % of the lines merged
# (members publish every 0.25 s here, so the view's count moves in small steps); `total s` runs from
# the generator's start to the last line merged. A line the view never gets (e.g. trimmed by the
# development broker's retention before a member read it) stops the run: the members count it lost.
# The members and the view share the machine's cores with the broker, so expect the core count to
# cap the gain.
#
#   scripts/scale-bench.sh [LINES] [MEMBERS...]     defaults: 600000 lines, members 1 2 3
#   LOGTOP=path/to/logtop scripts/scale-bench.sh    use a binary already built (build it -c release)
set -euo pipefail
cd "$(dirname "$0")/.."
lines="${1:-600000}"
shift || true
counts=("${@:-1 2 3}")
counts=(${counts[*]})
source scripts/processes.sh
logtop_binary
start_work scale-bench

printf "%8s %10s %9s %14s %10s\n" "members" "lines" "total s" "lines/s 10-90%" "partials"
for n in "${counts[@]}"; do
  rm -f ./*.log ./*.json ./*.txt
  "$LOGTOP" broker --partitions 24 >broker.log 2>&1 &
  broker=$!
  pids+=($broker)
  wait_for broker.log "embedded Kafka broker at" 30
  addr="$(grep -o '127\.0\.0\.1:[0-9]*' broker.log | head -1)"
  kafka=(--brokers "$addr" --no-create-topics)
  # The members join the group first (each one's status line, every 5 s, lists its partitions), so
  # the measurement leaves the group's forming out.
  members=()
  for i in $(seq 1 "$n"); do
    "$LOGTOP" analyze "${kafka[@]}" --member "m$i" --publish-interval 0.25s -X session.timeout.ms=6000 -X heartbeat.interval.ms=1000 >"analyze-$i.log" 2>&1 &
    members+=($!)
    pids+=($!)
  done
  "$LOGTOP" --batch --source none "${kafka[@]}" --duration 600s --interval 5s --lateness 600s --progress 0.1s \
    --results results.txt --results-json results.json >view.log 2>&1 &
  view=$!
  pids+=($view)
  deadline=$(( $(date +%s) + 60 ))
  for i in $(seq 1 "$n"); do
    until grep -q 'partitions \[[0-9]' "analyze-$i.log"; do
      (( $(date +%s) < deadline )) || { echo "scale-bench: member m$i got no partitions" >&2; exit 1; }
      sleep 0.2
    done
  done
  # Then the lines arrive as fast as one generator process makes them (it shares the cores too).
  # Retention of the development broker is about 5 MiB per partition: 24 partitions hold 600 000 lines.
  start=$(date +%s.%N)
  "$LOGTOP" generate "${kafka[@]}" --rate 1000000 --count "$lines" >generate.log 2>&1 &
  gen=$!
  pids+=($gen)
  delivered="$lines"
  # The view's progress line (stderr, every 0.1 s) carries the lines merged so far.
  deadline=$(( $(date +%s) + ${DEADLINE:-300} ))
  t10="" t90=""
  while :; do
    merged="$(grep -o '^progress: lines [0-9]*' view.log 2>/dev/null | tail -1 | cut -d' ' -f3 || true)"
    now=$(date +%s.%N)
    if [[ -n "$merged" ]]; then
      [[ -z "$t10" ]] && (( merged * 10 >= delivered )) && t10=$now m10=$merged
      [[ -z "$t90" ]] && (( merged * 10 >= delivered * 9 )) && t90=$now m90=$merged
      (( merged >= delivered )) && break
    fi
    (( $(date +%s) < deadline )) || { echo "scale-bench: $n members: only ${merged:-0} of $delivered merged" >&2; break; }
    sleep 0.05
  done
  end=$(date +%s.%N)
  wait "$gen" || true
  delivered_gen="$(grep -o '[0-9]* delivered' generate.log | head -1 | cut -d' ' -f1)"
  [[ "$delivered_gen" == "$lines" ]] || echo "scale-bench: the generator delivered $delivered_gen of $lines" >&2
  kill -TERM "$view" 2>/dev/null || true
  wait "$view" 2>/dev/null || true
  partials="$(grep -o '"partials":[0-9]*' results.json | tail -1 | cut -d: -f2 || true)"
  for p in "${members[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${members[@]}"; do wait "$p" 2>/dev/null || true; done
  kill -TERM "$broker"; wait "$broker" 2>/dev/null || true
  awk -v n="$n" -v l="$delivered" -v s="$start" -v e="$end" -v p="${partials:-?}" \
      -v a="${t10:-0}" -v b="${t90:-0}" -v ma="${m10:-0}" -v mb="${m90:-0}" \
    'BEGIN { r = (b > a) ? (mb - ma) / (b - a) : 0; printf "%8d %10d %9.2f %14.0f %10s\n", n, l, e - s, r, p }'
done
