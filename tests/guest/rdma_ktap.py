#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""rdma_ktap.py TESTS-DIR [run_tests.py options...] - rdma-core's own
tests (the pyverbs suite, as Debian's python3-pyverbs ships it, unpacked in
TESTS-DIR) run as run_tests.py runs them (--dev rxe0, ...), each test's
result printed as a KTAP line as soon as it ends: "ok N
rdma-core/MODULE/CLASS/TEST", with " # SKIP reason" when rdma-core skipped
it (its own reason, on one line), "not ok" with the traceback as "# "
lines before it when it failed or raised.  A test left without a result
(the run died) is reported "not ok" at the end.  Exit status 1 when a test
failed, else 0."""
import os
import sys
import traceback
import unittest
from importlib.machinery import SourceFileLoader


def flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from flatten(t)
        else:
            yield t


def ktap_name(test_id):
    # tests.test_odp.OdpTestCase.test_odp_rc_traffic ->
    # rdma-core/test_odp/OdpTestCase/test_odp_rc_traffic
    parts = test_id.split('.')
    if parts[0] == 'tests':
        parts = parts[1:]
    return 'rdma-core/' + '/'.join(parts).replace(' ', '-')


def one_line(text):
    return ' '.join(str(text).split()) or 'no reason given'


class KtapResult(unittest.TestResult):
    def __init__(self, planned, out):
        super().__init__()
        self.planned = planned      # ids in plan order
        self.done = {}              # id -> True once printed
        self.out = out
        self.n = 0
        self.failed = 0
        self.pending = {}           # id -> (status, text)

    def emit(self, test_id, status, text=''):
        if test_id in self.done:
            return
        self.done[test_id] = True
        self.n += 1
        name = ktap_name(test_id)
        if status == 'fail':
            self.failed += 1
            for line in text.rstrip('\n').split('\n'):
                self.out.write('# ' + line + '\n')
            self.out.write('not ok %d %s\n' % (self.n, name))
        elif status == 'skip':
            self.out.write('ok %d %s # SKIP %s\n' % (self.n, name, one_line(text)))
        else:
            self.out.write('ok %d %s\n' % (self.n, name))
        self.out.flush()

    def note(self, test, status, text=''):
        # the first failure of a test (or of one of its subtests) stays
        tid = test.id()
        old = self.pending.get(tid)
        if old is None or old[0] != 'fail':
            self.pending[tid] = (status, text)

    def startTest(self, test):
        super().startTest(test)
        self.pending.pop(test.id(), None)

    def stopTest(self, test):
        super().stopTest(test)
        status, text = self.pending.pop(test.id(), ('pass', ''))
        self.emit(test.id(), status, text)

    def addSuccess(self, test):
        self.note(test, 'pass')

    def addFailure(self, test, err):
        self.note(test, 'fail', self._exc_info_to_string(err, test))

    def addError(self, test, err):
        text = self._exc_info_to_string(err, test)
        if isinstance(test, unittest.case.TestCase):
            self.note(test, 'fail', text)
        else:
            # setUpClass / setUpModule: every test it covers fails with it
            self.class_level(test, 'fail', text)

    def addSkip(self, test, reason):
        if isinstance(test, unittest.case.TestCase):
            self.note(test, 'skip', reason)
        else:
            self.class_level(test, 'skip', reason)

    def addExpectedFailure(self, test, err):
        self.note(test, 'pass')

    def addUnexpectedSuccess(self, test):
        self.note(test, 'fail', 'unexpected success\n')

    def addSubTest(self, test, subtest, err):
        if err is not None:
            self.note(test, 'fail', self._exc_info_to_string(err, test))

    def class_level(self, holder, status, text):
        # holder.description: "setUpClass (tests.test_x.Class)"
        desc = getattr(holder, 'description', str(holder))
        scope = desc[desc.find('(') + 1:desc.rfind(')')] if '(' in desc else desc
        hit = False
        for tid in self.planned:
            if tid.startswith(scope + '.') and tid not in self.done:
                self.emit(tid, status, '%s: %s' % (desc, text) if status == 'fail' else text)
                hit = True
        if not hit:
            self.out.write('# %s: %s\n' % (desc, one_line(text)))


def main():
    if len(sys.argv) < 2 or not os.path.isfile(os.path.join(sys.argv[1], '__init__.py')):
        sys.stderr.write('usage: rdma_ktap.py TESTS-DIR [--dev DEV ...]: TESTS-DIR must hold '
                         "rdma-core's unpacked tests (__init__.py, run_tests.py, test_*.py)\n")
        return 2
    tests_dir = os.path.abspath(sys.argv[1])
    sys.argv = [os.path.join(tests_dir, 'run_tests.py')] + sys.argv[2:]
    sys.path.insert(0, tests_dir)
    from args_parser import parser
    parser.parse_args()
    tests = SourceFileLoader('tests', os.path.join(tests_dir, '__init__.py')).load_module()
    loader = unittest.TestLoader()
    names = sys.argv[1:]
    if names:
        suite = loader.loadTestsFromNames(names, tests)
    else:
        suite = loader.loadTestsFromModule(tests)
    planned = [t.id() for t in flatten(suite)]
    out = sys.stdout
    out.write('KTAP version 1\n1..%d\n' % len(planned))
    out.flush()
    result = KtapResult(planned, out)
    try:
        suite.run(result)
    except BaseException:
        out.write('# the run stopped: %s\n' % one_line(traceback.format_exc().splitlines()[-1]))
    for tid in planned:
        if tid not in result.done:
            result.emit(tid, 'fail', 'no result: the run stopped before this test ended\n')
    return 1 if result.failed else 0


if __name__ == '__main__':
    sys.exit(main())
