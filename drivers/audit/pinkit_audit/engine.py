# SPDX-License-Identifier: GPL-2.0
"""Audit's rule engine for "released on every path after the call":
Coccinelle (cocci/released.cocci through spatch) or the text rules, with
the release functions known so far (derive_releasers()).
"""

import os
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

from .ctext import (IDENT, enclosing_blocks, enclosing_loop, match_paren,
                    mentions, prefix_of, statement_end)
from .refs import aliases, pointer_target
from .release import (balance_gets, blank_calls, releases,
                      text_released_same_block)


# the command's directory, drivers/audit, which holds cocci/
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COCCI_TEMPLATE = os.path.join(HERE, 'cocci', 'released.cocci')
# spatch processes at once: one per CPU this process may run on
JOBS = len(os.sched_getaffinity(0))


class Engine:
    """Part of Audit: the rule engine (use_spatch, released, cocci_done) and
    the release functions (releasers)."""

    def run_cocci(self, files, anchors):
        if not self.use_spatch or not files:
            return
        key = ('|'.join(sorted(anchors)), '|'.join(sorted(self.releasers)))
        todo = sorted(f for f in files if (f, key) not in self.cocci_done)
        self.cocci_done.update((f, key) for f in todo)
        self.released |= self.spatch(todo, anchors)

    def spatch(self, files, anchors, text=None):
        """(file, line, x) of the anchor calls of files whose reference x
        cocci/released.cocci (with the releasers known now) finds released;
        text: the text to read for the one file instead of the file itself
        (from a copy, with the file's directory for its includes)."""
        out = set()
        if not files:
            return out
        rel_re = '^(' + '|'.join(sorted(self.releasers)) + ')$'
        anc_re = '^(' + '|'.join(sorted(anchors)) + ')$'
        with open(COCCI_TEMPLATE) as f:
            sp = f.read()
        sp = sp.replace('@ANCHORS@', anc_re).replace('@RELEASERS@', rel_re)
        with tempfile.TemporaryDirectory(prefix='pinkit-audit.') as tmp:
            spf = os.path.join(tmp, 'released.cocci')
            with open(spf, 'w') as f:
                f.write(sp)

            def one(path):
                """spatch on one file: (stdout, ok); each call is its own
                process, so the files are spread over the CPUs."""
                cmd = ['spatch', '--very-quiet', '--no-show-diff',
                       '--timeout', '120', '--sp-file', spf, path]
                if text is not None:
                    cmd[-1] = os.path.join(tmp, os.path.basename(path))
                    cmd[-1:-1] = ['-I', os.path.dirname(path)]
                    with open(cmd[-1], 'w') as f:
                        f.write(text)
                try:
                    r = subprocess.run(cmd, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True,
                                       timeout=300, cwd=tmp)
                except subprocess.TimeoutExpired:
                    return '', False
                return r.stdout, r.returncode == 0

            with ThreadPoolExecutor(max_workers=JOBS) as pool:
                results = list(pool.map(one, files))
            for path, (stdout, ok) in zip(files, results):
                for l in stdout.splitlines():
                    p = l.split()
                    if len(p) == 4 and p[0] == 'RELEASED':
                        out.add((path if text is not None else
                                 os.path.abspath(p[1]), int(p[2]), p[3]))
                if not ok:
                    self.spatch_failures.append(self.rel(path))
        return out

    def derive_releasers(self):
        """Functions that pass a parameter (or a page/pfn derived from it)
        to a releaser become releasers too."""
        changed = True
        while changed:
            changed = False
            pat = re.compile(r'\b(' + '|'.join(sorted(self.releasers)) +
                             r')\s*\(')
            for path in sorted(self.code):
                for f in self.srcs[path].funcs:
                    if f.name in self.releasers or not f.params:
                        continue
                    body = f.body
                    if not pat.search(body):
                        continue
                    names = {p for p, _ in f.params}
                    names |= aliases(body, names)
                    for m in pat.finditer(body):
                        o = body.index('(', m.end() - 1)
                        c = match_paren(body, o)
                        if c > 0 and mentions(body[o + 1:c], names):
                            self.releasers.add(f.name)
                            changed = True
                            break

    def is_released(self, task, x):
        """How the reference that x carries after the call of task is
        released before the function returns, or None.  A further get of x
        (get_page(x) ...) needs a put of its own: the balanced pairs are
        left out first (balance_gets()), what is left decides."""
        f = task.func
        body = f.body
        rel = task.off - f.start
        names = {x} | aliases(body, {x}, rel)
        target = pointer_target(body, x, rel)
        if target:
            names.add(target)
        after = statement_end(body, rel)
        nxt = re.compile(r'(?<![\w>.])(?:&\s*' + re.escape(x) + r'\b|' +
                         re.escape(x) + r'\s*=(?!=))').search(body, after)
        pairs, stray = balance_gets(body, after, nxt.start() if nxt else
                                    len(body), names, self.releasers)
        if stray:
            task.note = '%s (line %d) takes one more reference, which no ' \
                'put after it balances on every path' % (
                    ' '.join(body[stray[0]:stray[1]].split()),
                    f.src.line_of(f.start + stray[0]))
            return None
        spans = [s for g, rels in pairs for s in [g] + rels]
        how = self.released_in(task, x, names, spans)
        if pairs:
            bal = '; '.join('%s (line %d) against %s' % (
                ' '.join(body[ga:gb].split()), f.src.line_of(f.start + ga),
                ', '.join('%s (line %d)' % (' '.join(body[a:b].split()),
                                            f.src.line_of(f.start + a))
                          for a, b in rels))
                for (ga, gb), rels in pairs)
            if how:
                how += ', besides %s' % bal
            else:
                task.note = '%s, and no put is left for the reference of ' \
                    'the call' % bal
        return how

    def released_in(self, task, x, names, spans):
        """is_released() with the calls at spans (offsets in the function's
        body: balanced gets and puts) made '0'."""
        f = task.func
        rel = task.off - f.start

        def view(text):
            if not spans:
                return text
            return text[:f.start] + blank_calls(text[f.start:f.end + 1],
                                                spans) + text[f.end + 1:]
        text = view(f.src.text)
        body = text[f.start:f.end + 1]
        if self.use_spatch:
            if spans:
                found = (task.src.path, task.line, x) in self.spatch(
                    [task.src.path], [task.anchor], view(f.src.raw))
            else:
                found = (task.src.path, task.line, x) in self.released
            how = 'on every path after the call (coccinelle)'
        else:
            found = text_released_same_block(f, task.off, x, self.releasers,
                                             text)
            how = 'on every path after the call (text rule)'
        if found:
            # Coccinelle does not follow a path around a loop a second
            # time, so a call in a loop whose release sits in one branch
            # looks released; ask for a release in the rest of the
            # loop body itself.
            loop = enclosing_loop(body, rel)
            if loop is None or releases(body[loop[0]:loop[1] + 1],
                                        rel - loop[0], names,
                                        self.releasers):
                return how
        # a test of the call's result (or of the reference) is the
        # failure path, which took no reference
        results = set(names)
        rm = re.search(r'(' + IDENT + r')\s*=\s*(?:\([^()]*\)\s*)?$',
                       prefix_of(task.src.text, task.off, task.func.start))
        if rm:
            results.add(rm.group(1))
        if releases(body, rel, names, self.releasers, results):
            return 'before %s() returns' % task.func.name
        # the call sits in an inner block (a loop body, an "if (src)
        # {...}"): a release later in an enclosing block counts too
        for a, b in enclosing_blocks(body, rel):
            if releases(body[a:b + 1], rel - a, names, self.releasers,
                        results):
                return 'later in the enclosing block of %s()' % \
                    task.func.name
        return None
