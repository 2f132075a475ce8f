#!/usr/bin/python3
"""local.py JOB.yaml EXTRA.cpio.gz LOG TIMEOUT - drive the job's guest the
way LAVA's qemu boot and test shell do, without LAVA: QEMU from the job's
context and image arguments (files as the job names them, file:// only;
EXTRA appended to the ramdisk holds a stand-in lava-test-case), wait for
the boot prompt, type the test definition's steps, and print one "NAME
RESULT" per <LAVA_SIGNAL_TESTCASE ...> the guest printed.  The console
goes to LOG.  Exit 1 when the guest never gave its prompt or the steps
did not end within TIMEOUT seconds (the prompt may take PROMPT_TIMEOUT,
default 300).  Not LAVA: the dispatcher's own
checks, downloads and overlay are not exercised."""

import os
import re
import select
import shlex
import subprocess
import sys
import time

import yaml


def die(msg):
    sys.stderr.write('pinkit: error: %s\n' % msg)
    sys.exit(1)


def main():
    if len(sys.argv) != 5:
        die('usage: local.py JOB.yaml EXTRA.cpio.gz LOG TIMEOUT')
    jobf, extra, logf, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    job = yaml.safe_load(open(jobf, encoding='utf-8'))
    acts = {k: v for a in job['actions'] for k, v in a.items()}
    imgs = acts['deploy']['images']
    files = {}
    for k, v in imgs.items():
        if not v['url'].startswith('file://'):
            die('%s: image %s is not a local file (%s); write the job without LAVA_URL'
                % (jobf, k, v['url']))
        files[k] = v['url'][len('file://'):]
    # LAVA unpacks the ramdisk and appends its overlay; here the stand-in
    # goes in as a second archive, which the kernel unpacks after the first.
    work = os.path.dirname(os.path.abspath(logf))
    rd = os.path.join(work, 'ramdisk-local.cpio.gz')
    with open(rd, 'wb') as out:
        for p in (files['ramdisk'], extra):
            with open(p, 'rb') as f:
                out.write(f.read())
    files['ramdisk'] = rd
    ctx = job['context']
    cmd = ['qemu-system-x86_64', '-accel', 'tcg', '-nographic', '-m', str(ctx['memory']),
           '-net', 'nic,model=virtio', '-net', ctx['netdevice']]
    for o in ctx['extra_options']:
        cmd += shlex.split(o)
    for k, v in imgs.items():
        arg = v['image_arg']
        for key, path in files.items():
            arg = arg.replace('{%s}' % key, path)
        cmd += shlex.split(arg)
    prompt = acts['boot']['prompts'][0].encode()
    steps = [s for d in acts['test']['definitions'] for s in d['repository']['run']['steps']]
    end = b'PINKIT-LOCAL-STEPS-END'
    log = open(logf, 'wb')
    log.write(('# ' + ' '.join(shlex.quote(c) for c in cmd) + '\n').encode())
    q = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    buf = b''
    deadline = time.time() + int(os.environ.get('PROMPT_TIMEOUT', '300'))
    sent = False
    ok = False
    while True:
        left = deadline - time.time()
        if left <= 0:
            break
        r, _, _ = select.select([q.stdout], [], [], min(left, 5))
        if not r:
            if q.poll() is not None:
                break
            continue
        chunk = os.read(q.stdout.fileno(), 65536)
        if not chunk:
            break
        log.write(chunk)
        log.flush()
        buf += chunk
        if not sent and prompt in buf:
            # LAVA types each step at the prompt; so does this.
            line = ' ; '.join(steps) + ' ; echo %s rc=$?\n' % end.decode()
            q.stdin.write(line.encode())
            q.stdin.flush()
            sent = True
            deadline = time.time() + timeout
        if sent and re.search(re.escape(end) + rb' rc=\d+', buf):
            ok = True
            break
    if q.poll() is None:
        q.kill()
    q.wait()
    log.close()
    text = buf.decode('utf-8', 'replace').replace('\r', '')
    for m in re.finditer(r'<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=(\S+) RESULT=(\S+)>', text):
        print(m.group(1), m.group(2))
    if not sent:
        die('the guest never printed its prompt %r (console: %s)' % (prompt.decode(), logf))
    if not ok:
        die('the test steps did not end within %d s (console: %s)' % (timeout, logf))
    return 0


sys.exit(main())
