#!/usr/bin/env bash
# verdict.sh OUTDIR NAME - decide a guest run: scan OUTDIR/console.txt for
# kernel splats, check every suite pass in OUTDIR/results/ for completeness
# (the suite, the example kind plugin's pass in plugin/, the negative-
# control pass in control/ when CONTROL names the kernel switch), then
# print the run's KTAP (OUTDIR/ktap), a short table and "N passed, N
# failed, N skipped"; write OUTDIR/junit.xml and OUTDIR/counts.  A run
# that could not decide is a failure, never a pass.
#
# CONTROL_GROUPS: the case groups in which the control pass must show
# corruption: a failed case with a "# first-diff: offset=N" diagnostic,
# which pinkit prints only when a data comparison found different bytes.
# An error completion or a timeout is not corruption and does not count.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
. "$(dirname "$0")/ktap.sh"
. "$(dirname "$0")/verdict-checks.sh"
. "$(dirname "$0")/splat.sh"
out=$1 name=$2
con=$out/console.txt res=$out/results
# run or soak (run.sh writes it from the guest arguments it gave), or
# rdma-core (VERDICT_MODE from rdma-core-verdict.sh): what a pass must hold.
mode=${VERDICT_MODE:-$(cat "$out/mode" 2>/dev/null || echo run)}
groups=${CONTROL_GROUPS:-$CONTROL_GROUPS_DEFAULT}
errors=()

# The console, then the kernel log the guest saved (results/dmesg).
for log in "$con" "$res/dmesg"; do
	if [ -f "$log" ] && first=$(splat_scan "$log"); then
		n=${first%%:*}
		echo "# kernel splat in $log (line $n):" >&2
		sed -n "$((n > 3 ? n - 3 : 1)),$((n + 25))p" "$log" | sed 's/^/  | /' >&2
		errors+=("kernel splat: $(echo "${first#*:}" | sed 's/^.*\[ *[0-9]*\.[0-9]*\] //')")
		break
	fi
done
[ -f "$out/error" ] && errors+=("$(cat "$out/error")")
if [ -f "$con" ] && bad=$(grep -m1 '^PINKIT-SETUP-FAILED' "$con"); then
	errors+=("guest set-up failed: ${bad#PINKIT-SETUP-FAILED } (console: $con)")
fi

# check_pass DIR LABEL - a suite pass must be complete and its exit status
# must agree with its results; complaints go to errors[].
check_pass()
{
	local dir=$1 label=$2 rc plan p f s got
	if [ ! -f "$dir/ktap" ]; then
		errors+=("no verdict: the guest wrote no KTAP results for the $label")
		return
	fi
	rc=$(cat "$dir/rc" 2>/dev/null || echo '?')
	plan=$(ktap_plan "$dir/ktap")
	read -r p f s < <(ktap_counts "$dir/ktap")
	got=$((p + f + s))
	if [ "$rc" -ge 128 ] 2>/dev/null; then
		errors+=("the suite crashed (killed by signal $((rc - 128)), after $got of $plan results) in the $label; stderr: $dir/stderr")
	elif [ "$plan" = 0 ]; then
		errors+=("no verdict: the $label printed no KTAP plan (exit status $rc; stderr: $dir/stderr)")
	elif [ "$got" != "$plan" ]; then
		errors+=("no verdict: the $label reported $got of $plan results (exit status $rc)")
	elif [ "$rc" = 0 ] && [ "$f" != 0 ]; then
		errors+=("the suite exited 0 in the $label although $f cases failed")
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		errors+=("the suite exited $rc in the $label without a failing case (stderr: $dir/stderr)")
	fi
	[ "$plan" != 0 ] && [ "$got" = "$plan" ] && [ "$rc" -lt 128 ] 2>/dev/null || return 0
	[ $((p + f)) != 0 ] || errors+=("the $label ran no case: all $s skipped, nothing proved")
	[ "$mode" = rdma-core ] && return 0
	names_check "$dir" "$label" "$mode"
	closing_check "$dir" "$label"
}

# control_results - one result per group: the control pass (kernel switch
# on) must show a coherence break in that group, else the checker is blind.
# A group the filter (ARGS) left out entirely fails too: the control proved
# nothing about it (CONTROL= on the command line runs without a control).
control_results()
{
	ktap_records "$res/control/ktap" | awk -F'\t' -v groups="$groups" -v ctl="$CONTROL" '
	{
		g = $2; sub(/\/.*/, "", g)
		ran[g] = 1
		if ($1 == "fail" && ("\\n" $3) ~ /\\nfirst-diff: offset=/ && !(g in seen)) {
			seen[g] = $2; why[g] = $3
		}
	}
	END {
		n = split(groups, gs, " ")
		for (i = 1; i <= n; i++) {
			g = gs[i]
			if (g in seen) {
				w = why[g]; gsub(/\\n/, "\n# ", w)
				printf "# with %s on, %s reported corruption:\n# %s\n", ctl, seen[g], w
				printf "ok 0 control/%s/%s\n", ctl, g
			} else if (!(g in ran)) {
				printf "# the filter selected no %s case: the control proved nothing about it (run them, or CONTROL= for a run without the control)\n", g
				printf "not ok 0 control/%s/%s\n", ctl, g
			} else {
				printf "# with %s on, no %s case reported corruption (no first-diff from a data comparison): the suite cannot see the break\n", ctl, g
				printf "not ok 0 control/%s/%s\n", ctl, g
			}
		}
	}'
}

# control_anything KTAP - true when the control pass ran a case of one of
# the control groups.
control_anything()
{
	ktap_records "$1" | awk -F'\t' -v groups=" $groups " '
		$1 != "skip" { g = $2; sub(/\/.*/, "", g); if (index(groups, " " g " ")) { found = 1; exit } }
		END { exit !found }'
}

# kselftest_results - the series' kernel selftests (results/kselftest/)
# as cases kselftest/NAME/DESCRIPTION (ktap.sh, ktap_kselftest); each one
# run.sh packed (OUTDIR/kselftests) must have reported, with its exit
# status.
kselftest_results()
{
	local f t
	for f in "$res"/kselftest/*.ktap; do
		[ -f "$f" ] || continue
		t=$(basename "$f" .ktap)
		ktap_kselftest "$t" "$f" "$(cat "$res/kselftest/$t.rc" 2>/dev/null || echo '?')"
	done
	[ -f "$out/kselftests" ] || return 0
	while read -r t; do
		[ -f "$res/kselftest/$t.ktap" ] && continue
		printf '# the kernel selftest %s was packed into the guest but did not report\n' "$t"
		printf 'not ok 0 kselftest/%s/no-report\n' "$t"
	done < "$out/kselftests"
}

main=
[ -d "$res" ] && { check_pass "$res" "main pass"; main=$res/ktap; }
[ "$mode" = soak ] && [ -f "$res/ktap" ] && soak_check "$res" "soak" "$(soak_seconds "$out/guest-args")"
[ -d "$res" ] || [ ${#errors[@]} != 0 ] || errors+=("no verdict: the guest wrote no results")
# The example kind plugin (userspace/examples) runs in every full run.
plugin=/dev/null
if [ -d "$res/plugin" ]; then
	check_pass "$res/plugin" "plugin pass (--kind-plugin)"
	plugin=$res/plugin/ktap
elif [ -d "$res" ] && [ ! -f "$res/plugin-skipped" ]; then
	errors+=("no verdict: the example kind plugin's pass did not run, and the guest did not say why")
fi
extra=/dev/null
if [ -n "${CONTROL:-}" ] && [ -d "$res" ]; then
	if [ -f "$con" ] && grep -q '^PINKIT-CONTROL-MISSING' "$con"; then
		errors+=("the kernel has no /sys/kernel/debug/$CONTROL switch: build the patched kernel, or CONTROL= to skip the control pass")
	elif [ -d "$res/control" ]; then
		check_pass "$res/control" "control pass ($CONTROL on)"
		if [ -f "$res/control/ktap" ]; then
			extra=$out/control.ktap
			control_results > "$extra"
			control_anything "$res/control/ktap" ||
				errors+=("control: nothing proved: the filter selected no case of the control groups ($groups); run them, or CONTROL= on the command line for a run without the control")
		fi
	else
		errors+=("no verdict: the control pass ($CONTROL on) did not run")
	fi
fi

ksel=$out/kselftest.ktap
: > "$ksel"
[ -d "$res" ] && kselftest_results > "$ksel"
# Every skip is one this kernel is known for (SKIPS_DIR, default skips/
# beside this file: kit-VER, stock-VER, rdma-core-kit-VER, and for
# rdma-core on a Debian root, results/root, rdma-core-ROOT-kit-VER, ...).
if [ -d "$res" ]; then
	key=$(skips_key "$(cat "$res/kernel" 2>/dev/null)") || key=unknown-kernel
	if [ "$mode" = rdma-core ]; then
		root=$(cat "$res/root" 2>/dev/null || echo host)
		case $root in
		host)	key=rdma-core-$key ;;
		*)	key=rdma-core-$root-$key ;;
		esac
	fi
	ctlk=/dev/null
	[ -n "${CONTROL:-}" ] && [ -f "$res/control/ktap" ] && ctlk=$res/control/ktap
	skips_check "${SKIPS_DIR:-$(dirname "$0")/skips}/$key" ${main:+"$main"} "$plugin" "$ksel" "$ctlk"
fi

# The run's KTAP: the suite's results, the plugin's, the kernel
# selftests', the control's, the harness's errors (each a failed result), numbered in one plan.
{
	[ -n "$main" ] && { grep -E '^(ok |not ok |# )' "$main" || true; }
	grep -E '^(ok |not ok |# )' "$plugin" || true
	cat "$ksel"
	cat "$extra"
	for e in "${errors[@]}"; do
		printf '# %s\nnot ok 0 harness/%s\n' "$e" "$(echo "$e" | sed 's/[:(].*//; s/[^A-Za-z0-9]\+/-/g; s/-$//')"
	done
} | awk '/^(not )?ok [0-9]+ / { sub(/ok [0-9]+ /, "ok " ++n " ") } { l[++k] = $0 }
	END { print "KTAP version 1"; print "1.." n; for (i = 1; i <= k; i++) print l[i] }' > "$out/ktap"
cat "$out/ktap"

read -r pass fail skip < <(ktap_counts "$out/ktap")
echo
ktap_table "$out/ktap"
ktap_junit "$name" "$out/ktap" > "$out/junit.xml"
echo "$pass $fail $skip" > "$out/counts"
echo "# $name: JUnit report $out/junit.xml, console $con"
# The kernel crashes of the run (run.sh, crash.sh): each one's case has its
# "kernel crashed" result above; here they are together.
if [ -f "$out/crashes" ]; then
	echo "# kernel crashes: $(grep -c . "$out/crashes") (boot, pass, case, first splat line):"
	sed 's/\t/: /g; s/^/#   /' "$out/crashes"
fi
[ -n "${CONTROL:-}" ] || echo "# no control: nothing proved about corruption (CONTROL= : no negative-control pass)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
