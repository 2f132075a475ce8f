#!/usr/bin/env bash
# verdict.sh OUTDIR NAME - decide a guest run: scan OUTDIR/console.txt for
# kernel splats, check the suite's KTAP in OUTDIR/results/ for completeness,
# check the negative-control pass (OUTDIR/results/control/) when CONTROL
# names the kernel switch, then print the run's KTAP (OUTDIR/ktap), a short
# table and "N passed, N failed, N skipped"; write OUTDIR/junit.xml and
# OUTDIR/counts.  A run that could not decide is a failure, never a pass.
#
# CONTROL_GROUPS: the case groups in which the control pass must show
# corruption: a failed case with a "# first-diff: offset=N" diagnostic,
# which pinkit prints only when a data comparison found different bytes.
# An error completion or a timeout is not corruption and does not count.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
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
	read -r plan p f s < <(awk '
		/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0 }
		/^ok [0-9]+ / { if ($0 ~ /# SKIP/) s++; else p++ }
		/^not ok [0-9]+ / { f++ }
		END { printf "%d %d %d %d\n", plan, p, f, s }' "$dir/ktap")
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
	awk -v groups="$groups" -v ctl="$CONTROL" '
	/^# / { diag = diag $0 "\n"; next }
	/^(not )?ok [0-9]+ / {
		c = ($1 == "not") ? $4 : $3
		g = c; sub(/\/.*/, "", g)
		ran[g] = 1
		if ($1 == "not" && diag ~ /(^|\n)# first-diff: offset=/ && !(g in seen)) { seen[g] = c; why[g] = diag }
	}
	{ diag = "" }
	END {
		n = split(groups, gs, " ")
		for (i = 1; i <= n; i++) {
			g = gs[i]
			if (g in seen) {
				printf "# with %s on, %s reported corruption:\n%s", ctl, seen[g], why[g]
				printf "ok 0 control/%s/%s\n", ctl, g
			} else if (!(g in ran)) {
				printf "ok 0 control/%s/%s # SKIP the filter selected no %s case\n", ctl, g, g
			} else {
				printf "# with %s on, no %s case reported corruption: the suite cannot see the break\n", ctl, g
				printf "not ok 0 control/%s/%s\n", ctl, g
			}
		}
	}' "$res/control/ktap"
}

main=
[ -d "$res" ] && { check_pass "$res" "main pass"; main=$res/ktap; }
[ -d "$res" ] || [ ${#errors[@]} != 0 ] || errors+=("no verdict: the guest wrote no results")
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

# The run's KTAP: the suite's results, the control's, the harness's errors
# (each a failed result), numbered in one plan.
{
	[ -n "$main" ] && grep -E '^(ok |not ok |# )' "$main"
	cat "$extra"
	for e in "${errors[@]}"; do
		printf '# %s\nnot ok 0 harness/%s\n' "$e" "$(echo "$e" | sed 's/[:(].*//; s/[^A-Za-z0-9]\+/-/g; s/-$//')"
	done
} | awk '/^(not )?ok [0-9]+ / { sub(/ok [0-9]+ /, "ok " ++n " ") } { l[++k] = $0 }
	END { print "KTAP version 1"; print "1.." n; for (i = 1; i <= k; i++) print l[i] }' > "$out/ktap"
cat "$out/ktap"

read -r pass fail skip < <(awk '/^ok [0-9]+ / { if ($0 ~ /# SKIP/) s++; else p++ }
	/^not ok [0-9]+ / { f++ } END { printf "%d %d %d\n", p, f, s }' "$out/ktap")

# A short human table: per case group (the name up to the first '/').
echo
awk '/^(not )?ok [0-9]+ / {
	r = ($1 == "not") ? "fail" : ($0 ~ /# SKIP/ ? "skip" : "pass")
	n = ($1 == "not") ? $4 : $3
	g = n; sub(/\/.*/, "", g)
	if (!(g in seen)) { seen[g] = 1; order[++k] = g }
	c[g, r]++
	if (r == "fail") failed[++nf] = n
}
END {
	printf "%-28s %6s %6s %6s\n", "group", "pass", "fail", "skip"
	for (i = 1; i <= k; i++)
		printf "%-28s %6d %6d %6d\n", order[i], c[order[i], "pass"],
			c[order[i], "fail"], c[order[i], "skip"]
	for (i = 1; i <= nf; i++) printf "FAILED: %s\n", failed[i]
}' "$out/ktap"

"$(dirname "$0")/junit.sh" "$name" "$out/ktap" > "$out/junit.xml"
echo "$pass $fail $skip" > "$out/counts"
echo "# $name: JUnit report $out/junit.xml, console $con"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
