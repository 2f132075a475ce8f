// SPDX-License-Identifier: GPL-2.0
/* Argument parsing. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define ARGV(...)	((char *const[]){ "pinkit", __VA_ARGS__, NULL })
#define ARGC(...)	((int)(sizeof((char *[]){ "pinkit", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, err, ...) \
	pk_parse_args(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o, err, sizeof(err))

static void defaults(void)
{
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "run"), 0);
	CU_ASSERT_EQUAL(o.cmd, PK_CMD_RUN);
	CU_ASSERT_PTR_NULL(o.device);
	CU_ASSERT_PTR_NULL(o.filter);
	CU_ASSERT_PTR_NULL(o.junit);
	CU_ASSERT_EQUAL(o.gid, -1);
	CU_ASSERT_EQUAL(o.iterations, 1);
	CU_ASSERT_FALSE(o.json);
	CU_ASSERT_EQUAL(PARSE(&o, err, "list"), 0);
	CU_ASSERT_EQUAL(o.cmd, PK_CMD_LIST);
}

static void every_option(void)
{
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "run", "--filter", "fork*",
				    "--device", "rxe0", "--gid", "1",
				    "--iterations", "3", "--junit", "/tmp/j.xml",
				    "--json", "--timeout", "9", "--verbose"), 0);
	CU_ASSERT_STRING_EQUAL(o.filter, "fork*");
	CU_ASSERT_STRING_EQUAL(o.device, "rxe0");
	CU_ASSERT_EQUAL(o.gid, 1);
	CU_ASSERT_EQUAL(o.iterations, 3);
	CU_ASSERT_STRING_EQUAL(o.junit, "/tmp/j.xml");
	CU_ASSERT_TRUE(o.json);
	CU_ASSERT_TRUE(o.verbose);
	CU_ASSERT_EQUAL(o.timeout, 9);
}

/* "--opt=value" works like "--opt value". */
static void equals_form(void)
{
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "run", "--device=mlx5_0",
				    "--gid=3", "--filter=smoke*"), 0);
	CU_ASSERT_STRING_EQUAL(o.device, "mlx5_0");
	CU_ASSERT_EQUAL(o.gid, 3);
	CU_ASSERT_STRING_EQUAL(o.filter, "smoke*");
}

/* Bad input is refused with a message that names the argument. */
static void bad_arguments(void)
{
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL(PARSE(&o, err, "frobnicate"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "frobnicate"));
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--bogus"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--bogus"));
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--gid"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "needs a value"));
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--gid", "x1"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "x1"));
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--gid", "-1"), -1);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--gid", "65536"), -1);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--iterations", "0"), -1);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--iterations", "2x"), -1);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--timeout", "0"), -1);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--device="), -1);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--junit"), -1);
	CU_ASSERT_EQUAL(PARSE(&o, err, "list", "--device", "rxe0"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "list"));
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--json=1"), -1);
}

static void no_command(void)
{
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL(pk_parse_args(1, ARGV(NULL), &o, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "missing command"));
}

static void help(void)
{
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL(PARSE(&o, err, "--help"), 0);
	CU_ASSERT_EQUAL(o.cmd, PK_CMD_HELP);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "-h"), 0);
	CU_ASSERT_EQUAL(o.cmd, PK_CMD_HELP);
}

/* --kind-plugin repeats, works for list too, and has a limit. */
static void kind_plugins(void)
{
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "run", "--kind-plugin", "./a.so",
				    "--kind-plugin=./b.so"), 0);
	CU_ASSERT_EQUAL(o.nplugins, 2);
	CU_ASSERT_STRING_EQUAL(o.plugins[0], "./a.so");
	CU_ASSERT_STRING_EQUAL(o.plugins[1], "./b.so");
	CU_ASSERT_EQUAL(PARSE(&o, err, "list", "--kind-plugin", "./a.so"), 0);
	CU_ASSERT_EQUAL(o.nplugins, 1);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--kind-plugin"), -1);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--kind-plugin", "1",
			      "--kind-plugin", "2", "--kind-plugin", "3",
			      "--kind-plugin", "4", "--kind-plugin", "5",
			      "--kind-plugin", "6", "--kind-plugin", "7",
			      "--kind-plugin", "8", "--kind-plugin", "9"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at most 8 plugins"));
}

/* list --kinds: list only, and not with --filter, which selects cases. */
static void list_kinds(void)
{
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "list", "--kinds",
				    "--kind-plugin", "./a.so"), 0);
	CU_ASSERT_TRUE(o.kinds);
	CU_ASSERT_EQUAL(o.nplugins, 1);
	CU_ASSERT_EQUAL(PARSE(&o, err, "list"), 0);
	CU_ASSERT_FALSE(o.kinds);
	CU_ASSERT_EQUAL(PARSE(&o, err, "list", "--kinds", "--filter", "x*"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "give one"));
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--kinds"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown option '--kinds'"));
}

/* soak: the seed in any base, a time or a count bound, the writers. */
static void soak_options(void)
{
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "soak"), 0);
	CU_ASSERT_EQUAL(o.cmd, PK_CMD_SOAK);
	CU_ASSERT_FALSE(o.have_seed);
	CU_ASSERT_FALSE(o.have_iterations);
	CU_ASSERT_EQUAL(o.seconds, 60);
	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "soak", "--seed", "0xdeadbeef",
				    "--seconds=600", "--writers", "3",
				    "--filter", "soak/anon-4k/*"), 0);
	CU_ASSERT_TRUE(o.have_seed);
	CU_ASSERT_EQUAL(o.seed, 0xdeadbeef);
	CU_ASSERT_EQUAL(o.seconds, 600);
	CU_ASSERT_EQUAL(o.writers, 3);
	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "soak", "--iterations", "50"), 0);
	CU_ASSERT_TRUE(o.have_iterations);
	CU_ASSERT_EQUAL(o.iterations, 50);
	/* one writer cannot race another; a seed is a number */
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--writers", "1"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--writers"));
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--seed", "x12"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--seed"));
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--seconds", "0"), -1);
	/* soak's options belong to soak */
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--seed", "1"), -1);
}

/* The unknown command's message names every command there is. */
static void unknown_command_names_all(void)
{
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL(PARSE(&o, err, "frobnicate"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "'list'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "'run'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "'soak'"));
	/* no command recognised: main's "see 'pinkit --help'" has no name */
	CU_ASSERT_EQUAL(o.cmd, PK_CMD_NONE);
	CU_ASSERT_STRING_EQUAL(pk_cmd_name(o.cmd), "");
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--bogus"), -1);
	CU_ASSERT_STRING_EQUAL(pk_cmd_name(o.cmd), "soak");
}

/* Options that contradict each other, or would be silently ignored. */
static void conflicting_options(void)
{
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--seconds", "30",
			      "--iterations", "5"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--seconds 30"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--iterations 5"));
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--iterations=5",
			      "--seconds=30"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "give one"));
	/* the soak writes no JSON nor JUnit: refused, not ignored */
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--json"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--json"));
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--junit", "/tmp/j.xml"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--junit"));
	/* each bound alone, and both for run (where --seconds is no option) */
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--seconds", "30"), 0);
	CU_ASSERT_TRUE(o.have_seconds);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--iterations", "2", "--json"), 0);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--seconds", "30"), -1);
}

static void usage_out(FILE *f, void *arg)
{
	(void)arg;
	pk_usage(f, "pinkit");
}

/* The usage names every option of the contract. */
static void usage_text(void)
{
	static const char *const opts[] = { "--filter", "--device", "--gid",
					    "--iterations", "--junit",
					    "--json", "pinkit list",
					    "pinkit run", "pinkit soak",
					    "--seed", "--seconds", "--writers" };
	char *s = ut_capture(usage_out, NULL);
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		CU_ASSERT_PTR_NOT_NULL(strstr(s, opts[i]));
	free(s);
}

int ut_register_args(void)
{
	CU_pSuite s = CU_add_suite("args", NULL, NULL);

	if (!s)
		return -1;
	UT_ADD(s, defaults);
	UT_ADD(s, every_option);
	UT_ADD(s, equals_form);
	UT_ADD(s, bad_arguments);
	UT_ADD(s, no_command);
	UT_ADD(s, help);
	UT_ADD(s, usage_text);
	UT_ADD(s, kind_plugins);
	UT_ADD(s, list_kinds);
	UT_ADD(s, soak_options);
	UT_ADD(s, unknown_command_names_all);
	UT_ADD(s, conflicting_options);
	return 0;
}
