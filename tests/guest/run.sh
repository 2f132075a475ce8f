#!/usr/bin/env bash
# run.sh shell|exec KERNEL OUTDIR [MODULES-DIR] - boot KERNEL with the
# host's / as the guest's root (read-only over virtio-9p, a tmpfs overlay
# on top; stage1.sh, init.sh), or with ROOT=trixie|sid the Debian root
# root.sh builds (the kit's tree then read-only at its host path too), and
# the kit's set-up (rxe0, hugetlb pages,
# swap, debugfs, two NUMA nodes).  shell: an interactive bash on the
# console (Ctrl-A x quits QEMU).  exec: CMD (bash -c) in the working
# directory PWD, its output streamed, bounded by TIMEOUT seconds (default
# 300); the exit status is the command's, 125 when the guest set-up failed,
# 124 when the guest timed out or died without reporting one.
# MODULES-DIR: a stock kernel's modules (tests/vm/stock-modules.sh).
# OUTDIR keeps console.log, the guest's dmesg and rc (OUTDIR/share) and
# qemu-cmd, the same boot again.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
mode=$1 kernel=$2 out=$3 mods=${4:-}
case $mode in
shell|exec) ;;
*) die "run.sh: mode '$mode': use shell or exec" ;;
esac
[ -f "$kernel" ] || die "no kernel image at $kernel"
command -v qemu-system-x86_64 >/dev/null ||
	die "qemu-system-x86_64 not found; apt-get install qemu-system-x86"
# ROOT_DIR: the root's directory, when the caller asked root.sh already.
rootdir=/
[ -n "${ROOT:-}" ] && { rootdir=${ROOT_DIR:-$("$(dirname "$0")/root.sh" "$ROOT")} || exit 125; }
rm -rf "$out/share"
mkdir -p "$out/share"
share=$out/share
"$(dirname "$0")/initramfs.sh" "$out/initrd.gz" "$mods"
printf '%s\n' "$mode" > "$share/mode"
printf '%s\n' "${CMD:-}" > "$share/cmd"
cwd=$PWD
if [ "$rootdir" != / ]; then
	# A Debian root sees the kit's tree at the same path, and no other
	# host directory: a command started elsewhere runs in /.
	printf '%s\n' "$PINKIT_ROOT" > "$share/src"
	case $PWD/ in "$PINKIT_ROOT"/*) ;; *) cwd=/ ;; esac
fi
printf '%s\n' "$cwd" > "$share/cwd"
printf '%s\n' "$PINKIT_ROOT" > "$share/root"
printf '%s\n' "$PINKIT_ROOT/tests/guest/init.sh" > "$share/init"
[ -t 0 ] && stty size > "$share/tty" 2>/dev/null
rm -f "$out/swap.img" "$out/console.log"
truncate -s 128M "$out/swap.img"

# The accelerator boot.sh's KVM probe chose for this host boot, else TCG.
probe=$PINKIT_CACHE/kvm-probe-$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)
accel=${ACCEL:-$(cat "$probe" 2>/dev/null || echo tcg)}

# shellcheck disable=SC2054 # the commas are QEMU's
q=(qemu-system-x86_64 -accel "$accel" -m 2G -smp 2,sockets=2
	-object memory-backend-ram,id=m0,size=1G
	-object memory-backend-ram,id=m1,size=1G
	-numa node,nodeid=0,cpus=0,memdev=m0
	-numa node,nodeid=1,cpus=1,memdev=m1
	-kernel "$kernel" -initrd "$out/initrd.gz"
	-append "console=ttyS0 panic=-1 printk.time=1 quiet"
	-fsdev local,id=hostroot,path="$rootdir",security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
	-fsdev local,id=pinkitout,path="$share",security_model=none,multidevs=remap
	-device virtio-9p-pci,fsdev=pinkitout,mount_tag=pinkitout
	-netdev user,id=n0 -device virtio-net-pci,netdev=n0
	-drive file="$out/swap.img",format=raw,if=virtio
	-display none -no-reboot)
# shellcheck disable=SC2054
[ "$rootdir" != / ] && q+=(
	-fsdev local,id=pinkitsrc,path="$PINKIT_ROOT",security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=pinkitsrc,mount_tag=pinkitsrc)
if [ "$mode" = shell ]; then
	# the console and QEMU's monitor on the terminal (Ctrl-A c / Ctrl-A x)
	q+=(-chardev stdio,id=con,mux=on,signal=off,logfile="$out/console.log"
		-serial chardev:con -mon chardev=con,mode=readline)
else
	q+=(-chardev stdio,id=con,signal=off,logfile="$out/console.log"
		-serial chardev:con -monitor none)
fi
{
	echo '#!/usr/bin/env bash'
	echo "# boot the guest of $out again"
	printf '%q ' "${q[@]}"
	echo
} > "$out/qemu-cmd"
chmod +x "$out/qemu-cmd"

set +e
if [ "$mode" = shell ]; then
	"${q[@]}"
else
	timeout -k 5 "${TIMEOUT:-300}" "${q[@]}" </dev/null
fi
qrc=$?
set -e
rm -f "$out/swap.img"
if [ -f "$share/rc" ]; then
	# a shell session that came back ended well, whatever its last command
	[ "$mode" = shell ] && exit 0
	exit "$(cat "$share/rc")"
fi
if [ $qrc = 124 ] || [ $qrc = 137 ]; then
	note "the guest timed out after ${TIMEOUT:-300} s (console: $out/console.log)"
else
	note "the guest stopped without reporting an exit status (QEMU exit $qrc; console: $out/console.log)"
fi
exit 124
