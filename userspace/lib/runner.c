// SPDX-License-Identifier: GPL-2.0
/*
 * Running cases: every case runs in a forked child that opens its own
 * device context, so a crash, a hang or a wedged QP loses only that case.
 * pk_suite_run() walks the cases and prints a KTAP line per result.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/*
 * The suite loop, kselftest style: the cases in table order, one KTAP line
 * each as soon as it is known, so a console shows progress and a crash of
 * the runner itself still leaves every finished result behind.
 */
void pk_suite_run(const struct pk_case *cases, size_t n,
		  const struct pk_env *env, pk_case_fn fn, FILE *out,
		  bool ktap, struct pk_result *res)
{
	size_t i;

	for (i = 0; i < n; i++) {
		pk_result_init(&res[i]);
		fn(&cases[i], env, &res[i]);
		if (ktap)
			pk_ktap_result(out, i + 1, cases[i].name, &res[i],
				       env->verbose);
	}
}
