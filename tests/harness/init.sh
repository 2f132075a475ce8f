#!/bin/busybox sh
# /init of the pinkit guest: mount the pseudo file systems, bring up
# soft-RoCE on eth0, run the suite, write the results to the results disk
# (/dev/vda, a tar archive) and power off.  The host reads the serial
# console for the PINKIT-* markers and for kernel splats.
#
# Guest arguments, one KEY=VALUE per line in /pinkit.args (written by
# tests/harness/boot.sh into an archive appended to the initramfs; the
# kernel command line carries none, so a value may hold commas):
#   pinkit.run=ARGS      arguments for `pinkit run`, split at blanks
#   pinkit.mode=probe    print the boot marker and power off (KVM probe)
#   pinkit.mode=soak     `pinkit soak` instead of `pinkit run` (pinkit.run
#                        holds its arguments); its control pass runs the
#                        soak for at most 60 s
#   pinkit.repeat=N      run the suite N times, into /results/repeat/I
#   pinkit.control=NAME  after the suite, set /sys/kernel/debug/NAME to 1 and
#                        run it again into /results/control (the negative-
#                        control kernel switch); set it back to 0 after
#   pinkit.control_groups=G...  the case groups the verdict judges the
#                        control pass by: a run without --filter runs only
#                        their cases with the switch on (one with --filter
#                        runs its own selection again)
#   pinkit.plain=1       run the suite as a vendor would on a real NIC: the
#                        bare binary, an empty environment, `--device rxe0`
#   pinkit.skip=!A|!B    a boot the harness resumed after a kernel crash
#                        (run.sh): the main pass leaves out these cases, the
#                        ones the earlier boots ran or crashed in
#   pinkit.selftest=X    harness self-tests: panic | hang | crash | silent |
#                        kernel-crash-after=N (test-only: once the main pass
#                        printed N results, crash the kernel through
#                        /proc/sysrq-trigger; never in a resumed boot)
# A full run (no pinkit.run) also runs the example out-of-tree kind
# through --kind-plugin into /results/plugin.
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin:/sbin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/hugepages && mount -t hugetlbfs hugetlbfs /dev/hugepages 2>/dev/null

arg()
{
	[ -f /pinkit.args ] || return 0
	while IFS= read -r line; do
		case $line in "$1="*) echo "${line#*=}" ;; esac
	done < /pinkit.args
}

finish()
{
	# $1: exit status of the suite
	[ -f /results/rc ] || echo "$1" > /results/rc
	uname -r > /results/kernel
	# the kernel log as the kernel kept it, scanned beside the console
	dmesg > /results/dmesg 2>&1
	tar -cf /dev/vda -C /results . && sync
	echo "PINKIT-RESULT rc=$1"
	# The kit's kernel has no ACPI, hence no power-off: the guest ends by
	# restarting, which QEMU (-no-reboot) turns into its exit.
	reboot -f
}

echo "PINKIT-BOOTED $(uname -r)"
[ "$(arg pinkit.mode)" = probe ] && reboot -f

case $(arg pinkit.selftest) in
panic)	echo c > /proc/sysrq-trigger ;;
hang)	while :; do sleep 1000; done ;;
silent)	reboot -f ;;
esac

mkdir -p /results
. /setup.sh
pinkit_setup /dev/vdb || finish 3

run_args=$(arg pinkit.run)
skip=$(arg pinkit.skip)
crash_after=
case $(arg pinkit.selftest) in
kernel-crash-after=*) [ -n "$skip" ] || crash_after=$(arg pinkit.selftest | cut -d= -f2) ;;
esac
echo "$run_args" > /results/run-args
mode=$(arg pinkit.mode)
set -o pipefail

# expected DIR PINKIT-ARGS... - the names of the cases `pinkit run` with
# these arguments must report, one a line, in DIR/expected (`pinkit list`
# with their --filter and --kind-plugin); why it could not, in
# DIR/expected.err.  The soak's cases are not `pinkit list`'s: none.
expected()
{
	edir=$1
	shift
	[ "$mode" = soak ] && return 0
	[ "$(arg pinkit.plain)" = 1 ] && set --
	lsargs=
	while [ $# -gt 0 ]; do
		case $1 in
		--filter=* | --kind-plugin=*) lsargs="$lsargs
$1" ;;
		--filter | --kind-plugin) lsargs="$lsargs
$1
${2-}"; shift ;;
		esac
		shift
	done
	# one argument a line: a filter may hold blanks, never newlines
	set -f
	oldifs=$IFS IFS='
'
	# shellcheck disable=SC2086
	set -- $lsargs
	IFS=$oldifs
	set +f
	if /usr/bin/pinkit list "$@" > "$edir/expected" 2> "$edir/expected.err"; then
		rm -f "$edir/expected.err"
	else
		rm -f "$edir/expected"
	fi
}

# skip_filter [PINKIT-ARGS...] - the last --filter of PINKIT-ARGS with the
# cases of pinkit.skip left out ('!' globs exclude, whatever the rest).
skip_filter()
{
	f=
	while [ $# -gt 0 ]; do
		case $1 in
		--filter) [ $# -lt 2 ] || { f=$2; shift; } ;;
		--filter=*) f=${1#--filter=} ;;
		esac
		shift
	done
	echo "${f:+$f|}$skip"
}

# has_filter - true when pinkit.run selects cases with --filter.
has_filter()
{
	case " $run_args " in
	*" --filter "* | *" --filter="*) return 0 ;;
	esac
	return 1
}

# suite DIR [PINKIT-ARGS...] - run the suite with its KTAP in DIR/ktap,
# exit status in DIR/rc; PINKIT-ARGS replace pinkit.run's.  The main pass
# (DIR /results) of a resumed boot leaves out the cases of pinkit.skip.
suite()
{
	dir=$1
	shift
	# pinkit.run is split at blanks, never expanded as file name globs
	if [ $# = 0 ]; then
		set -f
		# shellcheck disable=SC2086
		set -- $run_args
		set +f
	fi
	mkdir -p "$dir"
	# every case of the run, also those an earlier boot ran (merge.sh
	# joins the boots' results; the verdict holds them to this list)
	expected "$dir" "$@"
	if [ "$dir" = /results ] && [ -n "$skip" ]; then
		set -- "$@" --filter "$(skip_filter "$@")"
	fi
	if [ "$(arg pinkit.selftest)" = crash ]; then
		# A suite that dies mid-run: a KTAP header, one result, then SIGSEGV.
		sh -c 'printf "KTAP version 1\n1..3\nok 1 selftest/first\n"; kill -SEGV $$' \
			2>"$dir/stderr" | tee "$dir/ktap"
	elif [ "$(arg pinkit.plain)" = 1 ]; then
		if [ "$dir" = /results ] && [ -n "$skip" ]; then
			env -i /usr/bin/pinkit run --device rxe0 --filter "$skip" \
				2>"$dir/stderr" | tee "$dir/ktap"
		else
			env -i /usr/bin/pinkit run --device rxe0 2>"$dir/stderr" | tee "$dir/ktap"
		fi
	elif [ -n "$crash_after" ] && [ "$dir" = /results ]; then
		# Test-only (pinkit.selftest=kernel-crash-after=N): the kernel
		# crashes while the case after the Nth result runs; the second
		# lets the console drain that result first.
		/usr/bin/pinkit run "$@" 2>"$dir/stderr" | tee "$dir/ktap" | awk -v n="$crash_after" '
			{ print; fflush() }
			/^(not )?ok [0-9]+ / && ++k == n { system("sleep 1; echo c > /proc/sysrq-trigger") }'
	elif [ "$mode" = soak ]; then
		/usr/bin/pinkit soak "$@" 2>"$dir/stderr" | tee "$dir/ktap"
	else
		/usr/bin/pinkit run --junit "$dir/guest-junit.xml" "$@" \
			2>"$dir/stderr" | tee "$dir/ktap"
	fi
	echo $? > "$dir/rc"
}

echo "PINKIT-SUITE-START"
suite /results
rc=$(cat /results/rc)
echo "PINKIT-SUITE-END rc=$rc"

# pinkit.repeat=N: the suite N - 1 more times in the same boot, each
# pass's KTAP in /results/repeat/I (the first pass is /results itself).
reps=$(arg pinkit.repeat)
if [ -n "$reps" ]; then
	i=2
	while [ "$i" -le "$reps" ]; do
		echo "PINKIT-REPEAT-START $i"
		suite "/results/repeat/$i"
		echo "PINKIT-REPEAT-END $i rc=$(cat "/results/repeat/$i/rc")"
		i=$((i + 1))
	done
fi

plugin=/usr/lib/pinkit/procmem-kind.so
if [ -z "$run_args" ] && [ "$(arg pinkit.plain)" != 1 ] &&
	[ -z "$(arg pinkit.selftest)" ] && [ -z "$mode" ]; then
	echo "PINKIT-PLUGIN-START $plugin"
	suite /results/plugin --kind-plugin "$plugin" --filter '*/procmem-example/*'
	echo "PINKIT-PLUGIN-END rc=$(cat /results/plugin/rc)"
else
	echo "not a full run (pinkit.run, plain, soak, or a self-test)" > /results/plugin-skipped
fi

# The kernel selftests the series brought (kernel/scripts/selftests.sh):
# each one's KTAP in /results/kselftest/NAME.ktap, its exit status beside.
if [ -d /kselftests ] && [ -z "$(arg pinkit.selftest)" ] && [ -z "$mode" ]; then
	mkdir -p /results/kselftest
	shmem_thp_advise
	for t in /kselftests/*; do
		n=${t##*/}
		echo "PINKIT-KSELFTEST-START $n"
		(cd /tmp && "$t") 2>&1 | tee "/results/kselftest/$n.ktap"
		echo $? > "/results/kselftest/$n.rc"
		echo "PINKIT-KSELFTEST-END $n rc=$(cat "/results/kselftest/$n.rc")"
	done
	shmem_thp_restore
fi

ctl=$(arg pinkit.control)
ctl_groups=$(arg pinkit.control_groups)
if [ -n "$ctl" ]; then
	if echo 1 > "/sys/kernel/debug/$ctl"; then
		echo "PINKIT-CONTROL-START $ctl"
		if [ "$mode" = soak ]; then
			# the soak must see the break within its first minute
			set -f
			# shellcheck disable=SC2086
			suite /results/control $run_args --seconds 60
			set +f
		elif [ -n "$ctl_groups" ] && ! has_filter; then
			# only the groups the verdict judges, "g/*|..."
			set -f
			# shellcheck disable=SC2086
			suite /results/control $run_args --filter "$(control_filter $ctl_groups)"
			set +f
		else
			suite /results/control
		fi
		echo 0 > "/sys/kernel/debug/$ctl"
		echo "PINKIT-CONTROL-END rc=$(cat /results/control/rc)"
	else
		echo "PINKIT-CONTROL-MISSING /sys/kernel/debug/$ctl"
	fi
fi
finish "$rc"
