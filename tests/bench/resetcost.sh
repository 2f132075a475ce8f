#!/usr/bin/env bash
# resetcost.sh [MIB] LABEL=KERNEL... - what one tracking reset costs per
# page (tests/bench/resetcost.c) on each kernel, side by side: each KERNEL
# (a bzImage, or stock-VER for Debian's prebuilt kernel of VER) boots with
# the host's / as its root (tests/guest/run.sh exec) and runs the benchmark
# over MIB MiB (default 256) of anonymous and of memfd memory.  A
# benchmark, not a test: it prints a table and fails only when a kernel
# could not run it.  Under QEMU/TCG the figures compare kernels with each
# other; they are not what hardware costs.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
mib=256
case ${1:-} in
'' | *=*) ;;
*[!0-9]*) die "resetcost.sh: MIB '$1': give a number of MiB (default 256)" ;;
*) mib=$1; shift ;;
esac
[ $# -gt 0 ] || die "usage: resetcost.sh [MIB] LABEL=KERNEL... (KERNEL: a bzImage or stock-VER)"
for a in "$@"; do
	k=${a#*=}
	case $a in
	*=stock-*) check_kver "${k#stock-}" ;;
	*=*) [ -f "$k" ] || die "resetcost.sh: $a: no kernel image at $k" ;;
	*) die "resetcost.sh: '$a': give LABEL=KERNEL" ;;
	esac
done

out=${OUT:-$PINKIT_ROOT/out}/bench-resetcost
mkdir -p "$out"
bin=$out/resetcost
step_begin "building tests/bench/resetcost.c"
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -I "$PINKIT_ROOT/userspace/lib" -o "$bin" "$PINKIT_ROOT/tests/bench/resetcost.c"
step_end

labels=()
for a in "$@"; do
	label=${a%%=*} k=${a#*=} mods=
	if [ "${k#stock-}" != "$k" ]; then
		read -r k mods _ < <("$PINKIT_ROOT/tests/guest/stock.sh" "${k#stock-}")
	fi
	step_begin "resetcost on $label ($(basename "$k"))"
	CMD="$bin $mib" "$PINKIT_ROOT/tests/guest/run.sh" exec "$k" "$out/$label" $mods \
		> "$out/$label.log" 2>&1 ||
		die "resetcost on $label failed (log: $out/$label.log)"
	step_end
	labels+=("$label")
done

# backing mm reset | ns/page per kernel
{
	printf '%-7s %-13s %-11s' backing mm reset
	printf ' %14s' "${labels[@]}"
	echo
	for label in "${labels[@]}"; do
		sed -n 's/^# figure: resetcost //p' "$out/$label.log" | tr -d '\r' |
			awk -v l="$label" '{ print $1, $2, $3, l, $4 }'
	done | awk -v labels="${labels[*]}" '
		BEGIN { n = split(labels, L, " ") }
		{ k = $1 " " $2 " " $3; if (!(k in seen)) { seen[k] = 1; order[++m] = k }; v[k, $4] = $5 }
		END {
			for (i = 1; i <= m; i++) {
				split(order[i], f, " ")
				printf "%-7s %-13s %-11s", f[1], f[2], f[3]
				for (j = 1; j <= n; j++)
					printf " %8s ns/pg", ((order[i], L[j]) in v) ? v[order[i], L[j]] : "-"
				printf "\n"
			}
		}'
} | tee "$out/table.txt"
