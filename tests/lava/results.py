#!/usr/bin/python3
"""results.py log LOG - print, as YAML, the results a lava-run job logged
(LOG: the dispatcher's log, one YAML mapping a line; a result is a line
of level "results"): a list of mappings with definition, case and result,
as the dispatcher sends them to a LAVA server (results.yaml).

results.py ktap RESULTS NAME - print the KTAP of RESULTS (such a list):
one result per test case of the job's test definition NAME (LAVA's test
suite N_NAME), in the order LAVA recorded them, pass -> ok, fail -> not
ok, skip -> ok # SKIP, unknown -> not ok; then a failing lava/CASE for
each of LAVA's own results that did not pass (its suite "lava": the job,
the test definition's run, the actions), with LAVA's error as its
diagnostic, and a failing lava/job or lava/N_NAME when the job or the
definition's run left no result at all (the definition's run passes only
when its steps ran to the end; a job that never started it has no suite
N_NAME: lava/NAME fails).  Last line "N passed, N failed, N skipped".
Exit 1, with the reason, when RESULTS is not such a list: not YAML, an
entry without definition, case or result, a result LAVA does not know,
a case name with blanks, more than one test suite N_NAME.  Debian's python3-yaml."""

import re
import sys

import yaml

try:
    Loader = yaml.CSafeLoader
except AttributeError:
    Loader = yaml.SafeLoader

RESULTS = ('pass', 'fail', 'skip', 'unknown')


def die(msg):
    sys.stderr.write('pinkit: error: %s\n' % msg)
    sys.exit(1)


def from_log(path):
    out, bad = [], 0
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            if not line.startswith('{'):
                continue
            try:
                rec = yaml.load(line, Loader=Loader)
            except yaml.YAMLError:
                bad += 1
                continue
            if isinstance(rec, dict) and rec.get('lvl') == 'results':
                out.append(rec.get('msg'))
    if bad:
        sys.stderr.write('pinkit: %s: %d log lines were not YAML (left out)\n' % (path, bad))
    yaml.safe_dump(out, sys.stdout, default_flow_style=False, sort_keys=False)
    return 0


def load(path):
    try:
        with open(path, encoding='utf-8') as f:
            res = yaml.load(f, Loader=Loader)
    except OSError as e:
        die('cannot read %s: %s' % (path, e))
    except yaml.YAMLError as e:
        die('%s is not YAML: %s' % (path, e))
    if not isinstance(res, list):
        die('%s is not a list of LAVA results' % path)
    for i, r in enumerate(res):
        if not isinstance(r, dict) or not all(isinstance(r.get(k), str)
                                              for k in ('definition', 'case', 'result')):
            die('%s: entry %d is not a LAVA result (definition, case and result): %r'
                % (path, i + 1, r))
        if r['result'] not in RESULTS:
            die('%s: entry %d: result %r of %s/%s is not one LAVA knows (%s)'
                % (path, i + 1, r['result'], r['definition'], r['case'], ', '.join(RESULTS)))
        if re.search(r'\s', r['case']) or not r['case']:
            die('%s: entry %d: case name %r is empty or has blanks' % (path, i + 1, r['case']))
    return res


def to_ktap(path, name):
    res = load(path)
    suites = sorted({r['definition'] for r in res
                     if re.fullmatch(r'[0-9]+_' + re.escape(name), r['definition'])})
    if len(suites) > 1:
        die('%s: more than one test suite of %s: %s' % (path, name, ', '.join(suites)))
    # no suite: the definition never reported (a job that failed to boot)
    suite = suites[0] if suites else name
    lines = []  # (status, name) or ('#', diagnostic)
    for r in res:
        if r['definition'] != suite:
            continue
        if r['result'] == 'unknown':
            lines.append(('#', 'LAVA recorded the result "unknown"'))
        lines.append(({'pass': 'pass', 'skip': 'skip'}.get(r['result'], 'fail'), r['case']))
    lava = [r for r in res if r['definition'] == 'lava']
    unfinished = 'the test definition %s did not run to its end' % name
    if not suites:
        unfinished = 'the test definition %s reported nothing' % name
    for case, why in (('job', 'the job left no result: lava-run did not end it'),
                      (suite, unfinished)):
        if not any(r['case'] == case for r in lava):
            lines += [('#', why), ('fail', 'lava/' + case)]
    for r in lava:
        if r['result'] == 'pass':
            continue
        if r['case'] == suite:
            lines.append(('#', unfinished))
        for k in ('error_type', 'error_msg'):
            if r.get(k):
                lines.append(('#', '%s: %s' % (k, str(r[k]).replace('\n', ' '))))
        lines.append(('fail', 'lava/' + r['case']))
    print('KTAP version 1')
    print('1..%d' % sum(1 for st, _ in lines if st != '#'))
    i = 0
    counts = {'pass': 0, 'fail': 0, 'skip': 0}
    for st, text in lines:
        if st == '#':
            print('# ' + text)
            continue
        i += 1
        counts[st] += 1
        print('%s %d %s%s' % ('not ok' if st == 'fail' else 'ok', i, text,
                              ' # SKIP' if st == 'skip' else ''))
    print('%d passed, %d failed, %d skipped' % (counts['pass'], counts['fail'], counts['skip']))
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == 'log':
        return from_log(sys.argv[2])
    if len(sys.argv) == 4 and sys.argv[1] == 'ktap':
        return to_ktap(sys.argv[2], sys.argv[3])
    die('usage: results.py log LOG | results.py ktap RESULTS NAME')
    return 1


sys.exit(main())
