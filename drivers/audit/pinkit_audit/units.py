# SPDX-License-Identifier: GPL-2.0
"""Audit's step 1: the files that register an mmu notifier and the unit
(module) each is built into, from the Kbuild makefiles.
"""

import os
import re

from .apis import CORE_FILES, NOTIFIER_CALLS, NOTIFIER_OPS
from .ctext import IDENT
from .kbuild import kbuild_includers, kbuild_modules, kbuild_unit


class Units:
    """Part of Audit, step 1: notifier users and their units."""

    def notifier_files(self, only):
        calls = '|'.join(NOTIFIER_CALLS)
        ops = '|'.join(NOTIFIER_OPS)
        cand = self.grep_files(r'\b(' + calls + r')\s*\(|\bstruct\s+(' +
                               ops + r')\b')
        out = {}
        for path in cand:
            rel = self.rel(path)
            if rel in CORE_FILES:
                continue
            if only and not any(rel == o or rel.startswith(o.rstrip('/') +
                                                           '/')
                                for o in only):
                continue
            apis = self.registrations(self.load(path))
            if apis:
                out[path] = apis
        for path, apis in self.included_users().items():
            out.setdefault(path, apis)
        return out

    @staticmethod
    def registrations(src):
        """The notifier APIs src calls (in a function body) or defines
        ops of."""
        calls = '|'.join(NOTIFIER_CALLS)
        ops = '|'.join(NOTIFIER_OPS)
        call_re = re.compile(r'\b(' + calls + r')\s*\(')
        ops_re = re.compile(r'\bstruct\s+(' + ops + r')\s+' + IDENT +
                            r'\s*=')
        apis = []
        for m in call_re.finditer(src.text):
            if src.func_at(m.start()) and m.group(1) not in apis:
                apis.append(m.group(1))
        for m in ops_re.finditer(src.text):
            if m.group(1) not in apis:
                apis.append(m.group(1))
        return apis

    def unit_of(self, path):
        """(name, .c files, outside) of the module path is built into, read
        from the Kbuild makefiles (includes followed); the whole directory
        when they do not say.  outside: files of the module beyond the
        scope of a --dir run, read for notifier registrations only."""
        d = os.path.dirname(path)
        if self.scope_files is not None and len(self.scope_files) == 1:
            return self.rel(path), [path], []
        ktree = self.ktree or self.root
        md = d
        for _ in range(3):
            r = kbuild_unit(md, path, ktree)
            if r:
                name, files, _ = r
                return self.unit_files('%s [%s]' % (self.rel(md), name),
                                       files + [path])
            if md == ktree or len(md) <= len(ktree):
                break
            md = os.path.dirname(md)
        # built through a makefile that others include (virt/kvm's
        # Makefile.kvm): every module of the including makefiles
        if self.scope_files is None or self.ktree:
            files, dirs = [], []
            for inc in kbuild_includers(ktree, d):
                if self.scope_files is not None and not any(
                        os.path.dirname(f) == inc for f in self.scope_files):
                    continue
                mods, _ = kbuild_modules(inc, ktree)
                if mods and any(path in fs for fs in mods.values()):
                    dirs.append(inc)
                    for fs in mods.values():
                        files += fs
            if dirs:
                return self.unit_files('%s [modules of %s]' % (
                    self.rel(d), ', '.join(self.rel(x) for x in dirs)),
                    files + [path])
        if self.scope_files is not None:
            files = [f for f in self.scope_files
                     if os.path.dirname(f) == d and f.endswith('.c')]
        else:
            files = sorted(os.path.join(d, f) for f in os.listdir(d)
                           if f.endswith('.c'))
        return '%s [directory]' % self.rel(d), files, []

    def unit_files(self, name, files):
        files = sorted({f for f in files if os.path.isfile(f)})
        if self.scope_files is None:
            return name, files, []
        return (name, [f for f in files if f in self.scope_set],
                [f for f in files if f not in self.scope_set])

    def included_users(self):
        """--dir on a directory of a kernel tree: modules built there that
        take a notifier-registering file from outside (arch/powerpc/kvm,
        whose makefile includes virt/kvm/Makefile.kvm): {path: apis} of
        those outside files."""
        out = {}
        if self.scope_files is None or not self.ktree:
            return out
        dirs = sorted({os.path.dirname(f) for f in self.scope_files})
        for d in dirs:
            if not (os.path.isfile(os.path.join(d, 'Makefile')) or
                    os.path.isfile(os.path.join(d, 'Kbuild'))):
                continue
            mods, _ = kbuild_modules(d, self.ktree)
            for fs in (mods or {}).values():
                for f in fs:
                    if f in self.scope_set or not os.path.isfile(f):
                        continue
                    apis = self.registrations(self.load(f))
                    if apis:
                        out[f] = apis
        return out
