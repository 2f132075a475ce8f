#!/usr/bin/env bash
# perftest.sh BZIMAGE [MODULES-DIR] - figures for rxe ODP (a benchmark, not a test):
# boot the kit kernel in the guest on the host's root filesystem, run ib_write_bw and
# ib_read_bw pinned and --odp, print the bandwidths, the ODP/pinned ratio
# (target >= 0.9 once warm) and the first-touch figures.  Under TCG the
# numbers are noisy: compare columns of one run, not runs.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
kernel=$1 mods=${2:-}
out=${OUT:-$PINKIT_ROOT/out}
"$PINKIT_ROOT/scripts/deps.sh" bench
# perftest runs from the host's own installation, in the guest on the
# host's root filesystem (tests/guest/run.sh): nothing to pack.
rm -rf "$out/bench"
mkdir -p "$out/bench"
CMD="$PINKIT_ROOT/tests/bench/perftest-guest.sh > /run/pinkit/bench" \
	TIMEOUT=${TIMEOUT:-600} "$PINKIT_ROOT/tests/guest/run.sh" exec "$kernel" "$out/bench" $mods ||
	die "the bench guest did not finish: $out/bench/console.log"
res=$out/bench/share/bench
[ -s "$res" ] || die "the bench guest wrote no figures: $out/bench/console.log"
grep '^# ' "$res" || true
awk '!/^#/ { bw[$1, $2, $3] = $4; t[$1] = 1 }
END {
	printf "%-10s %-6s %12s %12s %8s\n", "test", "phase", "pinned MB/s", "odp MB/s", "odp/pin"
	for (x in t) for (i = 1; i <= 2; i++) {
		ph = i == 1 ? "warm" : "first"
		p = bw[x, "pinned", ph]; o = bw[x, "odp", ph]
		r = (p + 0 > 0 && o + 0 > 0) ? sprintf("%.2f", o / p) : "-"
		printf "%-10s %-6s %12s %12s %8s\n", "ib_" x "_bw", ph, p, o, r
	}
	print "warm: 1000 x 64 KiB messages; first: 5 x 8 MiB into fresh memory (ODP faults each page in); target warm odp/pin >= 0.9"
}' "$res"
