#!/usr/bin/env bash
# stock.sh VER [KERNEL-ARGS...] - boot Debian's prebuilt kernel of VER
# (linux-image-VER*-amd64-unsigned, the newest the archive has) with the
# pinkit guest and suite, loading the modules rxe needs in dependency order.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
ver=$1
shift
check_kver "$ver"
case $ver in
6.1)	pat='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
*)	pat="^linux-image-${ver//./\\.}\\.[0-9]+\\+deb[0-9]+-amd64-unsigned\$" ;;
esac
# newest - the newest package whose name matches $pat.
newest()
{
	apt-cache search --names-only "$pat" | awk '{ print $1 }' | sort -V | tail -n1
}
pkg=$(newest)
if [ -z "$pkg" ]; then
	"$PINKIT_ROOT/scripts/deps.sh" --update
	pkg=$(newest)
fi
[ -n "$pkg" ] || die "no Debian package matches $pat; run apt-get update," \
	"or check that the archive carries linux-image-$ver"

root=$PINKIT_CACHE/stock/$pkg
if [ ! -f "$root/.pinkit-done" ]; then
	step_begin "downloading and unpacking $pkg"
	rm -rf "$root"
	mkdir -p "$root/deb"
	(cd "$root/deb" && apt-get download -q "$pkg" >"$root/download.log" 2>&1) ||
		die "apt-get download $pkg failed (see $root/download.log)"
	dpkg-deb -x "$root"/deb/*.deb "$root"
	rm -rf "$root/deb"
	touch "$root/.pinkit-done"
	step_end
fi
kver=$(ls "$root/lib/modules" | head -n1)
kernel=$root/boot/vmlinuz-$kver
[ -f "$kernel" ] || die "$pkg has no /boot/vmlinuz-$kver"
[ -f "$root/lib/modules/$kver/modules.dep" ] || depmod -b "$root" "$kver"

# The modules rxe needs, with their dependencies, in load order,
# decompressed so that busybox insmod can load them.
extra=$(mktemp -d)
trap 'rm -rf "$extra"' EXIT
mkdir -p "$extra/lib/modules"
mods=$(modprobe -d "$root" -S "$kver" --show-depends -a virtio_pci virtio_net \
	virtio_blk crc32_generic rdma_rxe ib_uverbs | awk '$1 == "insmod" { print $2 }') ||
	die "modprobe could not resolve the rxe modules of $kver"
for m in $mods; do
	[ -n "$(grep -Fx "$m" "$extra/list" 2>/dev/null)" ] && continue
	echo "$m" >> "$extra/list"
	base=$(basename "$m")
	case $base in
	*.xz)	xz -dc "$m" > "$extra/lib/modules/${base%.xz}"; base=${base%.xz} ;;
	*.zst)	zstd -qdc "$m" > "$extra/lib/modules/${base%.zst}"; base=${base%.zst} ;;
	*)	cp "$m" "$extra/lib/modules/$base" ;;
	esac
	echo "/lib/modules/$base" >> "$extra/lib/modules/pinkit.order"
done
initrd=${OUT:-$PINKIT_ROOT/out}/initramfs-stock-$ver.gz
EXTRA_ROOT=$extra "$(dirname "$0")/initramfs.sh" "$initrd"
note "stock kernel $kver with $(wc -l < "$extra/list") modules"
CONTROL= "$PINKIT_ROOT/tests/harness/run.sh" "stock-$ver" "$kernel" "$initrd" "$@"
