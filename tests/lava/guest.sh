#!/bin/sh
# guest.sh [PINKIT-RUN-ARGS...] - the LAVA test definition's one step, run
# by LAVA's test shell in the guest (/pinkit-lava.sh in the job's ramdisk):
# the passes of a make run guest - the suite, the example kind plugin's pass
# (a full run only), the kernel selftests of the series, the suite again with
# the legacy_cow switch on - each result reported with lava-test-case NAME
# --result pass|fail|skip.  Names and verdicts are the ones make run prints
# (tests/harness/verdict.sh): the selftests as kselftest/NAME/..., the
# control pass as one control/legacy_cow/GROUP per group, which passes only
# when a failed case of that group shows a "# first-diff:" line.  A pass
# that printed fewer results than its plan, or crashed, reports a failing
# harness/... case, and so does a kernel splat in dmesg (verdict.sh's
# pattern and allowlist: harness/kernel-splat).  Exit status 0 when
# nothing failed.
#
# For the host-side self-test every path can be moved: PINKIT (the binary),
# KTAP_SH (tests/harness/ktap.sh), KSELFTESTS (the directory of selftests),
# PLUGIN (the kind plugin), SWITCH (the legacy_cow file), SETUP_FAILED (the
# marker tests/lava/init.sh leaves), SPLAT and SPLAT_ALLOW (the console
# scan's expressions), DMESG (the kernel log), SETUP_SH
# (tests/harness/setup.sh), SHMEM_ENABLED (shmem THP's sysfs switch), WORK
# (scratch).
set -u
PINKIT=${PINKIT:-/usr/bin/pinkit}
KTAP_SH=${KTAP_SH:-/ktap.sh}
KSELFTESTS=${KSELFTESTS:-/kselftests}
PLUGIN=${PLUGIN:-/usr/lib/pinkit/procmem-kind.so}
SWITCH=${SWITCH:-/sys/kernel/debug/legacy_cow}
WORK=${WORK:-/tmp/pinkit-lava}
DMESG=${DMESG:-dmesg}
SPLAT=${SPLAT:-/splat.ere}
SPLAT_ALLOW=${SPLAT_ALLOW:-/splat-allow.ere}
GROUPS_CTL="clear-refs mprotect-ro-rw uffd-wp fork-parent-writes"
# shellcheck source=../harness/ktap.sh
. "$KTAP_SH"
# shmem_thp_advise, control_filter: as make run's guest does
# shellcheck source=../harness/setup.sh
. "${SETUP_SH:-/setup.sh}"
mkdir -p "$WORK"
tab=$(printf '\t')
failed=0

# case NAME RESULT - one LAVA test case.
case_()
{
	[ "$2" = fail ] && failed=1
	lava-test-case "$1" --result "$2"
}

# report FILE - a lava-test-case per result of the KTAP FILE.
report()
{
	ktap_records "$1" > "$WORK/records"
	while IFS="$tab" read -r st name _; do
		case_ "$name" "$st"
	done < "$WORK/records"
}

# pass DIR LABEL PINKIT-ARGS... - run the suite into DIR/ktap; a pass that
# crashed or printed fewer results than its plan is a failing harness case.
pass_()
{
	dir=$1 label=$2
	shift 2
	mkdir -p "$dir"
	"$PINKIT" run --junit "$dir/guest-junit.xml" "$@" > "$dir/ktap" 2> "$dir/stderr"
	echo $? > "$dir/rc"
	plan=$(ktap_plan "$dir/ktap")
	# shellcheck disable=SC2046 # three numbers
	set -- $(ktap_counts "$dir/ktap")
	got=$(($1 + $2 + $3))
	if [ "$plan" = 0 ] || [ "$got" != "$plan" ] || [ "$(cat "$dir/rc")" -ge 128 ]; then
		echo "# the $label reported $got of $plan results (exit status $(cat "$dir/rc"))"
		tail -n 5 "$dir/stderr"
		case_ "harness/$label-incomplete" fail
	fi
}

if [ -e "${SETUP_FAILED:-/pinkit-setup-failed}" ]; then
	echo "# guest set-up failed (rdma link add, eth0 or a module): read the console log"
	case_ harness/guest-set-up-failed fail
fi
pass_ "$WORK/main" main-pass "$@"
report "$WORK/main/ktap"

# the example kind plugin's pass: a full run only, as in make run
if [ $# = 0 ]; then
	pass_ "$WORK/plugin" plugin-pass --kind-plugin "$PLUGIN" --filter '*/procmem-example/*'
	report "$WORK/plugin/ktap"
fi
# the kernel selftests as make run's guest runs them (tests/harness/init.sh):
# shmem THP on request (advise) meanwhile, their exit status judged too
shmem_thp_advise
for t in "$KSELFTESTS"/*; do
	[ -x "$t" ] || continue
	n=${t##*/}
	(cd /tmp && "$t") > "$WORK/$n.raw" 2>&1
	ktap_kselftest "$n" "$WORK/$n.raw" $? > "$WORK/$n.ktap"
	report "$WORK/$n.ktap"
done
shmem_thp_restore

if [ -e "$SWITCH" ]; then
	echo 1 > "$SWITCH"
	# as make run's guest: a run without a filter runs only these groups
	# shellcheck disable=SC2086 # the list of groups
	case " $* " in
	*" --filter "* | *" --filter="*) pass_ "$WORK/control" control-pass "$@" ;;
	*)	pass_ "$WORK/control" control-pass "$@" --filter "$(control_filter $GROUPS_CTL)" ;;
	esac
	echo 0 > "$SWITCH"
	ktap_records "$WORK/control/ktap" > "$WORK/control.records"
	for g in $GROUPS_CTL; do
		# the first failed case of group g with a first-diff line
		hit=$(awk -F'\t' -v g="$g" '{ h = $2; sub(/\/.*/, "", h) }
			h == g && $1 == "fail" && ("\\n" $3) ~ /\\nfirst-diff: offset=/ { print $2; exit }' \
			"$WORK/control.records")
		if [ -n "$hit" ]; then
			echo "# with legacy_cow on, $hit reported corruption"
			case_ "control/legacy_cow/$g" pass
		elif awk -F'\t' -v g="$g" '{ h = $2; sub(/\/.*/, "", h) } h == g { f = 1 } END { exit !f }' \
			"$WORK/control.records"; then
			echo "# with legacy_cow on, no $g case reported corruption: the suite cannot see the break"
			case_ "control/legacy_cow/$g" fail
		else
			case_ "control/legacy_cow/$g" skip
		fi
	done
else
	echo "# the kernel has no $SWITCH switch: build the patched kernel"
	case_ harness/control-switch-missing fail
fi
# The kernel log, as verdict.sh scans the console: the first printk line
# that matches the splat pattern and no allowlist expression fails the run.
if [ -s "$SPLAT" ]; then
	hit=$($DMESG | awk -v splat="$(cat "$SPLAT")" '
		FNR == NR { if ($0 != "") ere[++n] = $0; next }
		/^\[ *[0-9]+\.[0-9]+\] / {
			m = $0; sub(/^\[[^]]*\] /, "", m)
			if (m !~ splat) next
			for (i = 1; i <= n; i++) if (m ~ ere[i]) next
			print m; exit
		}' "$SPLAT_ALLOW" -)
	if [ -n "$hit" ]; then
		echo "# kernel splat: $hit"
		$DMESG | grep -F -A 25 -- "$hit" | head -n 26
		case_ harness/kernel-splat fail
	fi
else
	echo "# no splat pattern ($SPLAT): the kernel log was not scanned"
	case_ harness/kernel-log-not-scanned fail
fi
exit $failed
