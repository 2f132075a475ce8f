#!/usr/bin/python3
"""kcidb.py RUNDIR RECORDS - one KCIDB v5.3 document (JSON, on stdout) for a
decided guest run: its checkout (Debian's kernel source, its version, the
series as a patchset hash), its build, a "boot" test and one test per result
of the run's KTAP.  RECORDS holds those results as ktap.sh's ktap_records
prints them (STATUS<TAB>NAME<TAB>TEXT); tests/kcidb/kcidb.sh runs both.

Run by Debian's /usr/bin/python3; standard library only."""

import hashlib
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

ORIGIN = 'pinkit'
LOG_MAX = 16384


def die(msg):
    sys.stderr.write('pinkit: error: %s\n' % msg)
    sys.exit(1)


def read_info(path, what, fix):
    """KEY=VALUE lines of PATH; 'patch' may repeat."""
    if not os.path.isfile(path):
        die('%s is missing (%s): %s' % (path, what, fix))
    info = {'patch': []}
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if '=' not in line:
                die('%s: line "%s" is not KEY=VALUE' % (path, line))
            k, v = line.split('=', 1)
            if k == 'patch':
                info['patch'].append(v)
            else:
                info[k] = v
    return info


def need(info, path, *keys):
    for k in keys:
        if k not in info:
            die('%s has no %s= line: rebuild with kernel/scripts/build.sh' % (path, k))


def scrub(name):
    """A KTAP case name as a KCIDB path: '/' separates the levels, every
    other character outside [A-Za-z0-9_-] (dots included) becomes '_', empty
    levels are dropped.  kselftest/... keeps its own root, the suite's cases
    go under pinkit."""
    parts = [re.sub(r'[^A-Za-z0-9_-]', '_', p) for p in name.split('/')]
    parts = [p for p in parts if p]
    if not parts or parts[0] != 'kselftest':
        parts.insert(0, 'pinkit')
    return '.'.join(parts)


def excerpt(text):
    """The first diagnostic line ('\\n' is literal in ktap_records' TEXT)."""
    first = text.split('\\n', 1)[0].replace('\0', '')
    return first[:LOG_MAX]


def status_of(st, name):
    if st == 'pass':
        return 'PASS'
    if st == 'skip':
        return 'SKIP'
    if st != 'fail':
        die('record status "%s" of %s is not pass, fail or skip' % (st, name))
    # The harness's own failures: a splat is the kernel's fault, anything
    # else (no verdict, a timeout, a crash of the suite) left the tested
    # code's state unknown.
    if name.startswith('harness/') and name != 'harness/kernel-splat':
        return 'ERROR'
    return 'FAIL'


def junit_seconds(rundir):
    """{case name: seconds} from the guest's JUnit files (pinkit run
    --junit): a testcase's name is the case name of the KTAP."""
    secs = {}
    res = os.path.join(rundir, 'results')
    for sub in ('', 'plugin'):
        path = os.path.join(res, sub, 'guest-junit.xml')
        if not os.path.isfile(path):
            continue
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            die('%s is not well-formed XML (%s)' % (path, e))
        for tc in root.iter('testcase'):
            t = tc.get('time')
            if t is not None:
                secs[tc.get('name', '')] = float(t)
    return secs


def main():
    if len(sys.argv) != 3:
        die('usage: kcidb.py RUNDIR RECORDS')
    rundir, records = sys.argv[1], sys.argv[2]
    bpath = os.path.join(rundir, 'build.info')
    build = read_info(bpath, 'the build record',
                      'the run was not made by make run from a kernel build.sh built; run make run again')
    need(build, bpath, 'kver', 'flavor', 'source', 'source_version', 'config',
         'compiler', 'start_time', 'duration', 'image_sha256', 'patchset_hash')
    ipath = os.path.join(rundir, 'boot.info')
    boot = read_info(ipath, "the boot's start and length",
                     'run make run again (tests/harness/run.sh writes it)')
    need(boot, ipath, 'start_time', 'duration')

    src, srcver = build['source'], build['source_version']
    phash = build['patchset_hash']
    npatch = len(build['patch'])
    ckey = '%s:%s:%s' % (src, srcver or 'unversioned', phash[:16] or 'unpatched')
    checkout_id = '%s:%s' % (ORIGIN, ckey)
    build_id = '%s:bzImage-%s' % (ORIGIN, build['image_sha256'][:16])
    run_key = hashlib.sha256(('%s %s %s' % (build_id, boot['start_time'],
                              os.path.abspath(rundir))).encode()).hexdigest()[:16]

    checkout = {
        'id': checkout_id,
        'origin': ORIGIN,
        'patchset_hash': phash,
        'valid': True,
        'comment': ('Debian %s %s' % (src, srcver) if srcver else src) +
                   (' with pinkit\'s series (%d patch%s)' % (npatch, '' if npatch == 1 else 'es')
                    if npatch else ', unpatched'),
        'misc': {'source': src, 'patches': build['patch']},
    }
    if srcver:
        checkout['tree_name'] = 'debian'
        checkout['misc']['debian_source_version'] = srcver
    kbuild = {
        'id': build_id,
        'checkout_id': checkout_id,
        'origin': ORIGIN,
        'architecture': 'x86_64',
        'compiler': build['compiler'],
        'config_name': '%s (%s)' % (build['config'], build['flavor']),
        'start_time': build['start_time'],
        'duration': float(build['duration']),
        'status': 'PASS',
        'comment': 'linux-%s %s bzImage' % (build['kver'], build['flavor']),
        'misc': {'kver': build['kver'], 'flavor': build['flavor'],
                 'image_sha256': build['image_sha256'],
                 'duration_note': 'this build step, incremental with ccache'},
    }

    env = {'comment': 'QEMU x86_64 guest: 2 vCPUs, 2 NUMA nodes of 1 GiB, '
                      'soft-RoCE rxe0 on virtio-net'}
    kpath = os.path.join(rundir, 'results', 'kernel')
    if os.path.isfile(kpath):
        with open(kpath, encoding='utf-8') as f:
            env['misc'] = {'kernel_release': f.read().strip()}

    # The boot: the guest reached its /init (PINKIT-BOOTED on the console).
    con = os.path.join(rundir, 'console.txt')
    booted = False
    if os.path.isfile(con):
        with open(con, encoding='utf-8', errors='replace') as f:
            booted = any(l.startswith('PINKIT-BOOTED') for l in f)
    err = ''
    epath = os.path.join(rundir, 'error')
    if os.path.isfile(epath):
        with open(epath, encoding='utf-8', errors='replace') as f:
            err = f.read().strip()
    if booted:
        bst = 'PASS'
    elif err.startswith('QEMU exited'):
        bst = 'MISS'
    else:
        bst = 'FAIL'
    tboot = {
        'id': '%s:%s:boot' % (ORIGIN, run_key),
        'build_id': build_id,
        'origin': ORIGIN,
        'path': 'boot',
        'status': bst,
        'start_time': boot['start_time'],
        'duration': float(boot['duration']),
        'environment': env,
        'comment': 'boot to /init and the whole guest run (QEMU wall clock)',
    }
    if err:
        tboot['log_excerpt'] = err[:LOG_MAX].replace('\0', '')
    tests = [tboot]

    secs = junit_seconds(rundir)
    with open(records, encoding='utf-8', errors='replace') as f:
        for i, line in enumerate(f, 1):
            fields = line.rstrip('\n').split('\t', 2)
            if len(fields) != 3:
                die('%s line %d is not STATUS<TAB>NAME<TAB>TEXT' % (records, i))
            st, name, text = fields
            t = {
                'id': '%s:%s:%d' % (ORIGIN, run_key, i),
                'build_id': build_id,
                'origin': ORIGIN,
                'path': scrub(name),
                'status': status_of(st, name),
                'environment': env,
                'comment': name,
            }
            if text:
                t['log_excerpt'] = excerpt(text)
            if name in secs:
                t['duration'] = secs[name]
            tests.append(t)
    if len(tests) == 1:
        die('%s holds no result: the run decided nothing' % records)

    doc = {'version': {'major': 5, 'minor': 3}, 'checkouts': [checkout],
           'builds': [kbuild], 'tests': tests}
    json.dump(doc, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write('\n')


main()
