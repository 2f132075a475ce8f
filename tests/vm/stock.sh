#!/usr/bin/env bash
# stock.sh VER [KERNEL-ARGS...] - boot Debian's prebuilt kernel of VER
# (tests/vm/stock-kernel.sh) with the pinkit guest and suite, loading the
# modules rxe needs in dependency order.  The results go to OUT/stock-VER,
# or OUT/$STOCK_RUN.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
ver=$1
shift
check_kver "$ver"
read -r root kver kernel < <("$(dirname "$0")/stock-kernel.sh" "$ver") || exit 1
[ -n "$kernel" ] || exit 1

# The modules rxe needs.  From 7.x virtio_pci is built in, crc32 is a
# library and rdma_rxe no longer pulls ib_uverbs in: stock-modules.sh
# leaves out those that do not exist, ib_uverbs is asked for by name.
extra=$(mktemp -d)
trap 'rm -rf "$extra"' EXIT
"$(dirname "$0")/stock-modules.sh" "$root" "$kver" "$extra" \
	virtio_pci virtio_net virtio_blk crc32_generic rdma_rxe ib_uverbs
initrd=${OUT:-$PINKIT_ROOT/out}/initramfs-stock-$ver.gz
EXTRA_ROOT=$extra "$(dirname "$0")/initramfs.sh" "$initrd"
# The series' kernel selftests, built with the patched kernel of the same
# version, run on the stock kernel too: they must fail there.
# (KSELFTESTS=none: without them.)
kst=${OUT:-$PINKIT_ROOT/out}/bzImage-$ver-default.selftests
if [ -n "${KSELFTESTS:-}" ]; then
	kst=$KSELFTESTS
elif [ -f "$kst.none" ]; then
	kst=none
else
	kst=$kst.gz
	[ -f "$kst" ] || die "no kernel selftests for $ver yet ($kst): 'make run KVER=$ver' builds them (KSELFTESTS=none: run without)"
fi
# A stock kernel may crash in many cases (7.3.4: 18, all odp-iova rows):
# resume after each, up to CRASHES (default 40 here, 5 for the kit's).
KSELFTESTS=$kst CONTROL='' CRASHES=${CRASHES:-40} \
	"$PINKIT_ROOT/tests/harness/run.sh" "${STOCK_RUN:-stock-$ver}" "$kernel" "$initrd" "$@"
