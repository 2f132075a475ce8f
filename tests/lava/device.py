#!/usr/bin/python3
"""device.py DICTIONARY TEMPLATES JOB - print the device configuration
(YAML) lava-run needs for JOB: the device dictionary DICTIONARY (jinja2,
extending a device type of TEMPLATES, LAVA's device-type directory)
rendered the way a LAVA server renders it for a job: a sandboxed jinja2
environment that finds the dictionary first and the device types after it,
blocks trimmed, nothing escaped, the job's context as the variables.
Exit 1, with the reason, when the dictionary does not render, does not
give YAML, or gives no qemu boot command for the job's arch.  Debian's
python3-jinja2 and python3-yaml."""

import os
import sys

import jinja2
import jinja2.sandbox
import yaml


def die(msg):
    sys.stderr.write('pinkit: error: %s\n' % msg)
    sys.exit(1)


def main():
    if len(sys.argv) != 4:
        die('usage: device.py DICTIONARY TEMPLATES JOB')
    dictionary, templates, jobf = sys.argv[1:]
    for p in (dictionary, os.path.join(templates, 'qemu.jinja2'), jobf):
        if not os.path.isfile(p):
            die('%s does not exist' % p)
    try:
        with open(jobf, encoding='utf-8') as f:
            job = yaml.safe_load(f)
    except yaml.YAMLError as e:
        die('%s is not YAML: %s' % (jobf, e))
    if not isinstance(job, dict):
        die('%s is not a LAVA job definition' % jobf)
    context = job.get('context') or {}
    env = jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([os.path.dirname(os.path.abspath(dictionary)), templates]),
        autoescape=False, trim_blocks=True)
    try:
        text = env.get_template(os.path.basename(dictionary)).render(**context)
    except jinja2.TemplateError as e:
        die('%s does not render with the templates of %s: %s' % (dictionary, templates, e))
    try:
        dev = yaml.safe_load(text)
    except yaml.YAMLError as e:
        die('%s rendered into something that is not YAML: %s' % (dictionary, e))
    try:
        qemu = dev['actions']['boot']['methods']['qemu']['parameters']
        command = qemu['command']
    except (KeyError, TypeError):
        die('%s renders no boot method qemu with a command: not a qemu device' % dictionary)
    if not command:
        die('%s renders no QEMU command for arch %r' % (dictionary, context.get('arch')))
    if context.get('arch') not in dev.get('available_architectures', []):
        die('%s does not offer the job\'s arch %r' % (dictionary, context.get('arch')))
    sys.stdout.write(text)
    return 0


sys.exit(main())
