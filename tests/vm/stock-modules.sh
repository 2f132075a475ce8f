#!/usr/bin/env bash
# stock-modules.sh ROOT KVER DEST MODULE... - the MODULEs of the stock
# kernel unpacked in ROOT (tests/vm/stock-kernel.sh) with their
# dependencies, in load order, decompressed so that busybox insmod can load
# them, into DEST/lib/modules/, and their order in
# DEST/lib/modules/pinkit.order.  A MODULE the kernel does not have (built
# in, or gone) is left out.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
root=$1 kver=$2 extra=$3
shift 3
mkdir -p "$extra/lib/modules"
want=()
for m in "$@"; do
	modprobe -d "$root" -S "$kver" --show-depends "$m" >/dev/null 2>&1 && want+=("$m")
done
mods=$(modprobe -d "$root" -S "$kver" --show-depends -a "${want[@]}" |
	awk '$1 == "insmod" { print $2 }') ||
	die "modprobe could not resolve the modules ${want[*]} of $kver"
rm -f "$extra/list"
for m in $mods; do
	[ -n "$(grep -Fx "$m" "$extra/list" 2>/dev/null)" ] && continue
	echo "$m" >> "$extra/list"
	base=$(basename "$m")
	case $base in
	*.xz)	xz -dc "$m" > "$extra/lib/modules/${base%.xz}"; base=${base%.xz} ;;
	*.zst)	zstd -qdc "$m" > "$extra/lib/modules/${base%.zst}"; base=${base%.zst} ;;
	*)	cp "$m" "$extra/lib/modules/$base" ;;
	esac
	echo "/lib/modules/$base" >> "$extra/lib/modules/pinkit.order"
done
note "stock kernel $kver with $(wc -l < "$extra/list") modules"
rm -f "$extra/list"
