# SPDX-License-Identifier: GPL-2.0
"""The command line of pinkit-audit: options, the run, the output and the
exit status.
"""

import argparse
import json
import os
import shutil
import sys

from .audit import Audit
from .output import print_table, print_tsv
from .tasks import VERDICTS


def main():
    ap = argparse.ArgumentParser(
        description='List mmu-notifier users and how they get pages; exit 1 '
        'when one keeps FOLL_GET references.')
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument('--ksrc', metavar='TREE', help='a kernel source tree')
    g.add_argument('--dir', metavar='PATH',
                   help='driver source: a directory or one .c file')
    ap.add_argument('--only', action='append', default=[], metavar='PREFIX',
                    help='only units under this path (relative to the '
                    'tree); repeatable')
    ap.add_argument('--format', choices=['table', 'tsv', 'json'],
                    default='table',
                    help='output format on stdout: table (default), tsv '
                    '(user, file:line, verdict, held: the ground-truth '
                    'format), json; with tsv and json the summary goes to '
                    'stderr')
    ap.add_argument('--json', metavar='FILE',
                    help='also write the JSON document to FILE')
    ap.add_argument('--engine', choices=['coccinelle', 'text'],
                    help='rule engine deciding "released on every path": '
                    'coccinelle (default when spatch is installed) or the '
                    'text rules (the default without spatch)')
    ap.add_argument('--max-depth', type=int, default=8,
                    help='callers followed at most this deep (default 8)')
    a = ap.parse_args()

    if a.ksrc:
        root = os.path.abspath(a.ksrc)
        if not os.path.isdir(root):
            print('pinkit-audit: %s is not a directory' % a.ksrc,
                  file=sys.stderr)
            return 2
        scope = None
        target = root
    else:
        p = os.path.abspath(a.dir)
        if os.path.isfile(p):
            root = os.path.dirname(p)
            scope = [p]
        elif os.path.isdir(p):
            root = p
            scope = []
            for d, dirs, files in os.walk(p):
                dirs[:] = [x for x in dirs if not x.startswith('.')]
                scope += [os.path.join(d, f) for f in files
                          if f.endswith(('.c', '.h'))]
            scope.sort()
        else:
            print('pinkit-audit: %s does not exist' % a.dir, file=sys.stderr)
            return 2
        target = p
    have_spatch = shutil.which('spatch') is not None
    if a.engine == 'coccinelle' and not have_spatch:
        print('pinkit-audit: error: --engine coccinelle, but spatch is not '
              'installed; install coccinelle (scripts/deps.sh audit) or '
              'use --engine text', file=sys.stderr)
        return 2
    use_spatch = a.engine != 'text' and have_spatch
    mode = 'coccinelle' if use_spatch else 'text'
    if a.engine is None and not use_spatch:
        print('pinkit-audit: spatch not found: text rules only (less '
              'precise; install coccinelle)', file=sys.stderr)
    audit = Audit(root, scope, use_spatch, a.max_depth)
    units, rows = audit.run(a.only)

    out = sys.stdout if a.format == 'table' else sys.stderr
    if a.format == 'tsv':
        print_tsv(rows, sys.stdout)
    print('pinkit audit of %s (%s engine): %d notifier units' %
          (target, mode, len(units)), file=out)
    if rows and a.format == 'table':
        print(file=out)
        print_table(rows, sys.stdout)
    held = [r for r in rows if r['verdict'] == 'held-foll-get']
    counts = {v: sum(1 for r in rows if r['verdict'] == v) for v in VERDICTS}
    print(file=out)
    print('summary: ' + ', '.join('%s %d' % (v, counts[v])
                                 for v in VERDICTS), file=out)
    if audit.spatch_failures:
        print('note: spatch could not parse all of %s; the text rules '
              'decided there' % ', '.join(sorted(set(audit.spatch_failures))),
              file=out)
    if held:
        places = {}
        for r in held:
            k = '%s:%s %s()' % (r['file'], r['line'], r['function'])
            if r.get('origin') and not r['origin'].startswith(k):
                k += ' <- %s %s' % (r['page_api'].split()[0], r['origin'])
            places[k] = places.get(k, 0) + 1
        print('result: FAIL, %d place(s) keep FOLL_GET page references while'
              ' an mmu notifier mirrors the pages:' % len(places), file=out)
        for k, c in places.items():
            print('  %s%s' % (k, ' (%d references)' % c if c > 1 else ''),
                  file=out)
    else:
        print('result: OK, no FOLL_GET reference kept by an mmu-notifier '
              'user', file=out)
    doc = {'target': target, 'engine': mode,
           'elapsed_s': round(audit.elapsed, 1),
           'units': list(units.values()), 'rows': rows,
           'summary': counts, 'held_foll_get': len(held),
           'spatch_failures': sorted(set(audit.spatch_failures))}
    if a.format == 'json':
        json.dump(doc, sys.stdout, indent=1)
        sys.stdout.write('\n')
    if a.json:
        d = os.path.dirname(os.path.abspath(a.json))
        os.makedirs(d, exist_ok=True)
        with open(a.json, 'w') as f:
            json.dump(doc, f, indent=1)
            f.write('\n')
        print('json: %s' % a.json, file=out)
    return 1 if held else 0
