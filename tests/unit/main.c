// SPDX-License-Identifier: GPL-2.0
/*
 * Runner of the host unit tests: CUnit with our own handlers, KTAP-style
 * per-test lines and a last line "N passed, N failed, N skipped".
 * Exit status 1 when any test failed.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/TestRun.h>

#include "unit.h"

static struct {
	size_t n, pass, fail, skip;
	bool skipped;
	char reason[PK_MSG_MAX];
} st;

void ut_skip(const char *fmt, ...)
{
	va_list ap;

	st.skipped = true;
	va_start(ap, fmt);
	vsnprintf(st.reason, sizeof(st.reason), fmt, ap);
	va_end(ap);
}

char *ut_capture(void (*fn)(FILE *f, void *arg), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fn(f, arg);
	fclose(f);
	return buf;
}

static void start(const CU_pTest test, const CU_pSuite suite)
{
	(void)test;
	(void)suite;
	st.skipped = false;
	st.reason[0] = '\0';
}

static void complete(const CU_pTest test, const CU_pSuite suite,
		     const CU_pFailureRecord failure)
{
	struct pk_result r;
	char name[PK_NAME_MAX];
	CU_pFailureRecord f;

	pk_result_init(&r);
	for (f = failure; f; f = f->pNext)
		pk_fail(&r, "%s:%u: %s", f->strFileName ? f->strFileName : "?",
			f->uiLineNumber,
			f->strCondition ? f->strCondition : "?");
	if (r.status != PK_FAIL && st.skipped)
		pk_skip(&r, "%s", st.reason);
	snprintf(name, sizeof(name), "%s/%s", suite->pName, test->pName);
	st.n++;
	pk_ktap_result(stdout, st.n, name, &r, false);
	if (r.status == PK_FAIL)
		st.fail++;
	else if (r.status == PK_SKIP)
		st.skip++;
	else
		st.pass++;
}

int main(void)
{
	int (*const reg[])(void) = {
		ut_register_pattern, ut_register_pagemap, ut_register_cases,
		ut_register_filter, ut_register_report, ut_register_args,
		ut_register_runner, ut_register_layers, ut_register_toolkit,
		ut_register_kinds, ut_register_backings,
	};
	unsigned int total = 0;
	CU_pSuite s;
	size_t i;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "unit: CU_initialize_registry: %s\n",
			CU_get_error_msg());
		return 2;
	}
	for (i = 0; i < sizeof(reg) / sizeof(reg[0]); i++) {
		if (reg[i]()) {
			fprintf(stderr, "unit: registering suite %zu: %s\n", i,
				CU_get_error_msg());
			CU_cleanup_registry();
			return 2;
		}
	}
	for (s = CU_get_registry()->pSuite; s; s = s->pNext)
		total += s->uiNumberOfTests;
	printf("KTAP version 1\n1..%u\n", total);
	fflush(stdout);
	CU_set_test_start_handler(start);
	CU_set_test_complete_handler(complete);
	if (CU_run_all_tests() != CUE_SUCCESS) {
		fprintf(stderr, "unit: CU_run_all_tests: %s\n",
			CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_cleanup_registry();
	printf("%zu passed, %zu failed, %zu skipped\n", st.pass, st.fail,
	       st.skip);
	return st.fail ? 1 : 0;
}
