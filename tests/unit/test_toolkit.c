// SPDX-License-Identifier: GPL-2.0
/*
 * The toolkit's pure logic: which pages a case moves data through, how
 * their transfers merge, and how a break is recorded (the first-diff line
 * is the only evidence of corruption the harness accepts).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "unit.h"

static const struct pk_row plain_row = { .name = "r", .invariant = "row" };
static const struct pk_row control_row = { .name = "c", .invariant = "ctl",
					   .flags = PK_ROW_CONTROL };

/* A case state over @npages pages of 4 KiB, nothing mapped. */
static void tc_init(struct pk_tc *t, struct pk_case *c, struct pk_result *r,
		    const struct pk_row *row, size_t npages)
{
	memset(t, 0, sizeof(*t));
	memset(c, 0, sizeof(*c));
	c->row = row;
	pk_result_init(r);
	t->c = c;
	t->r = r;
	t->page = 4096;
	t->npages = npages;
}

/* Small buffers: every page is a probe.  A THP: 16 sorted, unique pages. */
static void probes_pick(void)
{
	struct pk_result r;
	struct pk_case c;
	struct pk_tc t;
	size_t i;

	tc_init(&t, &c, &r, &plain_row, 16);
	CU_ASSERT_EQUAL_FATAL(pk_probes_init(&t), 0);
	CU_ASSERT_EQUAL(t.nprobe, 16);
	for (i = 0; i < t.nprobe; i++)
		CU_ASSERT_EQUAL(t.probe[i], i);
	free(t.probe);

	tc_init(&t, &c, &r, &plain_row, 512);
	CU_ASSERT_EQUAL_FATAL(pk_probes_init(&t), 0);
	CU_ASSERT(t.nprobe > 8 && t.nprobe <= PK_PROBES_MAX);
	CU_ASSERT_EQUAL(t.probe[0], 0);
	CU_ASSERT_EQUAL(t.probe[1], 1);
	CU_ASSERT_EQUAL(t.probe[t.nprobe - 1], 511);
	for (i = 1; i < t.nprobe; i++)
		CU_ASSERT(t.probe[i - 1] < t.probe[i]);
	free(t.probe);
}

/* Adjacent probes become one transfer; a selection splits them. */
static void xfers_merge(void)
{
	struct pk_xfer x[PK_PROBES_MAX];
	uint8_t sel[PK_PROBES_MAX] = { 1, 1, 0, 1 };
	struct pk_result r;
	struct pk_case c;
	struct pk_tc t;

	tc_init(&t, &c, &r, &plain_row, 4);
	CU_ASSERT_EQUAL_FATAL(pk_probes_init(&t), 0);
	CU_ASSERT_EQUAL(pk_probe_xfers(&t, NULL, x), 1);
	CU_ASSERT_EQUAL(x[0].off, 0);
	CU_ASSERT_EQUAL(x[0].len, 4 * 4096);
	CU_ASSERT_EQUAL(pk_probe_xfers(&t, sel, x), 2);
	CU_ASSERT_EQUAL(x[0].len, 2 * 4096);
	CU_ASSERT_EQUAL(x[1].off, 3 * 4096);
	CU_ASSERT_EQUAL(x[1].loff, 3 * 4096);
	CU_ASSERT_EQUAL(x[1].len, 4096);
	free(t.probe);
}

/* Count the lines of @diag that start with @prefix. */
static size_t lines_with(const char *diag, const char *prefix)
{
	size_t n = 0;
	const char *p = diag;

	while (p && *p) {
		n += !strncmp(p, prefix, strlen(prefix));
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

/*
 * A data difference fails the case and prints one first-diff line for the
 * first break; in a control it is the evidence and the case stays passed.
 */
static void break_first_diff(void)
{
	struct pk_mismatch m = { .offset = 0x1234, .expected = 0xab,
				 .got = 0xcd, .bytes = 1, .pages = 1 };
	uint8_t prev[2 * 4096] = { 0 };
	const struct pk_row *rows[2] = { &plain_row, &control_row };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct pk_result r;
		struct pk_case c;
		struct pk_tc t;

		tc_init(&t, &c, &r, rows[i], 2);
		t.prev = prev;
		t.nprobe = 2;
		pk_break(&t, "after x, the device differs", &m);
		pk_break(&t, "after y, the CPU differs", &m);
		CU_ASSERT_EQUAL(t.breaks, 2);
		CU_ASSERT_EQUAL(r.status, i ? PK_PASS : PK_FAIL);
		CU_ASSERT_EQUAL(lines_with(r.diag, "first-diff: offset=0x1234 expected=0xab got=0xcd"), 1);
		CU_ASSERT_EQUAL(lines_with(r.diag, "first-diff:"), 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(t.first_break, "after x"));
	}
}

/*
 * A failure that is not a data comparison (an I/O error) leaves no
 * first-diff line: the harness must not count it as corruption.
 */
static void io_error_no_first_diff(void)
{
	struct pk_result r;

	pk_result_init(&r);
	pk_fail(&r, "after clear_refs 4: RDMA READ: work completion IBV_WC_RETRY_EXC_ERR (the PSNs differ)");
	CU_ASSERT_EQUAL(lines_with(r.diag, "first-diff:"), 0);
}

int ut_register_toolkit(void)
{
	CU_pSuite s = CU_add_suite("toolkit", NULL, NULL);

	if (!s)
		return -1;
	UT_ADD(s, probes_pick);
	UT_ADD(s, xfers_merge);
	UT_ADD(s, break_first_diff);
	UT_ADD(s, io_error_no_first_diff);
	return 0;
}
