# SPDX-License-Identifier: GPL-2.0
"""Audit's callers: new tasks for the callers of a function that hands a
reference back, or the leaf when none is found or the walk is too deep.
"""

import re

from .tasks import Leaf, Task


class Callers:
    """Part of Audit: the callers of a function, max_depth deep."""

    def callers(self, follows, depth):
        """New tasks for the callers of the functions in follows."""
        public = sorted({fn.name for fn, _, _, _ in follows if not fn.static})
        files = self.grep_files('|'.join(re.escape(n) for n in public),
                                words=True, headers=True) if public else []
        tasks, leaves = [], []
        for fn, spec, why, task in follows:
            if fn.static:
                cand = [fn.src.path]
            else:
                cand = [p for p in files if p == fn.src.path or not
                        any(g.name == fn.name
                            for g in self.load(p).funcs)]
            calls = []
            for path in cand:
                src = self.load(path, code=True)
                for f, off, name, args in self.call_sites(src, [fn.name]):
                    if f is fn or (f.name == fn.name and src is fn.src):
                        continue
                    if len(args) != len(fn.params) and \
                            '...' not in fn.src.text[fn.head:fn.start]:
                        continue    # another function of the same name
                    calls.append((src, f, off, args))
            if not calls:
                if self.address_taken(fn, cand):
                    leaves.append(Leaf(task, 'held', self.bad(task),
                                       '%s; %s() is called through a '
                                       'function pointer, not followed' %
                                       (why, fn.name), func=fn, src=fn.src,
                                       line=fn.line))
                else:
                    leaves.append(Leaf(task, 'no-caller', 'none',
                                       '%s; no caller of %s() in the scanned'
                                       ' source' % (why, fn.name), func=fn,
                                       src=fn.src, line=fn.line))
                continue
            if depth >= self.max_depth:
                leaves.append(Leaf(task, 'held', self.bad(task),
                                   '%s; callers deeper than %d calls not '
                                   'followed' % (why, self.max_depth),
                                   func=fn, src=fn.src, line=fn.line))
                continue
            for src, f, off, args in calls:
                t = Task(task.unit, task.kind, task.chain + [fn.name], src,
                         f, off, fn.name, spec, args)
                t.cond = task.cond
                t.origin = task.origin
                tasks.append(t)
        return tasks, leaves

    def address_taken(self, fn, files):
        pat = re.compile(r'\b' + re.escape(fn.name) + r'\b(?!\s*\()')
        for path in set(files) | {fn.src.path}:
            src = self.load(path)
            for m in pat.finditer(src.text):
                if src is fn.src and fn.head <= m.start() <= fn.start:
                    continue
                before = src.text[max(0, m.start() - 80):m.start()]
                if re.search(r'\b(EXPORT_SYMBOL\w*|ALLOW_ERROR_INJECTION|'
                             r'NOKPROBE_SYMBOL|__ADDRESSABLE)\s*\(\s*$',
                             before):
                    continue
                if re.search(r'[=&,({]\s*$', before):
                    return True
        return False
