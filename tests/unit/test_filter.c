// SPDX-License-Identifier: GPL-2.0
/* --filter glob matching. */
#include "unit.h"

static const char smoke[] = "smoke/anon-4k/pinned-rw/cpu-write-rdma-read";
static const char thp[] = "clear-refs/anon-thp/odp/rdma-write-cpu-read";

static void empty_selects_all(void)
{
	CU_ASSERT_TRUE(pk_filter_match(NULL, smoke));
	CU_ASSERT_TRUE(pk_filter_match("", smoke));
}

/* '*' crosses '/', so a row prefix selects the row. */
static void star_crosses_slash(void)
{
	CU_ASSERT_TRUE(pk_filter_match("smoke*", smoke));
	CU_ASSERT_FALSE(pk_filter_match("smoke*", thp));
	CU_ASSERT_TRUE(pk_filter_match("*/odp/*", thp));
	CU_ASSERT_TRUE(pk_filter_match("*thp*", thp));
	CU_ASSERT_FALSE(pk_filter_match("*thp*", smoke));
}

/* A glob without wildcards matches the whole name only. */
static void exact_and_anchored(void)
{
	CU_ASSERT_TRUE(pk_filter_match(smoke, smoke));
	CU_ASSERT_FALSE(pk_filter_match("smoke", smoke));
	CU_ASSERT_FALSE(pk_filter_match("anon-4k*", smoke));
}

static void classes_and_question_mark(void)
{
	CU_ASSERT_TRUE(pk_filter_match("smoke/anon-?k/*", smoke));
	CU_ASSERT_TRUE(pk_filter_match("[cs]*", smoke));
	CU_ASSERT_TRUE(pk_filter_match("[cs]*", thp));
	CU_ASSERT_FALSE(pk_filter_match("[!cs]*", thp));
}

/* Comma-separated alternatives; '!' excludes, exclusions win. */
static void lists_and_exclusions(void)
{
	CU_ASSERT_TRUE(pk_filter_match("fork*,smoke*", smoke));
	CU_ASSERT_TRUE(pk_filter_match("fork*,clear-refs/*", thp));
	CU_ASSERT_FALSE(pk_filter_match("fork*,none*", smoke));
	CU_ASSERT_FALSE(pk_filter_match("*,!*odp*", thp));
	CU_ASSERT_TRUE(pk_filter_match("*,!*odp*", smoke));
	/* only exclusions: everything else is selected */
	CU_ASSERT_TRUE(pk_filter_match("!*odp*", smoke));
	CU_ASSERT_FALSE(pk_filter_match("!*odp*", thp));
	/* '|' separates too */
	CU_ASSERT_TRUE(pk_filter_match("fork*|smoke*", smoke));
	CU_ASSERT_FALSE(pk_filter_match("*|!smoke*", smoke));
	/* empty items are ignored */
	CU_ASSERT_TRUE(pk_filter_match(",smoke*,", smoke));
}

int ut_register_filter(void)
{
	CU_pSuite s = CU_add_suite("filter", NULL, NULL);

	if (!s)
		return -1;
	UT_ADD(s, empty_selects_all);
	UT_ADD(s, star_crosses_slash);
	UT_ADD(s, exact_and_anchored);
	UT_ADD(s, classes_and_question_mark);
	UT_ADD(s, lists_and_exclusions);
	return 0;
}
