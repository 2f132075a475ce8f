#!/usr/bin/env bash
# tests/vm/radeon-rv100/boot.sh [OUTDIR] - boot Debian's stock 7.3.4 kernel (pinkit's cache,
# tests/vm/stock-kernel.sh) under QEMU/TCG with an emulated ATI RV100
# (-device ati-vga,model=rv100) and a minimal initramfs of our own:
# static busybox, radeon.ko with its dependencies from the stock package,
# and userptr-test.  /init loads the modules (without an fbdev client), records the radeon and drm
# dmesg lines, runs userptr-test on /dev/dri/card0 and powers off.
# The console ends up in OUTDIR/console.txt (default: ./run-rv100).
# FAKE_FW=1 adds a zero-filled radeon/R100_cp.bin, FBDEV=1 keeps the fbdev
# client (see below).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-./out/radeon-rv100}
root=${PINKIT_CACHE:-$HOME/.cache/pinkit}/stock/linux-binary-unsigned-7.3.4+deb13-amd64
kver=$(ls "$root/lib/modules" | head -n1)
kernel=$root/boot/vmlinuz-$kver
[ -f "$kernel" ] || kernel=$root/lib/modules/$kver/vmlinuz.unsigned
[ -f "$kernel" ] || { echo "no stock kernel in $root" >&2; exit 1; }
[ -x "$here/userptr-test" ] || { echo "build userptr-test first (docs/radeon-rv100.md)" >&2; exit 1; }

mkdir -p "$out"
img=$(mktemp -d)
trap 'rm -rf "$img"' EXIT
mkdir -p "$img"/{bin,dev,proc,sys,tmp,lib/modules}
cp /bin/busybox "$img/bin/busybox"
cp "$here/userptr-test" "$img/bin/userptr-test"
: > "$img/lib/modules/order"
for m in $(modprobe -d "$root" -S "$kver" --show-depends radeon |
	   awk '$1 == "insmod" { print $2 }'); do
	b=$(basename "$m" .xz)
	xz -dc "$m" > "$img/lib/modules/$b"
	echo "$b" >> "$img/lib/modules/order"
done
# FAKE_FW=1: a 2048-byte R100_cp.bin of zeros (the size radeon checks; no
# real microcode is reachable here), to see whether the emulated device
# runs the CP ring at all once the firmware load succeeds.
# FBDEV=1: keep the fbdev client, to show the oops it runs into.
[ -n "${FBDEV:-}" ] && : > "$img/fbdev"
if [ -n "${FAKE_FW:-}" ]; then
	mkdir -p "$img/lib/firmware/radeon"
	head -c 2048 /dev/zero > "$img/lib/firmware/radeon/R100_cp.bin"
fi
cat > "$img/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "RV100-BOOTED $(uname -r)"
lspci -nn 2>/dev/null || cat /sys/bus/pci/devices/*/uevent | grep -E 'PCI_ID|DRIVER'
# No fbdev client (unless /fbdev exists): its modeset divides by zero in
# r100_bandwidth_update() on this emulated RV100 (no clock info) and
# kills insmod.
while read -r m; do
	case $m in
	drm_kms_helper.ko) a=fbdev_emulation=0 ;;
	drm_client_lib.ko) a=active= ;;
	*) a= ;;
	esac
	[ -e /fbdev ] && a=
	insmod /lib/modules/$m $a || echo "insmod $m $a failed"
done < /lib/modules/order
sleep 2
echo "=== dmesg: drm/radeon ==="
dmesg | grep -iE 'radeon|drm|\[TTM\]|gart|firmware|microcode|WARNING|Call Trace|RIP:|BUG' 
echo "=== /dev/dri ==="
ls -l /dev/dri
echo "=== userptr-test ==="
userptr-test /dev/dri/card0
echo "=== dmesg after the test ==="
dmesg | tail -n 60
echo "RV100-DONE"
poweroff -f
INIT
chmod 755 "$img/init"
(cd "$img" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initrd.gz"

timeout -k 5 "${TIMEOUT:-1200}" qemu-system-x86_64 -accel tcg -smp 1 -m 1G \
	-kernel "$kernel" -initrd "$out/initrd.gz" \
	-append 'console=ttyS0 panic=-1 loglevel=7 printk.time=1' \
	-vga none -device ati-vga,model=rv100 \
	-display none -monitor none -serial file:"$out/console.log" \
	-no-reboot >"$out/qemu.log" 2>&1 || echo "qemu exit $?" >&2
tr -d '\r' < "$out/console.log" > "$out/console.txt"
grep -q RV100-DONE "$out/console.txt" && echo "done: $out/console.txt" ||
	echo "no RV100-DONE marker: see $out/console.txt" >&2
