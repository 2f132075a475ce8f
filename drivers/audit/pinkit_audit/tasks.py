# SPDX-License-Identifier: GPL-2.0
"""What the walk works on: a Task (a call that hands out a page
reference), a Leaf (where that reference ends: status, verdict and why),
Deferred (a struct lifetime is needed first); the statuses and verdicts in
their order.
"""


STATUS_ORDER = ['held', 'dropped', 'no-ref', 'no-caller']
VERDICTS = ['held-foll-get', 'dropped-foll-get', 'foll-pin', 'hmm', 'none']


class Leaf:
    """Where one page reference ends up."""

    def __init__(self, task, status, verdict, why, func=None, src=None,
                 line=None):
        self.task = task
        self.status = status            # held, dropped, no-ref, no-caller
        self.verdict = verdict
        self.why = why
        # The row is the acquisition site: the call of the last function
        # that hands the reference back (return value, out parameter, a
        # struct of its caller), also when the store that decides was
        # found in a helper (func/src/line, which why names).
        self.src, self.func, self.line = task.src, task.func, task.line


class Task:
    """A call that hands out a page reference, to be classified."""

    def __init__(self, unit, kind, chain, src, func, off, anchor, spec,
                 args):
        self.unit = unit
        self.kind = kind                # get | pin
        self.chain = chain              # [api, fn1, fn2, ...]
        self.src = src
        self.func = func
        self.off = off
        self.anchor = anchor
        self.spec = spec                # ('arg', k) | ('ret',) |
        #                                 ('deref', k, field): *arg_k->field
        self.args = args
        self.cond = None                # (field, value) the path needs
        self.note = None                # why it is not released, if said
        self.origin = None              # (src, func, line) of the page call

    @property
    def line(self):
        return self.src.line_of(self.off)


class Deferred(Exception):
    """A struct lifetime is needed: classify again once it is known."""
