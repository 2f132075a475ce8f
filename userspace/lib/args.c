// SPDX-License-Identifier: GPL-2.0
/* Command line parsing; no global state so unit tests can call it often. */
#include <errno.h>
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

/*
 * Options take their value as "--opt VALUE" or "--opt=VALUE".  Returns the
 * value and advances *i, or NULL if it is missing.
 */
static const char *opt_value(int argc, char *const argv[], int *i,
			     const char *opt)
{
	const char *a = argv[*i];
	size_t len = strlen(opt);

	if (a[len] == '=')
		return a + len + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static bool is_opt(const char *a, const char *opt)
{
	size_t len = strlen(opt);

	return !strncmp(a, opt, len) && (a[len] == '\0' || a[len] == '=');
}

#define EXPECTED_CMDS	"expected 'list', 'run' or 'soak'"

int pk_parse_args(int argc, char *const argv[], struct pk_opts *o, char *err,
		  size_t errlen)
{
	enum pk_cmd c;
	int i;

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

	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v;
		unsigned long n;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			o->cmd = PK_CMD_HELP;
			return 0;
		}
		if (is_opt(a, "--filter")) {
			v = opt_value(argc, argv, &i, "--filter");
			if (!v || !*v)
				goto missing;
			o->filter = v;
		} else if (is_opt(a, "--kind-plugin")) {
			v = opt_value(argc, argv, &i, "--kind-plugin");
			if (!v || !*v)
				goto missing;
			if (o->nplugins == PK_PLUGINS_MAX) {
				snprintf(err, errlen,
					 "--kind-plugin '%s': at most %d plugins",
					 v, PK_PLUGINS_MAX);
				return -1;
			}
			o->plugins[o->nplugins++] = v;
		} else if (o->cmd == PK_CMD_LIST && !strcmp(a, "--kinds")) {
			o->kinds = true;
		} else if (o->cmd == PK_CMD_LIST) {
			snprintf(err, errlen,
				 "'%s' is not an option of 'list' (only --filter, --kinds and --kind-plugin)",
				 a);
			return -1;
		} else if (is_opt(a, "--device")) {
			v = opt_value(argc, argv, &i, "--device");
			if (!v || !*v)
				goto missing;
			o->device = v;
		} else if (is_opt(a, "--gid")) {
			v = opt_value(argc, argv, &i, "--gid");
			if (!v)
				goto missing;
			if (parse_uint(v, 0xffff, &n)) {
				snprintf(err, errlen,
					 "--gid '%s': expected a GID index 0..65535",
					 v);
				return -1;
			}
			o->gid = (int)n;
		} else if (is_opt(a, "--iterations")) {
			v = opt_value(argc, argv, &i, "--iterations");
			if (!v)
				goto missing;
			if (parse_uint(v, 1000000, &n) || !n) {
				snprintf(err, errlen,
					 "--iterations '%s': expected a number 1..1000000",
					 v);
				return -1;
			}
			o->iterations = (unsigned int)n;
			o->have_iterations = true;
		} else if (o->cmd == PK_CMD_SOAK && is_opt(a, "--seed")) {
			char *end;

			v = opt_value(argc, argv, &i, "--seed");
			if (!v || !*v)
				goto missing;
			errno = 0;
			o->seed = strtoull(v, &end, 0);
			if (errno || *end || *v == '-') {
				snprintf(err, errlen,
					 "--seed '%s': expected a number (0x... for hex)",
					 v);
				return -1;
			}
			o->have_seed = true;
		} else if (o->cmd == PK_CMD_SOAK && is_opt(a, "--seconds")) {
			v = opt_value(argc, argv, &i, "--seconds");
			if (!v)
				goto missing;
			if (parse_uint(v, 86400, &n) || !n) {
				snprintf(err, errlen,
					 "--seconds '%s': expected seconds 1..86400",
					 v);
				return -1;
			}
			o->seconds = (unsigned int)n;
			o->have_seconds = true;
		} else if (o->cmd == PK_CMD_SOAK && is_opt(a, "--writers")) {
			v = opt_value(argc, argv, &i, "--writers");
			if (!v)
				goto missing;
			if (parse_uint(v, 8, &n) || n < 2) {
				snprintf(err, errlen,
					 "--writers '%s': expected 2..8 CPU writer threads",
					 v);
				return -1;
			}
			o->writers = (unsigned int)n;
		} else if (is_opt(a, "--timeout")) {
			v = opt_value(argc, argv, &i, "--timeout");
			if (!v)
				goto missing;
			if (parse_uint(v, 3600, &n) || !n) {
				snprintf(err, errlen,
					 "--timeout '%s': expected seconds 1..3600",
					 v);
				return -1;
			}
			o->timeout = (unsigned int)n;
		} else if (o->cmd == PK_CMD_SOAK &&
			   (is_opt(a, "--junit") || !strcmp(a, "--json"))) {
			/* the soak writes KTAP only: a report would never come */
			snprintf(err, errlen,
				 "'%s' is not an option of 'soak' (it prints KTAP only)",
				 a);
			return -1;
		} else if (is_opt(a, "--junit")) {
			v = opt_value(argc, argv, &i, "--junit");
			if (!v || !*v)
				goto missing;
			o->junit = v;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
			o->verbose = true;
		} else {
			snprintf(err, errlen, "unknown option '%s'", a);
			return -1;
		}
		continue;
missing:
		snprintf(err, errlen, "option '%s' needs a value", a);
		return -1;
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
