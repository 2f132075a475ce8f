#!/usr/bin/env bash
# boot.sh BZIMAGE INITRD OUTDIR [GUEST-ARG...] - boot the guest under QEMU,
# with the console in OUTDIR/console.log and the guest's results unpacked
# into OUTDIR/results/.  A guest whose console stays silent for STALL
# seconds (default 300; 0: never) has hung and is stopped; TIMEOUT seconds
# (default 1800) bound the whole boot.  A pass of a thousand cases takes
# minutes under TCG, longer beside a kernel build, so the hang test is the
# silence, not the total time: every case prints at least its result line.
# Exit: 0 the guest reported a result, 1 it did not (the reason on stderr).
#
# GUEST-ARGs are KEY=VALUE words for the guest's /init (init.sh lists
# them).  They travel in a file, /pinkit.args, of a small cpio archive
# appended to INITRD (OUTDIR/initrd), never on the kernel command line, so
# a value may hold commas, spaces and quotes.  OUTDIR/qemu-cmd boots the
# same guest again, as is.
#
# ACCEL=tcg|kvm forces an accelerator; by default KVM is used only when a
# probe boot with it succeeds within PROBE_TIMEOUT seconds.
#
# PANIC_ON=oops (the default, also when empty) | oops,warn | none: which
# kernel faults panic the guest at once (oops=panic, panic_on_warn=1).  A panic ends the boot (QEMU
# exits, -no-reboot), so a kernel that oopsed in a kworker does not run the
# rest of the suite tainted, or hang until TIMEOUT; run.sh boots again and
# resumes after the crashed case.  OUTDIR/args keeps the GUEST-ARGs.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
kernel=$1 initrd=$2 out=$3
shift 3
timeout=${TIMEOUT:-1800}
stall=${STALL:-300}
case $timeout$stall in *[!0-9]*) die "TIMEOUT=$timeout STALL=$stall: expected whole seconds" ;; esac
append='console=ttyS0 panic=-1 printk.time=1 loglevel=6'
case ${PANIC_ON:-oops} in
oops)		append+=' oops=panic' ;;
oops,warn | warn,oops)	append+=' oops=panic panic_on_warn=1' ;;
none)		;;
*)	die "PANIC_ON=$PANIC_ON: expected oops (the default), oops,warn or none" ;;
esac

command -v qemu-system-x86_64 >/dev/null ||
	die "qemu-system-x86_64 not found; apt-get install qemu-system-x86"
command -v cpio >/dev/null || die "cpio not found; apt-get install cpio"
mkdir -p "$out"
rm -rf "$out/results" "$out/console.log"

# guest_initrd DEST ARG... - INITRD with /pinkit.args (one ARG per line)
# appended as a second cpio archive; the kernel unpacks both.
guest_initrd()
{
	local dest=$1 dir
	shift
	dir=$(mktemp -d)
	printf '%s\n' "$@" > "$dir/pinkit.args"
	cp "$initrd" "$dest"
	(cd "$dir" && echo pinkit.args | cpio -o -H newc --quiet | gzip -1) >> "$dest"
	rm -rf "$dir"
}

# qemu_argv ACCEL INITRD - the QEMU command line in q[]: two NUMA nodes of
# 1 GiB, virtio-net for rxe, virtio disks for the results (vda) and swap
# (vdb).
qemu_argv()
{
	# shellcheck disable=SC2054 # the commas are QEMU's
	q=(qemu-system-x86_64 -accel "$1" -m 2G -smp 2,sockets=2
		-object memory-backend-ram,id=m0,size=1G
		-object memory-backend-ram,id=m1,size=1G
		-numa node,nodeid=0,cpus=0,memdev=m0
		-numa node,nodeid=1,cpus=1,memdev=m1
		-kernel "$kernel" -initrd "$2" -append "$append"
		-netdev user,id=n0 -device virtio-net-pci,netdev=n0
		-drive file="$out/results.img",format=raw,if=virtio
		-drive file="$out/swap.img",format=raw,if=virtio
		-display none -monitor none -serial file:"$out/console.log"
		-no-reboot)
}

disks()
{
	rm -f "$out/results.img" "$out/swap.img"
	truncate -s 16M "$out/results.img"
	truncate -s 128M "$out/swap.img"
}

# The probe's answer holds until the host reboots.
probe=$PINKIT_CACHE/kvm-probe-$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)
accel=${ACCEL:-$(cat "$probe" 2>/dev/null || true)}
if [ -z "$accel" ]; then
	accel=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		disks
		guest_initrd "$out/initrd-probe" pinkit.mode=probe
		qemu_argv kvm "$out/initrd-probe"
		if timeout -k 2 "${PROBE_TIMEOUT:-8}" "${q[@]}" >/dev/null 2>&1 &&
			grep -q PINKIT-BOOTED "$out/console.log"; then
			accel=kvm
		fi
		rm -f "$out/initrd-probe"
	fi
	note "KVM probe boot: $([ $accel = kvm ] && echo works || echo failed or no /dev/kvm), using $accel"
	mkdir -p "$PINKIT_CACHE"
	echo $accel > "$probe"
fi

rm -f "$out/console.log"
disks
printf '%s\n' "$@" > "$out/args"
guest_initrd "$out/initrd" "$@"
qemu_argv "$accel" "$out/initrd"
{
	echo '#!/usr/bin/env bash'
	echo "# boot the guest of $out again (console in $out/console.log)"
	printf 'truncate -s 0 %q %q && truncate -s 16M %q && truncate -s 128M %q\n' \
		"$out/results.img" "$out/swap.img" "$out/results.img" "$out/swap.img"
	printf '%q ' "${q[@]}"
	echo
} > "$out/qemu-cmd"
chmod +x "$out/qemu-cmd"

step_begin "booting $(basename "$kernel") under QEMU/$accel (silence limit ${stall} s, timeout ${timeout} s)"
set +e
timeout -k 5 "$timeout" "${q[@]}" >"$out/qemu.log" 2>&1 &
qpid=$!
# The hang watchdog: stop the guest once the console has not grown for
# $stall seconds (timeout(1) passes the TERM on to QEMU).  It looks once a
# second, so a boot that ends is not kept waiting.
stalled= quiet=0 last=-1
while kill -0 "$qpid" 2>/dev/null; do
	sleep 1
	size=$(stat -c %s "$out/console.log" 2>/dev/null || echo 0)
	if [ "$size" != "$last" ]; then
		last=$size quiet=0
		continue
	fi
	quiet=$((quiet + 1))
	if [ "$stall" != 0 ] && [ "$quiet" -ge "$stall" ]; then
		stalled=1
		kill "$qpid" 2>/dev/null
		break
	fi
done
wait "$qpid"
qrc=$?
set -e
step_end
touch "$out/console.log"
tr -d '\r' < "$out/console.log" > "$out/console.txt"

if [ -n "$stalled" ]; then
	tail -n 15 "$out/console.txt" | sed 's/^/  | /' >&2
	echo "guest timed out: no console output for $stall s (console: $out/console.txt)" > "$out/error"
elif [ $qrc = 124 ] || [ $qrc = 137 ]; then
	tail -n 15 "$out/console.txt" | sed 's/^/  | /' >&2
	echo "guest timed out after $timeout s (console: $out/console.txt)" > "$out/error"
elif [ $qrc != 0 ]; then
	sed 's/^/  | /' "$out/qemu.log" >&2
	echo "QEMU exited with status $qrc before the guest finished (see $out/qemu.log)" > "$out/error"
elif ! grep -q '^PINKIT-RESULT' "$out/console.txt"; then
	echo "no verdict: the guest stopped without reporting a result (console: $out/console.txt)" > "$out/error"
else
	mkdir -p "$out/results"
	tar -xf "$out/results.img" -C "$out/results" 2>/dev/null ||
		echo "no verdict: the results disk holds no readable archive" > "$out/error"
fi
rm -f "$out/results.img" "$out/swap.img"
if [ -f "$out/error" ]; then
	note "$(cat "$out/error")"
	exit 1
fi
