#!/usr/bin/env bash
# initramfs.sh OUT [MODULES-DIR] - the first-stage initramfs of the guest on
# the host's root filesystem: static busybox, stage1.sh as /init and, for a
# stock kernel, MODULES-DIR's lib/modules (tests/vm/stock-modules.sh).
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
out=$1 mods=${2:-}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,proc,dev}
cp /bin/busybox "$root/bin/busybox"
ldd /bin/busybox >/dev/null 2>&1 &&
	die "/bin/busybox is not the static build; apt-get install busybox-static"
install -m 755 "$(dirname "$0")/stage1.sh" "$root/init"
[ -n "$mods" ] && cp -a "$mods/." "$root/"
mkdir -p "$(dirname "$out")"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
