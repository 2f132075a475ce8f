# SPDX-License-Identifier: GPL-2.0
"""Kbuild: which .c files end up in the same object (the makefiles'
variables and includes read, every configuration at once), and the top of
the kernel tree a path lies in.
"""

import os
import re
import subprocess


_MK_ASSIGN = re.compile(r'^\s*(?:override\s+|export\s+)?([^\s:+?=#]+)\s*'
                        r'(::=|:=|\+=|\?=|=)\s*(.*)$')
_MK_INCLUDE = re.compile(r'^\s*-?(?:include|sinclude)\s+(.*)$')
_MK_REF = re.compile(r'\$[({]([^(){}$]*)[)}]')


def mk_expand(text, env, root, d):
    """Expand the make variables of text: $(srctree), $(src), $(obj) and
    those set in env; $(CONFIG_*) is 'y' (every configuration at once),
    anything else empty."""
    for _ in range(10):
        def sub(m):
            name = m.group(1).strip()
            if name.startswith('addprefix '):
                pre, _, lst = name[len('addprefix '):].partition(',')
                return ' '.join(pre + w for w in lst.split())
            if name == 'srctree':
                return root
            if name in ('src', 'obj'):
                return d
            if name.startswith('CONFIG_'):
                return 'y'
            return ' '.join(env.get(name, []))
        t = _MK_REF.sub(sub, text)
        if t == text:
            break
        text = t
    return text


def read_kbuild(d, root):
    """The variables of the makefile of directory d (Kbuild or Makefile),
    its includes read in place, every branch of every conditional taken:
    (variables, [included makefiles]) or None.  An assignment to a name
    holding $(CONFIG_*) adds to it, as other configurations would."""
    top = None
    for name in ('Kbuild', 'Makefile'):
        p = os.path.join(d, name)
        if os.path.isfile(p):
            top = p
            break
    if top is None:
        return None
    env, included = {}, []

    def read(path, level):
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
        text = re.sub(r'\\\n', ' ', text)
        for line in text.split('\n'):
            line = re.sub(r'#.*', '', line)
            m = _MK_INCLUDE.match(line)
            if m and level < 4:
                for inc in mk_expand(m.group(1), env, root, d).split():
                    inc = os.path.normpath(inc if os.path.isabs(inc) else
                                           os.path.join(d, inc))
                    if os.path.isfile(inc) and inc not in included:
                        included.append(inc)
                        read(inc, level + 1)
                continue
            m = _MK_ASSIGN.match(line)
            if not m or line.startswith('\t'):
                continue
            raw, op, val = m.groups()
            # obj-$(CONFIG_X) keeps its condition: the objects of one
            # obj-$(CONFIG_X) line set belong together
            name = raw if raw.startswith('obj-') else \
                mk_expand(raw, env, root, d).strip()
            if not name or ' ' in name:
                continue
            words = mk_expand(val, env, root, d).split()
            if op == '?=':
                env.setdefault(name, words)
            elif op == '+=' or '$(CONFIG_' in raw:
                env.setdefault(name, [])
                env[name] += [w for w in words if w not in env[name]]
            else:
                env[name] = words
    read(top, 0)
    return env, included


def kbuild_modules(d, root):
    """{object label: [.c files]} of what the makefile of d builds: a
    composite object (radeon.o: radeon-y, radeon-objs) with its parts, a
    single-file object grouped with the others of its obj-$(CONFIG_X)
    line set; and the makefiles it includes."""
    r = read_kbuild(d, root)
    if r is None:
        return None, []
    env, included = r
    comp = {}
    for name, words in env.items():
        m = re.fullmatch(r'(.+?)-(y|m|objs)', name)
        if m and m.group(1) != 'obj' and any(w.endswith('.o')
                                            for w in words):
            comp.setdefault(m.group(1), [])
            comp[m.group(1)] += [w for w in words
                                 if w not in comp[m.group(1)]]
    out = {}
    for name, words in env.items():
        m = re.fullmatch(r'obj-(.+)', name)
        if not m:
            continue
        single = []
        for w in words:
            if not w.endswith('.o'):
                continue
            base = w[:-2]
            if base in comp:
                parts = comp[base]
                out[base + '.o'] = sorted({
                    os.path.normpath(os.path.join(d, o[:-2] + '.c'))
                    for o in parts if o.endswith('.o') and
                    o[:-2] not in comp})
            else:
                single.append(os.path.normpath(os.path.join(d, base + '.c')))
        if single:
            out.setdefault('obj-%s' % m.group(1), [])
            out['obj-%s' % m.group(1)] += single
    return out, included


def kbuild_unit(md, path, root):
    """(object label, .c files, [md]) of the object the makefile in md
    builds path into, or None when it does not name path.  (A file that
    only an included makefile names, virt/kvm/Makefile.kvm, is found from
    the including makefiles: Audit.unit_of().)"""
    mods, _ = kbuild_modules(md, root)
    if not mods:
        return None
    for label, files in sorted(mods.items()):
        if path in files:
            return label, files, [md]
    return None


def kbuild_includers(root, d):
    """Makefiles of the tree (outside tools/) that include a makefile of
    directory d: [(their directory, included makefile)]."""
    cands = [os.path.join(d, f) for f in sorted(os.listdir(d))
             if f.startswith('Makefile.') or f == 'Kbuild']
    out = []
    if not cands:
        return out
    rels = [os.path.relpath(c, root) for c in cands]
    cmd = ['grep', '-rlE', '--include=Makefile', '--include=Kbuild',
           '--exclude-dir=tools', '--exclude-dir=.git',
           '^[[:space:]]*-?s?include.*(' + '|'.join(re.escape(r)
                                                   for r in rels) + ')',
           root]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True)
    for mk in sorted(r.stdout.splitlines()):
        md = os.path.dirname(os.path.abspath(mk))
        if md != d:
            out.append(md)
    return out


def kernel_root(path):
    """The top of the kernel tree path lies in, or None."""
    d = path if os.path.isdir(path) else os.path.dirname(path)
    while True:
        if all(os.path.isdir(os.path.join(d, x))
               for x in ('init', 'kernel', 'mm', 'arch')) and \
                os.path.isfile(os.path.join(d, 'Makefile')):
            return d
        up = os.path.dirname(d)
        if up == d:
            return None
        d = up
