#!/usr/bin/env bash
# merge.sh OUTDIR N - one run of the boots OUTDIR/boot-1 .. boot-N (run.sh;
# boot I+1 resumed the main pass after the case boot I crashed in):
#   OUTDIR/results   the results of the last boot that has any (one that
#                    crashed while booting has none), its main pass KTAP replaced by
#                    the main passes of all boots in order, numbered in the
#                    first boot's plan, closed with the counts of them all
#                    when the last boot's runner closed its own; its exit status is the first non-zero
#                    one, a boot that crashed in the main pass counting as 1;
#   OUTDIR/console.txt  the boots' consoles, each after "PINKIT-HARNESS-BOOT I";
#   OUTDIR/error     the last boot's failure, if any;
#   OUTDIR/crashes   "boot I<TAB>PASS<TAB>CASE<TAB>REASON" per kernel crash;
#   OUTDIR/qemu-cmd, qemu.log  the last boot's.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
. "$(dirname "$0")/ktap.sh"
out=$1 n=$2
last=$out/boot-$n
[ -d "$last" ] || die "$last is missing: merge.sh merges the boots run.sh made"
rm -rf "$out/results" "$out/console.txt" "$out/error" "$out/crashes"
for i in $(seq 1 "$n"); do
	echo "PINKIT-HARNESS-BOOT $i"
	cat "$out/boot-$i/console.txt" 2>/dev/null || true
done > "$out/console.txt"
for f in error qemu-cmd qemu.log; do
	[ ! -f "$last/$f" ] || cp "$last/$f" "$out/$f"
done
for i in $(seq 1 "$n"); do
	[ ! -f "$out/boot-$i/crash" ] || sed "s/^/boot $i\t/" "$out/boot-$i/crash"
done > "$out/crashes"
[ -s "$out/crashes" ] || rm -f "$out/crashes"
# The passes after the main pass come from the last boot that has results:
# a last boot that crashed while booting has none, and the main passes of
# the boots before it must not be lost with it.
base=
for i in $(seq "$n" -1 1); do
	[ ! -d "$out/boot-$i/results" ] || { base=$out/boot-$i; break; }
done
[ -n "$base" ] || exit 0
cp -a "$base/results" "$out/results"
[ "$n" -gt 1 ] || exit 0

# The main pass across the boots.
plan=$(ktap_plan "$(boots_first_ktap "$out" "$n")")
{
	echo "KTAP version 1"
	echo "1..$plan"
	for i in $(seq 1 "$n"); do
		echo "# pinkit: boot $i of $n (run.sh resumed the main pass after each kernel crash)"
		grep -E '^(ok |not ok |# )' "$out/boot-$i/results/ktap" 2>/dev/null || true
	done
} | awk '/^(not )?ok [0-9]+ / { sub(/ok [0-9]+ /, "ok " ++k " ") } { print }' > "$out/results/ktap"
# The runner's closing line: only when the last boot's runner printed its
# own (it finished the pass), then with the counts of the whole pass, so
# the verdict's closing-line check holds across the boots.
if grep -v '^[[:space:]]*$' "$last/results/ktap" 2>/dev/null | tail -n1 |
	grep -Eq '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$'; then
	read -r p f s < <(ktap_counts "$out/results/ktap")
	echo "$p passed, $f failed, $s skipped" >> "$out/results/ktap"
fi
rc=
for i in $(seq 1 "$n"); do
	if [ -f "$out/boot-$i/results/rc" ]; then
		r=$(cat "$out/boot-$i/results/rc")
	elif [ "$i" -lt "$n" ] && [ "$(cat "$out/boot-$i/main")" = crashed ]; then
		r=1
	elif [ "$i" -lt "$n" ] && [ "$(cat "$out/boot-$i/main")" = boot ]; then
		continue	# crashed while booting: booted again, no pass of its own
	else
		rc=	# the last boot's main pass did not end: no exit status
		break
	fi
	[ -n "$rc" ] && [ "$rc" != 0 ] || rc=$r
done
if [ -n "$rc" ]; then
	echo "$rc" > "$out/results/rc"
else
	rm -f "$out/results/rc"
fi
for i in $(seq 1 "$n"); do
	[ ! -f "$out/boot-$i/results/stderr" ] || cat "$out/boot-$i/results/stderr"
done > "$out/results/stderr"
