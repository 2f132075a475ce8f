# SPDX-License-Identifier: GPL-2.0
"""Audit's step 4: follow one reference from the call that took it
(classify()): released, returned or written through a parameter (the
callers are followed), handed to a helper, or stored (stored.py).
"""

import re

from .ctext import (IDENT, KEYWORDS, enclosing_blocks, match_paren, mentions,
                    prefix_of, split_args, statement_end)
from .refs import (CONVERTERS, aliases, derived_expr, in_caller, member_value,
                   struct_init)
from .tasks import Leaf


class Follow:
    """Part of Audit, step 4: follow a reference."""

    def classify(self, task):
        """Leaves, and (function, spec, why) to follow into callers."""
        f = task.func
        if task.spec[0] == 'deref':
            r = self.through_member(task)
            if r[0] is not None:
                return r[0], r[1]
            x = r[2]
        elif task.spec[0] == 'arg':
            k = task.spec[1]
            if k >= len(task.args):
                return [Leaf(task, 'held', self.bad(task),
                             'cannot tell which argument carries the pages'
                             ' (unknown signature of %s)' % task.anchor)], []
            a = ' '.join(task.args[k].split())
            if a in ('NULL', '0', '(void *)0'):
                return [Leaf(task, 'no-ref', 'none',
                             'pages argument is NULL: no reference taken')], []
            m = re.fullmatch(r'&?\s*(' + IDENT + r')\s*(?:\[[^\]]*\])?'
                             r'(?:\s*\+\s*.*)?', a, re.S)
            if m:
                x = m.group(1)
                st, ptr, where = f.decl_type(x)
                if a.startswith('&') and st and not ptr and where == 'local':
                    return [Leaf(task, 'dropped', self.good(task),
                                 'kept in %s, a struct %s on the stack of '
                                 '%s()' % (x, st, f.name))], []
            elif '->' in a or '.' in a:
                return self.stored(task, re.sub(r'^\s*&\s*', '', a))
            else:
                return [Leaf(task, 'held', self.bad(task),
                             'reference carried by "%s", not followed' %
                             a)], []
        else:
            pre = prefix_of(f.src.text, task.off, f.start)
            if re.search(r'\breturn\s*\(?\s*$', pre):
                return [], [(f, ('ret',), 'returned by %s()' % f.name)]
            m = re.search(r'(\*?\s*' + IDENT + r'(?:\s*(?:->|\.)\s*' + IDENT +
                          r'|\s*\[[^\]]*\])*)\s*=\s*(?:\([^()]*\)\s*)?$', pre)
            if not m or re.search(r'[=!<>]\s*=\s*(?:\([^()]*\)\s*)?$', pre):
                return [Leaf(task, 'held', self.bad(task),
                             'result of %s() not kept in a variable' %
                             task.anchor)], []
            lhs = m.group(1).strip()
            if lhs.startswith('*'):
                before = pre[:m.start()].rstrip()
                if before and (before[-1].isalnum() or before[-1] in '_*'):
                    lhs = lhs.lstrip('* ')      # a declaration: T *x = ...
                else:
                    p = lhs.lstrip('* ')
                    i = f.param_index(p)
                    if i >= 0:
                        return [], [(f, ('arg', i), 'written to *%s' % p)]
                    return [Leaf(task, 'held', self.bad(task),
                                 'written through pointer %s' % p)], []
            if '->' in lhs or '.' in lhs or '[' in lhs:
                # kept in a member, but maybe released through it right
                # away (s390's short adapter pin: "map->page = ...;
                # unpin_user_page(map->page);")
                mem = re.sub(r'\s+', '', lhs)
                if '[' not in mem and not mem.startswith('*'):
                    released = self.is_released(task, mem)
                    if released:
                        return [Leaf(task, 'dropped', self.good(task),
                                     'released through %s %s' %
                                     (mem, released))], []
                return self.stored(task, lhs)
            x = lhs
        released = self.is_released(task, x)
        if released:
            return [Leaf(task, 'dropped', self.good(task),
                         'released %s' % released)], []
        return self.escapes(task, x)

    def through_member(self, task):
        """The callee wrote the reference to *arg->field (spec ('deref',
        k, field)): where does that pointer point in this function?
        (leaves, follow, None) when decided here, (None, None, variable)
        when a local variable of this function receives the reference."""
        f = task.func
        k, field = task.spec[1], task.spec[2]
        a = ' '.join(task.args[k].split()) if k < len(task.args) else ''
        m = re.fullmatch(r'(&?)\s*(' + IDENT + r')', a)
        if not m:
            return ([Leaf(task, 'held', self.bad(task),
                          'reference written to *(%s)->%s, not followed' %
                          (a or '?', field))], [], None)
        b = m.group(2)
        i = f.param_index(b)
        if not m.group(1) and i >= 0:
            return ([], [(f, ('deref', i, field),
                          'written to *%s->%s' % (b, field))], None)
        body = f.body
        before = body[:task.off - f.start]
        inits = struct_init(before, b)
        if task.cond:
            cf, need = task.cond
            have = member_value(before, b, cf, inits)
            if have is not None and have != need:
                # the call sits in a branch this caller never takes
                return [], [], None
        val = None
        for vm in re.finditer(r'(?:(?<![\w>.])' + re.escape(b) +
                              r'\s*(?:->|\.)\s*|[{,]\s*\.)' +
                              re.escape(field) + r'\s*=(?!=)\s*([^;,}]*)',
                              before):
            val = ' '.join(vm.group(1).split())
        if val is None:
            return ([Leaf(task, 'held', self.bad(task),
                          'reference written to *%s.%s, which is not set '
                          'here' % (b, field))], [], None)
        vm = re.fullmatch(r'&\s*(' + IDENT + r')', val)
        if vm:
            return None, None, vm.group(1)
        vm = re.fullmatch(r'&\s*(' + IDENT + r'\s*(?:->|\.)\s*' + IDENT +
                          r')', val)
        if vm:
            lv, fo = self.stored(task, vm.group(1))
            return lv, fo, None
        j = f.param_index(val)
        if j >= 0:
            return [], [(f, ('arg', j), 'written to *%s' % val)], None
        return ([Leaf(task, 'held', self.bad(task),
                      'reference written to *(%s), not followed' % val)],
                [], None)

    def escapes(self, task, x):
        f = task.func
        body = f.body
        rel_off = task.off - f.start
        leaves, follow, stores = [], [], []
        param_follow = None

        # The pages argument itself: a parameter (the caller's array) or a
        # local pointing into an object.
        if task.spec[0] == 'arg':
            i = f.param_index(x)
            am = None
            for m2 in re.finditer(r'(?<![\w>.])' + re.escape(x) +
                                  r'\s*=(?!=)\s*([^;]*);', body[:rel_off]):
                lead = body[:m2.start()].rstrip()
                if lead.endswith('*') and \
                        not re.search(r'\w\s*\**$', lead):
                    continue            # *x = ...: through x, not x
                am = m2
            if am and am.group(1).lstrip().startswith('{'):
                am = None               # an initializer, not an alias
            inner = self.points_into(f, am.group(1)) if am else None
            if inner:
                stores.append((f, inner))
                am = None
            if am and ('->' in am.group(1) or '.' in am.group(1)) and \
                    not re.search(r'\b(k\w*alloc\w*|vmalloc\w*|'
                                  r'kvmalloc\w*|kcalloc)\s*\(', am.group(1)):
                stores.append((f, am.group(1).strip()))
            elif i >= 0 and not am:
                param_follow = (f, ('arg', i), 'fills the pages array of '
                                'its caller (parameter %s)' % x)
        # Start after the call itself: what the call returns is not the
        # reference when the reference is in an argument.
        o = body.find('(', rel_off)
        c = match_paren(body, o) if o >= 0 else -1
        start = c + 1 if c > 0 and task.spec[0] != 'ret' else rel_off
        # The variable may carry the next reference later on (vsie.c's
        # pin_blocks() reuses hpa for six pins): what follows its next
        # assignment is that reference's, not this one's.
        # Looked for after the statement holding the call (an "else" of
        # that statement taking the reference into the same variable is
        # the other branch, not a later one).
        # From such an assignment to the end of its block, x is another
        # reference (a conditional "va = NULL;" ends with its block).
        view = body
        after = max(start, statement_end(body, rel_off))
        for rd in re.finditer(r'(?<![\w>.])(?:&\s*' + re.escape(x) +
                              r'\b|' + re.escape(x) + r'\s*=(?!=))',
                              body[after:]):
            r = after + rd.start()
            blocks = enclosing_blocks(body, r)
            e = blocks[0][1] if blocks else len(body) - 1
            a = max(body.rfind(';', 0, r), body.rfind('{', 0, r),
                    body.rfind('}', 0, r)) + 1
            view = view[:a] + re.sub(r'[^\n]', ' ', view[a:e]) + view[e:]
        # ... or is passed again to the same call (pci.c's pages array)
        for rd in re.finditer(r'\b' + re.escape(task.anchor) + r'\s*\(',
                              body[after:]):
            r = after + rd.start()
            o = body.index('(', r)
            c = match_paren(body, o)
            if c < 0 or not mentions(body[o + 1:c], {x}):
                continue
            blocks = enclosing_blocks(body, r)
            e = blocks[0][1] if blocks else len(body) - 1
            a = max(body.rfind(';', 0, r), body.rfind('{', 0, r),
                    body.rfind('}', 0, r)) + 1
            view = view[:a] + re.sub(r'[^\n]', ' ', view[a:e]) + view[e:]
        names = {x} | aliases(view, {x}, start)
        lv, fo, st = self.flow(task, f, view[start:], names, 0)
        leaves += lv
        follow += fo
        stores += st
        seen = set()
        for g, lhs in stores:
            lhs = ' '.join(lhs.split())
            if (g.name, lhs) in seen:
                continue
            seen.add((g.name, lhs))
            lv, fo = self.stored(task, lhs, g)
            leaves.extend(lv)
            follow.extend(fo)
        if not leaves and not follow and param_follow:
            follow.append(param_follow)
        if not leaves and not follow:
            leaves.append(Leaf(task, 'held', self.bad(task),
                               'not released on every path after the call'
                               ' and not handed on (%s)%s' % (
                                   x, '; ' + task.note if task.note else
                                   '')))
        return leaves, follow

    def points_into(self, f, rhs):
        """'p->(...)' when rhs is a call of a helper of the unit that
        returns a pointer into the object its parameter points at
        (get_entries(w) returning w->raw_entries - 1), p being what f
        passes there; else None."""
        m = re.fullmatch(r'\s*(' + IDENT + r')\s*\((.*)\)\s*', rhs, re.S)
        if not m:
            return None
        g = self.local_function(f, m.group(1))
        args = split_args(m.group(2))
        if g is None or len(g.params) != len(args):
            return None
        for k, (p, _) in enumerate(g.params):
            for r in re.finditer(r'\breturn\b([^;]*);', g.body):
                if re.match(r'\s*&?\s*\(?\s*' + re.escape(p) +
                            r'\s*->', r.group(1)) and \
                        re.fullmatch(IDENT, args[k].strip()):
                    return '%s->(via %s())' % (args[k].strip(), g.name)
        return None

    def flow(self, task, f, text, names, depth):
        """Where the reference (names) goes in text, a piece of f's body:
        (leaves, follow-ups, [(function, lvalue) it is stored into])."""
        leaves, follow, stores = [], [], []
        for m in re.finditer(r'\breturn\b([^;]*);', text):
            if depth == 0 and derived_expr(m.group(1), names):
                follow.append((f, ('ret',), 'returned by %s()' % f.name))
                break
        for m in re.finditer(r'(?<![=!<>&|+\-*/%^])((?:\*\s*)?' + IDENT +
                             r'(?:\s*(?:->|\.)\s*' + IDENT +
                             r'|\s*\[[^\]]*\])*)\s*=(?!=)([^;]*);', text):
            lhs, rhs = m.group(1).strip(), m.group(2)
            if not derived_expr(rhs, names):
                continue
            prev = text[:m.start()].rstrip()
            if lhs.startswith('*') and prev and (prev[-1].isalnum() or
                                                 prev[-1] in '_*'):
                lhs = lhs.lstrip('* ')     # a declaration: T *y = ...
            lv, fo, st = self.assign(task, f, lhs, names, depth)
            leaves += lv
            follow += fo
            stores += st
            if ('->' in lhs or '.' in lhs) and '[' not in lhs:
                # copied on from there (s390 zPCI: "kzdev->fib.fmt0.aibv
                # = fib->fmt0.aibv")
                names.add(re.sub(r'\s+', '', lhs))
        # Handed to a helper defined here: what does the helper do with it?
        if depth < 2:
            skip = self.releasers | CONVERTERS | KEYWORDS | {f.name,
                                                             task.anchor}
            for m in re.finditer(r'\b(' + IDENT + r')\s*\(', text):
                g = m.group(1)
                if g in skip or '_to_' in g:
                    continue
                o = m.end() - 1
                c = match_paren(text, o)
                if c < 0:
                    continue
                args = split_args(text[o + 1:c])
                ks = [k for k, a in enumerate(args) if derived_expr(a, names)]
                if not ks:
                    continue
                gf = self.local_function(f, g)
                if gf is None or len(gf.params) != len(args):
                    continue
                for k in ks:
                    p = gf.params[k][0]
                    gn = {p} | aliases(gf.body, {p})
                    lv, fo, st = self.flow(task, gf, gf.body, gn, depth + 1)
                    leaves += lv
                    for item in st:
                        if item[0] != 'param':
                            stores.append(item)
                            continue
                        # the helper wrote it through its parameter j:
                        # into what this function passed there
                        lhs = in_caller(item[2], gf.params[item[1]][0],
                                        args[item[1]])
                        if lhs is None:
                            leaves.append(Leaf(
                                task, 'held', self.bad(task),
                                'written to %s by %s(), argument "%s" not '
                                'followed' % (item[2], g, args[item[1]]),
                                func=f, src=f.src, line=f.line))
                            continue
                        lv, fo, st2 = self.assign(task, f, lhs, names,
                                                  depth)
                        leaves += lv
                        follow += fo
                        stores += st2
        return leaves, follow, stores

    def assign(self, task, f, lhs, names, depth):
        """The reference (names) is assigned to lhs in f: (leaves,
        follow-ups, stores).  A store through a parameter of a helper
        (depth > 0) is returned as ('param', index, lhs) for its caller."""
        base = re.match(r'\*?\s*(' + IDENT + r')', lhs).group(1)
        i = f.param_index(base)
        if depth > 0 and i >= 0 and lhs.startswith('*'):
            return [], [], [('param', i, lhs)]
        if lhs.startswith('*'):
            mm = re.fullmatch(r'\*\s*' + IDENT + r'\s*->\s*(' + IDENT + r')',
                              lhs)
            if i >= 0 and mm:
                return [], [(f, ('deref', i, mm.group(1)),
                             'written to %s' % lhs)], []
            if i >= 0 and re.fullmatch(r'\*\s*' + IDENT, lhs):
                return [], [(f, ('arg', i), 'written to *%s' % base)], []
            if i >= 0:
                return [Leaf(task, 'held', self.bad(task),
                             'written to %s, not followed' % lhs, func=f,
                             src=f.src, line=f.line)], [], []
            return [], [], [(f, lhs)]
        if '->' in lhs or '.' in lhs or '[' in lhs:
            return [], [], [(f, lhs)]
        if base not in names:
            _, _, where = f.decl_type(base)
            if where is None:
                return [Leaf(task, 'held', self.bad(task),
                             'kept in global %s' % base, func=f,
                             src=f.src, line=f.line)], [], []
        return [], [], []

    def local_function(self, f, name):
        """The definition of name in f's file or the unit's files."""
        for g in f.src.funcs:
            if g.name == name:
                return g
        for path in sorted(self.code):
            for g in self.srcs[path].funcs:
                if g.name == name and not g.static:
                    return g
        return None

    @staticmethod
    def bad(task):
        return 'held-foll-get' if task.kind == 'get' else 'foll-pin'

    @staticmethod
    def good(task):
        return 'dropped-foll-get' if task.kind == 'get' else 'foll-pin'
