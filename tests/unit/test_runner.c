// SPDX-License-Identifier: GPL-2.0
/*
 * The case runner: a case in a forked child, its result through a pipe;
 * a signal or a timeout is a named failure; the suite loop prints KTAP.
 */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "unit.h"

static const struct pk_row row_a = { .name = "ra", .invariant = "row a",
				     .backings = 1, .dirs = 1 };
static const struct pk_row row_b = { .name = "rb", .invariant = "row b",
				     .backings = 1, .dirs = 1 };

static void fn_pass(const struct pk_case *c, const struct pk_env *e,
		    struct pk_result *r)
{
	(void)c;
	(void)e;
	pk_diag(r, "pid %d", (int)getpid());
	usleep(200 * 1000);
}

static void fn_segv(const struct pk_case *c, const struct pk_env *e,
		    struct pk_result *r)
{
	(void)c;
	(void)e;
	(void)r;
	raise(SIGSEGV);
}

static void fn_hang(const struct pk_case *c, const struct pk_env *e,
		    struct pk_result *r)
{
	(void)c;
	(void)e;
	(void)r;
	for (;;)
		pause();
}

static void fn_exit(const struct pk_case *c, const struct pk_env *e,
		    struct pk_result *r)
{
	(void)c;
	(void)e;
	(void)r;
	_exit(7);
}

/* The case runs in another process and its diagnostics come back. */
static void fork_pass(void)
{
	struct pk_case c = { .name = "ra/x", .row = &row_a };
	struct pk_env env = { .timeout = 10, .iterations = 1 };
	struct pk_result r;
	char self[32];

	pk_fork_run(&c, &env, &r, fn_pass);
	CU_ASSERT_EQUAL(r.status, PK_PASS);
	snprintf(self, sizeof(self), "pid %d\n", (int)getpid());
	CU_ASSERT_PTR_NOT_NULL(strstr(r.diag, "pid "));
	CU_ASSERT_PTR_NULL(strstr(r.diag, self));
	/* the parent measures the case, which took 0.2 s */
	CU_ASSERT(r.seconds >= 0.2 && r.seconds < 5);
}

/* A child killed by a signal is a failure that names the signal. */
static void fork_signal(void)
{
	struct pk_case c = { .name = "ra/x", .row = &row_a };
	struct pk_env env = { .timeout = 10, .iterations = 1 };
	struct pk_result r;

	pk_fork_run(&c, &env, &r, fn_segv);
	CU_ASSERT_EQUAL(r.status, PK_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, "SIGSEGV"));
}

/* A child past its time limit is killed and named. */
static void fork_timeout(void)
{
	struct pk_case c = { .name = "ra/x", .row = &row_a };
	struct pk_env env = { .timeout = 1, .iterations = 1 };
	struct pk_result r;

	pk_fork_run(&c, &env, &r, fn_hang);
	CU_ASSERT_EQUAL(r.status, PK_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, "timed out after 1 s"));
}

static void fork_silent_exit(void)
{
	struct pk_case c = { .name = "ra/x", .row = &row_a };
	struct pk_env env = { .timeout = 10, .iterations = 1 };
	struct pk_result r;

	pk_fork_run(&c, &env, &r, fn_exit);
	CU_ASSERT_EQUAL(r.status, PK_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, "status 7"));
}

/* An ODP case on a device without ODP is skipped, and says why. */
static void odp_skip_says_why(void)
{
	struct pk_case c = { .name = "ra/x", .row = &row_a,
			     .kind = pk_kind_find("odp") };
	struct pk_env env = { .timeout = 10, .iterations = 1 };
	struct pk_result r;

	snprintf(env.dev.odp_why, sizeof(env.dev.odp_why),
		 "device has no ODP caps (test)");
	pk_result_init(&r);
	pk_case_run(&c, &env, &r);
	CU_ASSERT_EQUAL(r.status, PK_SKIP);
	CU_ASSERT_STRING_EQUAL(r.reason, "device has no ODP caps (test)");
}

/*
 * The ODP cases of issue 5 (munmap, munmap-remap, SEND/RECV) on a device
 * without ODP, as the stock kernel's rxe0 reports it: every one is
 * skipped with the probe's reason before it touches memory or verbs.
 */
static void odp_new_rows_skip(void)
{
	struct pk_env env = { .timeout = 10, .iterations = 1 };
	struct pk_case *c;
	size_t n, i, seen = 0;

	snprintf(env.dev.name, sizeof(env.dev.name), "rxe0");
	snprintf(env.dev.odp_why, sizeof(env.dev.odp_why),
		 "device has no ODP caps (rxe0: ibv_query_device_ex odp_caps.general_caps=0x0)");
	env.dev.atomics = true;
	n = pk_expand(pk_rows, pk_nr_rows, NULL, 0);
	c = calloc(n, sizeof(*c));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	pk_expand(pk_rows, pk_nr_rows, c, n);
	for (i = 0; i < n; i++) {
		enum pk_disturb d = c[i].row->disturb;
		struct pk_result r;

		if (c[i].kind != pk_kind_find("odp") ||
		    (d != PK_DIST_MUNMAP && d != PK_DIST_MUNMAP_REMAP &&
		     !pk_dir_is_msg(c[i].dir)))
			continue;
		seen++;
		pk_result_init(&r);
		pk_case_run(&c[i], &env, &r);
		CU_ASSERT_EQUAL(r.status, PK_SKIP);
		CU_ASSERT_STRING_EQUAL(r.reason, env.dev.odp_why);
	}
	/* the ODP munmap rows and the ODP SEND/RECV cases are there */
	CU_ASSERT(seen > 0);
	free(c);
}

/* ODP without the SEND/RECV RC caps: the SEND/RECV cases say so. */
static void odp_msg_needs_caps(void)
{
	static const struct pk_row row = { .name = "rm", .invariant = "row m",
					   .backings = 1, .dirs = 1 };
	struct pk_env env = { .timeout = 10, .iterations = 1 };
	enum pk_dir dirs[2] = { PK_DIR_CPU_WRITE_SEND, PK_DIR_RECV_CPU_READ };
	unsigned int i;

	snprintf(env.dev.name, sizeof(env.dev.name), "rxe0");
	env.dev.odp = true;
	env.dev.atomics = true;
	env.dev.odp_rc_caps = IBV_ODP_SUPPORT_READ | IBV_ODP_SUPPORT_WRITE |
			      IBV_ODP_SUPPORT_ATOMIC | IBV_ODP_SUPPORT_SEND;
	for (i = 0; i < 2; i++) {
		struct pk_case c = { .name = "rm/x", .row = &row,
				     .kind = pk_kind_find("odp"),
				     .backing = PK_BACK_ANON_4K,
				     .dir = dirs[i] };
		struct pk_result r;

		pk_result_init(&r);
		pk_case_run(&c, &env, &r);
		CU_ASSERT_EQUAL(r.status, PK_SKIP);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.reason,
					      "device ODP caps lack RC SEND/RECV (rxe0: rc_odp_caps=0x"));
	}
}

/* A CPU stand-in for a device: it copies through the page tables. */
static int cpu_attach(struct pk_kind_dev *d)
{
	d->scratch = calloc(1, d->scratch_len);
	return d->scratch ? 0 : -1;
}

static int cpu_detach(struct pk_kind_dev *d)
{
	free(d->scratch);
	d->scratch = NULL;
	return 0;
}

static int cpu_read(struct pk_kind_dev *d, const struct pk_xfer *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		memcpy(d->scratch + x[i].loff, d->addr + x[i].off, x[i].len);
	return 0;
}

static const struct pk_kind_ops cpu_kind = {
	.abi = PK_KIND_ABI, .name = "cpu", .read_name = "a CPU copy",
	.write_name = "-", .attach = cpu_attach, .detach = cpu_detach,
	.read = cpu_read,
};

/* capset(2) without libcap: drop CAP_SYS_ADMIN from every set. */
static int drop_sys_admin(void)
{
	struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };
	struct { uint32_t eff, perm, inh; } data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[0].eff &= ~(1u << 21);
	data[0].perm &= ~(1u << 21);
	data[0].inh &= ~(1u << 21);
	return (int)syscall(SYS_capset, &hdr, data);
}

static void fn_case_no_admin(const struct pk_case *c, const struct pk_env *e,
			     struct pk_result *r)
{
	if (drop_sys_admin()) {
		pk_fail(r, "capset: %s", strerror(errno));
		return;
	}
	pk_case_run(c, e, r);
}

/*
 * A row that asserts "no copies" cannot pass without seeing PFNs: without
 * CAP_SYS_ADMIN it is a SKIP that says so; with it, the same case passes.
 */
static void nocopy_needs_pfns(void)
{
	static const struct pk_row row = {
		.name = "nc", .invariant = "no copies", .disturb = PK_DIST_NONE,
		.backings = 1, .dirs = 1, .flags = PK_ROW_NOCOPY };
	struct pk_case c = { .name = "nc/anon-4k/cpu/cpu-write-rdma-read",
			     .row = &row, .kind = &cpu_kind,
			     .backing = PK_BACK_ANON_4K,
			     .dir = PK_DIR_CPU_WRITE_RDMA_READ };
	struct pk_env env = { .timeout = 20, .iterations = 1 };
	struct pk_result r;

	if (geteuid()) {
		ut_skip("not root: cannot compare with and without CAP_SYS_ADMIN");
		return;
	}
	pk_fork_run(&c, &env, &r, pk_case_run);
	CU_ASSERT_EQUAL(r.status, PK_PASS);
	pk_fork_run(&c, &env, &r, fn_case_no_admin);
	CU_ASSERT_EQUAL(r.status, PK_SKIP);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, "PFNs without CAP_SYS_ADMIN"));
}

/* In-process fake: status from the case name. */
static void fn_by_name(const struct pk_case *c, const struct pk_env *e,
		       struct pk_result *r)
{
	(void)e;
	if (strstr(c->name, "fail"))
		pk_fail(r, "broke at 0x10");
	else if (strstr(c->name, "skip"))
		pk_skip(r, "no feature");
}

struct suite_arg {
	struct pk_result res[3];
};

static void run_suite(FILE *f, void *arg)
{
	static const struct pk_case cases[3] = {
		{ .name = "ra/pass", .row = &row_a },
		{ .name = "ra/fail", .row = &row_a },
		{ .name = "rb/skip", .row = &row_b },
	};
	struct pk_env env = { .timeout = 10, .iterations = 1 };
	struct suite_arg *a = arg;

	pk_suite_run(cases, 3, &env, fn_by_name, f, true, a->res);
}

/*
 * The runner walks the cases in order and prints one KTAP line per case,
 * with the diagnostics of failures before it.
 */
static void suite_ktap_lines(void)
{
	struct suite_arg a;
	char *s;

	memset(&a, 0, sizeof(a));
	s = ut_capture(run_suite, &a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "ok 1 ra/pass\n# broke at 0x10\nnot ok 2 ra/fail\nok 3 rb/skip # SKIP no feature\n");
	CU_ASSERT_EQUAL(a.res[0].status, PK_PASS);
	CU_ASSERT_EQUAL(a.res[1].status, PK_FAIL);
	CU_ASSERT_EQUAL(a.res[2].status, PK_SKIP);
	free(s);
}

int ut_register_runner(void)
{
	CU_pSuite s = CU_add_suite("runner", NULL, NULL);

	if (!s)
		return -1;
	UT_ADD(s, fork_pass);
	UT_ADD(s, fork_signal);
	UT_ADD(s, fork_timeout);
	UT_ADD(s, fork_silent_exit);
	UT_ADD(s, odp_skip_says_why);
	UT_ADD(s, odp_new_rows_skip);
	UT_ADD(s, odp_msg_needs_caps);
	UT_ADD(s, suite_ktap_lines);
	UT_ADD(s, nocopy_needs_pfns);
	return 0;
}
