#!/usr/bin/env bash
# kcidb.sh RUNDIR - write RUNDIR/kcidb.json, the KCIDB v5.3 document of a
# decided guest run (make run: out/run-<name>), validate it against the
# schema transcribed in schema-v05_03.json, and print the lines that would
# submit it.  Nothing is sent.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
. "$PINKIT_ROOT/tests/harness/ktap.sh"
[ $# = 1 ] || die "usage: kcidb.sh RUNDIR (out/run-<name> of a make run)"
run=$1
[ -d "$run" ] || die "$run does not exist: run make run first (KVER/DEBUG as for this make kcidb)"
[ -f "$run/ktap" ] || die "$run/ktap is missing: the run was not decided; run make run again"
"$PINKIT_ROOT/scripts/deps.sh" kcidb
here=$(cd "$(dirname "$0")" && pwd)
rec=$(mktemp)
trap 'rm -f "$rec" "$run/kcidb.json.tmp"' EXIT
# The run's results through the harness's one KTAP reader.
ktap_records "$run/ktap" > "$rec"
/usr/bin/python3 -B "$here/kcidb.py" "$run" "$rec" > "$run/kcidb.json.tmp"
if ! /usr/bin/python3 -B "$here/validate.py" "$here/schema-v05_03.json" "$run/kcidb.json.tmp" >/dev/null; then
	mv "$run/kcidb.json.tmp" "$run/kcidb.json.bad"
	die "the KCIDB document of $run does not validate against v5.3 (see above); it is in $run/kcidb.json.bad"
fi
mv "$run/kcidb.json.tmp" "$run/kcidb.json"
/usr/bin/python3 -B "$here/validate.py" "$here/schema-v05_03.json" "$run/kcidb.json"
cat <<MSG
# Not sent.  To submit it (a KCIDB token from the KernelCI maintainers):
kci-dev submit build --from-json $run/kcidb.json --kcidb-rest-url \${KCIDB_REST_URL:-https://db.kernelci.org/submit} --kcidb-token "\$KCIDB_TOKEN"
curl -sf -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer \$KCIDB_TOKEN" --data @$run/kcidb.json \${KCIDB_REST_URL:-https://db.kernelci.org/submit}
MSG
