// SPDX-License-Identifier: GPL-2.0
/* KTAP, JUnit and JSON writers, the table and the summary line. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static struct pk_result res[3];
static struct pk_report_entry ent[3];

static void setup(void)
{
	pk_result_init(&res[0]);
	res[0].seconds = 0.25;
	pk_result_init(&res[1]);
	pk_fail(&res[1], "first differing offset 0x1000 <page 1> & \"x\"");
	pk_diag(&res[1], "pages 16, PFN changed 1");
	pk_diag(&res[1], "control bytes \x01\x1b and ]]> in a diagnostic");
	res[1].seconds = 0.5;
	pk_result_init(&res[2]);
	pk_skip(&res[2], "device has no ODP caps");
	ent[0] = (struct pk_report_entry){ "g1/a", "g1", &res[0] };
	ent[1] = (struct pk_report_entry){ "g2/b", "g2", &res[1] };
	ent[2] = (struct pk_report_entry){ "g1/c", "g1", &res[2] };
}

struct ktap_arg {
	size_t n;
	const char *name;
	const struct pk_result *r;
};

static void ktap_one(FILE *f, void *arg)
{
	struct ktap_arg *a = arg;

	pk_ktap_result(f, a->n, a->name, a->r, false);
}

static void ktap_header(void)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	pk_ktap_header(f, 326);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(s, "KTAP version 1\n1..326\n");
	free(s);
}

/* A pass is one line; its diagnostics stay quiet unless verbose. */
static void ktap_pass(void)
{
	struct ktap_arg a = { 1, "g1/a", &res[0] };
	char *s;

	setup();
	pk_diag(&res[0], "info");
	s = ut_capture(ktap_one, &a);
	CU_ASSERT_STRING_EQUAL(s, "ok 1 g1/a\n");
	free(s);
}

/* A pass shows its "figure: " lines (measurements), nothing else. */
static void ktap_pass_figures(void)
{
	struct ktap_arg a = { 2, "g1/a", &res[0] };
	char *s;

	setup();
	pk_diag(&res[0], "info");
	pk_diag(&res[0], "figure: fork-copies copied=8/512");
	pk_diag(&res[0], "a figure: not at the start");
	s = ut_capture(ktap_one, &a);
	CU_ASSERT_STRING_EQUAL(s, "# figure: fork-copies copied=8/512\nok 2 g1/a\n");
	free(s);
}

/* A failure: '# ' diagnostic lines first, then "not ok". */
static void ktap_fail(void)
{
	struct ktap_arg a = { 7, "g2/b", &res[1] };
	char *s;

	setup();
	s = ut_capture(ktap_one, &a);
	CU_ASSERT_STRING_EQUAL(s,
		"# first differing offset 0x1000 <page 1> & \"x\"\n"
		"# pages 16, PFN changed 1\n"
		"# control bytes \x01\x1b and ]]> in a diagnostic\n"
		"not ok 7 g2/b\n");
	free(s);
}

/* A skip: "ok N name # SKIP reason"; '#' in a name cannot fake a directive. */
static void ktap_skip(void)
{
	struct ktap_arg a = { 3, "g1/c#x", &res[2] };
	struct pk_result r;
	char *s;

	setup();
	s = ut_capture(ktap_one, &a);
	CU_ASSERT_STRING_EQUAL(s, "ok 3 g1/c_x # SKIP device has no ODP caps\n");
	free(s);
	pk_result_init(&r);
	r.status = PK_SKIP;
	a.r = &r;
	a.name = "n";
	s = ut_capture(ktap_one, &a);
	CU_ASSERT_STRING_EQUAL(s, "ok 3 n # SKIP no reason given\n");
	free(s);
}

static void junit_all(FILE *f, void *arg)
{
	(void)arg;
	pk_junit_write(f, "pinkit", ent, 3);
}

/* JUnit: counts, one testsuite per group, failure/skipped, escaping. */
static void junit_xml(void)
{
	char *s;

	setup();
	s = ut_capture(junit_all, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<?xml version=\"1.0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<testsuites name=\"pinkit\" tests=\"3\" failures=\"1\" skipped=\"1\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<testsuite name=\"g1\" tests=\"2\" failures=\"0\" skipped=\"1\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<testsuite name=\"g2\" tests=\"1\" failures=\"1\" skipped=\"0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<testcase classname=\"pinkit.g1\" name=\"g1/a\" time=\"0.250\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<failure message=\"first differing offset 0x1000 &lt;page 1&gt; &amp; &quot;x&quot;\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<skipped message=\"device has no ODP caps\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "</testsuites>\n"));
	/* g1's two cases are in one testsuite element */
	CU_ASSERT_PTR_NULL(strstr(strstr(s, "name=\"g1\"") + 1, "testsuite name=\"g1\""));
	free(s);
}

/*
 * Feed @doc to a python3 parser that runs @check on it; 0 when it parsed
 * and every assertion held, 1 when not, -1 without python3 (a skip).
 */
static int parse_with_python(const char *doc, const char *check)
{
	char cmd[2048];
	FILE *p;
	int st;

	if (system("python3 -c '' >/dev/null 2>&1"))
		return -1;
	snprintf(cmd, sizeof(cmd), "python3 -c '%s' >&2", check);
	fflush(NULL);
	p = popen(cmd, "w");
	if (!p)
		return 1;
	fputs(doc, p);
	st = pclose(p);
	return st == 0 ? 0 : 1;
}

/* Write the test report with @writer and have python3 run @check on it. */
static void check_document(void (*writer)(FILE *f, void *arg),
			   const char *check, const char *what)
{
	char *s;
	int ret;

	setup();
	s = ut_capture(writer, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	ret = parse_with_python(s, check);
	if (ret < 0)
		ut_skip("no python3 to parse the %s with", what);
	else
		CU_ASSERT_EQUAL(ret, 0);
	free(s);
}

/* The JUnit document is well-formed XML with the counts a reader sums. */
static void junit_parses(void)
{
	static const char check[] =
		"import sys, xml.etree.ElementTree as E\n"
		"r = E.parse(sys.stdin).getroot()\n"
		"assert r.tag == \"testsuites\", r.tag\n"
		"assert (r.get(\"tests\"), r.get(\"failures\"), r.get(\"skipped\")) == (\"3\", \"1\", \"1\")\n"
		"c = r.findall(\"testsuite/testcase\")\n"
		"assert [x.get(\"name\") for x in c] == [\"g1/a\", \"g1/c\", \"g2/b\"], c\n"
		"assert len(r.findall(\".//failure\")) == 1 and len(r.findall(\".//skipped\")) == 1\n"
		"assert \"control bytes\" in r.find(\".//failure\").text\n";

	check_document(junit_all, check, "JUnit XML");
}

static void json_all(FILE *f, void *arg)
{
	(void)arg;
	pk_json_write(f, ent, 3, 1.5);
}

/* The JSON document parses and holds every case with its status. */
static void json_parses(void)
{
	static const char check[] =
		"import sys, json\n"
		"d = json.load(sys.stdin)\n"
		"assert (d[\"passed\"], d[\"failed\"], d[\"skipped\"]) == (1, 1, 1), d\n"
		"assert [(c[\"name\"], c[\"status\"]) for c in d[\"cases\"]] == [(\"g1/a\", \"pass\"), (\"g2/b\", \"fail\"), (\"g1/c\", \"skip\")]\n"
		"assert \"\\x01\" in d[\"cases\"][1][\"diag\"]\n";

	check_document(json_all, check, "JSON");
}

static void escape_xml(FILE *f, void *arg)
{
	pk_xml_escape(f, arg);
}

static void escape_json(FILE *f, void *arg)
{
	pk_json_escape(f, arg);
}

static void escaping(void)
{
	char *s;

	s = ut_capture(escape_xml, "a<b>&'\"\x01");
	CU_ASSERT_STRING_EQUAL(s, "a&lt;b&gt;&amp;&apos;&quot;?");
	free(s);
	s = ut_capture(escape_json, "q\"b\\n\nt\t\x02");
	CU_ASSERT_STRING_EQUAL(s, "\"q\\\"b\\\\n\\nt\\t\\u0002\"");
	free(s);
}

static void json_doc(void)
{
	static const char head[] =
		"{\"passed\": 1, \"failed\": 1, \"skipped\": 1, \"seconds\": 1.500";
	char *s;

	setup();
	s = ut_capture(json_all, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(strncmp(s, head, sizeof(head) - 1), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"name\": \"g2/b\", \"group\": \"g2\", \"status\": \"fail\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"status\": \"skip\""));
	CU_ASSERT_EQUAL(strcmp(s + strlen(s) - 3, "]}\n"), 0);
	free(s);
}

static void summary_all(FILE *f, void *arg)
{
	(void)arg;
	pk_table_write(f, ent, 3);
	pk_summary_write(f, ent, 3);
}

/* The table has one row per group; the summary is the last line. */
static void table_and_summary(void)
{
	char *s, *last;

	setup();
	s = ut_capture(summary_all, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "group   pass   fail   skip\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "g1         1      0      1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "g2         0      1      0\n"));
	s[strlen(s) - 1] = '\0';
	last = strrchr(s, '\n');
	CU_ASSERT_PTR_NOT_NULL_FATAL(last);
	CU_ASSERT_STRING_EQUAL(last + 1, "1 passed, 1 failed, 1 skipped");
	free(s);
}

/* Results: the first failure names the case; a skip never hides a failure. */
static void result_rules(void)
{
	struct pk_result r;
	size_t i;

	pk_result_init(&r);
	pk_fail(&r, "first %d", 1);
	pk_fail(&r, "second");
	pk_skip(&r, "skip");
	CU_ASSERT_EQUAL(r.status, PK_FAIL);
	CU_ASSERT_STRING_EQUAL(r.reason, "first 1");
	CU_ASSERT_STRING_EQUAL(r.diag, "first 1\nsecond\n");
	/* diagnostics never overflow */
	pk_result_init(&r);
	for (i = 0; i < 1000; i++)
		pk_diag(&r, "line %zu with some words to fill the buffer", i);
	CU_ASSERT(r.diag_len < sizeof(r.diag));
	CU_ASSERT_EQUAL(strlen(r.diag), r.diag_len);
	CU_ASSERT_EQUAL(r.status, PK_PASS);
	CU_ASSERT_STRING_EQUAL(pk_status_name(PK_SKIP), "skip");
}

int ut_register_report(void)
{
	CU_pSuite s = CU_add_suite("report", NULL, NULL);

	if (!s)
		return -1;
	UT_ADD(s, ktap_header);
	UT_ADD(s, ktap_pass);
	UT_ADD(s, ktap_pass_figures);
	UT_ADD(s, ktap_fail);
	UT_ADD(s, ktap_skip);
	UT_ADD(s, junit_xml);
	UT_ADD(s, junit_parses);
	UT_ADD(s, escaping);
	UT_ADD(s, json_doc);
	UT_ADD(s, json_parses);
	UT_ADD(s, table_and_summary);
	UT_ADD(s, result_rules);
	return 0;
}
