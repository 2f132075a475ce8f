// SPDX-License-Identifier: GPL-2.0
/*
 * pinkit: list or run the pin-coherency cases.
 *
 * Exit status: 0 nothing failed, 1 a case failed, 2 could not run at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pinkit.h"

static int cmd_list(const struct pk_case *cases, size_t n,
		    const struct pk_opts *o)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pk_filter_match(o->filter, cases[i].name))
			printf("%s\n", cases[i].name);
	return fflush(stdout) ? 2 : 0;
}

static int cmd_run(const struct pk_case *all, size_t nall,
		   const struct pk_opts *o, const char *prog)
{
	struct pk_report_entry *ent = NULL;
	struct pk_result *res = NULL;
	struct pk_case *sel = NULL;
	struct pk_env env;
	char err[512];
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
		if (pk_filter_match(o->filter, all[i].name))
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

	/* an RDMA device only when a selected case uses verbs */
	for (i = 0; i < n; i++)
		need_rdma |= !!(sel[i].kind->flags & PK_KF_VERBS);
	if (need_rdma &&
	    pk_dev_probe(o->device, o->gid, &env.dev, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		goto out_junit;
	}

	res = calloc(n, sizeof(*res));
	ent = calloc(n, sizeof(*ent));
	if (!res || !ent) {
		fprintf(stderr, "%s: out of memory for %zu results\n", prog, n);
		goto out_junit;
	}
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

int main(int argc, char **argv)
{
	const char *prog = "pinkit";
	struct pk_case *cases;
	struct pk_opts o;
	char err[512];
	unsigned int i;
	size_t n;
	int ret;

	if (pk_parse_args(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		pk_usage(stderr, prog);
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
	n = pk_expand(pk_rows, pk_nr_rows, NULL, 0);
	cases = calloc(n ? n : 1, sizeof(*cases));
	if (!cases) {
		fprintf(stderr, "%s: out of memory expanding %zu cases\n", prog, n);
		return 2;
	}
	pk_expand(pk_rows, pk_nr_rows, cases, n);
	if (o.cmd == PK_CMD_LIST)
		ret = cmd_list(cases, n, &o);
	else
		ret = cmd_run(cases, n, &o, prog);
	free(cases);
	return ret;
}
