#!/usr/bin/python3
"""validate.py SCHEMA DOC... - check KCIDB documents against the JSON schema
(draft 7, formats enforced, as kcidb-io does), then that the document holds
together: ids unique per object type, every build's checkout and every
test's build in the document.  One "pinkit: error:" line per problem, exit
1 when there is one.  Debian's python3-jsonschema (scripts/deps.sh kcidb)."""

import json
import re
import sys

try:
    import jsonschema
except ImportError:
    sys.stderr.write('pinkit: error: python3-jsonschema is missing; run: scripts/deps.sh kcidb\n')
    sys.exit(1)

# RFC 3339 date-time, the format KCIDB's timestamps use.  Debian 12's
# jsonschema checks "date-time" only with a module Debian does not ship, so
# the check is here rather than silently off.
DATE_TIME = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$', re.I)


def main():
    if len(sys.argv) < 3:
        sys.stderr.write('pinkit: error: usage: validate.py SCHEMA DOC...\n')
        return 1
    with open(sys.argv[1], encoding='utf-8') as f:
        schema = json.load(f)
    checker = jsonschema.FormatChecker()
    if 'uri' not in checker.checkers:
        sys.stderr.write('pinkit: error: jsonschema cannot check the uri format; '
                         'run: scripts/deps.sh kcidb (python3-rfc3987)\n')
        return 1

    @checker.checks('date-time')
    def _date_time(value):
        return not isinstance(value, str) or bool(DATE_TIME.match(value))

    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema, format_checker=checker)
    bad = 0
    nbad = 0
    for path in sys.argv[2:]:
        before = bad
        try:
            with open(path, encoding='utf-8') as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            sys.stderr.write('pinkit: error: %s: cannot read it as JSON: %s\n' % (path, e))
            bad += 1
            nbad += 1
            continue
        errs = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errs:
            where = ''.join('[%d]' % p if isinstance(p, int) else '.%s' % p
                            for p in e.absolute_path) or '(top)'
            sys.stderr.write('pinkit: error: %s: %s: %s\n' % (path, where.lstrip('.'), e.message))
        bad += len(errs)
        if errs:
            continue
        ids = {}
        for kind in ('checkouts', 'builds', 'tests'):
            ids[kind] = set()
            for o in doc.get(kind, []):
                if o['id'] in ids[kind]:
                    sys.stderr.write('pinkit: error: %s: %s: id %s twice\n' % (path, kind, o['id']))
                    bad += 1
                ids[kind].add(o['id'])
        for kind, ref, parent in (('builds', 'checkout_id', 'checkouts'),
                                  ('tests', 'build_id', 'builds')):
            for o in doc.get(kind, []):
                if o[ref] not in ids[parent]:
                    sys.stderr.write('pinkit: error: %s: %s %s: %s %s is not in the document\n'
                                     % (path, kind, o['id'], ref, o[ref]))
                    bad += 1
        if bad != before:
            nbad += 1
        else:
            print('%s: valid KCIDB v%d.%d: %d checkouts, %d builds, %d tests'
                  % (path, doc['version']['major'], doc['version'].get('minor', 0),
                     len(doc.get('checkouts', [])), len(doc.get('builds', [])),
                     len(doc.get('tests', []))))
    # One result per document, in the kit's summary form (tests/check.sh).
    print('%d passed, %d failed, 0 skipped' % (len(sys.argv) - 2 - nbad, nbad))
    return 1 if bad else 0


sys.exit(main())
