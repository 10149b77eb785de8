#!/usr/bin/env bash
# Usage: setup-foreign-makedumpfile.sh DEBIAN_ARCH (arm64, ppc64el, s390x)
# Debian 12's makedumpfile for another architecture, runnable on an x86_64 host through qemu-<arch>-static: the
# oracle for that architecture's dumps (a makedumpfile build reads its own architecture's dumps only). A private APT configuration (APT::Architecture DEBIAN_ARCH, own
# lists/cache/status, the host's Debian sources) downloads the package and its libraries; dpkg-deb -x unpacks them
# into a sysroot; .cache/makedumpfile-DEBIAN_ARCH/makedumpfile is the wrapper the tests run. The system's APT setup is not
# touched. Idempotent: does nothing when the wrapper already works.
set -euo pipefail
cd "$(dirname "$0")/.."
DEB_ARCH=${1:?usage: setup-foreign-makedumpfile.sh DEBIAN_ARCH (arm64, ppc64el, s390x)}
case $DEB_ARCH in
  arm64) QEMU=qemu-aarch64-static ;;
  ppc64el) QEMU=qemu-ppc64le-static ;;
  s390x) QEMU=qemu-s390x-static ;;
  *) echo "setup-foreign-makedumpfile: no Debian 12 makedumpfile for $DEB_ARCH" >&2; exit 1 ;;
esac
D=$PWD/.cache/makedumpfile-$DEB_ARCH
WRAPPER=$D/makedumpfile
if [ -x "$WRAPPER" ] && "$WRAPPER" -v >/dev/null 2>&1; then exit 0; fi
command -v $QEMU >/dev/null || { echo "setup-foreign-makedumpfile: $QEMU is missing (apt-get install qemu-user-static)" >&2; exit 1; }

A=$D/apt
mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$D/debs"
: > "$A/status"
apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' \
  | grep -i debian | sort -u \
  | awk '{printf "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s %s\n", $1, $2, $3}' > "$A/sources.list"
[ -s "$A/sources.list" ] || { echo "setup-foreign-makedumpfile: no Debian sources found in apt-get indextargets" >&2; exit 1; }
cat > "$A/apt.conf" <<CONF
Dir::Etc::sourcelist "$A/sources.list";
Dir::Etc::sourceparts "-";
Dir::State::Lists "$A/lists";
Dir::Cache "$A/cache";
Dir::State::status "$A/status";
APT::Architecture "$DEB_ARCH";
APT::Architectures { "$DEB_ARCH"; };
CONF
apt-get -c "$A/apt.conf" -qq update
# makedumpfile and the libraries its binary needs (ldd of Debian 12's package: libdw, libelf, liblzo2, zlib,
# libbz2, liblzma, libzstd, libc).
PKGS=(makedumpfile libc6 libgcc-s1 libdw1 libelf1 liblzo2-2 zlib1g libbz2-1.0 liblzma5 libzstd1)
(cd "$D/debs" && apt-get -c "$A/apt.conf" -qq download "${PKGS[@]}")
rm -rf "$D/sysroot"
for deb in "$D"/debs/*.deb; do dpkg-deb -x "$deb" "$D/sysroot"; done
# An absolute symlink (ppc64el's /lib64/ld64.so.2) would resolve on the host, not in the sysroot: make it relative.
find "$D/sysroot" -type l -lname '/*' | while read -r link; do
  ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$D/sysroot$(readlink "$link")")" "$link"
done
cat > "$WRAPPER" <<WRAP
#!/bin/sh
exec $QEMU -L "$D/sysroot" "$D/sysroot/usr/bin/makedumpfile" "\$@"
WRAP
chmod +x "$WRAPPER"
"$WRAPPER" -v
