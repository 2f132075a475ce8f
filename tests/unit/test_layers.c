// SPDX-License-Identifier: GPL-2.0
/*
 * The library's units form a DAG: read the defined and undefined symbols
 * of every object in libpinkit.a with nm(1), draw an edge from a unit to each unit that
 * defines a symbol it uses, and look for a cycle.  Two units that call
 * each other are the smallest cycle.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define UNITS_MAX	64
#define SYMS_MAX	2048

static struct {
	char unit[UNITS_MAX][64];
	size_t nunits;
	char sym[SYMS_MAX][64];
	int def[SYMS_MAX];	/* defining unit, -1 none */
	size_t nsyms;
	bool edge[UNITS_MAX][UNITS_MAX];
	char uses[SYMS_MAX][64];
	int user[SYMS_MAX];
	size_t nuses;
} g;

static int unit_index(const char *path)
{
	const char *b = strrchr(path, '/');
	char name[64];
	size_t i;

	snprintf(name, sizeof(name), "%.63s", b ? b + 1 : path);
	name[strcspn(name, ".")] = '\0';
	for (i = 0; i < g.nunits; i++)
		if (!strcmp(g.unit[i], name))
			return (int)i;
	if (g.nunits == UNITS_MAX)
		return -1;
	snprintf(g.unit[g.nunits], sizeof(g.unit[0]), "%s", name);
	return (int)g.nunits++;
}

/* Read "lib.a:unit.o:ADDR T sym" / "lib.a:unit.o:  U sym" of nm -A. */
static int read_nm(void)
{
	char line[512];
	FILE *p;

	memset(&g, 0, sizeof(g));
	p = popen("nm -A " PK_LIB_ARCHIVE " 2>&1", "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		char *member = strstr(line, ".a:"), *colon, type, sym[64];
		int u;

		if (!member || !(colon = strchr(member + 3, ':')))
			continue;
		*colon = '\0';
		u = unit_index(member + 3);
		if (u < 0 || sscanf(colon + 1, "%*[0-9a-f ]%c %63s", &type, sym) != 2)
			continue;
		if (type == 'U' && g.nuses < SYMS_MAX) {
			snprintf(g.uses[g.nuses], sizeof(g.uses[0]), "%s", sym);
			g.user[g.nuses++] = u;
		} else if (strchr("TDRBC", type) && g.nsyms < SYMS_MAX) {
			snprintf(g.sym[g.nsyms], sizeof(g.sym[0]), "%s", sym);
			g.def[g.nsyms++] = u;
		}
	}
	return pclose(p) ? -1 : 0;
}

static void build_edges(void)
{
	size_t i, j;

	for (i = 0; i < g.nuses; i++)
		for (j = 0; j < g.nsyms; j++)
			if (!strcmp(g.uses[i], g.sym[j]) && g.def[j] != g.user[i])
				g.edge[g.user[i]][g.def[j]] = true;
}

/* Depth-first search; a grey unit reached again closes a cycle. */
static int dfs(int u, int *color, int *stack, int depth, char *cycle,
	       size_t len)
{
	size_t v;

	color[u] = 1;
	stack[depth] = u;
	for (v = 0; v < g.nunits; v++) {
		if (!g.edge[u][v])
			continue;
		if (color[v] == 1) {
			int i = depth;
			size_t used = 0;

			while (i > 0 && stack[i] != (int)v)
				i--;
			for (; i <= depth; i++)
				used += (size_t)snprintf(cycle + used, len - used,
							 "%s -> ", g.unit[stack[i]]);
			snprintf(cycle + used, len - used, "%s", g.unit[v]);
			return 1;
		}
		if (!color[v] && dfs((int)v, color, stack, depth + 1, cycle, len))
			return 1;
	}
	color[u] = 2;
	return 0;
}

static void units_form_a_dag(void)
{
	int color[UNITS_MAX] = { 0 }, stack[UNITS_MAX];
	char cycle[1024] = "";
	size_t u;

	CU_ASSERT_EQUAL_FATAL(read_nm(), 0);
	build_edges();
	/* the library has its units: the check must not pass on nothing */
	CU_ASSERT_FATAL(g.nunits >= 10);
	for (u = 0; u < g.nunits; u++) {
		if (!color[u] && dfs((int)u, color, stack, 0, cycle,
				     sizeof(cycle))) {
			fprintf(stderr, "# units call each other: %s\n", cycle);
			CU_FAIL("the library's units form a cycle (see the # line)");
			break;
		}
	}
}

/* The toolkit sits below the kinds, backings, directions, disturbances. */
static void toolkit_is_below(void)
{
	static const char *const above[] = {
		"backings", "directions", "disturbances", "kind_rdma",
		"kind_gup", "kind_hmm", "kind_io_uring", "case_run",
	};
	int tk = -1;
	size_t u, i;

	CU_ASSERT_EQUAL_FATAL(read_nm(), 0);
	build_edges();
	for (u = 0; u < g.nunits; u++)
		if (!strcmp(g.unit[u], "toolkit"))
			tk = (int)u;
	CU_ASSERT_FATAL(tk >= 0);
	for (u = 0; u < g.nunits; u++)
		for (i = 0; i < sizeof(above) / sizeof(above[0]); i++)
			if (!strcmp(g.unit[u], above[i]) && g.edge[tk][u])
				CU_FAIL("toolkit.o uses a symbol of a unit above it");
}

int ut_register_layers(void)
{
	CU_pSuite s = CU_add_suite("layers", NULL, NULL);

	if (!s)
		return -1;
	UT_ADD(s, units_form_a_dag);
	UT_ADD(s, toolkit_is_below);
	return 0;
}
