#!/usr/bin/env bash
# perftest.sh NAME=BZIMAGE... - figures for rxe ODP (a benchmark, not a
# test): boot each kit kernel in turn in the guest on the host's root
# filesystem (tests/guest/run.sh: perftest runs from the host's own
# installation, nothing to pack), run ib_write_bw and ib_read_bw pinned
# and --odp, and print one table with a column group per kernel: the
# bandwidths, the ODP/pinned ratio (target >= 0.9 once warm) and the
# first-touch figures.  `make bench` passes the 7.3 kernel (upstream rxe
# ODP with the kit's fixes) and the 6.12 one (the kit's ODP backport).
# Under TCG the numbers are noisy: compare columns of one run, not runs.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
[ $# -ge 1 ] || die "usage: perftest.sh NAME=BZIMAGE... (make bench builds them)"
out=${OUT:-$PINKIT_ROOT/out}
"$PINKIT_ROOT/scripts/deps.sh" bench

names=()
for arg; do
	name=${arg%%=*} kernel=${arg#*=}
	[ "$name" != "$arg" ] && [ -f "$kernel" ] ||
		die "perftest.sh: '$arg' is not NAME=BZIMAGE of an existing image"
	dir=$out/bench-$name
	step_begin "perftest on $name ($(basename "$kernel"))"
	CMD="$PINKIT_ROOT/tests/bench/perftest-guest.sh > /run/pinkit/bench" \
		TIMEOUT=${TIMEOUT:-600} "$PINKIT_ROOT/tests/guest/run.sh" exec "$kernel" "$dir" ||
		die "the bench guest on $name did not finish: $dir/console.log"
	step_end
	res=$dir/share/bench
	[ -s "$res" ] || die "the bench guest on $name wrote no figures: $dir/console.log"
	sed "s/^# /# $name: /" "$res" | grep '^# ' || true
	names+=("$name")
done

# One row per test and phase; per kernel: pinned, odp, odp/pinned.
for n in "${names[@]}"; do
	awk -v k="$n" '!/^#/ { print k, $0 }' "$out/bench-$n/share/bench"
done | awk -v order="${names[*]}" '
{ bw[$1, $2, $3, $4] = $5; t[$2] = 1 }
END {
	nk = split(order, ks, " ")
	printf "%-10s %-6s", "test", "phase"
	for (j = 1; j <= nk; j++)
		printf " | %-6s %9s %9s %7s", ks[j], "pinned", "odp", "odp/pin"
	printf "\n"
	for (x in t) for (i = 1; i <= 2; i++) {
		ph = i == 1 ? "warm" : "first"
		printf "%-10s %-6s", "ib_" x "_bw", ph
		for (j = 1; j <= nk; j++) {
			p = bw[ks[j], x, "pinned", ph]; o = bw[ks[j], x, "odp", ph]
			r = (p + 0 > 0 && o + 0 > 0) ? sprintf("%.2f", o / p) : "-"
			printf " | %-6s %9s %9s %7s", "", p, o, r
		}
		printf "\n"
	}
	print "MB/s averages; warm: 1000 x 64 KiB messages; first: 5 x 8 MiB into fresh memory (ODP faults each page in); target warm odp/pin >= 0.9"
}'
