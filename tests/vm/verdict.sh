#!/usr/bin/env bash
# verdict.sh OUTDIR NAME - decide a guest run: scan OUTDIR/console.txt for
# kernel splats, read the suite's KTAP from OUTDIR/results/, print the KTAP,
# a short table and "N passed, N failed, N skipped"; write OUTDIR/junit.xml
# and OUTDIR/counts.  A run that could not decide is a failure, never a pass.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
out=$1 name=$2
con=$out/console.txt ktap=$out/results/ktap
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

if [ -f "$ktap" ]; then
	grep -E '^(KTAP version|1\.\.|ok |not ok |#| +)' "$ktap" || true
	rc=$(cat "$out/results/rc" 2>/dev/null || echo '?')
	read -r plan pass fail skip < <(awk '
		/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0 }
		/^ok [0-9]+ / { if ($0 ~ /# SKIP/) s++; else p++ }
		/^not ok [0-9]+ / { f++ }
		END { printf "%d %d %d %d\n", plan, p, f, s }' "$ktap")
	got=$((pass + fail + skip))
	if [ "$rc" -ge 128 ] 2>/dev/null; then
		errors+=("the suite crashed (killed by signal $((rc - 128)), after $got of $plan results; stderr: $out/results/stderr)")
	elif [ "$plan" = 0 ]; then
		errors+=("no verdict: the suite printed no KTAP plan (exit status $rc; stderr: $out/results/stderr)")
	elif [ "$got" != "$plan" ]; then
		errors+=("no verdict: the suite reported $got of $plan results (exit status $rc)")
	elif [ "$rc" = 0 ] && [ "$fail" != 0 ]; then
		errors+=("the suite exited 0 although $fail cases failed")
	elif [ "$rc" != 0 ] && [ "$fail" = 0 ]; then
		errors+=("the suite exited $rc without a failing case (stderr: $out/results/stderr)")
	fi
else
	pass=0 fail=0 skip=0
	[ ${#errors[@]} = 0 ] && errors+=("no verdict: the guest wrote no KTAP results")
fi

# The harness's own findings count as failed cases of the run.
fail=$((fail + ${#errors[@]}))
for e in "${errors[@]}"; do
	printf '# %s: harness error: %s\n' "$name" "$e"
done

# A short human table: per case group (the name up to the first '/').
if [ -f "$ktap" ]; then
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
	}' "$ktap"
fi

"$(dirname "$0")/junit.sh" "$name" "${ktap}" "${errors[@]}" > "$out/junit.xml"
echo "$pass $fail $skip" > "$out/counts"
echo "# $name: JUnit report $out/junit.xml, console $con"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
