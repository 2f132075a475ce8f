// SPDX-License-Identifier: GPL-2.0
/*
 * pinkit: list or run the pin-coherency cases.
 *
 * Exit status: 0 nothing failed, 1 a case failed, 2 could not run at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <inttypes.h>
#include <time.h>
#include <unistd.h>

#include "pinkit-soak.h"

/* A filter that selects nothing is an error for list as for run: exit 2. */
static int cmd_list(const struct pk_case *cases, size_t n,
		    const struct pk_opts *o, const char *prog)
{
	size_t i, shown = 0;

	for (i = 0; i < n; i++) {
		if (pk_case_match(o->filter, &cases[i])) {
			printf("%s\n", cases[i].name);
			shown++;
		}
	}
	if (fflush(stdout))
		return 2;
	if (!shown) {
		fprintf(stderr, "%s: --filter '%s' selects no case; '%s list' without it names them all\n",
			prog, o->filter ? o->filter : "", prog);
		return 2;
	}
	return 0;
}

/*
 * Open the RDMA device into @env only when a selected case uses verbs,
 * and allocate @n results and report entries.  Returns -1 (the message
 * printed, nothing allocated), 0 no device needed, 1 probed.
 */
static int run_setup(const struct pk_case *sel, size_t n,
		     const struct pk_opts *o, struct pk_env *env,
		     struct pk_result **res, struct pk_report_entry **ent,
		     const char *prog)
{
	char err[512];
	bool verbs = false;
	size_t i;

	for (i = 0; i < n; i++)
		verbs |= !!(sel[i].kind->flags & PK_KF_VERBS);
	if (verbs &&
	    pk_dev_probe(o->device, o->gid, &env->dev, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	*res = calloc(n, sizeof(**res));
	*ent = calloc(n, sizeof(**ent));
	if (!*res || !*ent) {
		fprintf(stderr, "%s: out of memory for %zu results\n", prog, n);
		free(*res);
		free(*ent);
		*res = NULL;
		*ent = NULL;
		return -1;
	}
	return verbs;
}

static int cmd_run(const struct pk_case *all, size_t nall,
		   const struct pk_opts *o, const char *prog)
{
	struct pk_report_entry *ent = NULL;
	struct pk_result *res = NULL;
	struct pk_case *sel = NULL;
	struct pk_env env;
	size_t i, n = 0, pass, fail, skip;
	double t0 = pk_now(), secs;
	FILE *junit = NULL;
	bool need_rdma = false;
	int ret = 2;

	memset(&env, 0, sizeof(env));
	env.iterations = o->iterations;
	env.timeout = o->timeout;
	env.verbose = o->verbose;

	sel = calloc(nall ? nall : 1, sizeof(*sel));
	if (!sel) {
		fprintf(stderr, "%s: out of memory selecting cases\n", prog);
		return 2;
	}
	for (i = 0; i < nall; i++)
		if (pk_case_match(o->filter, &all[i]))
			sel[n++] = all[i];
	if (!n) {
		fprintf(stderr, "%s: --filter '%s' selects no case; see '%s list'\n",
			prog, o->filter ? o->filter : "", prog);
		goto out_sel;
	}

	/* the junit file must be writable before we spend minutes running */
	if (o->junit) {
		junit = fopen(o->junit, "we");
		if (!junit) {
			fprintf(stderr, "%s: cannot open --junit file %s: %s\n",
				prog, o->junit, strerror(errno));
			goto out_sel;
		}
	}

	ret = run_setup(sel, n, o, &env, &res, &ent, prog);
	if (ret < 0) {
		ret = 2;
		goto out_junit;
	}
	need_rdma = ret;
	ret = 2;
	if (!o->json) {
		pk_ktap_header(stdout, n);
		if (need_rdma)
			printf("# pinkit: device %s port %u gid %d (%s), %s\n",
			       env.dev.name, env.dev.port, env.dev.gid_index,
			       env.dev.gid_str,
			       env.dev.odp ? "ODP capable" : "no ODP");
		else
			printf("# pinkit: no selected case uses an RDMA device\n");
	}
	pk_suite_run(sel, n, &env, pk_case_fork, stdout, !o->json, res);
	secs = pk_now() - t0;

	for (i = 0; i < n; i++) {
		ent[i].name = sel[i].name;
		ent[i].group = sel[i].row->name;
		ent[i].res = &res[i];
	}
	pk_count(ent, n, &pass, &fail, &skip);
	if (o->json) {
		pk_json_write(stdout, ent, n, secs);
	} else {
		printf("# elapsed %.2f s for %zu cases (%u iteration%s each)\n",
		       secs, n, o->iterations, o->iterations == 1 ? "" : "s");
		pk_table_write(stdout, ent, n);
		pk_summary_write(stdout, ent, n);
	}
	if (junit) {
		if (pk_junit_write(junit, "pinkit", ent, n) || fflush(junit)) {
			fprintf(stderr, "%s: writing JUnit XML to %s failed: %s\n",
				prog, o->junit, strerror(errno));
			goto out_junit;
		}
	}
	ret = fail ? 1 : 0;
out_junit:
	if (junit && fclose(junit) && ret != 2) {
		fprintf(stderr, "%s: closing %s: %s\n", prog, o->junit,
			strerror(errno));
		ret = 2;
	}
	free(ent);
	free(res);
out_sel:
	free(sel);
	return ret;
}

/* FNV-1a: a case's schedule depends on its name, not on the filter. */
static uint64_t name_hash(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * UINT64_C(0x100000001b3);
	return h;
}

static int cmd_soak(const struct pk_opts *o, const char *prog)
{
	struct pk_case *sel = NULL;
	struct pk_report_entry *ent = NULL;
	struct pk_result *res = NULL;
	struct pk_soak_totals tot;
	struct pk_soak_opts so;
	struct pk_env env;
	size_t i, n = 0, nall = pk_soak_expand(NULL, 0), pass, fail, skip;
	double deadline;
	bool need_rdma = false;
	int ret = 2;

	memset(&env, 0, sizeof(env));
	memset(&tot, 0, sizeof(tot));
	env.iterations = 1;
	env.timeout = o->timeout;
	env.verbose = true;
	memset(&so, 0, sizeof(so));
	so.seed = o->have_seed ? o->seed :
		  name_hash("seed") ^ ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
	so.seconds = o->seconds;
	so.iterations = o->have_iterations ? o->iterations : 0;
	so.writers = o->writers;

	sel = calloc(nall ? nall : 1, sizeof(*sel));
	if (!sel) {
		fprintf(stderr, "%s: out of memory for %zu soak cases\n", prog,
			nall);
		return 2;
	}
	pk_soak_expand(sel, nall);
	for (i = 0; i < nall; i++)
		if (pk_case_match(o->filter, &sel[i]))
			sel[n++] = sel[i];
	if (!n) {
		fprintf(stderr, "%s: --filter '%s' selects no soak case (soak/BACKING/KIND)\n",
			prog, o->filter ? o->filter : "");
		goto out_sel;
	}
	ret = run_setup(sel, n, o, &env, &res, &ent, prog);
	if (ret < 0) {
		ret = 2;
		goto out_sel;
	}
	need_rdma = ret;

	pk_ktap_header(stdout, n);
	printf("# soak: seed=0x%016" PRIx64 " (replay: %s soak --seed 0x%016" PRIx64 "%s%s), %s %u, %ld CPUs%s%s\n",
	       so.seed, prog, so.seed, o->filter ? " --filter " : "",
	       o->filter ? o->filter : "",
	       so.iterations ? "disturbances per case" : "seconds",
	       so.iterations ? so.iterations : so.seconds,
	       sysconf(_SC_NPROCESSORS_ONLN), need_rdma ? ", device " : "",
	       need_rdma ? env.dev.name : "");
	fflush(stdout);
	deadline = pk_now() + so.seconds;
	for (i = 0; i < n; i++) {
		struct pk_soak_opts one = so;
		double left = deadline - pk_now();
		double t0 = pk_now();

		/* the time left, shared by the cases still to run */
		left = left / (double)(n - i);
		if (left < 1)
			left = 1;
		one.seed = so.seed ^ name_hash(sel[i].name);
		pk_result_init(&res[i]);
		pk_soak_combo(&sel[i], &env, &one, left, &res[i], &tot);
		res[i].seconds = pk_now() - t0;
		pk_ktap_result(stdout, i + 1, sel[i].name, &res[i], true);
		ent[i].name = sel[i].name;
		ent[i].group = "soak";
		ent[i].res = &res[i];
	}
	pk_soak_totals_write(stdout, &tot);
	pk_count(ent, n, &pass, &fail, &skip);
	pk_summary_write(stdout, ent, n);
	ret = fail ? 1 : 0;
	free(ent);
	free(res);
out_sel:
	free(sel);
	return ret;
}

int main(int argc, char **argv)
{
	const char *prog = "pinkit";
	struct pk_case *cases;
	struct pk_opts o;
	char err[1024];
	unsigned int i;
	size_t n;
	int ret;

	if (pk_parse_args(argc, argv, &o, err, sizeof(err))) {
		/* one line: the problem and where the usage is, not the usage */
		fprintf(stderr, "%s: %s; see '%s%s%s --help'\n", prog, err, prog,
			o.cmd == PK_CMD_NONE ? "" : " ", pk_cmd_name(o.cmd));
		return 2;
	}
	if (o.cmd == PK_CMD_HELP) {
		pk_usage(stdout, prog);
		return 0;
	}

	for (i = 0; i < o.nplugins; i++) {
		if (pk_kind_plugin_load(o.plugins[i], err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return 2;
		}
	}
	if (o.cmd == PK_CMD_LIST && o.kinds) {
		if (pk_kinds_report(stdout)) {
			fprintf(stderr, "%s: list --kinds: %s\n", prog,
				strerror(errno));
			return 2;
		}
		return fflush(stdout) ? 2 : 0;
	}
	n = pk_expand_run(NULL, 0);
	cases = calloc(n ? n : 1, sizeof(*cases));
	if (!cases) {
		fprintf(stderr, "%s: out of memory expanding %zu cases\n", prog,
			n);
		return 2;
	}
	pk_expand_run(cases, n);
	if (o.cmd == PK_CMD_LIST)
		ret = cmd_list(cases, n, &o, prog);
	else if (o.cmd == PK_CMD_SOAK)
		ret = cmd_soak(&o, prog);
	else
		ret = cmd_run(cases, n, &o, prog);
	free(cases);
	return ret;
}
