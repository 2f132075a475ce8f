# SPDX-License-Identifier: GPL-2.0
"""The source model: a C file (Src) read once and blanked, and the
function definitions found in it (Func: name, parameters, body offsets).
"""

import re

from .ctext import (ANNOTATIONS, IDENT, KEYWORDS, match_paren,
                    match_paren_back, split_args, strip_c)


class Func:
    def __init__(self, src, name, params, head, start, end, static):
        self.src = src
        self.name = name
        self.params = params            # [(name, type text)]
        self.head = head                # offset of the header
        self.start = start              # offset of '{'
        self.end = end                  # offset of '}'
        self.static = static

    @property
    def body(self):
        return self.src.text[self.start:self.end + 1]

    @property
    def line(self):
        return self.src.line_of(self.start)

    def param_index(self, name):
        for i, (p, _) in enumerate(self.params):
            if p == name:
                return i
        return -1

    def decl_type(self, name):
        """(struct name or None, is pointer, 'param'|'local'|None)."""
        for p, t in self.params:
            if p == name:
                m = re.search(r'\bstruct\s+(' + IDENT + r')\s*(\**)', t)
                if m:
                    return m.group(1), bool(m.group(2)), 'param'
                return None, '*' in t, 'param'
        body = self.body
        m = re.search(r'\bstruct\s+(' + IDENT + r')\s*((?:\*\s*)*)(?:'
                      + IDENT + r'\s*(?:\[[^\]]*\])?\s*(?:=[^;,]*)?,\s*'
                      r'\**\s*)*\b' + re.escape(name) + r'\b\s*[\[;=,)]',
                      body)
        if m:
            return m.group(1), '*' in m.group(2), 'local'
        if re.search(r'(?:^|[;{}(,])\s*(?:const\s+)?(?:unsigned\s+)?'
                     r'(?:struct\s+)?' + IDENT + r'[\s\*]+(?:const\s+)?\b'
                     + re.escape(name) + r'\b\s*(?:\[[^\]]*\]\s*)?[;=,]',
                     body):
            return None, False, 'local'
        return None, False, None


class Src:
    def __init__(self, path, rel):
        self.path = path
        self.rel = rel
        with open(path, encoding='utf-8', errors='replace') as f:
            self.raw = f.read()
        self.text = strip_c(self.raw)
        self._nl = [i for i, c in enumerate(self.text) if c == '\n']
        self.funcs = self._find_funcs()

    def line_of(self, off):
        lo, hi = 0, len(self._nl)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._nl[mid] < off:
                lo = mid + 1
            else:
                hi = mid
        return lo + 1

    def func_at(self, off):
        for f in self.funcs:
            if f.start < off < f.end:
                return f
        return None

    def _find_funcs(self):
        s = self.text
        funcs = []
        depth = 0
        last_top = 0            # after the last top-level ';' or '}'
        i = 0
        n = len(s)
        while i < n:
            c = s[i]
            if c == '{':
                if depth == 0:
                    f = self._func_header(last_top, i)
                    end = match_paren(s, i, '{', '}')
                    if end < 0:
                        break
                    if f:
                        name, params, static = f
                        funcs.append(Func(self, name, params, last_top, i,
                                          end, static))
                        i = end + 1
                        last_top = i
                        continue
                depth += 1
            elif c == '}':
                depth -= 1
                if depth == 0:
                    last_top = i + 1
            elif c == ';' and depth == 0:
                last_top = i + 1
            i += 1
        return funcs

    def _func_header(self, a, b):
        h = self.text[a:b].rstrip()
        while h.endswith(')'):
            # the '(' matching the final ')'
            o = match_paren_back(h, len(h) - 1)
            if o < 0:
                o = h.rfind('(')
            m = re.search(r'(' + IDENT + r')\s*$', h[:o])
            if not m:
                # a name built by a macro, "static bool
                # FNAME(prefetch_gpte)(...)" (x86's paging_tmpl.h): the
                # macro's argument names the function
                m = re.search(r'\b[A-Z][A-Z0-9_]*\s*\(\s*(' + IDENT +
                              r')\s*\)\s*$', h[:o])
            if not m:
                return None
            name = m.group(1)
            if ANNOTATIONS.match(name) and name not in ('__init',):
                pre = h[:m.start()].rstrip()
                if pre.endswith(')'):
                    h = pre
                    continue
            if name in KEYWORDS or '=' in h[:m.start()]:
                return None
            params = []
            for p in split_args(h[o + 1:-1]):
                p = p.strip()
                if not p or p == 'void' or p == '...':
                    continue
                fm = re.search(r'\(\s*\*\s*(' + IDENT + r')\s*\)', p)
                if fm:
                    params.append((fm.group(1), p))
                    continue
                pm = re.search(r'(' + IDENT + r')\s*(?:\[[^\]]*\]\s*)*$', p)
                if pm:
                    params.append((pm.group(1), p[:pm.start()].strip()))
            # a static inline in a header is seen by every includer
            static = re.search(r'\bstatic\b', h[:m.start()]) is not None \
                and not self.rel.endswith('.h')
            return name, params, static
        return None
