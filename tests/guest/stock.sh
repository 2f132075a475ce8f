#!/usr/bin/env bash
# stock.sh VER - Debian's prebuilt kernel of VER (tests/vm/stock-kernel.sh)
# for the guest on the host's root filesystem: its modules for rxe, 9p and
# overlayfs go to $OUT/guest-modules-VER (tests/vm/stock-modules.sh).
# Prints "KERNEL MODULES-DIR RELEASE".
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
ver=$1
read -r root kver kernel < <("$PINKIT_ROOT/tests/vm/stock-kernel.sh" "$ver") || exit 1
mods=${OUT:-$PINKIT_ROOT/out}/guest-modules-$ver
if [ "$(cat "$mods/.release" 2>/dev/null)" != "$kver" ]; then
	rm -rf "$mods"
	"$PINKIT_ROOT/tests/vm/stock-modules.sh" "$root" "$kver" "$mods" \
		virtio_pci virtio_net virtio_blk crc32_generic rdma_rxe ib_uverbs rdma_ucm \
		9p 9pnet_virtio overlay >&2
	echo "$kver" > "$mods/.release"
fi
echo "$kernel $mods $kver"
