#!/usr/bin/env bash
# plain.sh BZIMAGE INITRD REFERENCE-KTAP - the vendor's view: boot the same
# kernel, run the bare `pinkit run --device rxe0` with an empty environment
# (none of the harness's arguments), and check that every case gets the
# verdict it got in the harness's own run (REFERENCE-KTAP).  One result per
# case: agree or differ.
# RERUN=0 decides the last plain run ($OUT/plain) again without booting.
set -u
. "$(dirname "$0")/../../scripts/lib.sh"
. "$PINKIT_ROOT/tests/harness/ktap.sh"
kernel=$1 initrd=$2 ref=$3
out=${OUT:-$PINKIT_ROOT/out}
[ -f "$ref" ] || die "no reference results in $ref: run make run first"
if [ "${RERUN:-1}" != 0 ]; then
	CONTROL= "$PINKIT_ROOT/tests/harness/run.sh" plain "$kernel" "$initrd" pinkit.plain=1 >"$out/plain.log" 2>&1
fi
got=$out/plain/results/ktap
if [ ! -f "$got" ] || [ ! -f "$out/plain/ktap" ]; then
	tail -n 20 "$out/plain.log" >&2
	die "the plain run left no results or no verdict (see $out/plain.log)"
fi
# The plain run's own verdict (a splat, a crash, a case missing, a kernel
# selftest) fails this whatever the case verdicts agree on.
harness=$(ktap_records "$out/plain/ktap" | awk -F'\t' '$1 == "fail" && $2 ~ /^(harness|kselftest)\//')

nref=$(ktap_results "$ref" | wc -l) ngot=$(ktap_results "$got" | wc -l)
[ "$nref" -ge "$ngot" ] || die "the reference run ($ref) has $nref cases," \
	"the plain run $ngot: run \`make run\` without ARGS first"
{ join -a1 -a2 -e missing -o 0,1.2,2.2 <(ktap_results "$ref") <(ktap_results "$got"); echo; printf '%s\n' "$harness"; } | awk -F'\t' '
	/^$/ { h = 1; next }
	h { if ($0 == "") next; bad++; t = $3; gsub(/\\n/, "\n# ", t)
	    printf "# the plain run itself: %s\nnot ok %d plain/%s\n", t, n + bad, $2; next }
	{ split($0, w, " "); n++; if (w[2] == w[3]) { ok++; next }
	  printf "# %s: harness run %s, plain run %s\nnot ok %d plain/%s\n", w[1], w[2], w[3], n + bad, w[1]; bad++ }
	END { printf "# plain `pinkit run --device rxe0`: %d of %d cases got the same verdict\n", ok, n
	      printf "%d passed, %d failed, 0 skipped\n", ok, bad; exit bad != 0 || n == 0 }'
