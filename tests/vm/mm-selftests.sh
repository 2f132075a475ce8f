#!/usr/bin/env bash
# mm-selftests.sh VER - the kernel's own mm selftests (mm-selftests.list),
# built from the kit's tree of VER, run on the kit's kernel and on Debian's
# stock kernel of VER, each test case side by side.  Exit 1 when a case
# fails on the kit's kernel but not on stock (or has no result there), or
# the kit's run did not decide (a splat, a guest that died, a test that
# never reported); the stock run only has to have run.  The table goes to
# stdout and to OUT/mm-selftests-VER.txt.  RERUN=0 compares the last runs'
# results again without building or booting.
set -u
. "$(dirname "$0")/../../scripts/lib.sh"
. "$PINKIT_ROOT/tests/harness/ktap.sh"
ver=$1
check_kver "$ver"
out=${OUT:-$PINKIT_ROOT/out}
cd "$PINKIT_ROOT" || exit 2
mkdir -p "$out"

kit=$out/mm-selftests-$ver/ktap stock=$out/mm-selftests-stock-$ver/ktap
if [ "${RERUN:-1}" != 0 ]; then
	k=$(MM_SELFTESTS=1 kernel/scripts/build.sh) || die "building the kit's $ver kernel failed"
	arch=$k.mm-selftests.gz
	[ -f "$arch" ] || die "the build left no $arch"
	make -s initramfs || die "make initramfs failed"
	# One suite case, so that the guest spends its time on the selftests
	# (migration alone runs 20 s a test, and TCG is slow).
	sel='pinkit.run=--filter smoke/*'
	stamp=$out/mm-selftests-$ver.stamp
	: > "$stamp"
	step_begin "the kernel's mm selftests on the kit's $ver kernel"
	KSELFTESTS=$arch CONTROL='' TIMEOUT=${TIMEOUT:-3600} STALL=${STALL:-900} \
		tests/harness/run.sh "mm-selftests-$ver" "$k" "$out/initramfs-pinkit.gz" "$sel" \
		>"$out/mm-selftests-kit.log" 2>&1 || true
	step_end
	step_begin "the same on Debian's stock $ver kernel"
	KSELFTESTS=$arch STOCK_RUN=mm-selftests-stock-$ver TIMEOUT=${TIMEOUT:-3600} \
		STALL=${STALL:-900} tests/vm/stock.sh "$ver" "$sel" \
		>"$out/mm-selftests-stock.log" 2>&1 || true
	step_end
	for f in "$kit" "$stock"; do
		[ -f "$f" ] && [ "$f" -nt "$stamp" ] ||
			die "no fresh results in $f: see $out/mm-selftests-kit.log and $out/mm-selftests-stock.log"
	done
fi
for f in "$kit" "$stock"; do
	[ -f "$f" ] || die "no results in $f (RERUN=0 compares the last runs)"
done

# Rows: every kselftest case and harness row of either run, kit first.
# A test that repeats a name (cow's "..." names) has its cases numbered in
# the order they ran, NAME#2 on, so that the columns pair them in order.
rows()
{
	ktap_records "$1" | awk -F'\t' '$2 ~ /^(kselftest|harness)\// {
		n = ++seen[$2]; print (n > 1 ? $2 "#" n : $2), ($1 == "fail" ? "FAIL" : $1) }' |
		sort -k1,1
}
join -a1 -a2 -e- -o 0,1.2,2.2 <(rows "$kit") <(rows "$stock") | awk -v ver="$ver" '
	{ kit = $2; st = $3
	  # The expected-skip lists are the suite'"'"'s; the kernel'"'"'s own tests'"'"'
	  # skips are the table itself.
	  if ($1 ~ /^harness\/[0-9]*-?skips-not-on-the-expected-skip-list/) next
	  if ($1 ~ /^harness\//) { if (kit == "FAIL") harness++; next }
	  # A name only stock skipped under (a test that names its skips
	  # after the reason) is no hole on the kit.
	  if (kit == "-" && st == "skip") next
	  if (kit == "pass") pass++
	  else if (kit == "skip") skip++
	  else if (kit == "FAIL" && st == "FAIL") { fail++; known++ }
	  else { fail++; new++; why = (kit == "-" ? "no result on the kit" : "fails on the kit only") }
	  row = sprintf("%-72s %-6s %-6s", $1, kit, st)
	  if (kit != "pass" && kit != "skip") row = row "  " (st == "FAIL" && kit == "FAIL" ? "stock too" : why)
	  print row }
	END {
		printf "kit %s: %d failures, %d of them on stock too, %d not\n", ver, fail, known, new
		if (harness) printf "%d harness rows of the kit run failed: it did not decide every test\n", harness
		printf "%d passed, %d failed, %d skipped\n", pass, fail, skip
		exit new > 0 || harness > 0
	}' > "$out/mm-selftests-$ver.rows"
rc=$?
{
	printf '%-72s %-6s %-6s\n' "kselftest case (linux-$ver)" kit stock
	cat "$out/mm-selftests-$ver.rows"
} | tee "$out/mm-selftests-$ver.txt"
exit "$rc"
