#!/usr/bin/env bash
# plain.sh BZIMAGE INITRD REFERENCE-KTAP - the vendor's view: boot the same
# kernel, run the bare `pinkit run --device rxe0` with an empty environment
# (none of the harness's arguments), and check that every case gets the
# verdict it got in the harness's own run (REFERENCE-KTAP).  One result per
# case: agree or differ.
set -u
. "$(dirname "$0")/../../scripts/lib.sh"
kernel=$1 initrd=$2 ref=$3
out=${OUT:-$PINKIT_ROOT/out}
[ -f "$ref" ] || die "no reference results in $ref: run make run first"
CONTROL= "$PINKIT_ROOT/tests/harness/run.sh" plain "$kernel" "$initrd" pinkit.plain=1 >"$out/plain.log" 2>&1
got=$out/plain/results/ktap
[ -f "$got" ] || { tail -n 20 "$out/plain.log" >&2; die "the plain run left no results (see $out/plain.log)"; }

. "$PINKIT_ROOT/tests/harness/ktap.sh"

nref=$(ktap_results "$ref" | wc -l) ngot=$(ktap_results "$got" | wc -l)
[ "$nref" -ge "$ngot" ] || die "the reference run ($ref) has $nref cases," \
	"the plain run $ngot: run \`make run\` without ARGS first"
join -a1 -a2 -e missing -o 0,1.2,2.2 <(ktap_results "$ref") <(ktap_results "$got") | awk '
	{ n++; if ($2 == $3) { ok++; next }
	  printf "# %s: harness run %s, plain run %s\nnot ok %d plain/%s\n", $1, $2, $3, n, $1; bad++ }
	END { printf "# plain `pinkit run --device rxe0`: %d of %d cases got the same verdict\n", ok, n
	      printf "%d passed, %d failed, 0 skipped\n", ok, bad; exit bad != 0 || n == 0 }'
