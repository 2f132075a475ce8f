#!/usr/bin/env bash
# rdma-core-stage.sh - the rdma-core stage of `make check` for KVER: rdma-core's
# tests on the kit kernel (kernel/scripts/build.sh, or KERNEL=bzImage) in
# $OUT/rdma-core-KVER; when a test fails, the same tests on Debian's stock
# kernel of KVER ($OUT/rdma-core-stock-KVER, kept while the stock kernel and
# python3-pyverbs stay the same) so that each failure shows the stock result
# beside it; then the verdict.  Exit 0 only when no test failed.  With
# ROOT=trixie|sid: that Debian root's rdma-core, in $OUT/rdma-core-KVER-ROOT
# and $OUT/rdma-core-stock-KVER-ROOT.  STOCK=1: the stock kernel's run
# alone, and its verdict.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
. "$PINKIT_ROOT/tests/harness/ktap.sh"
ver=${KVER:-$DEFAULT_KVER}
out=${OUT:-$PINKIT_ROOT/out}
d=$(dirname "$0")
sfx=${ROOT:+-$ROOT}
sout=$out/rdma-core-stock-$ver$sfx

# stock_run [always] - the tests on Debian's stock kernel of KVER into
# $sout, kept while that kernel and the tests' rdma-core stay the same
# (always: run them anyway); sets skver, the stock kernel's release.
stock_run()
{
	local skernel smods stamp
	read -r skernel smods skver < <("$d/stock.sh" "$ver") || die "no stock kernel of $ver to compare with"
	if [ -n "${ROOT:-}" ]; then
		stamp="$skver $ROOT $(sed -n 's/^version: python3-pyverbs //p' "$PINKIT_CACHE/root/$ROOT.stamp")"
	else
		stamp="$skver $(dpkg-query -W -f='${Version}' python3-pyverbs)"
	fi
	if [ "${1:-}" = always ]; then
		"$d/rdma-core.sh" "rdma-core-stock-$ver$sfx" "$skernel" "$smods" || true
	elif [ "$(cat "$sout/stamp" 2>/dev/null)" != "$stamp" ] || [ ! -f "$sout/results/ktap" ]; then
		note "$f rdma-core tests failed on the kit kernel: running them on stock $skver"
		"$d/rdma-core.sh" "rdma-core-stock-$ver$sfx" "$skernel" "$smods" >/dev/null || true
	fi
	echo "$stamp" > "$sout/stamp"
}

# STOCK=1: the stock kernel's run alone, decided as the kit's would be.
if [ "${STOCK:-}" = 1 ]; then
	stock_run always
	exec "$d/rdma-core-verdict.sh" "rdma-core-stock-$ver$sfx"
fi

kernel=${KERNEL:-$("$PINKIT_ROOT/kernel/scripts/build.sh")}
"$d/rdma-core.sh" "rdma-core-$ver$sfx" "$kernel" || true

stock=() f=0
[ -f "$out/rdma-core-$ver$sfx/results/ktap" ] &&
	read -r _ f _ < <(ktap_counts "$out/rdma-core-$ver$sfx/results/ktap")
if [ "$f" != 0 ]; then
	stock_run
	[ -f "$sout/results/ktap" ] && stock=("$sout/results/ktap" "stock $skver")
fi
"$d/rdma-core-verdict.sh" "rdma-core-$ver$sfx" "${stock[@]}"
