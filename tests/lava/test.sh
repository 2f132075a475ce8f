#!/usr/bin/env bash
# test.sh - host-only self-test of make lava (no boot): the generated job
# is YAML that LAVA's own job schema (Debian's lava-common) accepts, names
# the kit's artifacts and QEMU shape and runs /pinkit-lava.sh; bad input
# ends in a clear error; and the guest's step, run here under busybox sh
# with a stand-in pinkit and lava-test-case, reports the cases and verdicts
# that tests/harness/verdict.sh gives for the same outputs.  For make
# lava-run: the device dictionary renders with LAVA's templates into the
# harness's QEMU shape under TCG (and Debian's lava-run, when installed,
# validates job and device: a skip otherwise); LAVA's results go from the
# dispatcher's log to results.yaml to KTAP, a broken results.yaml is
# refused; run.sh, its dispatcher a stand-in, compares with a crafted make
# run (a doctored log must differ) and stops on bad input before the
# dispatcher runs.  KTAP on stdout, last line "N passed, N failed, N
# skipped".
set -u
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$PINKIT_ROOT" || exit 1
"$PINKIT_ROOT/scripts/deps.sh" lava || exit 1
. tests/harness/ktap.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 pass=0 fail=0
initrd=${INITRD:-$PINKIT_ROOT/out/initramfs-pinkit.gz}
[ -f "$initrd" ] || die "$initrd is missing: make initramfs (make lava-test does)"

. "$PINKIT_ROOT/tests/lib/expect.sh"

# A kernel image stand-in and a selftests archive beside it.
kernel=$work/bzImage-7.3-default
head -c 4096 /dev/urandom > "$kernel"
mkdir -p "$work/kst/kselftests"
printf '#!/bin/sh\necho "1..0"\n' > "$work/kst/kselftests/pin_tracking"
chmod 755 "$work/kst/kselftests/pin_tracking"
(cd "$work/kst" && find . | cpio -o -H newc --quiet | gzip -1) > "$kernel.selftests.gz"

# job_check DIR - the job in DIR against the artifacts and LAVA's schema.
job_check()
{
	/usr/bin/python3 - "$1" "$kernel" <<'EOF'
import filecmp, os, sys, yaml
from lava_common.schemas import validate
d, kernel = sys.argv[1], sys.argv[2]
job = yaml.safe_load(open(os.path.join(d, 'job.yaml')))
try:
    validate(job, strict=True)
except Exception as e:
    sys.exit('pinkit: error: LAVA rejects %s/job.yaml: %s' % (d, e))
print('LAVA job schema: valid')
acts = [next(iter(a.items())) for a in job['actions']]
assert [k for k, _ in acts] == ['deploy', 'boot', 'test'], acts
dep, boot, test = (v for _, v in acts)
assert job['device_type'] == 'qemu' and dep['to'] == 'tmpfs', (job['device_type'], dep['to'])
imgs = dep['images']
assert list(imgs) == ['kernel', 'ramdisk', 'results', 'swap'], list(imgs)
for k, v in imgs.items():
    assert v['url'].startswith('file://'), v['url']
    p = v['url'][len('file://'):]
    assert os.path.isfile(p), p
    assert '{%s}' % k in v['image_arg'], v['image_arg']
assert filecmp.cmp(imgs['kernel']['url'][7:], kernel, shallow=False)
assert imgs['kernel']['image_arg'].startswith('-kernel {kernel} -append "console=ttyS0 ')
assert imgs['ramdisk']['format'] == 'cpio.newc' and imgs['ramdisk']['overlays'] == {'lava': True}
assert os.path.getsize(imgs['results']['url'][7:]) == 16 << 20
assert os.path.getsize(imgs['swap']['url'][7:]) == 128 << 20
assert 'if=virtio' in imgs['results']['image_arg'] and 'if=virtio' in imgs['swap']['image_arg']
assert boot['method'] == 'qemu' and boot['media'] == 'tmpfs', boot
print('prompt', boot['prompts'][0])
from lava_common.constants import DISTINCTIVE_PROMPT_CHARACTERS as distinctive
print('prompt %sdistinctive for LAVA' % ('' if any(c in boot['prompts'][0] for c in distinctive) else 'not '))
ctx = job['context']
print('memory', ctx['memory'], 'netdevice', ctx['netdevice'])
for o in ctx['extra_options']:
    print('option', o)
defs = test['definitions']
assert len(defs) == 1 and defs[0]['from'] == 'inline', defs
print('step', ' | '.join(defs[0]['repository']['run']['steps']))
EOF
}

# ramdisk_has DIR FILE... - the job's ramdisk holds each FILE.
ramdisk_has()
{
	local d=$1 f
	shift
	mkdir -p "$work/rd" && rm -rf "$work/rd"/*
	(cd "$work/rd" && gzip -dc "$d/ramdisk.cpio.gz" | cpio -idm --quiet) || return 1
	for f in "$@"; do
		[ -e "$work/rd/$f" ] || { echo "the ramdisk has no $f"; return 1; }
	done
	cmp "$work/rd/init" tests/lava/init.sh && cmp "$work/rd/pinkit-lava.sh" tests/lava/guest.sh &&
		cmp "$work/rd/ktap.sh" tests/harness/ktap.sh && echo "ramdisk complete"
}

export OUT=$work/o
expect ok writes-job 'o/lava-t/job.yaml$' tests/lava/job.sh t "$kernel" "$initrd"
expect ok prints-lavacli-line '^lavacli -i IDENTITY jobs submit .*/lava-t/job.yaml$' \
	tests/lava/job.sh t "$kernel" "$initrd"
expect ok job-valid-for-lava 'LAVA job schema: valid' job_check "$OUT/lava-t"
# The QEMU shape of tests/harness/boot.sh: each option must be there.
for o in '-smp 2,sockets=2' '-object memory-backend-ram,id=m0,size=1G' \
	'-object memory-backend-ram,id=m1,size=1G' '-numa node,nodeid=0,cpus=0,memdev=m0' \
	'-numa node,nodeid=1,cpus=1,memdev=m1' '-no-reboot'; do
	grep -qF -- "${o#* }" tests/harness/boot.sh || echo "# boot.sh no longer has ${o#* }"
	expect ok "qemu-shape: $o" "^option $o\$" job_check "$OUT/lava-t"
done
expect ok memory-and-nic '^memory 2048 netdevice user$' job_check "$OUT/lava-t"
expect ok prompt-is-the-guests "^prompt $(sed -n "s/^export PS1='\(.*\)'$/\1/p" tests/lava/init.sh)\$" \
	job_check "$OUT/lava-t"
expect ok prompt-distinctive-for-lava '^prompt distinctive for LAVA$' job_check "$OUT/lava-t"
expect ok test-action-runs-the-suite '^step /pinkit-lava.sh \|\| echo "pinkit-lava.sh: exit status \$\?"$' job_check "$OUT/lava-t"
expect ok ramdisk-holds-kit-and-lava-pieces 'ramdisk complete' \
	ramdisk_has "$OUT/lava-t" init pinkit-lava.sh ktap.sh setup.sh usr/bin/pinkit \
	usr/bin/rdma kselftests/pin_tracking splat.ere splat-allow.ere
expect ok writes-job-with-args 'o/lava-a/job.yaml$' \
	tests/lava/job.sh a "$kernel" "$initrd" --filter 'odp-xfer/*|uffd-wp/*'
expect ok args-quoted-for-the-guest-shell "^step /pinkit-lava.sh --filter 'odp-xfer/\*\|uffd-wp/\*' \|\| echo" \
	job_check "$OUT/lava-a"

# Bad input.
expect fail missing-kernel 'the kernel image /nonexistent/bzImage does not exist: build it' \
	tests/lava/job.sh t /nonexistent/bzImage "$initrd"
expect fail missing-initramfs 'the initramfs /nonexistent/initrd.gz does not exist: make initramfs' \
	tests/lava/job.sh t "$kernel" /nonexistent/initrd.gz
expect fail bad-lava-url 'LAVA_URL=ftp://lab/x: give the http\(s\):// URL' \
	env LAVA_URL=ftp://lab/x tests/lava/job.sh t "$kernel" "$initrd"
mkdir -p "$work/bad"
sed 's/^      name: pinkit$/      name: pin\/kit/' "$OUT/lava-t/job.yaml" > "$work/bad/job.yaml"
expect fail lava-schema-rejects-bad-name "LAVA rejects .*\['definitions'\]\[0\]" \
	job_check "$work/bad"

# The guest's step on the host: a stand-in pinkit whose output depends on
# the pass, a stand-in selftest, a stand-in lava-test-case that logs.
fake=$work/fake
mkdir -p "$fake/bin" "$fake/kst"
ln -s /bin/busybox "$fake/bin/awk"
cat > "$fake/bin/dmesg" <<'EOF'
#!/bin/sh
printf '[    0.100000] Linux version 7.3.4\n[    0.200000] RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable\n'
[ -n "${SPLATLINE:-}" ] && printf '[    9.500000] %s\n[    9.500001] Modules linked in:\n' "$SPLATLINE"
exit 0
EOF
chmod 755 "$fake/bin/dmesg"
cat > "$fake/bin/lava-test-case" <<'EOF'
#!/bin/sh
[ "$2" = --result ] || { echo "lava-test-case: usage" >&2; exit 1; }
echo "$1 $3" >> "$CASES"
EOF
cat > "$fake/pinkit" <<'EOF'
#!/bin/sh
case " $* " in
*" --kind-plugin "*) cat "$FAKE/plugin.ktap"; exit 0 ;;
esac
if [ "$(cat "$SWITCH")" = 1 ]; then echo "$*" > "$FAKE/control.args"; cat "$FAKE/control.ktap"; exit 1; fi
cat "$FAKE/main.ktap.use"; exit 1
EOF
cat > "$fake/kst/pin_tracking" <<'EOF'
#!/bin/sh
cat "$SHMEM_ENABLED" > "$FAKE/shmem.seen"
printf 'TAP version 13\n1..2\nok 1 pagemap: anon-4k\n# PAGE_IS_WRITTEN lost\nnot ok 2 pagemap: anon-thp\n'
EOF
chmod 755 "$fake/bin/lava-test-case" "$fake/pinkit" "$fake/kst/pin_tracking"
cat > "$fake/main.ktap" <<'EOF'
KTAP version 1
1..3
ok 1 clear-refs/anon-4k/pinned-rw/rdma-write-cpu-read
# first-diff: offset=0
not ok 2 uffd-wp/anon-4k/pinned-rw/interleaved
ok 3 odp/anon-4k/odp-rc # SKIP device has no ODP caps
1 passed, 1 failed, 1 skipped
EOF
printf 'KTAP version 1\n1..1\nok 1 clear-refs/procmem-example/x\n1 passed, 0 failed, 0 skipped\n' > "$fake/plugin.ktap"
cat > "$fake/control.ktap" <<'EOF'
KTAP version 1
1..4
# first-diff: offset=8
not ok 1 clear-refs/anon-4k/pinned-rw/rdma-write-cpu-read
# completion error: remote access
not ok 2 mprotect-ro-rw/anon-4k/pinned-rw/x
# first-diff: offset=16
not ok 3 uffd-wp/anon-4k/pinned-rw/interleaved
ok 4 fork-parent-writes/anon-4k/pinned-rw/x
1 passed, 3 failed, 0 skipped
EOF

# guest_cases [MAIN-KTAP] - run guest.sh as the guest would (busybox sh,
# busybox awk) and print "NAME RESULT" per lava-test-case, sorted.
guest_cases()
{
	if [ $# = 1 ]; then cp "$1" "$fake/main.ktap.use"; else cp "$fake/main.ktap" "$fake/main.ktap.use"; fi
	rm -f "$work/cases" "$fake/shmem.seen" "$fake/control.args" && echo 0 > "$work/switch"
	echo 'always within_size advise [never] deny force' > "$work/shmem_enabled"
	PATH=$fake/bin:$PATH CASES=$work/cases FAKE=$fake PINKIT=$fake/pinkit SHMEM_ENABLED=$work/shmem_enabled \
		KTAP_SH=tests/harness/ktap.sh SETUP_SH=tests/harness/setup.sh KSELFTESTS=$fake/kst SWITCH=$work/switch \
		DMESG=$fake/bin/dmesg SETUP_FAILED=$work/no-such SPLAT=$work/rd/splat.ere SPLAT_ALLOW=$work/rd/splat-allow.ere \
		WORK=$work/gw /bin/busybox sh tests/lava/guest.sh
	echo "guest.sh exit status $?"
	awk '{ print $1, ($2 == "fail" ? "FAIL" : $2) }' "$work/cases" | sort -k1,1 > "$work/lava.results"
	cat "$work/lava.results"
}

# verdict_cases - the same outputs as a make run results directory, decided
# by tests/harness/verdict.sh: "NAME RESULT", sorted.
verdict_cases()
{
	local r=$work/run/results d
	rm -rf "$work/run" && mkdir -p "$r/plugin" "$r/control" "$r/kselftest" "$work/skips"
	cp "$fake/main.ktap.use" "$r/ktap" && echo 1 > "$r/rc"
	cp "$fake/plugin.ktap" "$r/plugin/ktap" && echo 0 > "$r/plugin/rc"
	cp "$fake/control.ktap" "$r/control/ktap" && echo 1 > "$r/control/rc"
	# what the guest's init.sh and run.sh write beside a pass: the cases
	# it must report (here: those it did), the kernel, the selftests packed
	for d in "$r" "$r/plugin" "$r/control"; do
		ktap_records "$d/ktap" | cut -f2 > "$d/expected"
	done
	echo 7.3.4 > "$r/kernel"
	"$fake/kst/pin_tracking" > "$r/kselftest/pin_tracking.ktap"
	echo 1 > "$r/kselftest/pin_tracking.rc"
	echo pin_tracking > "$work/run/kselftests"
	printf 'why: the fixture has no ODP device\nodp/*\tdevice has no ODP caps\n' > "$work/skips/kit-7.3"
	"$fake/bin/dmesg" > "$work/run/console.txt"
	SKIPS_DIR=$work/skips CONTROL=legacy_cow tests/harness/verdict.sh "$work/run" fake >/dev/null 2>&1
	ktap_results "$work/run/ktap"
}

same_as_verdict()
{
	guest_cases "$@" > "$work/g.out"
	verdict_cases > "$work/verdict.results"
	cat "$work/g.out"
	if diff "$work/verdict.results" "$work/lava.results" > "$work/diff"; then
		echo "same cases and verdicts as verdict.sh: $(wc -l < "$work/lava.results")"
	else
		echo "verdict.sh (<) and LAVA (>) differ:"; cat "$work/diff"
	fi
}

expect ok guest-reports-as-verdict 'same cases and verdicts as verdict.sh: 10$' same_as_verdict
export SPLATLINE='WARNING: CPU: 1 PID: 42 at mm/gup.c:100 try_grab_folio+0x1/0x2'
expect ok guest-splat-as-verdict 'same cases and verdicts as verdict.sh: 11$' same_as_verdict
expect ok guest-splat-fails '^harness/kernel-splat FAIL$' guest_cases
unset SPLATLINE
expect ok guest-exit-status-on-failure 'guest.sh exit status 1' guest_cases
expect ok guest-control-group-rule '^control/legacy_cow/mprotect-ro-rw FAIL$' guest_cases
expect ok guest-kselftest-names '^kselftest/pin_tracking/pagemap/anon-thp FAIL$' guest_cases
# as make run's guest: shmem THP on request while the selftests run, the
# setting back after; the control pass only the control groups' cases
guest_setup()
{
	guest_cases > /dev/null
	echo "selftests saw: $(cat "$fake/shmem.seen"); after: $(cat "$work/shmem_enabled")"
	echo "control pass: $(cat "$fake/control.args")"
}
expect ok guest-shmem-thp-advise-for-kselftests '^selftests saw: advise; after: never$' guest_setup
expect ok guest-control-pass-groups-only '^control pass: run --junit .* --filter clear-refs/\*\|mprotect-ro-rw/\*\|uffd-wp/\*\|fork-parent-writes/\*$' guest_setup
# A main pass cut short: fewer results than its plan is a failing case.
printf 'KTAP version 1\n1..3\nok 1 clear-refs/anon-4k/pinned-rw/rdma-write-cpu-read\n' > "$work/short.ktap"
expect ok guest-incomplete-pass-fails '^harness/main-pass-incomplete FAIL$' guest_cases "$work/short.ktap"

# The driver of make lava-local (tests/lava/local.py) against a stand-in
# QEMU: it must type the steps at the prompt and collect the signals.
mkdir -p "$work/qbin"
cat > "$work/qbin/qemu-system-x86_64" <<'EOF'
#!/bin/bash
echo "$*" > "$QARGS"
[ -n "${NOPROMPT:-}" ] && { sleep 30; exit 0; }
printf 'Run /init as init process\npinkit-lava:# '
read -r line
echo "$line" > "$QLINE"
echo '<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=clear-refs/a/b RESULT=pass>'
echo '<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=control/legacy_cow/uffd-wp RESULT=fail>'
echo 'PINKIT-LOCAL-STEPS-END rc=1'
sleep 30
EOF
chmod 755 "$work/qbin/qemu-system-x86_64"
printf 'x' > "$work/extra.gz"
local_py()
{
	PATH=$work/qbin:$PATH QARGS=$work/qargs QLINE=$work/qline PROMPT_TIMEOUT=3 \
		/usr/bin/python3 -B tests/lava/local.py "$OUT/lava-a/job.yaml" "$work/extra.gz" \
		"$work/local.log" 20 && cat "$work/qline" "$work/qargs"
}
expect ok local-driver-collects-signals \
	'^clear-refs/a/b pass$' local_py
expect ok local-driver-types-steps "^/pinkit-lava.sh --filter 'odp-xfer/\*\|uffd-wp/\*' \|\| echo .* ; echo PINKIT-LOCAL-STEPS-END" local_py
expect ok local-driver-qemu-shape '-m 2048 -net nic,model=virtio -net user -smp 2,sockets=2 .*-numa node,nodeid=1,cpus=1,memdev=m1 -no-reboot -kernel .*/lava-a/bzImage -append console=ttyS0 .*-initrd .*ramdisk-local.cpio.gz -drive file=.*/lava-a/results.img,format=raw,if=virtio -drive file=.*/lava-a/swap.img' local_py
export work OUT
expect fail local-driver-no-prompt 'never printed its prompt' env NOPROMPT=1 bash -c "$(declare -f local_py); local_py"

# skip_ NAME REASON - a check this machine cannot make, as a KTAP skip.
skipped=0
skip_()
{
	n=$((n + 1)) skipped=$((skipped + 1))
	echo "ok $n $1 # SKIP $2"
}

# make lava-run's device: the dictionary rendered for the job with LAVA's
# own device-type templates, and the QEMU command lava-run builds from it
# (the device's command, options and extra, then each image's image_arg).
templates=$(tests/lava/templates.sh) || die "no LAVA device-type templates (above)"
device()
{
	/usr/bin/python3 -B tests/lava/device.py "$1" "$templates" "$2"
}
qemu_line()
{
	device "${DICT:-tests/lava/pinkit-qemu.jinja2}" "$1" > "$work/device.yaml" || return 1
	/usr/bin/python3 - "$work/device.yaml" "$1" <<'PY'
import shlex, sys, yaml
dev = yaml.safe_load(open(sys.argv[1]))
job = yaml.safe_load(open(sys.argv[2]))
q = dev['actions']['boot']['methods']['qemu']['parameters']
argv = [q['command']] + q['options'] + q.get('extra', [])
for k, v in next(a['deploy'] for a in job['actions'] if 'deploy' in a)['images'].items():
    argv.append(v['image_arg'].replace('{%s}' % k, k.upper()))
print(' '.join(shlex.join(shlex.split(a)) for a in argv))
PY
}
expect ok device-renders-for-the-job '^qemu-system-x86_64 -nographic ' qemu_line "$OUT/lava-t/job.yaml"
expect ok device-tcg-no-kvm-user-nic '^[^ ]+ -nographic -net nic,model=virtio,macaddr=[0-9a-f:]+ -net user -m 2048 -monitor none ' \
	qemu_line "$OUT/lava-t/job.yaml"
# the harness's QEMU shape (tests/harness/boot.sh), in the order LAVA puts it
expect ok device-qemu-shape ' -smp 2,sockets=2 -object memory-backend-ram,id=m0,size=1G -object memory-backend-ram,id=m1,size=1G -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1 -no-reboot -kernel KERNEL -append .console=ttyS0 panic=-1 printk.time=1 loglevel=6. -initrd RAMDISK -drive file=RESULTS,format=raw,if=virtio -drive file=SWAP,format=raw,if=virtio$' \
	qemu_line "$OUT/lava-t/job.yaml"
# no_kvm DICTIONARY - "QEMU/TCG" when the QEMU command rendered from
# DICTIONARY asks for no KVM.
no_kvm()
{
	local line
	line=$(DICT=$1 qemu_line "$OUT/lava-t/job.yaml") || return 1
	echo "$line"
	if grep -Eq -- '-enable-kvm|-cpu host' <<< "$line"; then echo "asks for KVM"; return 1; fi
	echo "QEMU/TCG"
}
expect ok device-no-kvm '^QEMU/TCG$' no_kvm tests/lava/pinkit-qemu.jinja2
printf "{%% extends 'qemu.jinja2' %%}\n{%% set netdevice = 'user' %%}\n" > "$work/kvm.jinja2"
expect fail device-no-kvm-seen-failing 'asks for KVM' no_kvm "$work/kvm.jinja2"
printf "{%% extends 'no-such-type.jinja2' %%}\n" > "$work/bad-type.jinja2"
expect fail device-unknown-type-fails 'does not render with the templates of .*no-such-type' \
	device "$work/bad-type.jinja2" "$OUT/lava-t/job.yaml"
sed 's/^  arch: x86_64$/  arch: vax/' "$OUT/lava-t/job.yaml" > "$work/vax.yaml"
expect fail device-unknown-arch-fails "does not offer the job's arch 'vax'" \
	device tests/lava/pinkit-qemu.jinja2 "$work/vax.yaml"
# LAVA's dispatcher itself: job and device make a pipeline it accepts.
validate()
{
	local id=pinkit-lava-test-$$ rc
	device tests/lava/pinkit-qemu.jinja2 "$OUT/lava-t/job.yaml" > "$work/validate.yaml" || return 1
	lava-run --validate --job-id "$id" --output-dir "$work/validate" --device "$work/validate.yaml" \
		"$OUT/lava-t/job.yaml" > "$work/validate.log" 2>&1
	rc=$?
	tail -n 3 "$work/validate.log"
	# the empty directories a validation leaves in the dispatcher's tmp
	rm -rf "/var/lib/lava/dispatcher/tmp/$id"
	return $rc
}
if ! command -v lava-run >/dev/null; then
	skip_ dispatcher-validates-job-on-device "lava-dispatcher is not installed (make lava-run installs it)"
elif [ "$(id -u)" != 0 ]; then
	skip_ dispatcher-validates-job-on-device "lava-run validates only as root"
else
	expect ok dispatcher-validates-job-on-device '"case": "validate", "definition": "lava", "result": "pass"' validate
fi

# LAVA's results: from the dispatcher's log to results.yaml, to KTAP.
cat > "$work/log" <<'EOF2'
{"dt": "2026-12-06T19:36:16.1", "lvl": "info", "msg": "start: 0 validate"}
{"dt": "2026-12-06T19:36:16.2", "lvl": "results", "msg": {"case": "validate", "definition": "lava", "result": "pass"}}
{"dt": "2026-12-06T19:40:01.0", "lvl": "target", "msg": "<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=clear-refs/anon-4k/pinned-rw/rdma-write-cpu-read RESULT=pass>"}
{"dt": "2026-12-06T19:40:01.1", "lvl": "results", "msg": {"case": "clear-refs/anon-4k/pinned-rw/rdma-write-cpu-read", "definition": "0_pinkit", "result": "pass"}}
{"dt": "2026-12-06T19:40:01.2", "lvl": "results", "msg": {"case": "uffd-wp/anon-4k/pinned-rw/interleaved", "definition": "0_pinkit", "result": "fail"}}
Traceback (most recent call last): a line that is not the dispatcher's
{"dt": "2026-12-06T19:40:01.3", "lvl": "results", "msg": {"case": "odp/anon-4k/odp-rc", "definition": "0_pinkit", "result": "skip"}}
{"dt": "2026-12-06T19:40:02.0", "lvl": "results", "msg": {"case": "0_pinkit", "definition": "lava", "duration": "60.00", "result": "pass"}}
{"dt": "2026-12-06T19:40:03.0", "lvl": "results", "msg": {"case": "job", "definition": "lava", "result": "pass"}}
EOF2
results()
{
	/usr/bin/python3 -B tests/lava/results.py "$@"
}
results log "$work/log" > "$work/results.yaml"
expect ok results-from-the-log '^- case: odp/anon-4k/odp-rc$' cat "$work/results.yaml"
expect ok results-ktap-pass '^ok 1 clear-refs/anon-4k/pinned-rw/rdma-write-cpu-read$' \
	results ktap "$work/results.yaml" pinkit
expect ok results-ktap-fail '^not ok 2 uffd-wp/anon-4k/pinned-rw/interleaved$' \
	results ktap "$work/results.yaml" pinkit
expect ok results-ktap-skip '^ok 3 odp/anon-4k/odp-rc # SKIP$' results ktap "$work/results.yaml" pinkit
expect ok results-ktap-counts '^1\.\.3$' results ktap "$work/results.yaml" pinkit
expect ok results-ktap-last-line '^1 passed, 1 failed, 1 skipped$' \
	results ktap "$work/results.yaml" pinkit
grep -v '"case": "0_pinkit"' "$work/log" | sed 's/"case": "job", "definition": "lava", "result": "pass"/"case": "job", "definition": "lava", "error_msg": "lava-test-shell timed out", "error_type": "Test", "result": "fail"/' > "$work/log-cut"
results log "$work/log-cut" > "$work/cut.yaml"
expect ok results-unfinished-run-fails '^not ok 4 lava/0_pinkit$' results ktap "$work/cut.yaml" pinkit
expect ok results-job-error-kept '^# error_msg: lava-test-shell timed out$' results ktap "$work/cut.yaml" pinkit
sed '3s/result: pass/result: maybe/' "$work/results.yaml" > "$work/bad1.yaml"
expect fail results-unknown-result-refused "result 'maybe' .* is not one LAVA knows" \
	results ktap "$work/bad1.yaml" pinkit
sed '/^  result: fail$/d' "$work/results.yaml" > "$work/bad2.yaml"
expect fail results-entry-without-result-refused 'entry [0-9]+ is not a LAVA result' \
	results ktap "$work/bad2.yaml" pinkit
printf 'lava: [job\n' > "$work/bad3.yaml"
expect fail results-not-yaml-refused 'is not YAML' results ktap "$work/bad3.yaml" pinkit

# make lava-run's script, its dispatcher a stand-in that logs $FAKE_LOG,
# against a crafted make run of the same three cases.
mkdir -p "$OUT/run-t" "$work/fakebin"
# The same three cases as the guest's stand-in pinkit prints, diagnostics aside.
grep -v '^#' "$fake/main.ktap" > "$OUT/run-t/ktap"
echo > "$OUT/run-t/guest-args"
echo "image_sha256=$(sha256sum < "$kernel" | cut -d' ' -f1)" > "$OUT/run-t/build.info"
cat > "$work/fakebin/lava-run" <<'EOF2'
#!/bin/bash
# stand-in for lava-run: its argv to $LAVA_ARGS, then $FAKE_LOG as its log
echo "$*" > "$LAVA_ARGS"
while [ $# -gt 1 ]; do
	case $1 in --device) dev=$2 ;; --output-dir) od=$2 ;; esac
	shift
done
[ -f "$dev" ] && [ -f "$1" ] && mkdir -p "$od" || exit 3
cat "$FAKE_LOG" >&2
EOF2
chmod 755 "$work/fakebin/lava-run"
lava_run()
{
	rm -f "$work/lava-args"
	LAVA_RUN=$work/fakebin/lava-run LAVA_ARGS=$work/lava-args tests/lava/run.sh "$@"
}
FAKE_LOG=$work/log expect fail lava-run-same-as-make-run '^# the same 3 cases and verdicts as ' lava_run run t
FAKE_LOG=$work/log expect fail lava-run-last-line '^1 passed, 1 failed, 1 skipped$' lava_run run t
expect ok lava-run-argv '^--job-id [0-9]+ --output-dir .*/lava-t/lava-run --device .*/lava-t/device.yaml .*/lava-t/job.yaml$' \
	cat "$work/lava-args"
expect ok lava-run-writes-ktap '^ok 3 odp/anon-4k/odp-rc # SKIP$' cat "$OUT/lava-t/ktap"
# a doctored log: one verdict changed; the comparison must fail
sed 's/"case": "odp\/anon-4k\/odp-rc", "definition": "0_pinkit", "result": "skip"/"case": "odp\/anon-4k\/odp-rc", "definition": "0_pinkit", "result": "pass"/' \
	"$work/log" > "$work/log-doctored"
FAKE_LOG=$work/log-doctored expect fail lava-run-differs-from-make-run '^#   > odp/anon-4k/odp-rc pass$' lava_run run t
FAKE_LOG=$work/log-doctored expect fail lava-run-difference-counts '^2 passed, 2 failed, 0 skipped$' lava_run run t
FAKE_LOG=$work/log-cut expect fail lava-run-unfinished-fails '^FAILED: lava/0_pinkit$' lava_run run t
# bad input, before the dispatcher runs
sed -i 's/^image_sha256=.*/image_sha256=0123456789abcdef/' "$OUT/run-t/build.info"
other_kernel()
{
	FAKE_LOG=$work/log lava_run run t
	local rc=$?
	[ ! -e "$work/lava-args" ] || echo "the dispatcher ran"
	return $rc
}
expect fail lava-run-other-kernel-refused 'make run of t booted another kernel \(image sha256 0123456789abcdef' other_kernel
expect fail lava-run-no-make-run 'no make run of nothere to compare with .*run-nothere/ktap is missing' \
	lava_run check nothere
RUN_ARGS='--filter odp-xfer/*' expect fail lava-run-other-args "make run of t ran with ARGS='', this make lava-run has ARGS='--filter odp-xfer/\*'" \
	lava_run check t
if ! command -v lava-run >/dev/null; then
	skip_ lava-run-dispatcher-missing "lava-dispatcher is not installed (the check would install it)"
elif [ "$(id -u)" != 0 ]; then
	skip_ lava-run-dispatcher-missing "the check stops first: lava-run runs only as root"
else
	expect fail lava-run-dispatcher-missing '/nonexistent/lava-run not found .*apt-get install --reinstall lava-dispatcher' \
		env LAVA_RUN=/nonexistent/lava-run tests/lava/run.sh check t
fi

echo "1..$n"
echo "$pass passed, $fail failed, $skipped skipped"
[ $fail = 0 ]
