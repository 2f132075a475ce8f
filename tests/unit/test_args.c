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

/* Each command takes its own options; the others are named, with who takes them. */
static void option_not_for_command(void)
{
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL(PARSE(&o, err, "list", "--device", "rxe0"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option '--device' for 'list': run and soak take it; list takes --filter, --kinds and --kind-plugin");
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--seed=1"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option '--seed' for 'run': soak takes it; run takes --filter, --device, --gid, --iterations, --junit, --json, --timeout, --verbose and --kind-plugin");
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--json"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option '--json' for 'soak': run takes it; soak takes --filter, --device, --gid, --iterations, --timeout, --verbose, --seed, --seconds, --writers and --kind-plugin");
	/* refused for the command before its value is looked at */
	CU_ASSERT_EQUAL(PARSE(&o, err, "list", "--gid"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "for 'list'"));
	CU_ASSERT_EQUAL(PARSE(&o, err, "list", "-v"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "'--verbose' for 'list'"));
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--writers", "3"), -1);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--seconds", "3"), -1);
	CU_ASSERT_EQUAL(PARSE(&o, err, "list", "--timeout", "3"), -1);
	/* what each does take, as before the table */
	CU_ASSERT_EQUAL(PARSE(&o, err, "list", "--filter", "a", "--kind-plugin",
			      "./a.so", "-h"), 0);
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--device", "rxe0", "--gid", "1",
			      "--timeout", "5", "-v"), 0);
	CU_ASSERT_TRUE(o.verbose);
	CU_ASSERT_EQUAL(o.timeout, 5);
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--help"), 0);
	CU_ASSERT_EQUAL(o.cmd, PK_CMD_HELP);
}

/* "--opt=VALUE" for every option with a value, and "=" inside a value. */
static void equals_every_option(void)
{
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "run", "--filter=a=b",
				    "--device=rxe0", "--gid=0",
				    "--iterations=7", "--junit=/tmp/j=.xml",
				    "--timeout=3600", "--kind-plugin=./a.so"), 0);
	CU_ASSERT_STRING_EQUAL(o.filter, "a=b");
	CU_ASSERT_STRING_EQUAL(o.device, "rxe0");
	CU_ASSERT_EQUAL(o.gid, 0);
	CU_ASSERT_EQUAL(o.iterations, 7);
	CU_ASSERT_TRUE(o.have_iterations);
	CU_ASSERT_STRING_EQUAL(o.junit, "/tmp/j=.xml");
	CU_ASSERT_EQUAL(o.timeout, 3600);
	CU_ASSERT_EQUAL(o.nplugins, 1);
	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "soak", "--seed=0x10",
				    "--seconds=1", "--writers=8"), 0);
	CU_ASSERT_TRUE(o.have_seed);
	CU_ASSERT_EQUAL(o.seed, 16);
	CU_ASSERT_TRUE(o.have_seconds);
	CU_ASSERT_EQUAL(o.seconds, 1);
	CU_ASSERT_EQUAL(o.writers, 8);
	/* a value is the next word whatever it looks like; the last one wins */
	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "run", "--filter", "--json",
				    "--device", "-h", "--gid=2", "--gid", "4"), 0);
	CU_ASSERT_STRING_EQUAL(o.filter, "--json");
	CU_ASSERT_FALSE(o.json);
	CU_ASSERT_STRING_EQUAL(o.device, "-h");
	CU_ASSERT_EQUAL(o.cmd, PK_CMD_RUN);
	CU_ASSERT_EQUAL(o.gid, 4);
	/* an option without a value takes none */
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--json=1"), -1);
	CU_ASSERT_STRING_EQUAL(err, "option '--json' takes no value: '--json=1'");
	CU_ASSERT_EQUAL(PARSE(&o, err, "list", "--kinds="), -1);
	CU_ASSERT_STRING_EQUAL(err, "option '--kinds' takes no value: '--kinds='");
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--help=x"), -1);
}

/* A value missing at the end, empty after '=' or empty as the next word. */
static void missing_value(void)
{
	/* char *: they are argv words */
	static char *const run_opts[] = { "--filter", "--device", "--gid",
					  "--iterations", "--junit",
					  "--timeout", "--kind-plugin" };
	static char *const soak_opts[] = { "--seed", "--seconds", "--writers" };
	struct pk_opts o;
	char err[256], want[128], eq[32];
	size_t i;

	for (i = 0; i < sizeof(run_opts) / sizeof(run_opts[0]); i++) {
		char *a = run_opts[i];

		snprintf(want, sizeof(want), "option '%s' needs a value", a);
		CU_ASSERT_EQUAL(PARSE(&o, err, "run", a), -1);
		CU_ASSERT_STRING_EQUAL(err, want);
		CU_ASSERT_EQUAL(PARSE(&o, err, "run", a, ""), -1);
		CU_ASSERT_STRING_EQUAL(err, want);
		snprintf(eq, sizeof(eq), "%s=", a);
		snprintf(want, sizeof(want), "option '%s' needs a value", eq);
		CU_ASSERT_EQUAL(PARSE(&o, err, "run", eq), -1);
		CU_ASSERT_STRING_EQUAL(err, want);
	}
	for (i = 0; i < sizeof(soak_opts) / sizeof(soak_opts[0]); i++) {
		snprintf(want, sizeof(want), "option '%s' needs a value",
			 soak_opts[i]);
		CU_ASSERT_EQUAL(PARSE(&o, err, "soak", soak_opts[i]), -1);
		CU_ASSERT_STRING_EQUAL(err, want);
	}
}

/* Every number's first and last value, and one past each. */
static void range_edges(void)
{
	static const struct {
		char *cmd, *opt, *lo, *hi, *below, *above;
		const char *msg;
	} r[] = {
		{ "run", "--gid", "0", "65535", "-1", "65536",
		  "--gid '65536': expected a GID index 0..65535" },
		{ "run", "--iterations", "1", "1000000", "0", "1000001",
		  "--iterations '1000001': expected a number 1..1000000" },
		{ "run", "--timeout", "1", "3600", "0", "3601",
		  "--timeout '3601': expected seconds 1..3600" },
		{ "soak", "--seconds", "1", "86400", "0", "86401",
		  "--seconds '86401': expected seconds 1..86400" },
		{ "soak", "--writers", "2", "8", "1", "9",
		  "--writers '9': expected a number of CPU writers 2..8" },
	};
	struct pk_opts o;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		CU_ASSERT_EQUAL(PARSE(&o, err, r[i].cmd, r[i].opt, r[i].lo), 0);
		CU_ASSERT_EQUAL(PARSE(&o, err, r[i].cmd, r[i].opt, r[i].hi), 0);
		CU_ASSERT_EQUAL(PARSE(&o, err, r[i].cmd, r[i].opt, r[i].below), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, r[i].below));
		CU_ASSERT_EQUAL(PARSE(&o, err, r[i].cmd, r[i].opt, r[i].above), -1);
		CU_ASSERT_STRING_EQUAL(err, r[i].msg);
		/* decimal only: no sign, no hex */
		CU_ASSERT_EQUAL(PARSE(&o, err, r[i].cmd, r[i].opt, "+2"), -1);
		CU_ASSERT_EQUAL(PARSE(&o, err, r[i].cmd, r[i].opt, "0x2"), -1);
	}
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--gid", "65535"), 0);
	CU_ASSERT_EQUAL(o.gid, 65535);
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--seconds", "86400"), 0);
	CU_ASSERT_EQUAL(o.seconds, 86400);
	/* the seed: all of uint64_t, in any base strtoull reads */
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--seed", "0"), 0);
	CU_ASSERT_EQUAL(o.seed, 0);
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--seed", "18446744073709551615"), 0);
	CU_ASSERT_EQUAL(o.seed, UINT64_MAX);
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--seed", "0xffffffffffffffff"), 0);
	CU_ASSERT_EQUAL(o.seed, UINT64_MAX);
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--seed", "010"), 0);
	CU_ASSERT_EQUAL(o.seed, 8);
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--seed", "18446744073709551616"), -1);
	CU_ASSERT_STRING_EQUAL(err, "--seed '18446744073709551616': expected a number (0x... for hex)");
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "--seed", "-1"), -1);
}

/* --kind-plugin up to PK_PLUGINS_MAX times, kept in order; one more is refused. */
static void kind_plugin_max(void)
{
	char names[PK_PLUGINS_MAX + 1][32], *av[2 + 2 * (PK_PLUGINS_MAX + 1) + 1];
	struct pk_opts o;
	char err[256], want[128];
	int i, ac = 2;

	av[0] = "pinkit";
	av[1] = "list";
	for (i = 0; i <= PK_PLUGINS_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "./p%d.so", i);
		av[ac++] = "--kind-plugin";
		av[ac++] = names[i];
	}
	av[ac] = NULL;
	CU_ASSERT_EQUAL_FATAL(pk_parse_args(ac - 2, av, &o, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(o.nplugins, PK_PLUGINS_MAX);
	for (i = 0; i < PK_PLUGINS_MAX; i++)
		CU_ASSERT_STRING_EQUAL(o.plugins[i], names[i]);
	CU_ASSERT_EQUAL(pk_parse_args(ac, av, &o, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "--kind-plugin '%s': at most %d plugins",
		 names[PK_PLUGINS_MAX], PK_PLUGINS_MAX);
	CU_ASSERT_STRING_EQUAL(err, want);
}

/*
 * Options follow the command word; any other word is refused where it
 * stands, never moved aside by getopt_long, and argv is left as it was.
 */
static void positional_junk(void)
{
	char *av[] = { "pinkit", "run", "foo", "--json", NULL };
	char *const copy[] = { av[0], av[1], av[2], av[3], NULL };
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL(pk_parse_args(4, av, &o, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option 'foo'");
	CU_ASSERT_EQUAL(memcmp(av, copy, sizeof(av)), 0);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--device", "rxe0", "foo"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option 'foo'");
	CU_ASSERT_EQUAL(PARSE(&o, err, "list", "x*"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option 'x*'");
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--json", "--"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option '--'");
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--", "--json"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option '--'");
	CU_ASSERT_EQUAL(PARSE(&o, err, "soak", "-"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option '-'");
	/* whole names only: no abbreviation, no bundled short options */
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--dev", "rxe0"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option '--dev'");
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--verb"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option '--verb'");
	CU_ASSERT_EQUAL(PARSE(&o, err, "list", "--kind", "x"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option '--kind'");
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "-vh"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option '-vh'");
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "-x"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option '-x'");
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "-verbose"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option '-verbose'");
	/* in order: the first problem, or -h, decides */
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--bogus", "-h"), -1);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--json", "-h", "--bogus"), 0);
	CU_ASSERT_EQUAL(o.cmd, PK_CMD_HELP);
}

/* Each call starts over: nothing of the one before survives. */
static void parse_twice(void)
{
	struct pk_opts o;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "run", "--json", "--gid", "3"), 0);
	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "run", "--verbose"), 0);
	CU_ASSERT_TRUE(o.verbose);
	CU_ASSERT_FALSE(o.json);
	CU_ASSERT_EQUAL(o.gid, -1);
	/* a refusal inside a word ("-vx" stops at its second letter) */
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--json", "-vx"), -1);
	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "run", "-v"), 0);
	CU_ASSERT_TRUE(o.verbose);
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--gid"), -1);
	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "soak", "--seed", "5"), 0);
	CU_ASSERT_EQUAL(o.seed, 5);
	/* a shorter argv after a longer one, and help in between */
	CU_ASSERT_EQUAL(PARSE(&o, err, "run", "--device", "a", "--filter", "b",
			      "-h"), 0);
	CU_ASSERT_EQUAL(o.cmd, PK_CMD_HELP);
	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "run", "--json"), 0);
	CU_ASSERT_EQUAL(o.cmd, PK_CMD_RUN);
	CU_ASSERT_TRUE(o.json);
	CU_ASSERT_PTR_NULL(o.device);
	CU_ASSERT_EQUAL_FATAL(PARSE(&o, err, "list"), 0);
	CU_ASSERT_FALSE(o.json);
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
	UT_ADD(s, option_not_for_command);
	UT_ADD(s, equals_every_option);
	UT_ADD(s, missing_value);
	UT_ADD(s, range_edges);
	UT_ADD(s, kind_plugin_max);
	UT_ADD(s, positional_junk);
	UT_ADD(s, parse_twice);
	return 0;
}
