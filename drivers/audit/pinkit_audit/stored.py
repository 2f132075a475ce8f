# SPDX-License-Identifier: GPL-2.0
"""Audit on a reference stored in a struct: how long the struct lives
(compute_lifetimes(), with the evidence nearest() names), and whether the
function that owns the object releases it through it
(released_by_owner()).
"""

import os
import re

from .apis import GET_APIS, PIN_APIS
from .ctext import (IDENT, KEYWORDS, enclosing_aggregate, enclosing_blocks,
                    line_offset, match_paren, split_args)
from .release import releases
from .tasks import Deferred, Leaf


def nearest(evidence, path, root):
    """The evidence location closest to path, as text."""
    if not evidence:
        return 'no instance found'

    def score(e):
        return -len(os.path.commonpath([os.path.dirname(e[0]),
                                        os.path.dirname(path)]))
    p, ln, what = sorted(evidence, key=score)[0]
    return '%s, %s:%d' % (what, os.path.relpath(p, root), ln)


class Stored:
    """Part of Audit: a reference kept in a struct (lifetimes, want_lifetime,
    mreleasers)."""

    def stored(self, task, lhs, f=None):
        """The reference is written into lhs (in f, by default the function
        of the task): how long does it live?"""
        f = f or task.func
        where_f = {} if f is task.func else {'func': f, 'src': f.src,
                                             'line': f.line}
        if where_f:
            lhs = '%s, in %s() called from %s()' % (lhs, f.name,
                                                   task.func.name)
        base = re.match(r'\(?\s*\*?\s*\(?\s*&?\s*(' + IDENT + r')', lhs)
        if not base:
            return [Leaf(task, 'held', self.bad(task),
                         'kept in %s' % lhs, **where_f)], []
        b = base.group(1)
        st, ptr, where = f.decl_type(b)
        if where is None:
            return [Leaf(task, 'held', self.bad(task),
                         'kept in %s (global %s)' % (lhs, b), **where_f)], []
        if where == 'local' and not ptr and st:
            return [Leaf(task, 'dropped', self.good(task),
                         'kept in %s, a struct %s on the stack of %s()' %
                         (lhs, st, f.name), **where_f)], []
        if not st:
            if where == 'param':
                i = f.param_index(b)
                return [], [(f, ('arg', i), 'written through %s' % b)]
            return [Leaf(task, 'held', self.bad(task),
                         'kept in %s' % lhs, **where_f)], []
        if st not in self.lifetimes:
            self.want_lifetime.add(st)
            raise Deferred()
        life, evidence = self.lifetimes[st]
        ev = nearest(evidence, f.src.path, self.root)
        if life == 'stack':
            return [Leaf(task, 'dropped', self.good(task),
                         'kept in %s: struct %s only ever lives on the '
                         'stack (%s), so the reference ends with the call' %
                         (lhs, st, ev), **where_f)], []
        if life == 'mixed' and where == 'param':
            i = f.param_index(b)
            return [], [(f, ('arg', i),
                         'kept in %s, a struct %s of its caller' % (lhs, st))]
        owner = self.released_by_owner(task, f, lhs)
        if owner:
            return [Leaf(task, 'dropped', self.good(task),
                         'kept in %s, released through it by %s' %
                         (lhs, owner), **where_f)], []
        if life == 'unknown':
            what = 'is not known to live only on the stack'
        else:
            what = 'outlives the call'
        return [Leaf(task, 'held', self.bad(task),
                     'kept in %s: struct %s %s (%s)' % (lhs, st, what, ev),
                     **where_f)], []

    def member_releasers(self, st, field):
        """Functions of the unit that release member field of their
        struct st parameter (gntdev_put_pages(batch) unpins
        batch->pages), directly or by calling such a function."""
        key = (st, field)
        if key in self.mreleasers:
            return self.mreleasers[key]
        out = set()
        pat = re.compile(r'\b(' + '|'.join(sorted(self.releasers)) +
                         r')\s*\(')
        funcs = [g for path in sorted(self.code)
                 for g in self.srcs[path].funcs]

        def st_params(g):
            return [p for p, t in g.params
                    if re.search(r'\bstruct\s+' + re.escape(st) +
                                 r'\s*\*', t)]
        for g in funcs:
            for p in st_params(g):
                mem = r'(?<![\w>.])' + re.escape(p) + r'\s*->\s*' + \
                    re.escape(field) + r'\b'
                for m in pat.finditer(g.body):
                    o = g.body.index('(', m.end() - 1)
                    c = match_paren(g.body, o)
                    if c > 0 and re.search(mem, g.body[o + 1:c]):
                        out.add(g.name)
        for _ in range(3):
            if not out:
                break
            cp = re.compile(r'\b(' + '|'.join(sorted(out)) + r')\s*\(')
            for g in funcs:
                if g.name in out:
                    continue
                ps = st_params(g)
                for m in cp.finditer(g.body):
                    o = g.body.index('(', m.end() - 1)
                    c = match_paren(g.body, o)
                    if c > 0 and any(a.strip() in ps for a in
                                     split_args(g.body[o + 1:c])):
                        out.add(g.name)
        self.mreleasers[key] = out
        return out

    def acquirers(self, task):
        """The functions of task's chain and those that call a page API
        or one of them."""
        names = set(task.chain) | set(GET_APIS) | set(PIN_APIS)
        pat = re.compile(r'\b(' + '|'.join(sorted(names)) + r')\s*\(')
        out = set(task.chain)
        for path in sorted(self.code):
            for g in self.srcs[path].funcs:
                if pat.search(g.body):
                    out.add(g.name)
        return out

    def released_by_owner(self, task, f, lhs):
        """'name()' when the reference stored in obj->field (lhs, in f) is
        released through obj before the function that owns obj (where it
        is a local variable) returns: that function, or f, calls a member
        releaser on obj after the store or after the call that led to
        it (xen gntdev: gntdev_ioctl_grant_copy() puts batch->pages);
        None otherwise."""
        m = re.match(r'\s*(' + IDENT + r')\s*->\s*(' + IDENT + r')', lhs)
        if not m:
            return None
        obj, field = m.groups()
        st, ptr, where = f.decl_type(obj)
        if not st or not ptr:
            return None
        # not the functions that take the reference (radeon's pin
        # function puts ttm->pages on its error path)
        rels = self.member_releasers(st, field) - self.acquirers(task)
        if not rels:
            return None

        def after(g, off, var):
            # on every path after off, or later in an enclosing block; a
            # test of the object ("if (batch->nr_ops)") may guard it
            blocks = [(0, len(g.body) - 1)] + enclosing_blocks(g.body, off)
            for a, b in blocks:
                if releases(g.body[a:b + 1], off - a, {var}, rels):
                    return '%s()' % g.name
            return None

        # from the store on (a put of the old pages before it, e500's
        # free_gtlb(), does not count)
        off = task.off - f.start if f is task.func else 0
        toks = re.findall(r'\w+|[^\w\s]', lhs.split(',')[0])
        sm = re.compile(r'\s*'.join(re.escape(t) for t in toks) +
                        r'\s*=(?!=)').search(f.body, off)
        if sm:
            off = sm.end()
        level = [(f, off, obj)]
        for _ in range(5):
            nxt = []
            for g, o, var in level:
                hit = after(g, o, var)
                if hit:
                    continue
                i = g.param_index(var)
                if i < 0:
                    return None         # a local or global: never put
                calls = []
                for path in sorted(self.code | {g.src.path}):
                    src = self.srcs[path]
                    if g.static and src is not g.src:
                        continue
                    for h, co, _, args in self.call_sites(src, [g.name]):
                        if h is not g and len(args) == len(g.params):
                            calls.append((h, co - h.start,
                                          args[i].strip()))
                if not calls or any(not re.fullmatch(IDENT, a)
                                    for _, _, a in calls):
                    return None
                nxt += calls
            if not nxt:
                return hit
            level = nxt
        return None

    def compute_lifetimes(self):
        """Where do instances of the wanted structs live?"""
        want = sorted(self.want_lifetime - set(self.lifetimes))
        self.want_lifetime = set()
        if not want:
            return
        found = {st: {'local': [], 'long': []} for st in want}
        decl = {st: re.compile(r'\bstruct\s+' + re.escape(st) + r'\s+(' +
                               IDENT + r')\s*(\[[^\]]*\]\s*)*[;=]')
                for st in want}
        alloc = {st: re.compile(r'sizeof\s*\(\s*struct\s+' + re.escape(st) +
                                r'\s*\)') for st in want}
        for path, ln, text in self.grep_fixed_lines(['struct ' + s
                                                     for s in want], True):
            for st in want:
                if 'struct ' + st not in text and 'struct\t' + st not in text:
                    continue
                if alloc[st].search(text):
                    found[st]['long'].append((path, ln, 'allocated'))
                    continue
                m = decl[st].search(text)
                if not m or m.group(1) in KEYWORDS:
                    continue
                src = self.load(path)
                off = line_offset(src.text, ln) + m.start()
                if src.text[off:off + 6] != 'struct':
                    continue        # inside a comment or a string
                fn = src.func_at(off)
                if fn:
                    found[st]['local'].append((path, ln, '%s()' % fn.name))
                    continue
                agg = enclosing_aggregate(src.text, off)
                found[st]['long'].append((path, ln, 'member of ' + agg
                                          if agg else 'global'))
        for st in want:
            loc, lng = found[st]['local'], found[st]['long']
            if loc and not lng:
                self.lifetimes[st] = ('stack', loc)
            elif loc:
                self.lifetimes[st] = ('mixed', lng)
            elif lng:
                self.lifetimes[st] = ('long', lng)
            else:
                self.lifetimes[st] = ('unknown', [])
