#!/usr/bin/env bash
# Debian 12's arm64 makedumpfile, runnable on an x86_64 host through qemu-aarch64-static: the oracle for arm64
# dumps (an x86_64 makedumpfile reads x86_64 dumps only). A private APT configuration (APT::Architecture arm64, own
# lists/cache/status, the host's Debian sources) downloads the package and its libraries; dpkg-deb -x unpacks them
# into a sysroot; .cache/arm64-makedumpfile/makedumpfile is the wrapper the tests run. The system's APT setup is not
# touched. Idempotent: does nothing when the wrapper already works.
set -euo pipefail
cd "$(dirname "$0")/.."
D=$PWD/.cache/arm64-makedumpfile
WRAPPER=$D/makedumpfile
if [ -x "$WRAPPER" ] && "$WRAPPER" -v >/dev/null 2>&1; then exit 0; fi
command -v qemu-aarch64-static >/dev/null || { echo "setup-arm64-makedumpfile: qemu-aarch64-static is missing (apt-get install qemu-user-static)" >&2; exit 1; }

A=$D/apt
mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$D/debs"
: > "$A/status"
apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' \
  | grep -i debian | sort -u \
  | awk '{printf "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s %s\n", $1, $2, $3}' > "$A/sources.list"
[ -s "$A/sources.list" ] || { echo "setup-arm64-makedumpfile: no Debian sources found in apt-get indextargets" >&2; exit 1; }
cat > "$A/apt.conf" <<CONF
Dir::Etc::sourcelist "$A/sources.list";
Dir::Etc::sourceparts "-";
Dir::State::Lists "$A/lists";
Dir::Cache "$A/cache";
Dir::State::status "$A/status";
APT::Architecture "arm64";
APT::Architectures { "arm64"; };
CONF
apt-get -c "$A/apt.conf" -qq update
# makedumpfile and the libraries its binary needs (ldd of Debian 12's package: libdw, libelf, liblzo2, zlib,
# libbz2, liblzma, libzstd, libc).
PKGS=(makedumpfile libc6 libgcc-s1 libdw1 libelf1 liblzo2-2 zlib1g libbz2-1.0 liblzma5 libzstd1)
(cd "$D/debs" && apt-get -c "$A/apt.conf" -qq download "${PKGS[@]}")
rm -rf "$D/sysroot"
for deb in "$D"/debs/*.deb; do dpkg-deb -x "$deb" "$D/sysroot"; done
cat > "$WRAPPER" <<WRAP
#!/bin/sh
exec qemu-aarch64-static -L "$D/sysroot" "$D/sysroot/usr/bin/makedumpfile" "\$@"
WRAP
chmod +x "$WRAPPER"
"$WRAPPER" -v
