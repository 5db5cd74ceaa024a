#!/usr/bin/env bash
# Installs the Debian packages logtop needs to build, run, test and package (Debian 12).
# Runs apt-get only when something is missing (or always with --force); needs root or sudo.
set -euo pipefail

PACKAGES=(
  pkg-config
  zlib1g-dev         # reads rotated .gz logs
  librdkafka-dev     # Kafka client (>= 2.0.2), with the in-process mock cluster
  libncursesw5-dev   # wide-character ncurses for the dashboard
  libssl-dev         # TLS for SASL_SSL connections
  kcat               # independent Kafka client used by the tests
  tmux               # drives the real dashboard in end-to-end tests
  openssl            # makes throw-away certificates for the TLS tests
  python3            # fake SASL broker (scripts/fake-kafka-broker.py) and compose check in the tests
  python3-yaml       # scripts/check-compose.py parses docker-compose.yml
  python3-prometheus-client  # scripts/check-metrics.py: the tests parse the /metrics exposition with it
  default-jre-headless  # keytool: the tests run the compose certificate script on the host
  dpkg-dev           # scripts/build-deb.sh: dpkg-shlibdeps computes the package's Depends
  binutils           # scripts/build-deb.sh strips the binary
  man-db             # scripts/test-package.sh: man -w logtop
  systemd            # scripts/test-package.sh: systemd-analyze verify (systemd need not be running)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 && "${1:-}" != "--force" ]]; then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "setup: installing ${missing[*]:-${PACKAGES[*]}}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
