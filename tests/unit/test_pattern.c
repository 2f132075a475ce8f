// SPDX-License-Identifier: GPL-2.0
/* Pattern fill and compare with the first differing offset. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* Every byte comes from pk_pattern_byte(seed, absolute offset). */
static void fill_matches_byte_function(void)
{
	uint8_t buf[300];
	size_t i;

	pk_pattern_fill(buf, sizeof(buf), 42, 5);
	for (i = 0; i < sizeof(buf); i++)
		CU_ASSERT_EQUAL_FATAL(buf[i], pk_pattern_byte(42, 5 + i));
}

/* Filling in pieces gives the same bytes as one fill: offsets are absolute. */
static void fill_is_position_dependent(void)
{
	uint8_t a[8192], b[8192];

	pk_pattern_fill(a, sizeof(a), 7, 0);
	pk_pattern_fill(b, 4096, 7, 0);
	pk_pattern_fill(b + 4096, 4096, 7, 4096);
	CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	/* a page at the wrong place is not the same data */
	CU_ASSERT_NOT_EQUAL(memcmp(a, a + 4096, 4096), 0);
}

/* Different seeds give different data (and not zero). */
static void seeds_differ(void)
{
	uint8_t a[4096], b[4096], z[4096] = { 0 };

	pk_pattern_fill(a, sizeof(a), 1, 0);
	pk_pattern_fill(b, sizeof(b), 2, 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a, z, sizeof(a)), 0);
}

/* The periodic fill repeats the first page: what KSM needs. */
static void periodic_pages_are_identical(void)
{
	uint8_t buf[4 * 4096];

	pk_pattern_fill_periodic(buf, sizeof(buf), 9, 4096);
	CU_ASSERT_EQUAL(memcmp(buf, buf + 4096, 4096), 0);
	CU_ASSERT_EQUAL(memcmp(buf, buf + 3 * 4096, 4096), 0);
	CU_ASSERT_EQUAL(buf[17], pk_pattern_byte(9, 17));
}

static void compare_equal_is_zero(void)
{
	uint8_t a[10000], b[10000];
	struct pk_mismatch m;

	pk_pattern_fill(a, sizeof(a), 3, 0);
	memcpy(b, a, sizeof(b));
	CU_ASSERT_EQUAL(pk_compare(a, b, sizeof(a), 4096, &m), 0);
	CU_ASSERT_EQUAL(m.bytes, 0);
	CU_ASSERT_EQUAL(pk_compare(a, b, sizeof(a), 4096, NULL), 0);
}

/* The first differing offset, expected/got bytes, bytes and pages. */
static void compare_reports_first_offset(void)
{
	uint8_t a[3 * 4096], b[3 * 4096];
	struct pk_mismatch m;

	pk_pattern_fill(a, sizeof(a), 3, 0);
	memcpy(b, a, sizeof(b));
	b[5000] = (uint8_t)~a[5000];
	b[5001] = (uint8_t)~a[5001];
	b[9000] = (uint8_t)~a[9000];
	CU_ASSERT_EQUAL(pk_compare(a, b, sizeof(a), 4096, &m), 1);
	CU_ASSERT_EQUAL(m.offset, 5000);
	CU_ASSERT_EQUAL(m.expected, a[5000]);
	CU_ASSERT_EQUAL(m.got, b[5000]);
	CU_ASSERT_EQUAL(m.bytes, 3);
	CU_ASSERT_EQUAL(m.pages, 2);
}

/* Offset 0 and the very last byte are found too. */
static void compare_edges(void)
{
	uint8_t a[4096], b[4096];
	struct pk_mismatch m;

	memset(a, 1, sizeof(a));
	memcpy(b, a, sizeof(b));
	b[0] = 2;
	CU_ASSERT_EQUAL(pk_compare(a, b, sizeof(a), 4096, &m), 1);
	CU_ASSERT_EQUAL(m.offset, 0);
	b[0] = 1;
	b[4095] = 0;
	CU_ASSERT_EQUAL(pk_compare(a, b, sizeof(a), 4096, &m), 1);
	CU_ASSERT_EQUAL(m.offset, 4095);
	CU_ASSERT_EQUAL(m.got, 0);
	CU_ASSERT_EQUAL(m.pages, 1);
}

int ut_register_pattern(void)
{
	CU_pSuite s = CU_add_suite("pattern", NULL, NULL);

	if (!s)
		return -1;
	UT_ADD(s, fill_matches_byte_function);
	UT_ADD(s, fill_is_position_dependent);
	UT_ADD(s, seeds_differ);
	UT_ADD(s, periodic_pages_are_identical);
	UT_ADD(s, compare_equal_is_zero);
	UT_ADD(s, compare_reports_first_offset);
	UT_ADD(s, compare_edges);
	return 0;
}
