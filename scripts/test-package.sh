#!/usr/bin/env bash
# End-to-end test of the Debian package (CI runs it after `swift test`; see README "Install"):
# builds it (scripts/build-deb.sh), installs it with apt on this machine, runs /usr/bin/logtop with an
# empty environment (no Swift on PATH, no LD_LIBRARY_PATH), checks the man page, the completions and
# the systemd units, runs each unit's command line as the service user, then removes and purges the
# package and checks that nothing is left but what Debian policy keeps.
#
# Needs root (or sudo): it installs and removes the package `logtop`, and replaces one installed
# before. A missing tool fails the test with the Debian package that provides it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

failures=0
pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
die() { echo "FAIL - $*"; echo "test-package: FAILED" >&2; exit 1; }

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || die "needs root or sudo (installs and removes the package)"
  SUDO="sudo"
fi

# Every tool the test needs, with the Debian package that provides it.
missing=()
for pair in dpkg-deb:dpkg dpkg-shlibdeps:dpkg-dev apt-get:apt man:man-db systemd-analyze:systemd \
            runuser:util-linux strip:binutils gzip:gzip; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair%%:*} (apt install ${pair#*:})")
done
[[ ${#missing[@]} -eq 0 ]] || die "missing: ${missing[*]} (./scripts/setup.sh installs them)"

VERSION=$(sed -n 's/.*static let version = "\([^"]*\)".*/\1/p' Sources/LogtopCore/Logtop.swift)
WORK=$(mktemp -d /tmp/logtop-package-test.XXXXXX)
chmod 0755 "$WORK"
trap 'rm -rf "$WORK"' EXIT

start=$(date +%s)
DEB=$(./scripts/build-deb.sh | tail -n 1) || die "scripts/build-deb.sh failed"
echo "# built $DEB in $(( $(date +%s) - start )) s"
[[ -f $DEB ]] || die "no package built"
check "file name is logtop_${VERSION}_amd64.deb" test "$(basename "$DEB")" = "logtop_${VERSION}_amd64.deb"

# --- the package itself -------------------------------------------------------------------------
depends=$(dpkg-deb -f "$DEB" Depends)
echo "# Depends: $depends"
for p in librdkafka1 libncursesw6 zlib1g libc6; do
  check "Depends names $p" grep -Eq "(^|, )$p( |,|$)" <<<"$depends"
done
check "Depends names no Swift package" bash -c '! grep -qi swift <<<"$1"' _ "$depends"
listing=$(dpkg-deb -c "$DEB")
check "settings file is root-only (-rw------- root/root)" \
  grep -Eq '^-rw------- root/root .* \./etc/logtop/logtop\.env$' <<<"$listing"
check "no file in the package is owned by the builder" bash -c '! grep -Ev " root/root " <<<"$1"' _ "$listing"
check "the settings file is a conffile" bash -c 'dpkg-deb -I "$1" conffiles | grep -qx /etc/logtop/logtop.env' _ "$DEB"

# --- install ------------------------------------------------------------------------------------
if dpkg-query -W -f='${Status}' logtop 2>/dev/null | grep -q installed; then
  echo "# purging the logtop package installed before"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq logtop >/dev/null
fi
cp "$DEB" "$WORK/"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$WORK/$(basename "$DEB")" >/dev/null \
  || die "apt-get install ./$(basename "$DEB") failed"
pass "apt-get install ./$(basename "$DEB")"
mapfile -t installed < <(dpkg-query -L logtop | while read -r f; do [[ -f $f ]] && echo "$f"; done)
echo "# ${#installed[@]} files installed"

# --- run it without Swift -----------------------------------------------------------------------
# A shell whose PATH and library path hold no Swift: env -i drops LD_LIBRARY_PATH and everything else.
CLEAN=(env -i PATH=/usr/bin:/bin HOME="$WORK" LANG=C)
check "ldd /usr/bin/logtop lists no libswift" bash -c '! ldd /usr/bin/logtop | grep -q libswift'
check "every library of /usr/bin/logtop is found" bash -c '! ldd /usr/bin/logtop | grep -q "not found"'
check "the empty environment has no swift on PATH" bash -c '! "$@" sh -c "command -v swift"' _ "${CLEAN[@]}"
out=$("${CLEAN[@]}" /usr/bin/logtop --version 2>&1) || true
check "/usr/bin/logtop --version prints 'logtop $VERSION' (got '$out')" test "$out" = "logtop $VERSION"
help=$("${CLEAN[@]}" /usr/bin/logtop --help 2>&1 | head -n 3) || true
check "--help's header names the version" grep -q "logtop $VERSION" <<<"$help"

mkdir -p "$WORK/batch"
# 3 s of generated traffic through the embedded Kafka cluster; the run ends by itself.
if (cd "$WORK/batch" && timeout 120 "${CLEAN[@]}" /usr/bin/logtop --batch --duration 3s --rate 200 \
      --results-json results.jsonl 2> stderr.txt); then
  pass "a short --batch exits 0"
else
  fail "a short --batch exits 0"; cat "$WORK/batch/stderr.txt"
fi
check "--batch used the embedded broker" grep -q "embedded Kafka broker at 127.0.0.1:" "$WORK/batch/stderr.txt"
check "results.txt has a TOTAL block" grep -q '^==== TOTAL ' "$WORK/batch/results.txt"
check "the TOTAL block names the version" grep -qx "logtop          $VERSION" "$WORK/batch/results.txt"
check "the JSON kafka record names the version" \
  grep -q "^{\"type\":\"kafka\",\"logtop\":\"$VERSION\"" "$WORK/batch/results.jsonl"
# Requests counted by the TOTAL block == records delivered to Kafka (both > 0).
requests=$(awk '/^==== TOTAL/{t=1} t && $1=="requests"{print $2; exit}' "$WORK/batch/results.txt")
delivered=$(sed -n 's/^kafka .* delivered \([0-9]*\) .*/\1/p' "$WORK/batch/results.txt")
check "TOTAL requests ($requests) = delivered ($delivered) > 0" \
  bash -c '[[ -n $1 && $1 -gt 0 && $1 == "$2" ]]' _ "$requests" "$delivered"

# --- man page and completions -------------------------------------------------------------------
manpath=$(man -w logtop 2>&1) || true
check "man -w logtop finds /usr/share/man/man1/logtop.1.gz (got '$manpath')" test "$manpath" = /usr/share/man/man1/logtop.1.gz
page=$(LC_ALL=C MANWIDTH=100 man logtop 2>/dev/null | cat || true)  # not a terminal: man-db strips the formatting
# Every option of --help is in the page: it comes from the same definitions.
helpflags=$("${CLEAN[@]}" /usr/bin/logtop --help | grep -oE '^ +(-[A-Za-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+' | sort -u)
missingflags=$(for f in $helpflags; do grep -q -- "$f" <<<"$page" || echo "$f"; done)
check "the man page documents every --help option ($(wc -w <<<"$helpflags") options; missing: ${missingflags:-none})" \
  test -z "$missingflags"
for sub in generate analyze broker; do
  check "the man page documents 'logtop $sub'" grep -q "$sub" <<<"$page"
done
check "bash completion at /usr/share/bash-completion/completions/logtop" \
  test -s /usr/share/bash-completion/completions/logtop
# Loading it defines the completion, and it completes the options.
words=$(bash -c 'source /usr/share/bash-completion/completions/logtop && complete -p logtop >/dev/null &&
  COMP_WORDS=(logtop --bat); COMP_CWORD=1; COMP_LINE="logtop --bat"; COMP_POINT=${#COMP_LINE}
  fn=$(complete -p logtop | sed -n "s/.*-F \([^ ]*\).*/\1/p"); "$fn" logtop --bat logtop; printf "%s\n" "${COMPREPLY[@]}"' 2>&1) || true
check "bash completes 'logtop --bat' to --batch (got '${words//$'\n'/ }')" grep -qx -- '--batch' <<<"$words"
check "zsh completion at /usr/share/zsh/vendor-completions/_logtop" \
  grep -q '^#compdef logtop' /usr/share/zsh/vendor-completions/_logtop
check "fish completion at /usr/share/fish/vendor_completions.d/logtop.fish" \
  grep -q "^complete -c 'logtop' .* -l 'batch'" /usr/share/fish/vendor_completions.d/logtop.fish

# --- systemd units, settings file, service user -------------------------------------------------
check "settings file /etc/logtop/logtop.env is root:root 0600" \
  test "$(stat -c '%U:%G %a' /etc/logtop/logtop.env)" = "root:root 600"
check "system user logtop exists with no login shell" \
  bash -c 'getent passwd logtop | grep -q ":/usr/sbin/nologin$"'
check "/var/lib/logtop belongs to logtop, mode 0750" \
  test "$(stat -c '%U:%G %a' /var/lib/logtop)" = "logtop:logtop 750"
# systemd-analyze verify: syntax, directives, the binary of ExecStart. A template is verified
# through an instance of it.
cp /lib/systemd/system/logtop-analyze@.service "$WORK/logtop-analyze@ci.service"
if verify=$(systemd-analyze verify /lib/systemd/system/logtop-batch.service "$WORK/logtop-analyze@ci.service" 2>&1) \
    && ! grep -q 'logtop' <<<"$verify"; then
  pass "systemd-analyze verify logtop-batch.service logtop-analyze@ci.service"
else
  fail "systemd-analyze verify: $verify"
fi
for unit in logtop-batch.service logtop-analyze@.service; do
  for opt in User=logtop NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
             EnvironmentFile=/etc/logtop/logtop.env StateDirectory=logtop; do
    check "$unit has $opt" grep -qx "$opt" "/lib/systemd/system/$unit"
  done
done
# No systemd as PID 1 here: run what each unit's ExecStart runs, as the user logtop, with the shipped
# settings (no broker set: the embedded cluster; the batch view is the merged view, --source none),
# for a few seconds.
# The ExecStart words as systemd makes them: %i is the instance; a lone $NAME is the value of NAME in
# the EnvironmentFile (KEY=value lines, surrounding double quotes removed) split at white space.
unit_command() {
  local line key value w
  local -A settings=()
  line=$(sed -n 's/^ExecStart=//p' "/lib/systemd/system/$1")
  while IFS= read -r w; do
    [[ $w =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
    [[ $value =~ ^\"(.*)\"$ ]] && value=${BASH_REMATCH[1]}
    settings[$key]=$value
  done < /etc/logtop/logtop.env
  set -f
  for w in $line; do
    w=${w//%i/ci}
    if [[ $w =~ ^\$([A-Za-z_][A-Za-z0-9_]*)$ ]]; then
      value=${settings[${BASH_REMATCH[1]}]:-}
      [[ -z $value ]] || printf '%s\n' $value
    else
      printf '%s\n' "$w"
    fi
  done
  set +f
}
mapfile -t batch_cmd < <(unit_command logtop-batch.service)
if (cd /var/lib/logtop && timeout 120 $SUDO runuser -u logtop -- env -i PATH=/usr/bin:/bin \
      "${batch_cmd[@]}" --duration 3s 2> "$WORK/unit-batch.txt"); then
  pass "logtop-batch.service's command runs as logtop: ${batch_cmd[*]}"
else
  fail "logtop-batch.service's command runs as logtop: ${batch_cmd[*]}"; cat "$WORK/unit-batch.txt"
fi
check "it wrote /var/lib/logtop/results.txt with a TOTAL block" grep -q '^==== TOTAL ' /var/lib/logtop/results.txt
check "it wrote /var/lib/logtop/results.jsonl" grep -q '"type":"kafka"' /var/lib/logtop/results.jsonl
mapfile -t analyze_cmd < <(unit_command logtop-analyze@.service)
if (cd /var/lib/logtop && timeout 120 $SUDO runuser -u logtop -- env -i PATH=/usr/bin:/bin \
      "${analyze_cmd[@]}" --duration 3s 2> "$WORK/unit-analyze.txt"); then
  pass "logtop-analyze@.service's command runs as logtop: ${analyze_cmd[*]}"
else
  fail "logtop-analyze@.service's command runs as logtop: ${analyze_cmd[*]}"; cat "$WORK/unit-analyze.txt"
fi

# --- remove, then purge -------------------------------------------------------------------------
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq logtop >/dev/null || die "apt-get remove logtop failed"
left=()
for f in "${installed[@]}"; do
  [[ -e $f && $f != /etc/logtop/logtop.env ]] && left+=("$f")
done
check "remove: no installed file is left but the conffile (left: ${left[*]:-none})" test ${#left[@]} -eq 0
check "remove: the conffile /etc/logtop/logtop.env is kept (Debian policy)" test -f /etc/logtop/logtop.env
check "remove: the package is in state config-files" \
  test "$(dpkg-query -W -f='${db:Status-Status}' logtop 2>/dev/null)" = config-files
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq logtop >/dev/null || die "apt-get purge logtop failed"
check "purge: /etc/logtop is gone" test ! -e /etc/logtop
check "purge: /var/lib/logtop (results of the services) is gone" test ! -e /var/lib/logtop
check "purge: dpkg no longer knows logtop" bash -c '! dpkg-query -W logtop >/dev/null 2>&1'
check "purge: no file of the package is left" bash -c 'for f; do [[ -e $f ]] && exit 1; done; exit 0' _ "${installed[@]}"
# The system user stays (Debian policy: files it owned may remain elsewhere).
check "purge: the system user logtop is kept (Debian policy)" getent passwd logtop

echo "# package test took $(( $(date +%s) - start )) s"
if [[ $failures -gt 0 ]]; then
  echo "test-package: $failures check(s) FAILED" >&2
  exit 1
fi
echo "test-package: all checks passed"
