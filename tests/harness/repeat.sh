#!/usr/bin/env bash
# repeat.sh NAME BZIMAGE INITRD N [GUEST-ARG...] - run the suite N times in
# one boot (pinkit.repeat=N), decide the first pass as run.sh does, then
# compare the N passes case by case: every case whose verdict (pass, FAIL,
# skip) changed between passes is listed with its verdict in each pass.
# KTAP: one result per pass (complete, same plan) and repeat/identical;
# last line "N passed, N failed, N skipped".
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
. "$(dirname "$0")/ktap.sh"
name=$1 kernel=$2 initrd=$3 reps=$4
shift 4
case $reps in
'' | *[!0-9]* | 0 | 1) die "N=$reps: expected a number of passes >= 2" ;;
esac
out=${OUT:-$PINKIT_ROOT/out}/$name
CONTROL= "$(dirname "$0")/run.sh" "$name" "$kernel" "$initrd" "$@" \
	"pinkit.repeat=$reps" > "$out.first" 2>&1 || true
res=$out/results
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "KTAP version 1"
echo "1..$((reps + 1))"
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
		result fail "repeat/pass-$i" "no KTAP for pass $i (console: $out/console.txt)"
		continue
	fi
	read -r cp cf cs < <(ktap_counts "$k")
	plan=$(ktap_plan "$k")
	ktap_results "$k" > "$work/$i"
	if [ "$((cp + cf + cs))" != "$plan" ] || [ "$plan" = 0 ]; then
		result fail "repeat/pass-$i" "pass $i reported $((cp + cf + cs)) of $plan results"
	else
		result ok "repeat/pass-$i" "pass $i: $cp passed, $cf failed, $cs skipped"
	fi
done

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
if [ -z "$changed" ]; then
	result ok repeat/identical "$ncases cases, the same verdict in all $reps passes"
else
	mapfile -t lines <<< "$changed"
	result fail repeat/identical \
		"$(printf '%s\n' "$changed" | wc -l) of $ncases cases changed verdict across $reps passes (case: verdict in pass 1..$reps):" \
		"${lines[@]}"
fi
echo "# first pass's verdict: $out.first; console: $out/console.txt"
echo "$p passed, $f failed, 0 skipped"
[ "$f" = 0 ]
