// SPDX-License-Identifier: GPL-2.0
/*
 * The backing table: a new entry reaches every family its properties
 * allow (the rows that name it, the soak, fork-copies), and no other.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "pinkit-soak.h"

static const struct pk_family *const families[] = {
	&pk_family_rows, &pk_family_odp_xfer, &pk_family_fork_copies,
	&pk_family_soak,
};

#define NR(a)		(sizeof(a) / sizeof((a)[0]))

/* The new entries, after the built-in ones, each a copy of a twin's. */
enum {
	FAKE_THP = PK_BACK_NR,	/* anon-thp's properties: a PMD-mapped THP */
	FAKE_SMALL,		/* anon-4k's: no THP, written by the CPU */
	FAKE_UNWRITTEN,		/* never-touched's: PK_BF_UNWRITTEN */
	FAKE_NR,
};

static const struct {
	const char *name;
	enum pk_backing twin;
	/* the families it must reach; the others it must not */
	bool soak, fork_copies;
} fakes[FAKE_NR - PK_BACK_NR] = {
	[FAKE_THP - PK_BACK_NR] = { "fake-thp", PK_BACK_ANON_THP, true, true },
	[FAKE_SMALL - PK_BACK_NR] = { "fake-small", PK_BACK_ANON_4K, true,
				      false },
	[FAKE_UNWRITTEN - PK_BACK_NR] = { "fake-unwritten", PK_BACK_ZERO,
					  false, false },
};

/*
 * @name with its second part (the backing) @from replaced by @to into
 * @out; false if that part is not @from.
 */
static bool rename_backing(const char *name, const char *from, const char *to,
			   char *out, size_t len)
{
	const char *b = strchr(name, '/');
	size_t n = strlen(from);

	if (!b || strncmp(b + 1, from, n) || (b[1 + n] && b[1 + n] != '/'))
		return false;
	snprintf(out, len, "%.*s/%s%s", (int)(b - name), name, to, b + 1 + n);
	return true;
}

/*
 * In family @f's cases @c (@n of them), does backing @fake have exactly
 * the cases its twin has, under its own name, where @want (in the rows,
 * the rows whose bitmask names it), and none where not?
 */
static bool fake_as_twin(const struct pk_family *f, const struct pk_case *c,
			 size_t n, unsigned int fake, bool want)
{
	const char *twin = pk_backing_name(fakes[fake - PK_BACK_NR].twin);
	const char *name = fakes[fake - PK_BACK_NR].name;
	char want_name[PK_NAME_MAX];
	size_t i, j = 0, got = 0, expect = 0;
	bool same = true;

	for (i = 0; i < n; i++)
		got += c[i].backing == fake;
	if (!want)
		return got == 0;
	for (i = 0; i < n; i++) {
		if (c[i].backing != fakes[fake - PK_BACK_NR].twin)
			continue;
		if (f == &pk_family_rows && !(c[i].row->backings & PK_BIT(fake)))
			continue;
		if (!rename_backing(c[i].name, twin, name, want_name,
				    sizeof(want_name)))
			return false;
		expect++;
		/* the next case of @fake has that name */
		while (j < n && c[j].backing != fake)
			j++;
		if (j == n || strcmp(c[j].name, want_name))
			same = false;
		j++;
	}
	return same && expect && got == expect;
}

/*
 * Three entries added to a copy of the table through the test seam
 * pk_backings_use(): with anon-thp's properties (a PMD-mapped THP) it
 * gets anon-thp's cases in the rows that name every backing, the soak and
 * fork-copies; with anon-4k's, the same rows and the soak but not
 * fork-copies (no THP); with never-touched's (PK_BF_UNWRITTEN), the rows
 * only.  None reaches odp-xfer, which maps its own memory, or a row that
 * does not name it.  The table restored, the families expand as before.
 */
static void new_backing_reaches_its_families(void)
{
	static struct pk_backing_desc table[FAKE_NR];
	size_t before[NR(families)], f, n, r;
	unsigned int fake;
	struct pk_case *c;
	bool kept_out = false;

	for (f = 0; f < NR(families); f++)
		before[f] = families[f]->expand(NULL, 0);
	memcpy(table, pk_backings, sizeof(pk_backings));
	for (fake = PK_BACK_NR; fake < FAKE_NR; fake++) {
		table[fake] = pk_backings[fakes[fake - PK_BACK_NR].twin];
		table[fake].name = fakes[fake - PK_BACK_NR].name;
	}
	pk_backings_use(table, FAKE_NR);
	CU_ASSERT_EQUAL_FATAL(pk_backing_count(), FAKE_NR);
	CU_ASSERT_STRING_EQUAL(pk_backing_name((enum pk_backing)FAKE_THP), "fake-thp");
	for (f = 0; f < NR(families); f++) {
		const struct pk_family *fam = families[f];

		n = fam->expand(NULL, 0);
		c = calloc(n ? n : 1, sizeof(*c));
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		fam->expand(c, n);
		for (fake = PK_BACK_NR; fake < FAKE_NR; fake++) {
			bool want = fam == &pk_family_rows ||
				    (fam == &pk_family_soak &&
				     fakes[fake - PK_BACK_NR].soak) ||
				    (fam == &pk_family_fork_copies &&
				     fakes[fake - PK_BACK_NR].fork_copies);

			if (!fake_as_twin(fam, c, n, fake, want)) {
				fprintf(stderr, "# %s: backing %s %s\n",
					fam->name, fakes[fake - PK_BACK_NR].name,
					want ? "lacks its twin's cases" :
					       "has cases");
				CU_FAIL("a new backing reaches other families than its properties allow");
			}
		}
		free(c);
	}
	/* a row that takes anon-thp but does not name the new ones */
	for (r = 0; r < pk_nr_rows; r++)
		kept_out |= (pk_rows[r].backings & PK_BIT(PK_BACK_ANON_THP)) &&
			    !(pk_rows[r].backings & PK_BIT(FAKE_THP));
	CU_ASSERT_TRUE(kept_out);
	pk_backings_use(NULL, 0);
	CU_ASSERT_EQUAL(pk_backing_count(), PK_BACK_NR);
	CU_ASSERT_PTR_EQUAL(pk_backing(PK_BACK_KSM), &pk_backings[PK_BACK_KSM]);
	for (f = 0; f < NR(families); f++)
		CU_ASSERT_EQUAL(families[f]->expand(NULL, 0), before[f]);
}

/* The soak's six backings, in its order, from the table alone. */
static void soak_takes_six(void)
{
	static const char *const soak[] = {
		"anon-4k", "anon-thp", "anon-thp-pte", "anon-mthp-64k",
		"memfd-shared", "hugetlb-2m",
	};
	size_t n = pk_soak_expand(NULL, 0), per, i;
	struct pk_case *c = calloc(n ? n : 1, sizeof(*c));
	char want[PK_NAME_MAX];

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	pk_soak_expand(c, n);
	CU_ASSERT_EQUAL_FATAL(n % NR(soak), 0);
	per = n / NR(soak);
	for (i = 0; i < NR(soak); i++) {
		snprintf(want, sizeof(want), "soak/%s/%s", soak[i],
			 c[i * per].kind->name);
		CU_ASSERT_STRING_EQUAL(c[i * per].name, want);
	}
	free(c);
}

/* fork-copies' three backings, the THP ones, named by their case's backing. */
static void fork_copies_takes_the_thps(void)
{
	static const enum pk_backing fc[] = {
		PK_BACK_ANON_THP, PK_BACK_ANON_THP_PTE, PK_BACK_ANON_MTHP,
	};
	size_t n = pk_fork_copies_expand(NULL, 0), i, j = 0;
	struct pk_case *c = calloc(n ? n : 1, sizeof(*c));
	char want[PK_NAME_MAX];

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	pk_fork_copies_expand(c, n);
	for (i = 0; i < n; i++) {
		if (j + 1 < NR(fc) && c[i].backing == fc[j + 1])
			j++;
		CU_ASSERT_EQUAL(c[i].backing, fc[j]);
		snprintf(want, sizeof(want), "fork-copies/%s/",
			 pk_backing_name(fc[j]));
		CU_ASSERT_EQUAL(strncmp(c[i].name, want, strlen(want)), 0);
	}
	CU_ASSERT_EQUAL(j, NR(fc) - 1);
	free(c);
	for (i = 0; i < PK_BACK_NR; i++) {
		const struct pk_backing_desc *b = pk_backing(i);

		CU_ASSERT_EQUAL(b->thp != PK_THP_NONE, b->thp_len != 0);
	}
}

int ut_register_backings(void)
{
	CU_pSuite s = CU_add_suite("backings", NULL, NULL);

	if (!s)
		return -1;
	UT_ADD(s, new_backing_reaches_its_families);
	UT_ADD(s, soak_takes_six);
	UT_ADD(s, fork_copies_takes_the_thps);
	return 0;
}
