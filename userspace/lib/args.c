// SPDX-License-Identifier: GPL-2.0
/*
 * Command line parsing: getopt_long over one table of options.  getopt's
 * globals are reset on every call, so unit tests can call it often.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pinkit.h"

void pk_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s list [--filter GLOB | --kinds] [--kind-plugin PATH.so]\n"
		"       %s run [--filter GLOB] [--device DEV] [--gid N] [--iterations N]\n"
		"              [--junit FILE] [--json] [--timeout SEC] [--verbose]\n"
		"              [--kind-plugin PATH.so]\n"
		"       %s soak [--seed N] [--seconds SEC | --iterations N] [--writers N]\n"
		"              [--filter GLOB] [--device DEV] [--gid N] [--kind-plugin PATH.so]\n"
		"\n"
		"  list          print one case name per line\n"
		"  --kinds       list: every kind, its flags, its cases per family and\n"
		"                row, and what keeps it out of the others\n"
		"  run           run the cases; KTAP v1 on stdout, last line\n"
		"                \"N passed, N failed, N skipped\"\n"
		"  --filter GLOB shell globs separated by ',' or '|'; '!GLOB' excludes;\n"
		"                a direction matches by either name (dev-write-cpu-read\n"
		"                or rdma-write-cpu-read)\n"
		"  --device DEV  RDMA device (default: the first one)\n"
		"  --gid N       GID index (default: the RoCE v2 IPv4-mapped GID)\n"
		"  --iterations N  run every case N times (default 1)\n"
		"  --junit FILE  also write JUnit XML to FILE\n"
		"  --json        print a JSON document instead of KTAP and the table\n"
		"  --timeout SEC per-case time limit (default 30)\n"
		"  --verbose     print the diagnostic lines of passing cases too\n"
		"  soak          CPU writer threads, device traffic and every disturbance\n"
		"                at once over each backing x kind (soak/BACKING/KIND)\n"
		"  --seed N      the soak's schedule (printed; the same seed replays it)\n"
		"  --seconds SEC the soak's length, shared by its cases (default 60)\n"
		"  --iterations N  soak: disturbances per case instead of a time bound\n"
		"  --writers N   soak: CPU writer threads (default one per CPU, >= 2)\n"
		"  --kind-plugin PATH.so  add the device kinds a plugin exports\n"
		"                (include/pinkit-kind.h); may be given %d times\n"
		"\n"
		"exit status: 0 nothing failed, 1 a case failed, 2 could not run\n",
		prog, prog, prog, PK_PLUGINS_MAX);
}

/* The command words, by enum pk_cmd: one table for parsing and naming. */
static const char *const cmd_names[] = {
	[PK_CMD_NONE] = "",
	[PK_CMD_LIST] = "list",
	[PK_CMD_RUN] = "run",
	[PK_CMD_SOAK] = "soak",
	[PK_CMD_HELP] = "help",
};

const char *pk_cmd_name(enum pk_cmd cmd)
{
	return (size_t)cmd < sizeof(cmd_names) / sizeof(cmd_names[0]) ?
	       cmd_names[cmd] : "";
}

/* Which commands take an option: a mask of 1 << enum pk_cmd. */
#define ON_LIST		(1u << PK_CMD_LIST)
#define ON_RUN		(1u << PK_CMD_RUN)
#define ON_SOAK		(1u << PK_CMD_SOAK)
#define ON_ALL		(ON_LIST | ON_RUN | ON_SOAK)

/* How an option's value is checked, and so the type of its field. */
enum opt_check {
	CHECK_HELP,	/* no value, no field: the command becomes help */
	CHECK_NONE,	/* no value: a bool becomes true */
	CHECK_STR,	/* a string, not empty: a const char * */
	CHECK_STRS,	/* the same, appended to an array and its count */
	CHECK_UINT,	/* decimal min..max: an int or an unsigned int */
	CHECK_SEED,	/* any uint64_t, 0x... for hex */
};

struct opt {
	const char *name;	/* --NAME */
	char short_name;	/* -C, or 0 */
	unsigned int cmds;	/* ON_*: the commands that take it */
	enum opt_check check;
	unsigned long min, max;	/* CHECK_UINT; CHECK_STRS: max entries */
	const char *what;	/* CHECK_UINT: "expected WHAT min..max" */
	bool is_int;		/* CHECK_UINT: the field is an int */
	size_t off;		/* the field in struct pk_opts */
	size_t count;		/* CHECK_STRS: its unsigned int count */
	bool has_have;		/* a bool at @have says it was given */
	size_t have;
};

/*
 * One line of the table per option.  Each macro names the field and takes
 * only a field of the right type: a wrong one does not compile.  UINT's
 * max must fit the field (an int: INT_MAX).
 */
#define FLD(f)		(((struct pk_opts *)NULL)->f)
#define OFF(f)		offsetof(struct pk_opts, f)
#define HELP(n, c)	.name = n, .cmds = c, .check = CHECK_HELP
#define FLAG(n, c, f)	.name = n, .cmds = c, .check = CHECK_NONE, \
			.off = _Generic(FLD(f), bool: OFF(f))
#define STR(n, c, f)	.name = n, .cmds = c, .check = CHECK_STR, \
			.off = _Generic(FLD(f), const char *: OFF(f))
#define STRS(n, c, f, cnt, w) \
			.name = n, .cmds = c, .check = CHECK_STRS, .what = w, \
			.off = _Generic(FLD(f), const char **: OFF(f)), \
			.max = sizeof(FLD(f)) / sizeof(FLD(f)[0]), \
			.count = _Generic(FLD(cnt), unsigned int: OFF(cnt))
#define UINT(n, c, f, lo, hi, w) \
			.name = n, .cmds = c, .check = CHECK_UINT, \
			.min = lo, .max = hi, .what = w, .off = OFF(f), \
			.is_int = _Generic(FLD(f), int: true, unsigned int: false)
#define SEED(n, c, f)	.name = n, .cmds = c, .check = CHECK_SEED, \
			.off = _Generic(FLD(f), uint64_t: OFF(f))
#define HAVE(f)		.has_have = true, .have = _Generic(FLD(f), bool: OFF(f))

/* Every option of every command, in the order the messages list them. */
static const struct opt opts[] = {
	{ HELP("help", ON_ALL), .short_name = 'h' },
	{ STR("filter", ON_ALL, filter) },
	{ FLAG("kinds", ON_LIST, kinds) },
	{ STR("device", ON_RUN | ON_SOAK, device) },
	{ UINT("gid", ON_RUN | ON_SOAK, gid, 0, 0xffff, "a GID index") },
	{ UINT("iterations", ON_RUN | ON_SOAK, iterations, 1, 1000000,
	       "a number"), HAVE(have_iterations) },
	{ STR("junit", ON_RUN, junit) },
	{ FLAG("json", ON_RUN, json) },
	{ UINT("timeout", ON_RUN | ON_SOAK, timeout, 1, 3600, "seconds") },
	{ FLAG("verbose", ON_RUN | ON_SOAK, verbose), .short_name = 'v' },
	{ SEED("seed", ON_SOAK, seed), HAVE(have_seed) },
	{ UINT("seconds", ON_SOAK, seconds, 1, 86400, "seconds"),
	  HAVE(have_seconds) },
	{ UINT("writers", ON_SOAK, writers, 2, 8, "a number of CPU writers") },
	{ STRS("kind-plugin", ON_ALL, plugins, nplugins, "plugins") },
};

#define NR_OPTS		(sizeof(opts) / sizeof(opts[0]))
/* getopt_long's value for opts[i]; above any short option's character */
#define OPT_VAL(i)	(256 + (int)(i))

/* The entry getopt_long returned @c (or @optopt) for; NULL if none. */
static const struct opt *opt_find(int c)
{
	size_t i;

	if (c >= OPT_VAL(0) && c < OPT_VAL(NR_OPTS))
		return &opts[c - OPT_VAL(0)];
	for (i = 0; c > 0 && i < NR_OPTS; i++)
		if (opts[i].short_name == c)
			return &opts[i];
	return NULL;
}

/*
 * getopt_long also takes "--dev" for --device and "-vh" for -v -h; pinkit
 * takes what the usage shows, "--NAME", "--NAME=VALUE" or "-C", only.
 */
static bool spelled_out(const char *a, const struct opt *op)
{
	size_t len = strlen(op->name);

	if (a[1] != '-')
		return op->short_name && a[1] == op->short_name && !a[2];
	return !strncmp(a + 2, op->name, len) &&
	       (a[2 + len] == '\0' || a[2 + len] == '=');
}

static void err_add(char *err, size_t errlen, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void err_add(char *err, size_t errlen, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*n >= errlen)
		return;
	va_start(ap, fmt);
	r = vsnprintf(err + *n, errlen - *n, fmt, ap);
	va_end(ap);
	if (r > 0)
		*n += (size_t)r;
}

/* ", " between the items of a list and " and " before its last one */
static const char *list_sep(unsigned int i, unsigned int nr)
{
	return !i ? "" : i + 1 == nr ? " and " : ", ";
}

static bool opt_on(const struct opt *op, enum pk_cmd cmd)
{
	return op->cmds & (1u << cmd);
}

/* the options the usage lists for @cmd: -h/--help goes without saying */
static bool opt_listed(const struct opt *op, enum pk_cmd cmd)
{
	return op->check != CHECK_HELP && opt_on(op, cmd);
}

/*
 * "unknown option '--kinds' for 'run': list takes it; run takes --filter,
 * ... and --kind-plugin"
 */
static int not_for_cmd(const struct opt *op, enum pk_cmd cmd, char *err,
		       size_t errlen)
{
	unsigned int i, nr, k;
	size_t n = 0;
	enum pk_cmd c;

	err_add(err, errlen, &n, "unknown option '--%s' for '%s': ", op->name,
		cmd_names[cmd]);
	for (c = PK_CMD_LIST, nr = 0; c <= PK_CMD_SOAK; c++)
		nr += opt_on(op, c);
	for (c = PK_CMD_LIST, k = 0; c <= PK_CMD_SOAK; c++)
		if (opt_on(op, c))
			err_add(err, errlen, &n, "%s%s", list_sep(k++, nr),
				cmd_names[c]);
	err_add(err, errlen, &n, " %s it; %s takes ",
		nr > 1 ? "take" : "takes", cmd_names[cmd]);
	for (i = 0, nr = 0; i < NR_OPTS; i++)
		nr += opt_listed(&opts[i], cmd);
	for (i = 0, k = 0; i < NR_OPTS; i++)
		if (opt_listed(&opts[i], cmd))
			err_add(err, errlen, &n, "%s--%s", list_sep(k++, nr),
				opts[i].name);
	return -1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Option @op, given as argv word @a, with value @v: checked, then stored. */
static int opt_take(const struct opt *op, const char *a, const char *v,
		    struct pk_opts *o, char *err, size_t errlen)
{
	char *field = (char *)o + op->off, *end;
	unsigned int *count;
	unsigned long n;

	if (v && !*v) {
		snprintf(err, errlen, "option '%s' needs a value", a);
		return -1;
	}
	switch (op->check) {
	case CHECK_HELP:
		o->cmd = PK_CMD_HELP;
		return 0;
	case CHECK_NONE:
		*(bool *)field = true;
		break;
	case CHECK_STR:
		*(const char **)field = v;
		break;
	case CHECK_STRS:
		count = (unsigned int *)((char *)o + op->count);
		if (*count >= op->max) {
			snprintf(err, errlen, "--%s '%s': at most %lu %s",
				 op->name, v, op->max, op->what);
			return -1;
		}
		((const char **)field)[(*count)++] = v;
		break;
	case CHECK_UINT:
		if (parse_uint(v, op->max, &n) || n < op->min) {
			snprintf(err, errlen, "--%s '%s': expected %s %lu..%lu",
				 op->name, v, op->what, op->min, op->max);
			return -1;
		}
		if (op->is_int)
			*(int *)field = (int)n;
		else
			*(unsigned int *)field = (unsigned int)n;
		break;
	case CHECK_SEED:
		errno = 0;
		*(uint64_t *)field = strtoull(v, &end, 0);
		if (errno || *end || *v == '-') {
			snprintf(err, errlen,
				 "--%s '%s': expected a number (0x... for hex)",
				 op->name, v);
			return -1;
		}
		break;
	}
	if (op->has_have)
		*(bool *)((char *)o + op->have) = true;
	return 0;
}

#define EXPECTED_CMDS	"expected 'list', 'run' or 'soak'"

int pk_parse_args(int argc, char *const argv[], struct pk_opts *o, char *err,
		  size_t errlen)
{
	/* "+": options follow the command word, in order, never permuted */
	char shorts[sizeof("+:") + 2 * NR_OPTS];
	struct option longopts[NR_OPTS + 1];
	char *const *av = argv + 1;
	int ac = argc - 1;
	size_t i, ns = 0;
	enum pk_cmd c;

	memset(o, 0, sizeof(*o));
	o->gid = -1;
	o->iterations = 1;
	o->timeout = 30;
	o->seconds = 60;
	err[0] = '\0';

	if (argc < 2) {
		snprintf(err, errlen, "missing command: %s", EXPECTED_CMDS);
		return -1;
	}
	for (c = PK_CMD_LIST; c <= PK_CMD_HELP; c++)
		if (!strcmp(argv[1], cmd_names[c]))
			o->cmd = c;
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		o->cmd = PK_CMD_HELP;
	if (o->cmd == PK_CMD_HELP)
		return 0;
	if (o->cmd == PK_CMD_NONE) {
		snprintf(err, errlen, "unknown command '%s': %s", argv[1],
			 EXPECTED_CMDS);
		return -1;
	}

	/* ':' first: a missing value is ':', not '?' */
	shorts[ns++] = '+';
	shorts[ns++] = ':';
	memset(longopts, 0, sizeof(longopts));
	for (i = 0; i < NR_OPTS; i++) {
		bool value = opts[i].check != CHECK_HELP &&
			     opts[i].check != CHECK_NONE;

		longopts[i].name = opts[i].name;
		longopts[i].has_arg = value ? required_argument : no_argument;
		longopts[i].val = OPT_VAL(i);
		if (opts[i].short_name) {
			shorts[ns++] = opts[i].short_name;
			if (value)
				shorts[ns++] = ':';
		}
	}
	shorts[ns] = '\0';

	/*
	 * The command word is getopt's argv[0].  optind = 0 starts it over,
	 * a word half read by the call before included (1 would not); our
	 * own messages, not getopt's.
	 */
	optind = 0;
	opterr = 0;
	for (;;) {
		/* "+" and no bundles: one option per word, the word at optind */
		int at = optind ? optind : 1;
		const struct opt *op;
		const char *a;
		int r;

		r = getopt_long(ac, av, shorts, longopts, NULL);
		if (r == -1) {
			/* a word that is no option, or "--": none may follow */
			if (at < ac) {
				snprintf(err, errlen, "unknown option '%s'",
					 av[at]);
				return -1;
			}
			break;
		}
		a = av[at];
		op = opt_find(r == '?' || r == ':' ? optopt : r);
		if (!op || !spelled_out(a, op)) {
			snprintf(err, errlen, "unknown option '%s'", a);
			return -1;
		}
		if (!opt_on(op, o->cmd))
			return not_for_cmd(op, o->cmd, err, errlen);
		if (r == ':') {
			snprintf(err, errlen, "option '%s' needs a value", a);
			return -1;
		}
		if (r == '?') {
			snprintf(err, errlen, "option '--%s' takes no value: '%s'",
				 op->name, a);
			return -1;
		}
		if (opt_take(op, a, optarg, o, err, errlen))
			return -1;
		if (o->cmd == PK_CMD_HELP)
			return 0;
	}

	if (o->kinds && o->filter) {
		snprintf(err, errlen,
			 "--kinds lists every kind and --filter '%s' selects cases: give one",
			 o->filter);
		return -1;
	}
	if (o->cmd == PK_CMD_SOAK && o->have_seconds && o->have_iterations) {
		snprintf(err, errlen,
			 "--seconds %u and --iterations %u both bound the soak: give one",
			 o->seconds, o->iterations);
		return -1;
	}
	return 0;
}
