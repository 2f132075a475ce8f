#!/usr/bin/env bash
# test.sh - host-only self-test of the KCIDB writer (no boot): a crafted
# decided run becomes a document that validates; documents with a bad test
# path, a bad status, a bad origin or a dangling build id must not; the
# writer refuses an undecided run and one without its build record.  KTAP
# on stdout, last line "N passed, N failed, N skipped".
set -u
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$PINKIT_ROOT" || exit 1
"$PINKIT_ROOT/scripts/deps.sh" kcidb || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
here=tests/kcidb
schema=$here/schema-v05_03.json
n=0 pass=0 fail=0

. "$PINKIT_ROOT/tests/lib/expect.sh"

# A decided run as make run leaves it: the verdict's KTAP (a pass with
# its JUnit time, a failure with two diagnostic lines, a skip, a name with
# a dot and other characters a path cannot hold, a kernel selftest, a harness error), the build
# record, the boot record, the console.
run=$work/run-7.3
mkdir -p "$run/results"
cat > "$run/ktap" <<'EOF'
KTAP version 1
1..6
ok 1 clear-refs/anon-thp/pinned-rw/rdma-write-cpu-read
# first-diff: offset=4096
# page 1 byte 0: expected 0xaa, read 0x55
not ok 2 mprotect-ro-rw/anon-4k/pinned-rw/interleaved
ok 3 odp/anon-4k/odp-rc # SKIP device has no ODP caps
ok 4 odp-xfer/len=4096.5/read+x
ok 5 kselftest/pin_tracking/PAGE_IS_WRITTEN-after-a-uffd-wp-reset/anon-4k
# the suite crashed (killed by signal 11, after 3 of 4 results)
not ok 6 harness/the-suite-crashed
EOF
cat > "$run/build.info" <<'EOF'
kver=7.3
flavor=default
source=linux-source-7.3
source_version=7.3.4-1~bpo13+1
config=tinyconfig+Kconfig.snippet+kernel/config/7.3.snippet
compiler=gcc (Debian 12.2.0-14+deb12u1) 12.2.0
start_time=2026-12-06T02:00:00Z
duration=12.5
image_sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
patchset_hash=903638c087335b10293663c682b9aa0076f9f7be478a8e7828bc22e12d301b42
patch=kernel/patches/7.3/0001-fs-proc-report-pinned-pages-dirty.patch
EOF
printf 'start_time=2026-12-06T02:01:00Z\nduration=201.3\n' > "$run/boot.info"
printf '[    1.000000] Run /init as init process\nPINKIT-BOOTED 7.3.4\n' > "$run/console.txt"
echo 7.3.4 > "$run/results/kernel"
cat > "$run/results/guest-junit.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="pinkit" tests="1" failures="0" skipped="0" errors="0" time="1.250">
  <testsuite name="clear-refs" tests="1" failures="0" skipped="0" errors="0" time="1.250">
    <testcase classname="pinkit.clear-refs" name="clear-refs/anon-thp/pinned-rw/rdma-write-cpu-read" time="1.250"/>
  </testsuite>
</testsuites>
EOF

# field DOC PYEXPR - print PYEXPR over the document d.
field()
{
	/usr/bin/python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($2)" "$1"
}

# mutate NAME PYSTMT - a copy of the good document with PYSTMT applied to d.
mutate()
{
	/usr/bin/python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
$2
json.dump(d, open(sys.argv[2], 'w'))" "$run/kcidb.json" "$work/$1.json"
}

expect ok writes-a-valid-document 'kcidb.json: valid KCIDB v5.3: 1 checkouts, 1 builds, 7 tests' \
	"$here/kcidb.sh" "$run"
expect ok prints-submission-not-sending '^kci-dev submit build --from-json .*kcidb.json' \
	"$here/kcidb.sh" "$run"
expect ok paths-statuses-excerpts \
	"^boot PASS 201.3 \| pinkit.clear-refs.anon-thp.pinned-rw.rdma-write-cpu-read PASS 1.25 \| pinkit.mprotect-ro-rw.anon-4k.pinned-rw.interleaved FAIL first-diff: offset=4096 \| pinkit.odp.anon-4k.odp-rc SKIP device has no ODP caps \| pinkit.odp-xfer.len_4096_5.read_x PASS None \| kselftest.pin_tracking.PAGE_IS_WRITTEN-after-a-uffd-wp-reset.anon-4k PASS None \| pinkit.harness.the-suite-crashed ERROR the suite crashed" \
	field "$run/kcidb.json" "' | '.join('%s %s %s' % (t['path'], t['status'], t.get('log_excerpt', t.get('duration'))) for t in d['tests'])"
expect ok checkout-names-debian-version-and-series \
	'^7.3.4-1~bpo13\+1 903638c087335b10293663c682b9aa0076f9f7be478a8e7828bc22e12d301b42 True$' \
	field "$run/kcidb.json" "d['checkouts'][0]['misc']['debian_source_version'], d['checkouts'][0]['patchset_hash'], d['checkouts'][0]['valid']"

# Bad documents: the validation must name the field.
mutate bad-path "d['tests'][1]['path'] = 'clear-refs/anon-thp'"
expect fail bad-path-fails "tests\[1\].path: 'clear-refs/anon-thp' does not match" \
	/usr/bin/python3 -B $here/validate.py "$schema" "$work/bad-path.json"
mutate bad-path-dots "d['tests'][1]['path'] = 'pinkit..clear-refs'"
expect fail empty-path-level-fails "tests\[1\].path: 'pinkit..clear-refs' does not match" \
	/usr/bin/python3 -B $here/validate.py "$schema" "$work/bad-path-dots.json"
mutate bad-status "d['tests'][2]['status'] = 'BROKEN'"
expect fail bad-status-fails "tests\[2\].status: 'BROKEN' is not one of \['FAIL', 'ERROR', 'MISS', 'PASS', 'DONE', 'SKIP'\]" \
	/usr/bin/python3 -B $here/validate.py "$schema" "$work/bad-status.json"
mutate bad-status-case "d['tests'][2]['status'] = 'pass'"
expect fail lowercase-status-fails "tests\[2\].status: 'pass' is not one of" \
	/usr/bin/python3 -B $here/validate.py "$schema" "$work/bad-status-case.json"
mutate bad-origin "d['builds'][0]['origin'] = 'Pinkit'"
expect fail bad-origin-fails "builds\[0\].origin: 'Pinkit' does not match" \
	/usr/bin/python3 -B $here/validate.py "$schema" "$work/bad-origin.json"
mutate bad-time "d['builds'][0]['start_time'] = '2026-12-06 02:00'"
expect fail bad-date-time-fails "builds\[0\].start_time: '2026-12-06 02:00' is not a 'date-time'" \
	/usr/bin/python3 -B $here/validate.py "$schema" "$work/bad-time.json"
mutate bad-version "d['version']['major'] = 4"
expect fail other-major-version-fails "version.major: 5 was expected" \
	/usr/bin/python3 -B $here/validate.py "$schema" "$work/bad-version.json"
mutate dangling "d['tests'][3]['build_id'] = 'pinkit:bzImage-ffffffffffffffff'"
expect fail dangling-build-id-fails "build_id pinkit:bzImage-ffffffffffffffff is not in the document" \
	/usr/bin/python3 -B $here/validate.py "$schema" "$work/dangling.json"

# Bad runs: a clear error naming the file and the fix, no document.
mkdir -p "$work/undecided"
expect fail undecided-run-refused 'undecided/ktap is missing: the run was not decided; run make run again' \
	"$here/kcidb.sh" "$work/undecided"
cp -a "$run" "$work/run-nobuild" && rm "$work/run-nobuild/build.info" "$work/run-nobuild/kcidb.json"
expect fail run-without-build-record 'run-nobuild/build.info is missing \(the build record\)' \
	"$here/kcidb.sh" "$work/run-nobuild"

echo "1..$n"
echo "$pass passed, $fail failed, 0 skipped"
[ $fail = 0 ]
