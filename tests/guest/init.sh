#!/bin/bash
# init of the guest on the host's root filesystem (second stage, after
# stage1.sh): the pseudo file systems, the kit's set-up
# (tests/harness/setup.sh: rxe0 on eth0, hugetlb pages, swap on /dev/vda),
# then what the run's directory /run/pinkit (the host's OUTDIR/share, see
# run.sh) asks for:
#   mode    "shell": an interactive bash on the console; "exec": cmd
#   cmd     the command line to run with bash -c (exec)
#   cwd     its working directory (the host's, seen through the overlay)
#   tty     "ROWS COLS" of the host's terminal (shell)
# The guest writes back rc (the command's exit status), kernel (uname -r)
# and dmesg (the kernel log, for the harness console scan), then powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-linux} LANG=C.UTF-8
run=/run/pinkit

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm /dev/hugepages
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
ln -sf pts/ptmx /dev/ptmx
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug
mount -t hugetlbfs hugetlbfs /dev/hugepages
hostname pinkit-guest

finish()
{
	echo "$1" > "$run/rc"
	uname -r > "$run/kernel"
	dmesg > "$run/dmesg" 2>&1
	sync
	echo "PINKIT-RESULT rc=$1"
	/bin/busybox reboot -f
}

# shellcheck source=../harness/setup.sh
. "$(cat "$run/root")/tests/harness/setup.sh"
pinkit_setup /dev/vda || finish 125
echo "PINKIT-GUEST-READY $(cut -d' ' -f1 /proc/uptime)"

case $(cat "$run/mode") in
shell)
	# the host's terminal size, when make shell ran on a terminal
	[ -f "$run/tty" ] && read -r rows cols < "$run/tty"
	[ -n "${rows:-}" ] && stty -F /dev/ttyS0 rows "$rows" cols "$cols"
	cd "$(cat "$run/cwd")" 2>/dev/null || cd /
	echo "pinkit guest on $(uname -r), rxe0 up; the host's / read-only under a tmpfs overlay" \
		"(writes are lost at exit); exit or Ctrl-D powers off"
	setsid -c -w bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
	finish $?
	;;
exec)
	cd "$(cat "$run/cwd")" || finish 126
	bash -c "$(cat "$run/cmd")" </dev/null
	finish $?
	;;
esac
echo "PINKIT-SETUP-FAILED unknown mode in $run/mode"
finish 125
