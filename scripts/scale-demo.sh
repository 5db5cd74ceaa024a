#!/usr/bin/env bash
# Scale-out demo on one machine, every part a separate process:
#   logtop broker                      the shared cluster (in-memory development broker)
#   logtop generate --count N          produces N access-log lines, then exits
#   logtop analyze  x3                 members a, b, c of one consumer group, publishing partial aggregates
#   logtop --batch --source none       the merged view, writing results
# Member b is killed with SIGKILL mid-run; the script then checks that the merged total equals what
# the generator delivered (nothing lost, nothing counted twice) and prints the figures.
#
#   scripts/scale-demo.sh [LINES] [RATE]         defaults: 90000 lines at 3000 lines/s
#   LOGTOP=path/to/logtop scripts/scale-demo.sh  use a binary already built
#
# Against a real cluster, run the same commands on several machines with --brokers HOST:PORT (and
# the security settings of docs/kafka-security.md) instead of `logtop broker` and --no-create-topics.
set -euo pipefail
cd "$(dirname "$0")/.."
lines="${1:-90000}"
rate="${2:-3000}"
source scripts/processes.sh
logtop_binary
start_work scale-demo

"$LOGTOP" broker >"$work/broker.log" 2>&1 &
pids+=($!)
wait_for "$work/broker.log" "embedded Kafka broker at" 30
addr="$(grep -o '127\.0\.0\.1:[0-9]*' "$work/broker.log" | head -1)"
echo "scale-demo: broker at $addr (in-memory development broker: small retention, no persistence)"
kafka=(--brokers "$addr" --no-create-topics)
# Short sessions, so that the group notices the killed member in seconds (the Kafka default is 45 s).
member_opts=(-X session.timeout.ms=6000 -X heartbeat.interval.ms=1000)

declare -A member_pid
for m in a b c; do
  "$LOGTOP" analyze "${kafka[@]}" "${member_opts[@]}" --member "$m" >"$work/analyze-$m.log" 2>&1 &
  member_pid[$m]=$!
  pids+=($!)
done
# The view runs until it has merged every delivered line (its progress line says so), then is stopped.
"$LOGTOP" --batch --source none "${kafka[@]}" --interval 10s --progress 1s \
  --results "$work/results.txt" --results-json "$work/results.json" >"$work/view.log" 2>&1 &
view=$!
pids+=($view)
for m in a b c; do wait_for "$work/analyze-$m.log" "publishing to" 30; done

start=$(date +%s)
"$LOGTOP" generate "${kafka[@]}" --rate "$rate" --count "$lines" >"$work/generate.log" 2>&1 &
gen=$!
pids+=($gen)
# Kill b once it has taken partitions and published for them (its status line comes every 5 s).
wait_for "$work/analyze-b.log" "[1-9][0-9]* partials published" 60
echo "scale-demo: killing analyzer b (SIGKILL) at $(( $(date +%s) - start )) s: $(grep -o 'b: .*lag [0-9]*' "$work/analyze-b.log" | tail -1)"
{ kill -9 "${member_pid[b]}"; wait "${member_pid[b]}"; } 2>/dev/null || true
wait "$gen"
delivered="$(grep -o '[0-9]* delivered' "$work/generate.log" | head -1 | cut -d' ' -f1)"
echo "scale-demo: generator done in $(( $(date +%s) - start )) s: $delivered lines delivered"
echo "scale-demo: waiting (up to 120 s) until the merged view has counted $delivered lines..."
grep_view() { grep -q "progress: lines $delivered |" "$work/view.log" 2>/dev/null; }
deadline=$(( $(date +%s) + 120 ))
until grep_view || (( $(date +%s) >= deadline )); do sleep 0.5; done
kill -TERM "$view" 2>/dev/null || true
wait "$view" || true

total="$(grep '"type":"total"' "$work/results.json" | grep -o '"requests":[0-9]*' | head -1 | cut -d: -f2)"
malformed="$(grep '"type":"total"' "$work/results.json" | grep -o '"malformed":[0-9]*' | head -1 | cut -d: -f2 || true)"
merged="$(grep '^merged ' "$work/results.txt" | tail -1 | sed 's/^merged *//' || true)"
for m in a c; do kill -TERM "${member_pid[$m]}" 2>/dev/null || true; done
for m in a c; do wait "${member_pid[$m]}" 2>/dev/null || true; done
for m in a b c; do echo "analyzer $m: $(grep 'logtop analyze:' "$work/analyze-$m.log" | tail -1 | sed 's/^logtop analyze: //')"; done
echo "(the analyzers' lines add up to more than the total: what b had read but not yet published was read again by its successor)"
echo "merged view: $merged"
echo "scale-demo: produced $delivered, merged total $total requests${malformed:+ + $malformed malformed}"
if [[ -n "$total" && "$total" == "$delivered" ]]; then
  echo "scale-demo: OK: the merged totals equal what was produced"
else
  echo "scale-demo: FAIL: merged total ${total:-none} != produced $delivered"
  exit 1
fi
