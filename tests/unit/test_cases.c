// SPDX-License-Identifier: GPL-2.0
/* Case-table expansion. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static struct pk_case *expand_all(size_t *n)
{
	struct pk_case *c;

	*n = pk_expand(pk_rows, pk_nr_rows, NULL, 0);
	c = calloc(*n ? *n : 1, sizeof(*c));
	if (c)
		CU_ASSERT_EQUAL(pk_expand(pk_rows, pk_nr_rows, c, *n), *n);
	return c;
}

/* Counting and filling agree, and the suite is as big as promised. */
static void expand_counts(void)
{
	size_t n;
	struct pk_case *c = expand_all(&n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(n >= 200);
	/* a short output array is filled up to its size, the count is whole */
	CU_ASSERT_EQUAL(pk_expand(pk_rows, pk_nr_rows, c, 3), n);
	free(c);
}

/* The smoke case comes first, with the name the harness knows. */
static void smoke_first(void)
{
	size_t n;
	struct pk_case *c = expand_all(&n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c[0].name,
			       "smoke/anon-4k/pinned-rw/cpu-write-rdma-read");
	free(c);
}

/* Names are unique and "<row>/<backing>/<kind>/<direction>". */
static void names_unique_and_shaped(void)
{
	size_t n, i, j;
	struct pk_case *c = expand_all(&n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (i = 0; i < n; i++) {
		char want[PK_NAME_MAX];

		snprintf(want, sizeof(want), "%s/%s/%s/%s", c[i].row->name,
			 pk_backing_name(c[i].backing), pk_kind_name(c[i].kind),
			 pk_dir_name(c[i].dir));
		CU_ASSERT_STRING_EQUAL(c[i].name, want);
		CU_ASSERT_PTR_NULL(strchr(c[i].name, '#'));
		CU_ASSERT_PTR_NULL(strchr(c[i].name, ' '));
		for (j = i + 1; j < n; j++)
			if (!strcmp(c[i].name, c[j].name))
				CU_FAIL("duplicate case name");
	}
	free(c);
}

/*
 * Every expanded case is a valid combination; a read-only MR is only read
 * (RDMA READ, or SEND out of it).
 */
static void combos_valid(void)
{
	size_t n, i;
	struct pk_case *c = expand_all(&n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (i = 0; i < n; i++) {
		CU_ASSERT_TRUE(pk_combo_valid(c[i].kind, c[i].backing,
					      c[i].dir, c[i].row->disturb));
		if (c[i].kind == PK_KIND_PINNED_RO)
			CU_ASSERT(c[i].dir == PK_DIR_CPU_WRITE_RDMA_READ ||
				  c[i].dir == PK_DIR_CPU_WRITE_SEND);
	}
	CU_ASSERT_FALSE(pk_combo_valid(PK_KIND_PINNED_RO, PK_BACK_ANON_4K,
				       PK_DIR_RDMA_WRITE_CPU_READ,
				       PK_DIST_NONE));
	CU_ASSERT_FALSE(pk_combo_valid(PK_KIND_PINNED_RO, PK_BACK_ANON_4K,
				       PK_DIR_FETCH_ADD, PK_DIST_NONE));
	CU_ASSERT_TRUE(pk_combo_valid(PK_KIND_ODP, PK_BACK_ANON_THP,
				      PK_DIR_FETCH_ADD, PK_DIST_NONE));
	free(c);
}

/* Rows state their invariant; controls exist and only use pinned MRs. */
static void rows_well_formed(void)
{
	size_t r, controls = 0;

	for (r = 0; r < pk_nr_rows; r++) {
		const struct pk_row *row = &pk_rows[r];

		CU_ASSERT_PTR_NOT_NULL_FATAL(row->name);
		CU_ASSERT(strlen(row->invariant) > 10);
		CU_ASSERT(row->kinds != 0 && row->backings != 0 &&
			  row->dirs != 0);
		if (row->flags & PK_ROW_CONTROL) {
			controls++;
			CU_ASSERT_FALSE(row->kinds & PK_BIT(PK_KIND_ODP));
		}
	}
	CU_ASSERT(controls >= 1);
}

/* Every kind, backing, direction and disturbance is used somewhere. */
static void dimensions_covered(void)
{
	unsigned int kinds = 0, backings = 0, dirs = 0, dist = 0;
	size_t n, i;
	struct pk_case *c = expand_all(&n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (i = 0; i < n; i++) {
		kinds |= PK_BIT(c[i].kind);
		backings |= PK_BIT(c[i].backing);
		dirs |= PK_BIT(c[i].dir);
		dist |= PK_BIT(c[i].row->disturb);
	}
	CU_ASSERT_EQUAL(kinds, (1u << PK_KIND_NR) - 1);
	CU_ASSERT_EQUAL(backings, (1u << PK_BACK_NR) - 1);
	CU_ASSERT_EQUAL(dirs, (1u << PK_DIR_NR) - 1);
	CU_ASSERT_EQUAL(dist, (1u << PK_DIST_NR) - 1);
	free(c);
}

/*
 * SEND/RECV directions: only RDMA MRs have them, a read-only MR only
 * sends, and like interleaving and atomics they run on the core backings.
 */
static void msg_combos(void)
{
	CU_ASSERT_TRUE(pk_dir_is_msg(PK_DIR_CPU_WRITE_SEND));
	CU_ASSERT_TRUE(pk_dir_is_msg(PK_DIR_RECV_CPU_READ));
	CU_ASSERT_FALSE(pk_dir_is_msg(PK_DIR_CPU_WRITE_RDMA_READ));
	CU_ASSERT_FALSE(pk_dir_is_msg(PK_DIR_FETCH_ADD));
	CU_ASSERT_STRING_EQUAL(pk_dir_name(PK_DIR_CPU_WRITE_SEND),
			       "cpu-write-send");
	CU_ASSERT_STRING_EQUAL(pk_dir_name(PK_DIR_RECV_CPU_READ),
			       "recv-cpu-read");

	CU_ASSERT_TRUE(pk_combo_valid(PK_KIND_ODP, PK_BACK_ANON_4K,
				      PK_DIR_CPU_WRITE_SEND, PK_DIST_NONE));
	CU_ASSERT_TRUE(pk_combo_valid(PK_KIND_ODP, PK_BACK_MEMFD_SHARED,
				      PK_DIR_RECV_CPU_READ, PK_DIST_NONE));
	CU_ASSERT_TRUE(pk_combo_valid(PK_KIND_PINNED_RO, PK_BACK_ANON_4K,
				      PK_DIR_CPU_WRITE_SEND, PK_DIST_NONE));
	CU_ASSERT_FALSE(pk_combo_valid(PK_KIND_PINNED_RO, PK_BACK_ANON_4K,
				       PK_DIR_RECV_CPU_READ, PK_DIST_NONE));
	CU_ASSERT_FALSE(pk_combo_valid(PK_KIND_HMM, PK_BACK_ANON_4K,
				       PK_DIR_CPU_WRITE_SEND, PK_DIST_NONE));
	CU_ASSERT_FALSE(pk_combo_valid(PK_KIND_GUP_RO, PK_BACK_ANON_4K,
				       PK_DIR_CPU_WRITE_SEND, PK_DIST_NONE));
	CU_ASSERT_FALSE(pk_combo_valid(PK_KIND_ODP, PK_BACK_HUGETLB_2M,
				       PK_DIR_CPU_WRITE_SEND, PK_DIST_NONE));
}

/* munmap needs an RDMA completion and page-granular memory. */
static void munmap_combos(void)
{
	CU_ASSERT_TRUE(pk_combo_valid(PK_KIND_ODP, PK_BACK_ANON_THP,
				      PK_DIR_FETCH_ADD, PK_DIST_MUNMAP));
	CU_ASSERT_TRUE(pk_combo_valid(PK_KIND_PINNED_RO, PK_BACK_ANON_4K,
				      PK_DIR_CPU_WRITE_RDMA_READ,
				      PK_DIST_MUNMAP));
	CU_ASSERT_FALSE(pk_combo_valid(PK_KIND_ODP, PK_BACK_HUGETLB_2M,
				       PK_DIR_CPU_WRITE_RDMA_READ,
				       PK_DIST_MUNMAP));
	CU_ASSERT_FALSE(pk_combo_valid(PK_KIND_ODP, PK_BACK_HUGETLB_2M,
				       PK_DIR_CPU_WRITE_RDMA_READ,
				       PK_DIST_MUNMAP_REMAP));
	CU_ASSERT_FALSE(pk_combo_valid(PK_KIND_HMM, PK_BACK_ANON_4K,
				       PK_DIR_CPU_WRITE_RDMA_READ,
				       PK_DIST_MUNMAP));
	CU_ASSERT_FALSE(pk_combo_valid(PK_KIND_GUP_RO, PK_BACK_ANON_4K,
				       PK_DIR_CPU_WRITE_RDMA_READ,
				       PK_DIST_MUNMAP_REMAP));
}

struct row_count {
	size_t all, odp, msg, odp_msg;
	unsigned int kinds, backings, dirs;
};

static void count_row(const struct pk_case *c, size_t n, const char *row,
		      struct row_count *rc)
{
	size_t i;

	memset(rc, 0, sizeof(*rc));
	for (i = 0; i < n; i++) {
		if (strcmp(c[i].row->name, row))
			continue;
		rc->all++;
		rc->odp += c[i].kind == PK_KIND_ODP;
		rc->msg += pk_dir_is_msg(c[i].dir);
		rc->odp_msg += c[i].kind == PK_KIND_ODP &&
			       pk_dir_is_msg(c[i].dir);
		rc->kinds |= PK_BIT(c[i].kind);
		rc->backings |= PK_BIT(c[i].backing);
		rc->dirs |= PK_BIT(c[i].dir);
	}
}

#define CORE	(PK_BIT(PK_BACK_ANON_4K) | PK_BIT(PK_BACK_ANON_THP) | \
		 PK_BIT(PK_BACK_ANON_THP_PTE) | PK_BIT(PK_BACK_MEMFD_SHARED) | \
		 PK_BIT(PK_BACK_TMPFS_PRIVATE))
#define MSG	(PK_BIT(PK_DIR_CPU_WRITE_SEND) | PK_BIT(PK_DIR_RECV_CPU_READ))

/*
 * The rows of issue 5: SEND/RECV under none, clear-refs and
 * fork-parent-writes (5 core backings x pinned-rw 2 + pinned-ro 1 + odp 2),
 * and the munmap rows, ODP only except the pinned one.
 */
static void odp_rows_expand(void)
{
	static const char *const msg_rows[] = { "none", "clear-refs",
						"fork-parent-writes" };
	unsigned int rw_dirs = PK_BIT(PK_DIR_CPU_WRITE_RDMA_READ) |
			       PK_BIT(PK_DIR_RDMA_WRITE_CPU_READ) |
			       PK_BIT(PK_DIR_FETCH_ADD);
	unsigned int mbacks = PK_BIT(PK_BACK_ANON_4K) |
			      PK_BIT(PK_BACK_ANON_THP) |
			      PK_BIT(PK_BACK_MEMFD_SHARED);
	struct row_count rc;
	size_t n, i, msg = 0;
	struct pk_case *c = expand_all(&n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (i = 0; i < 3; i++) {
		count_row(c, n, msg_rows[i], &rc);
		CU_ASSERT_EQUAL(rc.msg, 25);
		CU_ASSERT_EQUAL(rc.odp_msg, 10);
	}
	for (i = 0; i < n; i++) {
		if (!pk_dir_is_msg(c[i].dir))
			continue;
		msg++;
		CU_ASSERT(CORE & PK_BIT(c[i].backing));
	}
	/* no other row moves data through SEND/RECV */
	CU_ASSERT_EQUAL(msg, 75);

	count_row(c, n, "munmap", &rc);
	CU_ASSERT_EQUAL(rc.all, 9);
	CU_ASSERT_EQUAL(rc.odp, 9);
	CU_ASSERT_EQUAL(rc.backings, mbacks);
	CU_ASSERT_EQUAL(rc.dirs, rw_dirs);

	count_row(c, n, "munmap-remap", &rc);
	CU_ASSERT_EQUAL(rc.all, 9);
	CU_ASSERT_EQUAL(rc.odp, 9);
	CU_ASSERT_EQUAL(rc.backings, mbacks);
	CU_ASSERT_EQUAL(rc.dirs, rw_dirs);

	count_row(c, n, "munmap-pinned", &rc);
	CU_ASSERT_EQUAL(rc.all, 4);
	CU_ASSERT_EQUAL(rc.odp, 0);
	CU_ASSERT_EQUAL(rc.kinds, PK_BIT(PK_KIND_PINNED_RW) |
				  PK_BIT(PK_KIND_PINNED_RO));
	CU_ASSERT_EQUAL(rc.dirs, PK_BIT(PK_DIR_CPU_WRITE_RDMA_READ));
	free(c);
}

/* A private table expands to kinds x backings x directions. */
static void private_table(void)
{
	static const struct pk_row rows[] = {
		{ "a", "invariant a", PK_DIST_NONE,
		  PK_BIT(PK_KIND_PINNED_RW) | PK_BIT(PK_KIND_ODP),
		  PK_BIT(PK_BACK_ANON_4K) | PK_BIT(PK_BACK_ANON_THP),
		  PK_BIT(PK_DIR_CPU_WRITE_RDMA_READ) |
		  PK_BIT(PK_DIR_RDMA_WRITE_CPU_READ), 0 },
		{ "b", "invariant b", PK_DIST_FORK_CHILD_EXITS,
		  PK_BIT(PK_KIND_PINNED_RO), PK_BIT(PK_BACK_ANON_4K),
		  (1u << PK_DIR_NR) - 1, 0 },
	};
	struct pk_case c[16];

	/*
	 * 2 x 2 x 2, then a read-only MR keeps only the directions in which
	 * the device reads: cpu-write-rdma-read and cpu-write-send
	 */
	CU_ASSERT_EQUAL(pk_expand(rows, 2, c, 16), 10);
	CU_ASSERT_STRING_EQUAL(c[0].name, "a/anon-4k/pinned-rw/cpu-write-rdma-read");
	CU_ASSERT_STRING_EQUAL(c[8].name, "b/anon-4k/pinned-ro/cpu-write-rdma-read");
	CU_ASSERT_STRING_EQUAL(c[9].name, "b/anon-4k/pinned-ro/cpu-write-send");
	CU_ASSERT_PTR_EQUAL(c[8].row, &rows[1]);
}

int ut_register_cases(void)
{
	CU_pSuite s = CU_add_suite("cases", NULL, NULL);

	if (!s)
		return -1;
	UT_ADD(s, expand_counts);
	UT_ADD(s, smoke_first);
	UT_ADD(s, names_unique_and_shaped);
	UT_ADD(s, combos_valid);
	UT_ADD(s, rows_well_formed);
	UT_ADD(s, dimensions_covered);
	UT_ADD(s, private_table);
	UT_ADD(s, msg_combos);
	UT_ADD(s, munmap_combos);
	UT_ADD(s, odp_rows_expand);
	return 0;
}
