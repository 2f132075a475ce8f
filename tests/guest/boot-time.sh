#!/usr/bin/env bash
# boot-time.sh KERNEL [N] - boot-to-command time of the two guests on the
# same kernel, N times each (default 3), alternating: the busybox initramfs
# (tests/harness/boot.sh; until "PINKIT-SUITE-START", printed when the
# set-up is done and pinkit starts) and the guest on the host's root
# filesystem (run.sh exec; until "PINKIT-GUEST-READY", printed when the
# same set-up is done and the command starts).  Wall-clock seconds from
# the script's launch, which includes packing each guest's initramfs.
# Prints one line per boot and the median of each.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
kernel=$1 n=${2:-3}
out=${OUT:-$PINKIT_ROOT/out}/boot-time
initrd=${OUT:-$PINKIT_ROOT/out}/initramfs-pinkit.gz
[ -f "$initrd" ] || die "$initrd is missing: run make initramfs"
mkdir -p "$out"

# time_to MARKER FILE CMD... - seconds from starting CMD until MARKER is
# in FILE (CMD runs on to its end); "no-marker" when CMD ended without it.
time_to()
{
	local marker=$1 file=$2 t0 pid t=
	shift 2
	rm -f "$file"
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		if grep -q "$marker" "$file" 2>/dev/null; then
			t=$(date +%s.%N)
			break
		fi
		sleep 0.05
	done
	wait $pid || true
	if [ -n "$t" ]; then
		awk -v a="$t0" -v b="$t" 'BEGIN { printf "%.1f\n", b - a }'
	else
		echo "no-marker"
	fi
}

bb=() nine=()
for ((i = 1; i <= n; i++)); do
	t=$(time_to PINKIT-SUITE-START "$out/busybox/console.log" \
		env CONTROL= TIMEOUT=300 "$PINKIT_ROOT/tests/harness/boot.sh" "$kernel" "$initrd" \
		"$out/busybox" 'pinkit.run=--filter no-such-case')
	bb+=("$t")
	echo "busybox initramfs, boot $i: $t s"
	t=$(time_to PINKIT-GUEST-READY "$out/9p/console.log" \
		env CMD=true TIMEOUT=300 "$(dirname "$0")/run.sh" exec "$kernel" "$out/9p")
	nine+=("$t")
	echo "9p root + tmpfs overlay, boot $i: $t s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "boot to a command with rxe0 up on $(basename "$kernel") (median of $n): busybox initramfs $(median "${bb[@]}") s, 9p root $(median "${nine[@]}") s"
