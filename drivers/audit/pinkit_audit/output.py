# SPDX-License-Identifier: GPL-2.0
"""Output: the rows as tsv (the ground-truth format of expected-*.tsv)
and as the table.
"""


def tsv_user(unit):
    """The user column of --format tsv: the unit's directory, with its
    object when it is one ("drivers/xen:xen-gntdev.o", "virt/kvm")."""
    d, _, label = unit.partition(' [')
    label = label.rstrip(']')
    return '%s:%s' % (d, label) if label.endswith('.o') else d


def tsv_lines(rows):
    """user, file:line, verdict, held of every row, sorted."""
    return sorted('%s\t%s:%s\t%s\t%s' % (tsv_user(r['unit']), r['file'],
                                         r['line'] if r['line'] else '-',
                                         r['verdict'], r['held_dropped'])
                  for r in rows)


def print_tsv(rows, out):
    for l in tsv_lines(rows):
        print(l, file=out)


def print_table(rows, out):
    cols = [('FILE', lambda r: r['file'] + (':%d' % r['line']
                                            if r['line'] else '')),
            ('NOTIFIER API', lambda r: r['notifier_api']),
            ('PAGE API', lambda r: r['page_api']),
            ('HELD/DROPPED', lambda r: r['held_dropped']),
            ('VERDICT', lambda r: r['verdict'])]
    cells = [[c[1](r) for c in cols] for r in rows]
    width = [max([len(c[0])] + [len(x[i]) for x in cells])
             for i, c in enumerate(cols)]
    width = [min(w, 60) for w in width]
    fmt = '  '.join('%%-%ds' % w for w in width)
    print((fmt % tuple(c[0] for c in cols)).rstrip(), file=out)
    print((fmt % tuple('-' * w for w in width)).rstrip(), file=out)
    for r, x in zip(rows, cells):
        print((fmt % tuple(x)).rstrip(), file=out)
        why = r['why']
        if r.get('function'):
            why = '%s(): %s' % (r['function'], why)
        print('    why: ' + why, file=out)
