# Sourced by the scripts that run several logtop processes (scale-demo.sh, scale-bench.sh).
#   logtop_binary            sets LOGTOP: as given, else a release build (after scripts/setup.sh)
#   start_work NAME          a scratch directory in $work, entered; every pid added to `pids` is
#                            killed on exit; KEEP_WORK=1 keeps the directory (its logs) for a look
#   wait_for FILE PAT SECS   waits until FILE contains PAT, or fails showing FILE's tail
# Run from the scratch directory: a .env with credentials for a real cluster must not apply to the
# development broker (`logtop broker` speaks plaintext only).

logtop_binary() {
  if [[ -z "${LOGTOP:-}" ]]; then
    ./scripts/setup.sh
    swift build -c release --product logtop >/dev/null
    LOGTOP="$(swift build -c release --show-bin-path)/logtop"
  fi
  LOGTOP="$(cd "$(dirname "$LOGTOP")" && pwd)/$(basename "$LOGTOP")"  # absolute: we change directory
}

start_work() {
  script_name="$1"
  work="$(mktemp -d)"
  pids=()
  trap stop_work EXIT
  cd "$work"
}

stop_work() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "${KEEP_WORK:-}" ]]; then echo "$script_name: logs kept in $work" >&2; else rm -rf "$work"; fi
}

wait_for() {
  local deadline=$(( $(date +%s) + $3 ))
  until grep -q "$2" "$1" 2>/dev/null; do
    (( $(date +%s) < deadline )) || { echo "$script_name: timed out waiting for '$2' in $1" >&2; tail -5 "$1" >&2; exit 1; }
    sleep 0.1
  done
}
