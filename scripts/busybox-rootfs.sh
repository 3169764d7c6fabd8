#!/bin/sh
# Build a minimal busybox rootfs tarball from the host's static busybox (the test/demo base image).
#   scripts/busybox-rootfs.sh OUT.tar      then: docker import OUT.tar busybox:latest
set -eu
out=${1:?usage: busybox-rootfs.sh OUT.tar}
bb=${BUSYBOX:-/usr/bin/busybox}
[ -x "$bb" ] || { echo "busybox not found at $bb" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
r=$tmp/rootfs
mkdir -p "$r/bin" "$r/etc" "$r/root" "$r/var" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/home" "$r/usr/bin" "$r/usr/sbin" "$r/sbin"
cp "$bb" "$r/bin/busybox"
chmod 0755 "$r/bin/busybox"
for a in $("$bb" --list); do
  [ "$a" = busybox ] && continue
  [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
done
cat > "$r/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$r/etc/group" <<'G'
root:x:0:
nogroup:x:65534:
G
chmod 1777 "$r/tmp"
chmod 0700 "$r/root"
tar --sort=name --mtime='2024-01-01 00:00:00Z' --owner=0 --group=0 --numeric-owner \
  -C "$r" -cf "$out" .
