#!/usr/bin/env bash
# Builds the Debian package of logtop: a release binary with the Swift standard library linked in
# (it runs without a Swift toolchain), a man page generated from the command-line definitions,
# bash/zsh/fish completions, systemd units and the services' settings file.
#
#   scripts/build-deb.sh [OUTPUT_DIR]      default OUTPUT_DIR: .build-release/deb
#
# Prints the path of the .deb on its last line. Needs Swift, dpkg-deb and dpkg-shlibdeps (dpkg-dev);
# scripts/setup.sh installs them. Build tree: $LOGTOP_SCRATCH (default .build-release, git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SCRATCH=${LOGTOP_SCRATCH:-$ROOT/.build-release}
OUT=${1:-$SCRATCH/deb}

for tool in swift dpkg-deb dpkg-shlibdeps dpkg-architecture gzip strip; do
  command -v "$tool" >/dev/null || {
    echo "build-deb: $tool is missing (Debian: ./scripts/setup.sh installs dpkg-dev and binutils)" >&2
    exit 1
  }
done

VERSION=$(sed -n 's/.*static let version = "\([^"]*\)".*/\1/p' Sources/LogtopCore/Logtop.swift)
[[ -n $VERSION ]] || { echo "build-deb: no version in Sources/LogtopCore/Logtop.swift" >&2; exit 1; }
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)

echo "build-deb: release build (static Swift standard library)" >&2
swift build -c release --static-swift-stdlib --product logtop --scratch-path "$SCRATCH" >&2
BIN=$(swift build -c release --static-swift-stdlib --product logtop --scratch-path "$SCRATCH" --show-bin-path)/logtop
if ldd "$BIN" | grep -q 'libswift'; then
  echo "build-deb: $BIN still links the Swift runtime dynamically:" >&2
  ldd "$BIN" >&2
  exit 1
fi

# swift-argument-parser's manual generator reads the definitions from the binary itself
# (`logtop --experimental-dump-help`). Built in debug: its flags differ from the static build's, so
# a release build of it would recompile logtop.
echo "build-deb: man page (swift-argument-parser generate-manual)" >&2
swift build --product generate-manual --scratch-path "$SCRATCH" >&2
GENMAN=$(swift build --product generate-manual --scratch-path "$SCRATCH" --show-bin-path)/generate-manual
# The date of the last commit, not today: the same sources make the same page.
DATE=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)

STAGE=$SCRATCH/deb-root
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$OUT"
install -d "$STAGE/usr/bin" "$STAGE/usr/share/man/man1" "$STAGE/usr/share/doc/logtop" \
  "$STAGE/usr/share/bash-completion/completions" "$STAGE/usr/share/zsh/vendor-completions" \
  "$STAGE/usr/share/fish/vendor_completions.d" "$STAGE/lib/systemd/system" "$STAGE/etc/logtop"

install -m 0755 "$BIN" "$STAGE/usr/bin/logtop"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$STAGE/usr/bin/logtop"

MANDIR=$SCRATCH/man
rm -rf "$MANDIR" && mkdir -p "$MANDIR"
"$GENMAN" "$STAGE/usr/bin/logtop" --output-directory "$MANDIR" --date "$DATE" --section 1 >&2
gzip -9n -c "$MANDIR/logtop.1" > "$STAGE/usr/share/man/man1/logtop.1.gz"
chmod 0644 "$STAGE/usr/share/man/man1/logtop.1.gz"

"$STAGE/usr/bin/logtop" --generate-completion-script bash > "$STAGE/usr/share/bash-completion/completions/logtop"
"$STAGE/usr/bin/logtop" --generate-completion-script zsh > "$STAGE/usr/share/zsh/vendor-completions/_logtop"
"$STAGE/usr/bin/logtop" --generate-completion-script fish > "$STAGE/usr/share/fish/vendor_completions.d/logtop.fish"

install -m 0644 packaging/systemd/logtop-analyze@.service packaging/systemd/logtop-batch.service "$STAGE/lib/systemd/system/"
# The services' Kafka settings (may hold the SASL password): root only, never world-readable.
install -m 0600 packaging/logtop.env "$STAGE/etc/logtop/logtop.env"
install -m 0644 README.md "$STAGE/usr/share/doc/logtop/README.md"
install -m 0644 docs/packaging.md "$STAGE/usr/share/doc/logtop/packaging.md"

install -m 0644 packaging/debian/conffiles "$STAGE/DEBIAN/conffiles"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$STAGE/DEBIAN/"

# Depends: the packages of the shared libraries the binary links (its NEEDED entries), with the
# minimum versions their symbols files give, computed by dpkg-shlibdeps like debhelper would.
SHLIB=$SCRATCH/shlibdeps
rm -rf "$SHLIB"
mkdir -p "$SHLIB/debian"
printf 'Source: logtop\n\nPackage: logtop\nArchitecture: any\n' > "$SHLIB/debian/control"
DEPENDS=$(cd "$SHLIB" && dpkg-shlibdeps -O "$STAGE/usr/bin/logtop" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[[ -n $DEPENDS ]] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$SIZE/" \
  -e "s/@DEPENDS@/$DEPENDS/" packaging/debian/control.in > "$STAGE/DEBIAN/control"

DEB=$OUT/logtop_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >&2
echo "$DEB"
