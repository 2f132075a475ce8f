# SPDX-License-Identifier: GPL-2.0
"""The walker: Audit, made of the parts of the modules beside it, and its
run(): the notifier units, their page calls, each reference followed to
where it ends, one row per acquisition site.
"""

import time

from .apis import CORE_RELEASERS, GET_APIS, HMM_APIS, NOTIFIER_OPS, PIN_APIS
from .callers import Callers
from .engine import Engine
from .files import Files
from .follow import Follow
from .kbuild import kernel_root
from .refs import branch_cond
from .stored import Stored
from .tasks import STATUS_ORDER, VERDICTS, Deferred, Task
from .units import Units


class Audit(Files, Units, Engine, Follow, Stored, Callers):
    """The audit of a tree or a --dir target: the state that its parts share
    (the classes it is made of), and run()."""

    def __init__(self, root, scope_files, use_spatch, max_depth):
        self.root = root
        self.scope_files = scope_files  # None: the whole tree under root
        self.scope_set = set(scope_files or [])
        # the kernel tree root (or a --dir target) lies in: makefiles'
        # $(srctree)
        self.ktree = root if scope_files is None else kernel_root(root)
        self.use_spatch = use_spatch
        self.max_depth = max_depth
        self.srcs = {}
        self.code = set()               # files whose functions we analyse
        self.released = set()
        self.cocci_done = set()
        self.lifetimes = {}
        self.mreleasers = {}
        self.want_lifetime = set()
        self.releasers = set(CORE_RELEASERS)
        self.spatch_failures = []
        self.elapsed = 0.0

    def run(self, only):
        t0 = time.time()
        reg = self.notifier_files(only)
        units = {}
        for path, apis in sorted(reg.items()):
            name, files, _ = self.unit_of(path)
            u = units.setdefault(name, {'unit': name, 'notifier_files': {},
                                        'files': files})
            u['notifier_files'][self.rel(path)] = apis
        # A module that is part of a larger unit (s390's kvm.o, which
        # registers its own notifier, inside KVM's modules) is audited
        # with it, once.
        for name in sorted(units, key=lambda n: len(units[n]['files'])):
            u = units[name]
            for big in units.values():
                if big is not u and len(big['files']) > len(u['files']) \
                        and set(u['files']) <= set(big['files']):
                    big['notifier_files'].update(u['notifier_files'])
                    del units[name]
                    break
        for u in units.values():
            apis = {a for v in u['notifier_files'].values() for a in v}
            calls = {a for a in apis if a not in NOTIFIER_OPS}
            u['notifier_apis'] = sorted(calls or apis)
        page_names = list(GET_APIS) + list(PIN_APIS) + HMM_APIS
        rows, tasks = [], []
        for name in sorted(units):
            u = units[name]
            found = False
            for path in u['files']:
                src = self.load(path, code=True)
                for f, off, api, args in self.call_sites(src, page_names):
                    found = True
                    if api in HMM_APIS:
                        rows.append(self.row(name, src, f, src.line_of(off),
                                             [api], 'no-ref', 'hmm',
                                             'mirrors the page tables without'
                                             ' page references'))
                        continue
                    kind = 'get' if api in GET_APIS else 'pin'
                    table = GET_APIS.get(api) or PIN_APIS.get(api)
                    if table == 'ret':
                        spec = ('ret',)
                    else:
                        spec = ('arg', table.get(len(args), 99))
                    t = Task(name, kind, [api], src, f, off, api, spec,
                             args)
                    t.cond = branch_cond(f, off)
                    t.origin = (src, f, src.line_of(off))
                    tasks.append(t)
            u['page_api_found'] = found
        leaves = []
        depth = 0
        visited = set()
        while tasks:
            self.derive_releasers()
            by_file = {}
            for t in tasks:
                by_file.setdefault(t.src.path, set()).add(t.anchor)
            anchors = set().union(*by_file.values())
            self.run_cocci(list(by_file), anchors)
            follows = []
            pending = tasks
            while pending:
                retry = []
                for t in pending:
                    try:
                        lv, fo = self.classify(t)
                    except Deferred:
                        retry.append(t)
                        continue
                    leaves.extend(lv)
                    if any(lf.status == 'held' for lf in lv):
                        fo = []     # decided: held where it was taken
                    for fn, spec, why in fo:
                        k = (fn.src.path, fn.name, spec, t.kind)
                        if k not in visited:
                            visited.add(k)
                            follows.append((fn, spec, why, t))
                if retry:
                    self.compute_lifetimes()
                pending = retry
            depth += 1
            if not follows:
                break
            tasks, lv = self.callers(follows, depth)
            leaves.extend(lv)
        # One row per acquisition site and kind of reference: the leaves
        # of one call (stored in two members, reached through two page
        # calls of kvm_follow_pfn()) are one reference; the worst of them
        # decides.
        sites = {}
        for lf in leaves:
            k = (lf.task.unit, lf.src.rel, lf.line, lf.task.kind)
            sites.setdefault(k, []).append(lf)
        for k, group in sites.items():
            group.sort(key=lambda lf: STATUS_ORDER.index(lf.status))
            lf = group[0]
            whys = []
            for g in group:
                if g.status == lf.status and g.why not in whys:
                    whys.append(g.why)
            why = '; '.join(whys[:3]) + ('; ...' if len(whys) > 3 else '')
            rows.append(self.row(lf.task.unit, lf.src, lf.func, lf.line,
                                 lf.task.chain, lf.status, lf.verdict, why))
            o = lf.task.origin
            rows[-1]['origin'] = '%s:%d %s()' % (o[0].rel, o[2], o[1].name)
        for name, u in units.items():
            if any(r['unit'] == name for r in rows):
                continue
            for rel in u['notifier_files']:
                rows.append({'unit': name, 'file': rel, 'line': None,
                             'function': None, 'page_api': '-',
                             'held_dropped': '-', 'verdict': 'none',
                             'why': 'no page API called in %s' % name})
        for r in rows:
            r['notifier_api'] = ', '.join(units[r['unit']]['notifier_apis'])
        rows.sort(key=lambda r: (r['unit'], VERDICTS.index(r['verdict']),
                                 r['file'], r['line'] or 0))
        for u in units.values():
            u['files'] = [self.rel(f) for f in u['files']]
        self.elapsed = time.time() - t0
        return units, rows

    @staticmethod
    def row(unit, src, func, line, chain, status, verdict, why):
        api = chain[0]
        if len(chain) > 1:
            api += ' via %s()' % chain[-1]
            why = '%s [%s]' % (why, ' > '.join(chain))
        return {'unit': unit, 'file': src.rel, 'line': line,
                'function': func.name if func else None,
                'page_api': api, 'call_chain': chain,
                'held_dropped': status, 'verdict': verdict, 'why': why}
