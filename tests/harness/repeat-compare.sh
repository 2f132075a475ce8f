#!/usr/bin/env bash
# repeat-compare.sh RESULTS N - compare the N suite passes of one boot:
# RESULTS/ktap is pass 1, RESULTS/repeat/I/ktap pass I.  KTAP: one result
# per pass (complete: as many results as its plan, the cases of its
# expected list by name when the guest wrote one, and no failed case),
# repeat/harness (no failed result in HARNESS_KTAP, the run's verdict,
# other than the first pass's cases: harness errors, kernel selftests, the
# plugin's pass) and repeat/identical, which lists every case whose
# verdict changed.
# Last line "N passed, N failed, 0 skipped".
set -u
. "$(dirname "$0")/ktap.sh"
res=$1 reps=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "KTAP version 1"
echo "1..$((reps + 2))"
p=0 f=0
result()
{
	# result ok|fail NAME [DIAG...]
	local st=$1 n=$2
	shift 2
	[ $# = 0 ] || printf '# %s\n' "$@"
	if [ "$st" = ok ]; then
		p=$((p + 1))
		echo "ok $((p + f)) $n"
	else
		f=$((f + 1))
		echo "not ok $((p + f)) $n"
	fi
}

for i in $(seq 1 "$reps"); do
	k=$res/ktap
	[ "$i" = 1 ] || k=$res/repeat/$i/ktap
	if [ ! -f "$k" ]; then
		result fail "repeat/pass-$i" "no KTAP for pass $i in $res"
		continue
	fi
	read -r cp cf cs < <(ktap_counts "$k")
	plan=$(ktap_plan "$k")
	ktap_results "$k" > "$work/$i"
	names=
	if [ -f "$(dirname "$k")/expected" ]; then
		names=$(ktap_records "$k" | cut -f2 | sort | uniq -c | awk '$1 > 1 { d++ } END { print d + 0 }')
		names="$names $(ktap_records "$k" | cut -f2 | sort -u | comm -3 - <(sort -u "$(dirname "$k")/expected") | wc -l)"
	fi
	if [ "$((cp + cf + cs))" != "$plan" ] || [ "$plan" = 0 ]; then
		result fail "repeat/pass-$i" "pass $i reported $((cp + cf + cs)) of $plan results"
	elif [ -n "$names" ] && [ "$names" != "0 0" ]; then
		read -r nd nx <<< "$names"
		result fail "repeat/pass-$i" "pass $i: $nd cases reported more than once, $nx cases missing or not asked for (against $(dirname "$k")/expected)"
	elif [ "$cf" != 0 ]; then
		mapfile -t lines < <(ktap_records "$k" | awk -F'\t' '$1 == "fail" { print $2 }' | head -n 10)
		result fail "repeat/pass-$i" "pass $i: $cf cases failed ($cp passed, $cs skipped):" "${lines[@]}"
	else
		result ok "repeat/pass-$i" "pass $i: $cp passed, $cf failed, $cs skipped"
	fi
done

herr=
if [ -n "${HARNESS_KTAP:-}" ]; then
	if [ ! -f "$HARNESS_KTAP" ]; then
		herr="no verdict file $HARNESS_KTAP"
	else
		# every failure of the run's verdict that is not a case of pass 1
		herr=$(ktap_records "$HARNESS_KTAP" | awk -F'\t' '
			FNR == NR { first[$2] = 1; next }
			$1 == "fail" && !($2 in first) { t = $3; sub(/.*\\n/, "", t); print $2 (t == "" ? "" : ": " t) }' \
			<(ktap_records "$res/ktap" 2>/dev/null) - || true)
	fi
fi
if [ -n "$herr" ]; then
	mapfile -t lines <<< "$herr"
	result fail repeat/harness "${lines[@]#\# }"
else
	if [ -n "${HARNESS_KTAP:-}" ]; then
		result ok repeat/harness "no kernel splat, the guest finished, no kernel selftest or plugin case failed"
	else
		result ok repeat/harness "no run verdict given (HARNESS_KTAP)"
	fi
fi

# NAME V1 V2 ... VN per case; a case missing from a pass reads "-"
changed=$(for i in $(seq 1 "$reps"); do
	[ -f "$work/$i" ] && sed "s/\$/ $i/" "$work/$i"
done | awk -v n="$reps" '
	{ v[$1, $3] = $2; names[$1] = 1 }
	END {
		for (c in names) {
			line = c; diff = 0; first = v[c, 1]
			for (i = 1; i <= n; i++) {
				x = ((c, i) in v) ? v[c, i] : "-"
				line = line " " x
				if (x != first) diff = 1
			}
			if (diff) print line
		}
	}' | sort)
ncases=$(cat "$work"/* 2>/dev/null | awk '{ print $1 }' | sort -u | wc -l)
if [ "$ncases" = 0 ]; then
	result fail repeat/identical "no pass reported a case: nothing to compare"
elif [ -z "$changed" ]; then
	result ok repeat/identical "$ncases cases, the same verdict in all $reps passes"
else
	mapfile -t lines <<< "$changed"
	result fail repeat/identical \
		"$(printf '%s\n' "$changed" | wc -l) of $ncases cases changed verdict across $reps passes (case: verdict in pass 1..$reps):" \
		"${lines[@]}"
fi
echo "$p passed, $f failed, 0 skipped"
[ "$f" = 0 ]
