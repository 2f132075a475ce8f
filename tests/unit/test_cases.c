// SPDX-License-Identifier: GPL-2.0
/* Case-table expansion. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* A built-in kind by name; the test stops if there is none. */
static const struct pk_kind_ops *kind(const char *name)
{
	const struct pk_kind_ops *k = pk_kind_find(name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	return k;
}

static struct pk_case *expand_all(size_t *n)
{
	struct pk_case *c;

	*n = pk_expand(pk_rows, pk_nr_rows, NULL, 0);
	c = calloc(*n ? *n : 1, sizeof(*c));
	if (c)
		CU_ASSERT_EQUAL(pk_expand(pk_rows, pk_nr_rows, c, *n), *n);
	return c;
}

/* Counting and filling agree. */
static void expand_counts(void)
{
	size_t n;
	struct pk_case *c = expand_all(&n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(n > 0);
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
			 pk_backing_name(c[i].backing), c[i].kind->name,
			 pk_case_dir_name(c[i].kind, c[i].dir));
		CU_ASSERT_STRING_EQUAL(c[i].name, want);
		CU_ASSERT_PTR_NULL(strchr(c[i].name, '#'));
		/* four parts, as the README promises: no '/' in a row name */
		CU_ASSERT_PTR_NULL(strchr(c[i].row->name, '/'));
		CU_ASSERT_PTR_NULL(strchr(c[i].name, ' '));
		for (j = i + 1; j < n; j++)
			if (!strcmp(c[i].name, c[j].name))
				CU_FAIL("duplicate case name");
	}
	free(c);
}

/*
 * The built-in kinds' cases keep the RDMA direction names of kind
 * interface version 1 for one more release; each has its device-neutral
 * name as an alias, and --filter selects it by either.
 */
static void builtin_names_keep_v1_with_alias(void)
{
	size_t n, i, aliased = 0;
	struct pk_case *c = expand_all(&n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(pk_dir_name(PK_DIR_CPU_WRITE_RDMA_READ),
			       "cpu-write-dev-read");
	CU_ASSERT_STRING_EQUAL(pk_dir_name(PK_DIR_RDMA_WRITE_CPU_READ),
			       "dev-write-cpu-read");
	for (i = 0; i < n; i++) {
		const char *v1 = pk_dirs[c[i].dir].v1_name;

		if (!pk_kind_is_builtin(c[i].kind))
			continue;
		if (!v1) {
			CU_ASSERT_PTR_NULL(c[i].dir_alias);
			continue;
		}
		aliased++;
		CU_ASSERT_STRING_EQUAL(c[i].dir_alias, pk_dir_name(c[i].dir));
		CU_ASSERT_TRUE(pk_case_match("*/dev-write-cpu-read,*/cpu-write-dev-read",
					     &c[i]));
		CU_ASSERT_TRUE(pk_case_match("*/rdma-write-cpu-read,*/cpu-write-rdma-read",
					     &c[i]));
		CU_ASSERT_FALSE(pk_case_match("!*-dev-*,!*/dev-*", &c[i]));
	}
	CU_ASSERT(aliased > 0);
	CU_ASSERT_TRUE(pk_case_match("smoke/anon-4k/pinned-rw/cpu-write-dev-read",
				     &c[0]));
	CU_ASSERT_FALSE(pk_case_match("smoke/anon-4k/pinned-rw/dev-write-cpu-read",
				      &c[0]));
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
		if (c[i].kind == kind("pinned-ro"))
			CU_ASSERT(c[i].dir == PK_DIR_CPU_WRITE_RDMA_READ ||
				  c[i].dir == PK_DIR_CPU_WRITE_SEND);
	}
	CU_ASSERT_FALSE(pk_combo_valid(kind("pinned-ro"), PK_BACK_ANON_4K,
				       PK_DIR_RDMA_WRITE_CPU_READ,
				       PK_DIST_NONE));
	CU_ASSERT_FALSE(pk_combo_valid(kind("pinned-ro"), PK_BACK_ANON_4K,
				       PK_DIR_FETCH_ADD, PK_DIST_NONE));
	CU_ASSERT_TRUE(pk_combo_valid(kind("odp"), PK_BACK_ANON_THP,
				      PK_DIR_FETCH_ADD, PK_DIST_NONE));
	/* io_uring writes through READ_FIXED but has no atomics or verbs */
	CU_ASSERT_TRUE(pk_combo_valid(kind("io-uring-fixed"), PK_BACK_ANON_THP,
				      PK_DIR_INTERLEAVED, PK_DIST_NONE));
	CU_ASSERT_FALSE(pk_combo_valid(kind("io-uring-fixed"), PK_BACK_ANON_4K,
				       PK_DIR_FETCH_ADD, PK_DIST_NONE));
	CU_ASSERT_FALSE(pk_combo_valid(kind("io-uring-fixed"), PK_BACK_ANON_4K,
				       PK_DIR_CPU_WRITE_SEND, PK_DIST_NONE));
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
		CU_ASSERT(row->backings != 0 && row->dirs != 0);
		CU_ASSERT_FALSE(row->kind_has & row->kind_lacks);
		/* a control proves the checker sees a pinned page go stale */
		if (row->flags & PK_ROW_CONTROL) {
			controls++;
			CU_ASSERT(row->kind_has & PK_KF_PIN);
			CU_ASSERT_FALSE(pk_row_has_kind(row, kind("odp")));
		}
	}
	CU_ASSERT(controls >= 1);
}

/* Every kind, backing, direction and disturbance is used somewhere. */
static void dimensions_covered(void)
{
	unsigned int backings = 0, dirs = 0, dist = 0;
	bool kinds[64] = { false };
	size_t n, i, k;
	struct pk_case *c = expand_all(&n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FATAL(pk_kind_count() <= 64);
	for (i = 0; i < n; i++) {
		for (k = 0; k < pk_kind_count(); k++)
			if (c[i].kind == pk_kind_at(k))
				kinds[k] = true;
		backings |= PK_BIT(c[i].backing);
		dirs |= PK_BIT(c[i].dir);
		dist |= PK_BIT(c[i].row->disturb);
	}
	for (k = 0; k < pk_kind_count(); k++)
		CU_ASSERT_TRUE(kinds[k]);
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

	CU_ASSERT_TRUE(pk_combo_valid(kind("odp"), PK_BACK_ANON_4K,
				      PK_DIR_CPU_WRITE_SEND, PK_DIST_NONE));
	CU_ASSERT_TRUE(pk_combo_valid(kind("odp"), PK_BACK_MEMFD_SHARED,
				      PK_DIR_RECV_CPU_READ, PK_DIST_NONE));
	CU_ASSERT_TRUE(pk_combo_valid(kind("pinned-ro"), PK_BACK_ANON_4K,
				      PK_DIR_CPU_WRITE_SEND, PK_DIST_NONE));
	CU_ASSERT_FALSE(pk_combo_valid(kind("pinned-ro"), PK_BACK_ANON_4K,
				       PK_DIR_RECV_CPU_READ, PK_DIST_NONE));
	CU_ASSERT_FALSE(pk_combo_valid(kind("hmm-mirror"), PK_BACK_ANON_4K,
				       PK_DIR_CPU_WRITE_SEND, PK_DIST_NONE));
	CU_ASSERT_FALSE(pk_combo_valid(kind("gup-longterm-ro"), PK_BACK_ANON_4K,
				       PK_DIR_CPU_WRITE_SEND, PK_DIST_NONE));
	CU_ASSERT_FALSE(pk_combo_valid(kind("odp"), PK_BACK_HUGETLB_2M,
				       PK_DIR_CPU_WRITE_SEND, PK_DIST_NONE));
}

/* munmap needs an RDMA completion and page-granular memory. */
static void munmap_combos(void)
{
	CU_ASSERT_TRUE(pk_combo_valid(kind("odp"), PK_BACK_ANON_THP,
				      PK_DIR_FETCH_ADD, PK_DIST_MUNMAP));
	CU_ASSERT_TRUE(pk_combo_valid(kind("pinned-ro"), PK_BACK_ANON_4K,
				      PK_DIR_CPU_WRITE_RDMA_READ,
				      PK_DIST_MUNMAP));
	CU_ASSERT_FALSE(pk_combo_valid(kind("odp"), PK_BACK_HUGETLB_2M,
				       PK_DIR_CPU_WRITE_RDMA_READ,
				       PK_DIST_MUNMAP));
	CU_ASSERT_FALSE(pk_combo_valid(kind("odp"), PK_BACK_HUGETLB_2M,
				       PK_DIR_CPU_WRITE_RDMA_READ,
				       PK_DIST_MUNMAP_REMAP));
	CU_ASSERT_FALSE(pk_combo_valid(kind("hmm-mirror"), PK_BACK_ANON_4K,
				       PK_DIR_CPU_WRITE_RDMA_READ,
				       PK_DIST_MUNMAP));
	CU_ASSERT_FALSE(pk_combo_valid(kind("gup-longterm-ro"), PK_BACK_ANON_4K,
				       PK_DIR_CPU_WRITE_RDMA_READ,
				       PK_DIST_MUNMAP_REMAP));
}

/* The cases of @row as the plain cross product says they must be. */
static size_t model_count(const struct pk_row *row)
{
	size_t k, n = 0;
	unsigned int b, d;

	for (k = 0; k < pk_kind_count(); k++) {
		const struct pk_kind_ops *kd = pk_kind_at(k);

		if ((kd->flags & row->kind_has) != row->kind_has ||
		    (kd->flags & row->kind_lacks))
			continue;
		for (b = 0; b < PK_BACK_NR; b++)
			for (d = 0; d < PK_DIR_NR; d++)
				n += (row->backings & PK_BIT(b)) &&
				     (row->dirs & PK_BIT(d)) &&
				     pk_combo_valid(kd, b, d, row->disturb);
	}
	return n;
}

/*
 * Every row expands to exactly the valid part of kinds x backings x
 * directions it names, and nothing else (counted per row, not against
 * numbers that hold only for today's table).
 */
static void rows_expand_to_their_product(void)
{
	size_t n, i, r, total = 0;
	struct pk_case *c = expand_all(&n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (r = 0; r < pk_nr_rows; r++) {
		size_t got = 0;

		total += model_count(&pk_rows[r]);
		for (i = 0; i < n; i++)
			got += c[i].row == &pk_rows[r];
		if (got != model_count(&pk_rows[r]) || !got)
			CU_FAIL("a row expands to other cases than its kinds x backings x directions");
	}
	CU_ASSERT_EQUAL(total, n);
	free(c);
}

/*
 * The ODP rows of issue 5: SEND/RECV only with verbs on the core
 * backings; munmap and munmap-remap only for ODP; munmap-pinned only for
 * kinds that pin, never the gup_test hook, read by the device only.
 */
static void odp_rows_expand(void)
{
	size_t n, i;
	struct pk_case *c = expand_all(&n);
	bool munmap = false, remap = false, pinned = false;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (i = 0; i < n; i++) {
		const char *row = c[i].row->name;
		unsigned int kf = c[i].kind->flags;

		if (pk_dir_is_msg(c[i].dir)) {
			CU_ASSERT(kf & PK_KF_VERBS);
			CU_ASSERT(pk_backings[c[i].backing].flags & PK_BF_ALL_DIRS);
		}
		if (!strcmp(row, "munmap") || !strcmp(row, "munmap-remap")) {
			munmap |= !strcmp(row, "munmap");
			remap |= !strcmp(row, "munmap-remap");
			CU_ASSERT_PTR_EQUAL(c[i].kind, kind("odp"));
			CU_ASSERT(c[i].backing != PK_BACK_HUGETLB_2M);
		}
		if (!strcmp(row, "munmap-pinned")) {
			pinned = true;
			CU_ASSERT(kf & PK_KF_PIN);
			CU_ASSERT_FALSE(kf & PK_KF_TEST_HOOK);
			CU_ASSERT_EQUAL(c[i].dir, PK_DIR_CPU_WRITE_RDMA_READ);
		}
	}
	CU_ASSERT_TRUE(munmap && remap && pinned);
	free(c);
}

/*
 * io_uring fixed buffers run on every row whose kinds they belong to:
 * every row but the ones for verbs, for ODP or for the smoke MR.
 */
static void io_uring_rows(void)
{
	const struct pk_kind_ops *io = kind("io-uring-fixed");
	size_t r;

	for (r = 0; r < pk_nr_rows; r++) {
		const struct pk_row *row = &pk_rows[r];
		bool verbs_only = row->kind_has & (PK_KF_VERBS | PK_KF_NO_REF);

		CU_ASSERT_EQUAL(pk_row_has_kind(row, io), !verbs_only);
	}
}

/* A private table expands to kinds x backings x directions. */
static void private_table(void)
{
	static const struct pk_row rows[] = {
		/* the two RDMA kinds that write and have atomics */
		{ .name = "a", .invariant = "invariant a",
		  .disturb = PK_DIST_NONE,
		  .kind_has = PK_KF_VERBS | PK_KF_ATOMIC,
		  .backings = PK_BIT(PK_BACK_ANON_4K) | PK_BIT(PK_BACK_ANON_THP),
		  .dirs = PK_BIT(PK_DIR_CPU_WRITE_RDMA_READ) |
			  PK_BIT(PK_DIR_RDMA_WRITE_CPU_READ) },
		/* the RDMA kind that only reads */
		{ .name = "b", .invariant = "invariant b",
		  .disturb = PK_DIST_FORK_CHILD_EXITS,
		  .kind_has = PK_KF_VERBS, .kind_lacks = PK_KF_WRITES,
		  .backings = PK_BIT(PK_BACK_ANON_4K),
		  .dirs = (1u << PK_DIR_NR) - 1 },
	};
	struct pk_case c[16];

	/*
	 * 2 x 2 x 2, then a read-only MR keeps only the directions in which
	 * the device reads: cpu-write-rdma-read and cpu-write-send
	 */
	CU_ASSERT_EQUAL(pk_expand(rows, 2, c, 16), 10);
	CU_ASSERT_STRING_EQUAL(c[0].name, "a/anon-4k/pinned-rw/cpu-write-rdma-read");
	CU_ASSERT_STRING_EQUAL(c[2].name, "a/anon-4k/odp/cpu-write-rdma-read");
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
	UT_ADD(s, builtin_names_keep_v1_with_alias);
	UT_ADD(s, combos_valid);
	UT_ADD(s, rows_well_formed);
	UT_ADD(s, dimensions_covered);
	UT_ADD(s, private_table);
	UT_ADD(s, msg_combos);
	UT_ADD(s, munmap_combos);
	UT_ADD(s, odp_rows_expand);
	UT_ADD(s, rows_expand_to_their_product);
	UT_ADD(s, io_uring_rows);
	return 0;
}
