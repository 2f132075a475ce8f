# SPDX-License-Identifier: GPL-2.0
"""Audit's reading of the tree: the sources it loaded, grep over the tree
(or the files of a --dir run), and the call sites of functions in a
source.
"""

import os
import re
import subprocess

from .apis import TREE_EXCLUDES
from .ctext import match_paren, split_args
from .source import Src


class Files:
    """Part of Audit: the files (root, scope_files, srcs, code), grep, call
    sites."""

    def rel(self, path):
        return os.path.relpath(path, self.root)

    def load(self, path, code=False):
        path = os.path.abspath(path)
        if path not in self.srcs:
            self.srcs[path] = Src(path, self.rel(path))
        if code:
            self.code.add(path)
        return self.srcs[path]

    def _grep(self, opts, patterns, headers, where=None):
        cmd = ['grep', '-r'] + opts + ['--include=*.c']
        if headers:
            cmd.append('--include=*.h')
        for d in TREE_EXCLUDES:
            cmd.append('--exclude-dir=' + d)
        for p in patterns:
            cmd += ['-e', p]
        cmd.append(where or self.root)
        r = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True,
                           errors='replace')
        return r.stdout.splitlines()

    def _scope(self, headers):
        return [f for f in self.scope_files
                if f.endswith('.c') or (headers and f.endswith('.h'))]

    def grep_files(self, regex, words=False, headers=False):
        """.c (and .h) files in scope matching an extended regex."""
        if self.scope_files is not None:
            pat = re.compile(r'\b(?:' + regex + r')\b' if words else regex)
            out = []
            for f in self._scope(headers):
                with open(f, encoding='utf-8', errors='replace') as fh:
                    if pat.search(fh.read()):
                        out.append(f)
            return out
        return sorted(set(self._grep(['-lE'] + (['-w'] if words else []),
                                     [regex], headers)))

    def grep_fixed_lines(self, strings, tree=False):
        """(file, line, text) of .c/.h lines holding one of the strings as
        whole words; with tree, those of the whole kernel tree a --dir
        target lies in (where its structs are declared and embedded)."""
        if tree and self.scope_files is not None and self.ktree:
            out = []
            for l in self._grep(['-nwF'], strings, True, self.ktree):
                p = l.split(':', 2)
                if len(p) == 3 and p[1].isdigit():
                    out.append((p[0], int(p[1]), p[2]))
            return out
        if self.scope_files is not None:
            pats = [re.compile(r'(?<!\w)' + re.escape(s) + r'(?!\w)')
                    for s in strings]
            out = []
            for f in self._scope(True):
                with open(f, encoding='utf-8', errors='replace') as fh:
                    for i, l in enumerate(fh, 1):
                        if any(p.search(l) for p in pats):
                            out.append((f, i, l.rstrip('\n')))
            return out
        out = []
        for l in self._grep(['-nwF'], strings, True):
            p = l.split(':', 2)
            if len(p) == 3 and p[1].isdigit():
                out.append((p[0], int(p[1]), p[2]))
        return out

    def call_sites(self, src, names):
        """(func, offset of the name, name, args) of calls in bodies."""
        out = []
        if not names:
            return out
        pat = re.compile(r'\b(' + '|'.join(re.escape(n) for n in names) +
                         r')\s*\(')
        for m in pat.finditer(src.text):
            f = src.func_at(m.start())
            if not f or m.start() < f.start:
                continue
            o = src.text.index('(', m.end() - 1)
            c = match_paren(src.text, o)
            if c < 0:
                continue
            out.append((f, m.start(), m.group(1),
                        split_args(src.text[o + 1:c])))
        return out
