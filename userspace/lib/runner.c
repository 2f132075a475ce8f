// SPDX-License-Identifier: GPL-2.0
/*
 * Running cases: every case runs in a forked child that opens its own
 * device context, so a crash, a hang or a wedged QP loses only that case.
 * The cases are registered as CUnit tests (one suite per table row) and
 * CUnit's start/complete handlers print the KTAP lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>

#include "pinkit.h"

static const char *signame(int sig)
{
	const char *s = sigabbrev_np(sig);

	return s ? s : "?";
}

static void child_main(const struct pk_case *c, const struct pk_env *env,
		       pk_case_fn fn, int wfd)
{
	struct pk_result r;
	double t0 = pk_now();
	const char *p;
	size_t left;

	/* stdout carries KTAP: nothing the child prints may land there */
	dup2(STDERR_FILENO, STDOUT_FILENO);
	pk_result_init(&r);
	fn(c, env, &r);
	r.seconds = pk_now() - t0;
	/* sizeof(r) <= PIPE_BUF: one write is atomic */
	p = (const char *)&r;
	left = sizeof(r);
	while (left) {
		ssize_t n = write(wfd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(3);
		p += n;
		left -= (size_t)n;
	}
	_exit(0);
}

void pk_case_fork(const struct pk_case *c, const struct pk_env *env,
		  struct pk_result *r)
{
	pk_fork_run(c, env, r, pk_case_run);
}

void pk_fork_run(const struct pk_case *c, const struct pk_env *env,
		 struct pk_result *r, pk_case_fn fn)
{
	unsigned int iters = env->iterations ? env->iterations : 1;
	double t0 = pk_now(), deadline;
	size_t got = 0;
	int pfd[2], status;
	bool timed_out = false;
	pid_t pid;

	_Static_assert(sizeof(struct pk_result) <= 4096,
		       "pk_result must fit in PIPE_BUF");
	pk_result_init(r);
	if (pipe2(pfd, O_CLOEXEC)) {
		pk_fail(r, "cannot create the result pipe: pipe2: %s",
			strerror(errno));
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		pk_fail(r, "cannot fork the case process: fork: %s",
			strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (pid == 0) {
		close(pfd[0]);
		child_main(c, env, fn, pfd[1]);
	}
	close(pfd[1]);

	deadline = t0 + (double)env->timeout * iters;
	while (got < sizeof(*r)) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int left = (int)((deadline - pk_now()) * 1000);
		ssize_t n;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		n = poll(&p, 1, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			timed_out = n == 0;
			break;
		}
		n = read(pfd[0], (char *)r + got, sizeof(*r) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(pfd[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	if (got != sizeof(*r)) {
		pk_result_init(r);
		if (timed_out)
			pk_fail(r, "timed out after %u s: the case process was killed (a CQ poll or a disturbance hung)",
				env->timeout * iters);
		else if (WIFSIGNALED(status))
			pk_fail(r, "the case process was killed by signal SIG%s (%s)",
				signame(WTERMSIG(status)),
				strsignal(WTERMSIG(status)));
		else
			pk_fail(r, "the case process exited with status %d without reporting a result",
				WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	} else if (WIFSIGNALED(status)) {
		pk_fail(r, "the case process was killed by signal SIG%s (%s) after reporting",
			signame(WTERMSIG(status)), strsignal(WTERMSIG(status)));
	}
	r->seconds = pk_now() - t0;
}

/* State shared with the CUnit callbacks, which take no user pointer. */
static struct {
	const struct pk_case *cases;
	size_t n;
	const struct pk_env *env;
	pk_case_fn fn;
	FILE *out;
	bool ktap;
	struct pk_result *res;
	CU_pTest *tests;
	size_t cur;
} run;

static void test_start(const CU_pTest test, const CU_pSuite suite)
{
	size_t i;

	(void)suite;
	/* CUnit runs tests in registration order; look it up anyway */
	for (i = 0; i < run.n; i++) {
		if (run.tests[(run.cur + i) % run.n] == test) {
			run.cur = (run.cur + i) % run.n;
			return;
		}
	}
}

static void case_test(void)
{
	const struct pk_case *c = &run.cases[run.cur];
	struct pk_result *r = &run.res[run.cur];

	run.fn(c, run.env, r);
	if (r->status == PK_FAIL)
		CU_assertImplementation(CU_FALSE, 0,
					r->reason[0] ? r->reason : "failed",
					c->name, "", CU_FALSE);
}

static void test_complete(const CU_pTest test, const CU_pSuite suite,
			  const CU_pFailureRecord failure)
{
	struct pk_result *r = &run.res[run.cur];

	(void)test;
	(void)suite;
	/* CUnit has no skip: a skip is a test without failures we marked */
	if (failure && r->status != PK_FAIL)
		pk_fail(r, "CUnit assertion failed: %s",
			failure->strCondition ? failure->strCondition : "?");
	if (run.ktap)
		pk_ktap_result(run.out, run.cur + 1, run.cases[run.cur].name,
			       r, run.env->verbose);
	run.cur++;
}

int pk_suite_run(const struct pk_case *cases, size_t n,
		 const struct pk_env *env, pk_case_fn fn, FILE *out,
		 bool ktap, struct pk_result *res)
{
	CU_pSuite suite = NULL;
	const char *group = NULL;
	size_t i;
	int ret = -1;

	memset(&run, 0, sizeof(run));
	run.tests = calloc(n ? n : 1, sizeof(*run.tests));
	if (!run.tests)
		return -1;
	if (CU_initialize_registry() != CUE_SUCCESS)
		goto out_free;
	for (i = 0; i < n; i++) {
		const char *g = cases[i].row->name;

		if (!group || strcmp(group, g)) {
			suite = CU_add_suite(g, NULL, NULL);
			if (!suite)
				goto out_reg;
			group = g;
		}
		run.tests[i] = CU_add_test(suite, cases[i].name, case_test);
		if (!run.tests[i])
			goto out_reg;
		pk_result_init(&res[i]);
	}
	run.cases = cases;
	run.n = n;
	run.env = env;
	run.fn = fn;
	run.out = out;
	run.ktap = ktap;
	run.res = res;
	CU_set_test_start_handler(test_start);
	CU_set_test_complete_handler(test_complete);
	if (CU_run_all_tests() == CUE_SUCCESS)
		ret = 0;
out_reg:
	CU_cleanup_registry();
out_free:
	free(run.tests);
	run.tests = NULL;
	return ret;
}
