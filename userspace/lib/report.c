// SPDX-License-Identifier: GPL-2.0
/* KTAP v1, JUnit XML, JSON, the human table and the summary line. */
#include <string.h>

#include "pinkit.h"

char *pk_flag_names(uint64_t flags, const struct pk_flag_name *names,
		    size_t n, const char *none, char *buf, size_t len)
{
	size_t i, used = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		int w;

		if (!(flags & names[i].mask))
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? "|" : "",
			     names[i].name);
		if (w < 0 || (size_t)w >= len - used) {
			/* no half flag names: cut at the last whole one */
			buf[used] = '\0';
			break;
		}
		used += (size_t)w;
	}
	if (!used)
		snprintf(buf, len, "%s", none);
	return buf;
}

void pk_ktap_header(FILE *f, size_t total)
{
	fprintf(f, "KTAP version 1\n1..%zu\n", total);
	fflush(f);
}

/* KTAP names and directives must not contain '#' or line breaks. */
static void ktap_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '#' ? '_' : (*s == '\n' ? ' ' : *s), f);
}

/* The diagnostic lines; with @figures_only, the "figure: " lines only. */
static void ktap_diag(FILE *f, const char *diag, bool figures_only)
{
	static const char fig[] = "figure: ";
	const char *p = diag;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (!figures_only || !strncmp(p, fig, sizeof(fig) - 1))
			fprintf(f, "# %.*s\n", (int)len, p);
		if (!nl)
			break;
		p = nl + 1;
	}
}

void pk_ktap_result(FILE *f, size_t number, const char *name,
		    const struct pk_result *r, bool verbose)
{
	ktap_diag(f, r->diag, r->status != PK_FAIL && !verbose);
	fprintf(f, "%s %zu ", r->status == PK_FAIL ? "not ok" : "ok", number);
	ktap_text(f, name);
	if (r->status == PK_SKIP) {
		fputs(" # SKIP ", f);
		ktap_text(f, r->reason[0] ? r->reason : "no reason given");
	}
	fputc('\n', f);
	fflush(f);
}

void pk_xml_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			/* XML 1.0 forbids most control characters */
			if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
				fprintf(f, "?");
			else
				fputc(c, f);
		}
	}
}

void pk_json_escape(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void pk_count(const struct pk_report_entry *e, size_t n, size_t *pass,
	      size_t *fail, size_t *skip)
{
	size_t i;

	*pass = *fail = *skip = 0;
	for (i = 0; i < n; i++) {
		switch (e[i].res->status) {
		case PK_PASS:
			(*pass)++;
			break;
		case PK_FAIL:
			(*fail)++;
			break;
		default:
			(*skip)++;
		}
	}
}

/* Is e[i] the first entry of its group? */
static bool group_first(const struct pk_report_entry *e, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(e[j].group, e[i].group))
			return false;
	return true;
}

static void group_count(const struct pk_report_entry *e, size_t n,
			const char *group, size_t c[3], double *secs)
{
	size_t i;

	c[0] = c[1] = c[2] = 0;
	*secs = 0;
	for (i = 0; i < n; i++) {
		if (strcmp(e[i].group, group))
			continue;
		c[e[i].res->status == PK_PASS ? 0 :
		  e[i].res->status == PK_FAIL ? 1 : 2]++;
		*secs += e[i].res->seconds;
	}
}

int pk_junit_write(FILE *f, const char *suite, const struct pk_report_entry *e,
		   size_t n)
{
	size_t pass, fail, skip, i, j;
	double total = 0;

	pk_count(e, n, &pass, &fail, &skip);
	for (i = 0; i < n; i++)
		total += e[i].res->seconds;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"");
	pk_xml_escape(f, suite);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" errors=\"0\" time=\"%.3f\">\n",
		n, fail, skip, total);
	for (i = 0; i < n; i++) {
		size_t c[3];
		double secs;

		if (!group_first(e, i))
			continue;
		group_count(e, n, e[i].group, c, &secs);
		fprintf(f, "  <testsuite name=\"");
		pk_xml_escape(f, e[i].group);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" errors=\"0\" time=\"%.3f\">\n",
			c[0] + c[1] + c[2], c[1], c[2], secs);
		for (j = i; j < n; j++) {
			const struct pk_result *r = e[j].res;

			if (strcmp(e[j].group, e[i].group))
				continue;
			fprintf(f, "    <testcase classname=\"");
			pk_xml_escape(f, suite);
			fputc('.', f);
			pk_xml_escape(f, e[j].group);
			fprintf(f, "\" name=\"");
			pk_xml_escape(f, e[j].name);
			fprintf(f, "\" time=\"%.3f\"", r->seconds);
			if (r->status == PK_PASS && !r->diag[0]) {
				fprintf(f, "/>\n");
				continue;
			}
			fprintf(f, ">\n");
			if (r->status == PK_FAIL) {
				fprintf(f, "      <failure message=\"");
				pk_xml_escape(f, r->reason);
				fprintf(f, "\" type=\"invariant\">");
				pk_xml_escape(f, r->diag);
				fprintf(f, "</failure>\n");
			} else if (r->status == PK_SKIP) {
				fprintf(f, "      <skipped message=\"");
				pk_xml_escape(f, r->reason);
				fprintf(f, "\"/>\n");
			}
			if (r->diag[0] && r->status != PK_FAIL) {
				fprintf(f, "      <system-out>");
				pk_xml_escape(f, r->diag);
				fprintf(f, "</system-out>\n");
			}
			fprintf(f, "    </testcase>\n");
		}
		fprintf(f, "  </testsuite>\n");
	}
	fprintf(f, "</testsuites>\n");
	return ferror(f) ? -1 : 0;
}

int pk_json_write(FILE *f, const struct pk_report_entry *e, size_t n,
		  double seconds)
{
	size_t pass, fail, skip, i;

	pk_count(e, n, &pass, &fail, &skip);
	fprintf(f, "{\"passed\": %zu, \"failed\": %zu, \"skipped\": %zu, \"seconds\": %.3f, \"cases\": [",
		pass, fail, skip, seconds);
	for (i = 0; i < n; i++) {
		const struct pk_result *r = e[i].res;

		fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
		pk_json_escape(f, e[i].name);
		fprintf(f, ", \"group\": ");
		pk_json_escape(f, e[i].group);
		fprintf(f, ", \"status\": \"%s\", \"seconds\": %.3f, \"reason\": ",
			pk_status_name(r->status), r->seconds);
		pk_json_escape(f, r->reason);
		fprintf(f, ", \"diag\": ");
		pk_json_escape(f, r->diag);
		fputc('}', f);
	}
	fprintf(f, "\n]}\n");
	return ferror(f) ? -1 : 0;
}

void pk_table_write(FILE *f, const struct pk_report_entry *e, size_t n)
{
	size_t i, width = 5;

	for (i = 0; i < n; i++)
		if (strlen(e[i].group) > width)
			width = strlen(e[i].group);
	fprintf(f, "%-*s %6s %6s %6s\n", (int)width, "group", "pass", "fail",
		"skip");
	for (i = 0; i < n; i++) {
		size_t c[3];
		double secs;

		if (!group_first(e, i))
			continue;
		group_count(e, n, e[i].group, c, &secs);
		fprintf(f, "%-*s %6zu %6zu %6zu\n", (int)width, e[i].group,
			c[0], c[1], c[2]);
	}
}

void pk_summary_write(FILE *f, const struct pk_report_entry *e, size_t n)
{
	size_t pass, fail, skip;

	pk_count(e, n, &pass, &fail, &skip);
	fprintf(f, "%zu passed, %zu failed, %zu skipped\n", pass, fail, skip);
	fflush(f);
}
