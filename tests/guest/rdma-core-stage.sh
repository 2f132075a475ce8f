#!/usr/bin/env bash
# rdma-core-stage.sh - the rdma-core stage of `make check` for KVER: rdma-core's
# tests on the kit kernel (kernel/scripts/build.sh, or KERNEL=bzImage) in
# $OUT/rdma-core-KVER; when a test fails, the same tests on Debian's stock
# kernel of KVER ($OUT/rdma-core-stock-KVER, kept while the stock kernel and
# python3-pyverbs stay the same) so that each failure shows the stock result
# beside it; then the verdict.  Exit 0 only when no test failed.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
. "$PINKIT_ROOT/tests/harness/ktap.sh"
ver=${KVER:-$DEFAULT_KVER}
out=${OUT:-$PINKIT_ROOT/out}
d=$(dirname "$0")
kernel=${KERNEL:-$("$PINKIT_ROOT/kernel/scripts/build.sh")}
"$d/rdma-core.sh" "rdma-core-$ver" "$kernel" || true

stock=() f=0
[ -f "$out/rdma-core-$ver/results/ktap" ] &&
	read -r _ f _ < <(ktap_counts "$out/rdma-core-$ver/results/ktap")
if [ "$f" != 0 ]; then
	read -r skernel smods skver < <("$d/stock.sh" "$ver") || die "no stock kernel of $ver to compare with"
	sout=$out/rdma-core-stock-$ver
	stamp="$skver $(dpkg-query -W -f='${Version}' python3-pyverbs)"
	if [ "$(cat "$sout/stamp" 2>/dev/null)" != "$stamp" ] || [ ! -f "$sout/results/ktap" ]; then
		note "$f rdma-core tests failed on the kit kernel: running them on stock $skver"
		"$d/rdma-core.sh" "rdma-core-stock-$ver" "$skernel" "$smods" >/dev/null || true
		echo "$stamp" > "$sout/stamp"
	fi
	[ -f "$sout/results/ktap" ] && stock=("$sout/results/ktap" "stock $skver")
fi
"$d/rdma-core-verdict.sh" "rdma-core-$ver" "${stock[@]}"
