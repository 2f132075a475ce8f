#!/usr/bin/python3
"""job.py NAME DIR BASE TIMEOUT [ARGS...] - print the LAVA job definition
(YAML) that boots DIR's bzImage and ramdisk.cpio.gz on a LAVA "qemu"
device in the kit's QEMU shape and runs /pinkit-lava.sh ARGS as its test
action.  BASE is the URL the artifacts are fetched from (file://DIR/ for
lava-run on this machine, a lab's artifact server otherwise); TIMEOUT the
test action's limit in seconds.  Debian's python3-yaml."""

import shlex
import sys

import yaml

# The kit's QEMU shape (tests/harness/boot.sh): 2 GiB in two NUMA nodes of
# 1 GiB, a vCPU in each of two sockets, no reboot.  The network card comes
# from the device type (context netdevice: user, a virtio NIC on QEMU's
# user network: the guest's eth0, which rxe0 sits on).
EXTRA = [
    '-smp 2,sockets=2',
    '-object memory-backend-ram,id=m0,size=1G',
    '-object memory-backend-ram,id=m1,size=1G',
    '-numa node,nodeid=0,cpus=0,memdev=m0',
    '-numa node,nodeid=1,cpus=1,memdev=m1',
    '-no-reboot',
]
APPEND = 'console=ttyS0 panic=-1 printk.time=1 loglevel=6'
PROMPT = 'pinkit-lava:# '  # a ':' in it, as LAVA wants of a prompt


def minutes(s):
    return {'minutes': max(1, (int(s) + 59) // 60)}


def main():
    if len(sys.argv) < 5:
        sys.stderr.write('pinkit: error: usage: job.py NAME DIR BASE TIMEOUT [ARGS...]\n')
        return 1
    name, _, base, timeout = sys.argv[1:5]
    args = sys.argv[5:]
    if not base.endswith('/'):
        base += '/'
    # LAVA runs the steps under sh -e: a step that fails would end the run
    # before its ENDRUN signal, and LAVA would mark the definition unfinished.
    # The test cases carry the verdict; the step's status is only logged.
    step = ' '.join(['/pinkit-lava.sh'] + [shlex.quote(a) for a in args])
    step += ' || echo "pinkit-lava.sh: exit status $?"'
    job = {
        'device_type': 'qemu',
        'job_name': 'pinkit %s' % name,
        'priority': 'medium',
        'visibility': 'public',
        'timeouts': {
            'job': minutes(int(timeout) + 900),
            'action': minutes(600),
            'connection': {'minutes': 2},
        },
        'context': {
            'arch': 'x86_64',
            'memory': 2048,
            'netdevice': 'user',
            'extra_options': EXTRA,
        },
        'actions': [
            {'deploy': {
                'to': 'tmpfs',
                'timeout': {'minutes': 5},
                'images': {
                    'kernel': {
                        'url': base + 'bzImage',
                        'image_arg': '-kernel {kernel} -append "%s"' % APPEND,
                    },
                    'ramdisk': {
                        'url': base + 'ramdisk.cpio.gz',
                        'compression': 'gz',
                        'format': 'cpio.newc',
                        'overlays': {'lava': True},
                        'image_arg': '-initrd {ramdisk}',
                    },
                    'results': {
                        'url': base + 'results.img',
                        'image_arg': '-drive file={results},format=raw,if=virtio',
                    },
                    'swap': {
                        'url': base + 'swap.img',
                        'image_arg': '-drive file={swap},format=raw,if=virtio',
                    },
                },
            }},
            {'boot': {
                'method': 'qemu',
                'media': 'tmpfs',
                'timeout': {'minutes': 5},
                'prompts': [PROMPT],
            }},
            {'test': {
                'timeout': minutes(timeout),
                'definitions': [{
                    'from': 'inline',
                    'name': 'pinkit',
                    'path': 'inline/pinkit.yaml',
                    'repository': {
                        'metadata': {
                            'format': 'Lava-Test Test Definition 1.0',
                            'name': 'pinkit',
                            'description': 'the pinkit suite, its kind plugin pass, '
                                           'the series\' kernel selftests and the '
                                           'legacy_cow control, one test case per '
                                           'KTAP result',
                        },
                        'run': {'steps': [step]},
                    },
                }],
            }},
        ],
    }
    yaml.safe_dump(job, sys.stdout, default_flow_style=False, sort_keys=False)
    return 0


sys.exit(main())
