# shellcheck shell=bash
# verdict-cases.sh - self-tests of the verdict that no crafted result can
# fool (issue 26): each scenario below ended green before.  Sourced by
# tests/selftest/run.sh (expect, mkrun, fails_without, $work, $kernel,
# $initrd), never run.  Most are crafted result directories; none boots a
# kernel except make-run-boots-KERNEL's refusal.

# --- completeness by name: the guest's list of expected cases
mkrun "$work/n-ok" a/x a/y a/z
expect ok names-complete-run-passes '^3 passed, 0 failed, 0 skipped' \
	env CONTROL= tests/harness/verdict.sh "$work/n-ok" n-ok
mkrun "$work/n-dup" a/x a/y a/z
printf 'KTAP version 1\n1..3\nok 1 a/x\nok 2 a/x\nok 3 a/y\n3 passed, 0 failed, 0 skipped\n' > "$work/n-dup/results/ktap"
expect fail names-duplicate-and-missing 'reported 1 cases more than once \(a/x\)' \
	env CONTROL= tests/harness/verdict.sh "$work/n-dup" n-dup
mkrun "$work/n-same" a/x a/y a/z
printf 'KTAP version 1\n1..3\nok 1 smoke/smoke\nok 2 smoke/smoke\nok 3 smoke/smoke\n3 passed, 0 failed, 0 skipped\n' > "$work/n-same/results/ktap"
expect fail names-one-case-many-times 'did not report 3 of its cases' \
	env CONTROL= tests/harness/verdict.sh "$work/n-same" n-same
mkrun "$work/n-unknown" a/x a/y a/z
printf 'KTAP version 1\n1..3\nok 1 a/x\nok 2 a/y\nok 3 a/nothing\n3 passed, 0 failed, 0 skipped\n' > "$work/n-unknown/results/ktap"
expect fail names-unknown-case 'reported 1 cases it was not asked to run \(a/nothing\)' \
	env CONTROL= tests/harness/verdict.sh "$work/n-unknown" n-unknown
mkrun "$work/n-nolist" a/x
rm "$work/n-nolist/results/expected"
expect fail names-no-expected-list 'wrote no list of the cases the main pass must report' \
	env CONTROL= tests/harness/verdict.sh "$work/n-nolist" n-nolist
mkrun "$work/n-noclose" a/x
sed -i '$d' "$work/n-noclose/results/ktap"
expect fail names-runner-closing-line 'ended without the runner.s closing line' \
	env CONTROL= tests/harness/verdict.sh "$work/n-noclose" n-noclose

# --- a pass that ran nothing proved nothing
mkrun "$work/allskip" a/x a/y
printf 'KTAP version 1\n1..2\nok 1 a/x # SKIP no x\nok 2 a/y # SKIP no y\n0 passed, 0 failed, 2 skipped\n' > "$work/allskip/results/ktap"
expect fail all-skipped-proves-nothing 'the main pass ran no case: all 2 skipped' \
	env CONTROL= tests/harness/verdict.sh "$work/allskip" allskip

# --- skips are accounted for: each on the kernel's list, with its reason
mkrun "$work/sk" a/x a/odp/y a/odp/z
printf 'KTAP version 1\n1..3\nok 1 a/x\nok 2 a/odp/y # SKIP device has no ODP caps\nok 3 a/odp/z # SKIP device has no ODP caps\n1 passed, 0 failed, 2 skipped\n' \
	> "$work/sk/results/ktap"
mkdir -p "$work/sk-list"
printf 'why: a self-test: rxe on this kernel has no ODP\n*/odp/*\tdevice has no ODP caps\n' > "$work/sk-list/kit-7.3"
printf 'why: a self-test: another reason\n*/odp/*\tkernel without CONFIG_*\n' > "$work/sk-list/kit-6.12"
expect ok skips-on-the-list-pass '^1 passed, 0 failed, 2 skipped' \
	env SKIPS_DIR="$work/sk-list" CONTROL= tests/harness/verdict.sh "$work/sk" sk
cp -a "$work/sk/." "$work/sk-other/"
echo 6.12.48 > "$work/sk-other/results/kernel"
expect fail skips-not-on-the-list '2 skips not on the expected-skip list .*kit-6.12: a/odp/y, a/odp/z' \
	env SKIPS_DIR="$work/sk-list" CONTROL= tests/harness/verdict.sh "$work/sk-other" sk-other
cp -a "$work/sk/." "$work/sk-nolist/"
echo '7.3.4+deb13-amd64' > "$work/sk-nolist/results/kernel"
expect fail skips-without-a-list '2 skips and no list of the skips expected on this kernel .*stock-7.3' \
	env SKIPS_DIR="$work/sk-list" CONTROL= tests/harness/verdict.sh "$work/sk-nolist" sk-nolist

# --- the control is never optional by accident
mkrun "$work/ctl-filter" smoke/anon-4k/pinned-rw/cpu-write-rdma-read
mkrun "$work/ctl-filter/results/control-pass" smoke/anon-4k/pinned-rw/cpu-write-rdma-read
mv "$work/ctl-filter/results/control-pass/results" "$work/ctl-filter/results/control"
expect fail control-groups-filtered-out 'control: nothing proved' \
	env CONTROL=legacy_cow tests/harness/verdict.sh "$work/ctl-filter" ctl-filter
expect ok no-control-says-so '^# no control: nothing proved about corruption' \
	env CONTROL= tests/harness/verdict.sh "$work/ctl-filter" ctl-filter
mkrun "$work/ctl-noktap" clear-refs/anon-4k/pinned-rw/cpu-write-rdma-read
mkdir -p "$work/ctl-noktap/results/control"
expect ok control-without-ktap-no-false-skips '^clean$' \
	fails_without 'SKIP the filter selected' \
	env CONTROL=legacy_cow tests/harness/verdict.sh "$work/ctl-noktap" ctl-noktap
# make check pins its settings: a stand-in make records what each stage got.
mkdir -p "$work/fakemake"
printf '#!/bin/bash\necho "make $* CONTROL=${CONTROL-unset} ARGS=${ARGS-unset} KERNEL=${KERNEL-unset} PATCHES=${PATCHES-unset} MAKEFLAGS=${MAKEFLAGS-unset}" >> "%s"\necho "1 passed, 0 failed, 0 skipped"\n' \
	"$work/fakemake.log" > "$work/fakemake/make"
chmod +x "$work/fakemake/make"
expect ok check-pins-its-settings '^make -s run KVER=7.3 CONTROL=unset ARGS=unset KERNEL=unset PATCHES=unset MAKEFLAGS=unset$' \
	bash -c "env CONTROL= ARGS='--filter smoke/*' KERNEL=/x PATCHES=none MAKEFLAGS=' -- CONTROL= ARGS=x' \
		PATH='$work/fakemake':\$PATH tests/check.sh >/dev/null 2>&1; cat '$work/fakemake.log'"
# make series signs off as a person, checked before any work.
expect fail series-refuses-placeholder 'cannot sign off a patch' \
	env SUBMITTER_NAME='pinkit developers' SUBMITTER_EMAIL=devel@pinkit.invalid KVER=7.3 \
	OUT="$work/series" scripts/series.py
expect fail series-refuses-reserved-domain 'cannot sign off a patch.*git config --global user.email' \
	env SUBMITTER_NAME='Ada Submitter' SUBMITTER_EMAIL=ada@lab.example KVER=7.3 \
	OUT="$work/series" scripts/series.py
# ... and its table gives every stage, the trixie rdma-core one too, with its time.
expect ok check-times-each-stage '^rdma-core-7.3-trixie +1 +0 +0  exit 0 +[0-9]+ s' \
	bash -c "PATH='$work/fakemake':\$PATH tests/check.sh 2>/dev/null"

# --- kernel selftests
mkrun "$work/ks" a/x
mkdir -p "$work/ks/results/kselftest"
printf 'TAP version 13\n1..2\nok 1 pt: anon\nok 2 pt: thp\n' > "$work/ks/results/kselftest/pt.ktap"
echo 0 > "$work/ks/results/kselftest/pt.rc"
echo pt > "$work/ks/kselftests"
expect ok kselftest-reports-pass '^3 passed, 0 failed, 0 skipped' \
	env CONTROL= tests/harness/verdict.sh "$work/ks" ks
cp -a "$work/ks/." "$work/ks-bail/"
echo 'Bail out! pt: the io_uring ring is gone' >> "$work/ks-bail/results/kselftest/pt.ktap"
echo 1 > "$work/ks-bail/results/kselftest/pt.rc"
expect fail kselftest-bail-out-after-plan 'kselftest/pt/bail-out' \
	env CONTROL= tests/harness/verdict.sh "$work/ks-bail" ks-bail
cp -a "$work/ks/." "$work/ks-sig/"
echo 139 > "$work/ks-sig/results/kselftest/pt.rc"
expect fail kselftest-killed-by-signal 'pt exited with status 139 \(killed by signal 11\)' \
	env CONTROL= tests/harness/verdict.sh "$work/ks-sig" ks-sig
cp -a "$work/ks/." "$work/ks-skip/"
printf 'TAP version 13\n1..2\nok 1 anon\nok 2 thp_pinned # SKIP no THP here\n' > "$work/ks-skip/results/kselftest/pt.ktap"
mkdir -p "$work/ks-skips"
printf 'why: a self-test\nkselftest/pt/*\tno THP here\n' > "$work/ks-skips/kit-7.3"
expect ok kselftest-harness-skip-after-name '^2 passed, 0 failed, 1 skipped' \
	env SKIPS_DIR="$work/ks-skips" CONTROL= tests/harness/verdict.sh "$work/ks-skip" ks-skip
# kselftest.h's skip has no name: "ok 2 # SKIP <case> (<why>)"; the case is
# named without the reason, also when the reason has a "(...)" of its own,
# so that it has the same name as where it runs (stock kernels skip it)
cp -a "$work/ks/." "$work/ks-skipnest/"
printf 'TAP version 13\n1..2\nok 1 pt: anon\nok 2 # SKIP pt: thp pinned (no gup_test (CONFIG_GUP_TEST, debugfs))\n' \
	> "$work/ks-skipnest/results/kselftest/pt.ktap"
printf 'why: a self-test\nkselftest/pt/pt/thp-pinned\tno gup_test (CONFIG_GUP_TEST, debugfs)\n' > "$work/ks-skips/kit-7.3"
expect ok kselftest-nameless-skip-nested-reason '^2 passed, 0 failed, 1 skipped' \
	env SKIPS_DIR="$work/ks-skips" CONTROL= tests/harness/verdict.sh "$work/ks-skipnest" ks-skipnest
# ... but a trailing size is part of the name, not a reason: cow names its
# cases "... with THP (16 kB)", and a skip must keep the size to pair with
# where the case runs
cp -a "$work/ks/." "$work/ks-skipsize/"
printf 'TAP version 13\n1..2\nok 1 pt: anon\nok 2 # SKIP pt: thp (16 kB)\n' \
	> "$work/ks-skipsize/results/kselftest/pt.ktap"
printf 'why: a self-test\nkselftest/pt/pt/thp-16-kB\t*\n' > "$work/ks-skips/kit-7.3"
expect ok kselftest-nameless-skip-keeps-size '^2 passed, 0 failed, 1 skipped' \
	env SKIPS_DIR="$work/ks-skips" CONTROL= tests/harness/verdict.sh "$work/ks-skipsize" ks-skipsize
cp -a "$work/ks/." "$work/ks-nest/"
printf 'KTAP version 1\n1..1\n  KTAP version 1\n  1..2\n  ok 1 sub one\n  not ok 2 sub two\nok 1 parent\n' \
	> "$work/ks-nest/results/kselftest/pt.ktap"
echo 1 > "$work/ks-nest/results/kselftest/pt.rc"
expect fail kselftest-nested-subtest-fails 'FAILED: kselftest/pt/parent/sub-two' \
	env CONTROL= tests/harness/verdict.sh "$work/ks-nest" ks-nest
cp -a "$work/ks/." "$work/ks-none/"
rm "$work/ks-none/results/kselftest/pt."*
expect fail kselftest-packed-must-report 'kernel selftest pt was packed into the guest but did not report' \
	env CONTROL= tests/harness/verdict.sh "$work/ks-none" ks-none
# an image without its selftest archive (nor the word that it has none)
printf 'not a kernel\n' > "$work/bzImage-bare"
expect fail kselftest-archive-missing 'no kernel selftest archive .*bzImage-bare.selftests.gz' \
	env -u KSELFTESTS OUT="$work" CONTROL= TIMEOUT=10 tests/harness/run.sh bare "$work/bzImage-bare" "$initrd"

# --- splats
mkrun "$work/sp-mid" a/x
printf 'ok 12 none/anon-4k/pinned-rw/cpu-w[    3.250000] WARNING: CPU: 1 PID: 80 at mm/gup.c:2 f+0x1/0x2\n' > "$work/sp-mid/console.txt"
expect fail splat-mid-line 'kernel splat: WARNING: CPU: 1 PID: 80' \
	env CONTROL= tests/harness/verdict.sh "$work/sp-mid" sp-mid
mkrun "$work/sp-rcu1" a/x
printf '[   40.100000] rcu: INFO: rcu_sched self-detected stall on CPU\n' > "$work/sp-rcu1/console.txt"
expect fail splat-rcu-self-detected-stall 'kernel splat: rcu: INFO: rcu_sched self-detected stall' \
	env CONTROL= tests/harness/verdict.sh "$work/sp-rcu1" sp-rcu1
mkrun "$work/sp-rcu2" a/x
printf '[   40.100000] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n' > "$work/sp-rcu2/console.txt"
expect fail splat-rcu-preempt-detected-stalls 'kernel splat: rcu: INFO: rcu_preempt detected stalls' \
	env CONTROL= tests/harness/verdict.sh "$work/sp-rcu2" sp-rcu2
mkrun "$work/sp-drop" a/x
printf '** 12 printk messages dropped **\n[   41.000000] rxe0: something\n' > "$work/sp-drop/console.txt"
expect fail splat-printk-messages-dropped 'kernel splat: \*\* 12 printk messages dropped' \
	env CONTROL= tests/harness/verdict.sh "$work/sp-drop" sp-drop
mkrun "$work/sp-dmesg" a/x
printf '[    9.000000] BUG: Bad page state in process pinkit  pfn:1234\n' > "$work/sp-dmesg/results/dmesg"
expect fail splat-in-saved-dmesg 'kernel splat: BUG: Bad page state' \
	env CONTROL= tests/harness/verdict.sh "$work/sp-dmesg" sp-dmesg

# --- the soak
# soak_run DIR DISTURBANCES OPS SECONDS - a crafted soak of two cases
soak_run()
{
	mkdir -p "$1/results"
	echo soak > "$1/mode"
	echo 'pinkit.run=--seconds 60' > "$1/guest-args"
	{
		printf 'KTAP version 1\n1..2\n'
		for i in 1 2; do
			printf '# disturbances: %s (clear-refs %s)\n# CPU: 2 writers (nice 5), 10 chunk writes, 10 chunk reads verified; device: %s ops (write 1), 1 chunks verified; 0 torn reads while written\n' "$2" "$2" "$3"
			echo "ok $i soak/anon-4k/k$i"
		done
		printf '# soak totals: %s disturbances in %s s (1.0/s) with traffic: clear-refs %s\n2 passed, 0 failed, 0 skipped\n' "$2" "$4" "$2"
	} > "$1/results/ktap"
	echo 0 > "$1/results/rc"
	echo "a soak" > "$1/results/plugin-skipped"
	: > "$1/console.txt"
}
soak_run "$work/soak-ok" 30 500 59.0
expect ok soak-complete-passes '^2 passed, 0 failed, 0 skipped' \
	env CONTROL= tests/harness/verdict.sh "$work/soak-ok" soak-ok
soak_run "$work/soak-idle" 0 0 59.0
expect fail soak-without-disturbances 'ran without a disturbance or without a device operation' \
	env CONTROL= tests/harness/verdict.sh "$work/soak-idle" soak-idle
soak_run "$work/soak-short" 30 500 20.5
expect fail soak-shorter-than-seconds 'lasted 20.5 s in all, less than 0.9 x SECONDS=60' \
	env CONTROL= tests/harness/verdict.sh "$work/soak-short" soak-short
soak_run "$work/soak-skip" 30 500 59.0
sed -i 's/^ok \([12]\) \(.*\)$/ok \1 \2 # SKIP no such kind here/; s/^2 passed, 0 failed, 0 skipped$/0 passed, 0 failed, 2 skipped/' \
	"$work/soak-skip/results/ktap"
expect fail soak-every-case-skipped 'the main pass ran no case' \
	env CONTROL= tests/harness/verdict.sh "$work/soak-skip" soak-skip

# --- rdma-core's tests
mkdir -p "$work/rc-skip/results"
printf 'KTAP version 1\n1..2\nok 1 tests.test_a.T.test_x # SKIP not on rxe\nok 2 tests.test_a.T.test_y # SKIP not on rxe\n' \
	> "$work/rc-skip/results/ktap"
echo 0 > "$work/rc-skip/results/rc"
echo "rdma-core" > "$work/rc-skip/results/plugin-skipped"
: > "$work/rc-skip/console.txt"
expect fail rdma-core-all-skipped 'the main pass ran no case: all 2 skipped' \
	env OUT="$work" tests/guest/rdma-core-verdict.sh rc-skip
# The root a run names (results/root) picks its expected skips: rdma-core
# 44's RDMA-CM skip is known on the host's root, not on trixie's, whose
# rdma-core finds rxe0's netdev.
mkdir -p "$work/rc-host/results"
printf 'KTAP version 1\n1..2\nok 1 rdma-core/test_addr/AHTest/test_create_ah\nok 2 rdma-core/test_rdmacm/CMTestCase/test_rdmacm_sync_traffic # SKIP Device rxe0 doesn%st have net interface\n' \
	"'" > "$work/rc-host/results/ktap"
echo 0 > "$work/rc-host/results/rc"
echo 7.3.4 > "$work/rc-host/results/kernel"
echo "rdma-core" > "$work/rc-host/results/plugin-skipped"
: > "$work/rc-host/console.txt"
cp -a "$work/rc-host/." "$work/rc-trixie/"
echo host > "$work/rc-host/results/root"
echo trixie > "$work/rc-trixie/results/root"
expect ok rdma-core-skips-of-the-host-root '^1 passed, 0 failed, 1 skipped' \
	env OUT="$work" tests/guest/rdma-core-verdict.sh rc-host
expect fail rdma-core-skips-of-the-trixie-root '1 skips not on the expected-skip list .*/rdma-core-trixie-kit-7.3: rdma-core/test_rdmacm/CMTestCase/test_rdmacm_sync_traffic' \
	env OUT="$work" tests/guest/rdma-core-verdict.sh rc-trixie

# --- make repeat: a pass with failures fails, identical or not
mkdir -p "$work/rep-f/repeat/2" "$work/rep-f/repeat/3"
for d in "$work/rep-f" "$work/rep-f/repeat/2" "$work/rep-f/repeat/3"; do
	printf 'KTAP version 1\n1..2\nnot ok 1 a/x\nok 2 b/y\n' > "$d/ktap"
done
expect fail repeat-pass-with-failures '^# pass 1: 1 cases failed' \
	tests/harness/repeat-compare.sh "$work/rep-f" 3
mkdir -p "$work/rep-k/repeat/2"
for d in "$work/rep-k" "$work/rep-k/repeat/2"; do
	printf 'KTAP version 1\n1..1\nok 1 a/x\n' > "$d/ktap"
done
printf 'KTAP version 1\n1..2\nok 1 a/x\n# pt exited with status 139\nnot ok 2 kselftest/pt/exit-status\n' > "$work/rep-k/verdict.ktap"
expect fail repeat-carries-kselftest-failures '^# kselftest/pt/exit-status' \
	env HARNESS_KTAP="$work/rep-k/verdict.ktap" tests/harness/repeat-compare.sh "$work/rep-k" 2

# --- make plain: its own run's failure is a failure
mkdir -p "$work/pl/plain/results"
printf 'KTAP version 1\n1..1\nok 1 a/x\n1 passed, 0 failed, 0 skipped\n' | tee "$work/pl/ref.ktap" > "$work/pl/plain/results/ktap"
printf 'KTAP version 1\n1..2\nok 1 a/x\n# the suite crashed (killed by signal 11, after 1 of 1 results) in the main pass\nnot ok 2 harness/the-suite-crashed\n' \
	> "$work/pl/plain/ktap"
: > "$work/pl/plain.log"
expect fail plain-own-run-failed 'the plain run itself: the suite crashed' \
	env OUT="$work/pl" RERUN=0 TIMEOUT=10 tests/vm/plain.sh "$work/bzImage-bare" "$initrd" "$work/pl/ref.ktap"

# --- make compare: a failed make, a stale out/, rows on one side only
mkdir -p "$work/cmpv/run-7.3/results/control" "$work/cmpv/stock-7.3" "$work/cmpbin"
printf 'KTAP version 1\n1..1\nok 1 a/x\n' | tee "$work/cmpv/run-7.3/ktap" "$work/cmpv/run-7.3/results/ktap" > "$work/cmpv/run-7.3/results/control/ktap"
printf 'KTAP version 1\n1..2\nnot ok 1 a/x\nnot ok 2 b/y\n' > "$work/cmpv/stock-7.3/ktap"
printf '#!/bin/sh\necho "make: the build failed" >&2\nexit 2\n' > "$work/cmpbin/make"
chmod +x "$work/cmpbin/make"
expect fail compare-make-run-failed 'make run KVER=7.3 failed' \
	env OUT="$work/cmpv" PATH="$work/cmpbin:$PATH" tests/vm/compare.sh 7.3
mkdir -p "$work/cmpbin2"
printf '#!/bin/sh\nexit 0\n' > "$work/cmpbin2/make"
chmod +x "$work/cmpbin2/make"
touch -d 2020-01-01 "$work/cmpv/run-7.3/ktap" "$work/cmpv/stock-7.3/ktap"
expect fail compare-stale-results 'stock-7.3/ktap is older than this compare' \
	env OUT="$work/cmpv" PATH="$work/cmpbin2:$PATH" tests/vm/compare.sh 7.3
expect fail compare-row-on-stock-only '1 cases have a result on one side only' \
	env OUT="$work/cmpv" RERUN=0 tests/vm/compare.sh 7.3

# --- make run KERNEL=bzImage boots that image, never builds one (a
# missing one is refused before any work: scripts/check-inputs.sh)
expect fail make-run-boots-KERNEL 'KERNEL=.*no-such-bzImage: no such file' \
	env TIMEOUT=10 OUT="$work/mk" make -s run KERNEL="$work/no-such-bzImage"
