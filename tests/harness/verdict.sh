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
out=$1 name=$2
con=$out/console.txt res=$out/results
groups=${CONTROL_GROUPS:-clear-refs mprotect-ro-rw uffd-wp fork-parent-writes}
errors=()

# Kernel splats: only printk lines (they carry a [time] prefix), so the
# suite's own output cannot trip this.
splat='Kernel panic|BUG:|Oops|WARNING:|general protection fault|kernel BUG at|KASAN:|UBSAN:|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|INFO: task .* blocked|rcu_sched detected stall|soft lockup|hard LOCKUP|VM_BUG_ON|page dumped because'
if [ -f "$con" ] && first=$(grep -n -m1 -E "^\[ *[0-9]+\.[0-9]+\] .*($splat)" "$con"); then
	n=${first%%:*}
	echo "# kernel splat on the console (line $n of $con):" >&2
	sed -n "$((n > 3 ? n - 3 : 1)),$((n + 25))p" "$con" | sed 's/^/  | /' >&2
	errors+=("kernel splat: $(echo "${first#*:}" | sed 's/^\[[^]]*\] //')")
fi
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
}

# control_results - one result per group: the control pass (kernel switch
# on) must show a coherence break in that group, else the checker is blind.
# A group the filter (ARGS) left out entirely is a SKIP that says so.
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
				printf "ok 0 control/%s/%s # SKIP the filter selected no %s case\n", ctl, g, g
			} else {
				printf "# with %s on, no %s case reported corruption (no first-diff from a data comparison): the suite cannot see the break\n", ctl, g
				printf "not ok 0 control/%s/%s\n", ctl, g
			}
		}
	}'
}

# kselftest_results - the series' kernel selftests (results/kselftest/)
# as cases kselftest/NAME/DESCRIPTION ("a: b c" becomes "a/b-c"); a test
# that printed fewer results than its plan, or none, fails as NAME/incomplete.
kselftest_results()
{
	local f
	for f in "$res"/kselftest/*.ktap; do
		[ -f "$f" ] || continue
		ktap_kselftest "$(basename "$f" .ktap)" "$f"
	done
}

main=
[ -d "$res" ] && { check_pass "$res" "main pass"; main=$res/ktap; }
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
		extra=$out/control.ktap
		control_results > "$extra"
	else
		errors+=("no verdict: the control pass ($CONTROL on) did not run")
	fi
fi

# The run's KTAP: the suite's results, the plugin's, the kernel
# selftests', the control's, the harness's errors (each a failed result), numbered in one plan.
{
	[ -n "$main" ] && { grep -E '^(ok |not ok |# )' "$main" || true; }
	grep -E '^(ok |not ok |# )' "$plugin" || true
	[ -d "$res" ] && kselftest_results
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
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
