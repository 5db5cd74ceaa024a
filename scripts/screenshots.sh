#!/usr/bin/env bash
# Screenshots of the real dashboard in a real terminal: logtop runs in xterm under Xvfb, keys are
# typed with xdotool, ImageMagick grabs the window. Produces:
#   screenshots/dashboard.png  normal generated traffic
#   screenshots/alert.png      the flood scenario (key 3) firing client_flood, rule selected with Tab
#   screenshots/help.png       the help overlay (?)
#   screenshots/small.png      the minimum size, 80x24
#   screenshots/filter.png     the same traffic filtered with / (status:>=400): every pane counts the matches
#   screenshots/drill.png      a drill-down (n to select the first top-list row, Enter): one path's dashboard
#   screenshots/merged.png     a merged view (--source none) of three `logtop analyze` members, one
#                              of them killed: the pipeline pane lists the analyzers
# Installs what it needs from Debian when missing (xvfb xterm imagemagick xdotool fonts-dejavu-core).
# Usage: scripts/screenshots.sh            (builds logtop with swift build unless LOGTOP_BIN is set)
#        WARMUP=30 scripts/screenshots.sh  (seconds of traffic before the first shot; default 62)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=screenshots
WARMUP=${WARMUP:-62}
ALERT_WAIT=${ALERT_WAIT:-28}
COLS=${COLS:-120}
ROWS=${ROWS:-36}

packages=(xvfb xterm imagemagick xdotool fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "screenshots: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
IMPORT=/usr/bin/import   # ImageMagick's, not a stand-in earlier on PATH

if [[ -z "${LOGTOP_BIN:-}" ]]; then
  swift build --product logtop >&2
  LOGTOP_BIN="$(swift build --show-bin-path)/logtop"
fi
[[ -x "$LOGTOP_BIN" ]] || { echo "screenshots: no logtop binary at $LOGTOP_BIN" >&2; exit 1; }

# A free X display.
n=90
while [[ -e /tmp/.X11-unix/X$n || -e /tmp/.X$n-lock ]]; do n=$((n + 1)); done
export DISPLAY=:$n
WORK=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

Xvfb "$DISPLAY" -screen 0 1920x1200x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -e /tmp/.X11-unix/X$n ]] && break; sleep 0.1; done

# xterm: DejaVu Sans Mono, dark background, 256 colours; allowSendEvents lets xdotool type into it.
WID=""
run_xterm() {  # cols rows title command... (sets WID; no subshell, so the pid list stays ours)
  local cols=$1 rows=$2 title=$3; shift 3
  xterm -geometry "${cols}x${rows}+0+0" -fa "DejaVu Sans Mono" -fs 11 -bg "#15191f" -fg "#d4d7dc" \
        -xrm "XTerm*allowSendEvents: true" -xrm "XTerm*termName: xterm-256color" -xrm "XTerm*boldColors: false" \
        -xrm "XTerm*color8: #6b7280" -xrm "XTerm*color4: #3b6fb6" -xrm "XTerm*color6: #3fb6c6" \
        -xrm "XTerm*color2: #5fbf6f" -xrm "XTerm*color3: #e5c15a" -xrm "XTerm*color1: #e4606a" \
        -b 6 -T "$title" -e "$@" &
  pids+=($!)
  WID=""
  for _ in $(seq 100); do
    WID=$(xdotool search --name "^$title\$" 2>/dev/null | head -1 || true)
    [[ -n "$WID" ]] && break
    sleep 0.1
  done
  [[ -n "$WID" ]] || { echo "screenshots: xterm did not start" >&2; exit 1; }
}
shot() {  # window file
  "$IMPORT" -window "$1" "$OUT/$2"
  echo "screenshots: $OUT/$2" >&2
}
key() {  # window keys...
  local w=$1; shift
  for k in "$@"; do xdotool key --window "$w" "$k"; sleep 0.3; done
}

mkdir -p "$OUT"
cmd="cd '$WORK' && LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '$LOGTOP_BIN' --rate 250 --seed 7"

# 1. Normal traffic, 2. the flood scenario firing, 3. the help overlay: one run.
run_xterm "$COLS" "$ROWS" logtop-main bash -c "$cmd; sleep 5"
W=$WID
echo "screenshots: warming up for $WARMUP s" >&2
sleep "$WARMUP"
shot "$W" dashboard.png
key "$W" 3 Tab Tab Tab Tab
echo "screenshots: flood scenario, waiting $ALERT_WAIT s for the alert" >&2
sleep "$ALERT_WAIT"
shot "$W" alert.png
key "$W" question
sleep 0.5
shot "$W" help.png
key "$W" Escape
# 4. A filter typed with /, counted from then on.
key "$W" slash
xdotool type --window "$W" --delay 80 'status:>=400'
key "$W" Return
echo "screenshots: filter applied, waiting 20 s" >&2
sleep 20
shot "$W" filter.png
key "$W" Escape
# 5. A drill-down into the first row of the top list.
key "$W" n Return
echo "screenshots: drill-down, waiting 20 s" >&2
sleep 20
shot "$W" drill.png
key "$W" Escape q
sleep 2

# 6. The minimum size.
run_xterm 80 24 logtop-small bash -c "$cmd; sleep 5"
W=$WID
sleep 30
shot "$W" small.png
key "$W" q
sleep 2

# 7. A merged view: a broker, a generator and three analyzer members as separate processes; one
#    member is killed, so the pane shows two publishing and one silent.
"$LOGTOP_BIN" broker >"$WORK/broker.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "broker at" "$WORK/broker.log" 2>/dev/null && break; sleep 0.1; done
addr="$(grep -o '127\.0\.0\.1:[0-9]*' "$WORK/broker.log" | head -1)"
kafka="--brokers $addr --no-create-topics"
member_pids=()
for m in web-1 web-2 web-3; do
  (cd "$WORK" && exec "$LOGTOP_BIN" analyze $kafka --member "$m" -X session.timeout.ms=6000 >"$WORK/$m.log" 2>&1) &
  member_pids+=($!)
  pids+=($!)
done
(cd "$WORK" && exec "$LOGTOP_BIN" generate $kafka --rate 250 --seed 7 >"$WORK/generate.log" 2>&1) &
pids+=($!)
run_xterm "$COLS" "$ROWS" logtop-merged bash -c "cd '$WORK' && LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '$LOGTOP_BIN' --source none $kafka; sleep 5"
W=$WID
sleep 25
kill -9 "${member_pids[2]}" 2>/dev/null || true
echo "screenshots: web-3 killed; waiting for the others to take its partitions" >&2
sleep 30
shot "$W" merged.png
key "$W" q
sleep 2
echo "screenshots: done" >&2
