// SPDX-License-Identifier: GPL-2.0
/*
 * The families of cases and the kinds they reach.  Each family takes the
 * kinds whose PK_KF_* flags it asks for (struct pk_family, and each row of
 * the rows family its own), never kinds by name: a plugin's kind that
 * declares PK_KF_PIN reaches fork-copies like the built-in pinning kinds.
 *
 * `pinkit list --kinds` prints, for every kind, its flags and the cases
 * each family and row gives it, and names what keeps it out of the others.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pinkit.h"

/* The families `pinkit run` and `pinkit list` expand, in their order. */
static const struct pk_family *const run_families[] = {
	&pk_family_rows, &pk_family_odp_xfer, &pk_family_fork_copies,
};

/* ... and the soak, which only `pinkit soak` runs. */
static const struct pk_family *const all_families[] = {
	&pk_family_rows, &pk_family_odp_xfer, &pk_family_fork_copies,
	&pk_family_soak,
};

#define NR(a)	(sizeof(a) / sizeof((a)[0]))

size_t pk_expand_run(struct pk_case *out, size_t max)
{
	size_t n = 0, i;

	for (i = 0; i < NR(run_families); i++)
		n += run_families[i]->expand(out ? out + (n < max ? n : max) : NULL,
					     n < max ? max - n : 0);
	return n;
}

/* A family's cases in a new array (*n of them); NULL out of memory. */
static struct pk_case *expand_new(const struct pk_family *f, size_t *n)
{
	struct pk_case *c;

	*n = f->expand(NULL, 0);
	c = calloc(*n ? *n : 1, sizeof(*c));
	if (c)
		f->expand(c, *n);
	return c;
}

static size_t count_kind(const struct pk_case *c, size_t n,
			 const struct pk_kind_ops *k, const struct pk_row *row)
{
	size_t i, hits = 0;

	for (i = 0; i < n; i++)
		hits += c[i].kind == k && (!row || c[i].row == row);
	return hits;
}

/* "needs X" / "not for a kind with Y", or "" when @k fits. */
static void flags_why(const struct pk_kind_ops *k, unsigned int has,
		      unsigned int lacks, char *buf, size_t len)
{
	char fl[PK_MSG_MAX];
	size_t used = 0;

	buf[0] = '\0';
	if ((k->flags & has) != has)
		used = (size_t)snprintf(buf, len, "needs %s",
					pk_kind_flags_str(has & ~k->flags, fl,
							  sizeof(fl)));
	if ((k->flags & lacks) && used < len)
		snprintf(buf + used, len - used, "%snot for a kind with %s",
			 used ? ", " : "",
			 pk_kind_flags_str(k->flags & lacks, fl, sizeof(fl)));
}

/* What a direction asks of a kind, as kind flags. */
static unsigned int dir_needs(enum pk_dir d)
{
	unsigned int df = pk_dirs[d].flags, need = 0;

	if (df & PK_DIRF_DEV_WRITES)
		need |= PK_KF_WRITES;
	if (df & PK_DIRF_ATOMIC)
		need |= PK_KF_ATOMIC;
	if (df & PK_DIRF_MSG)
		need |= PK_KF_VERBS;
	return need;
}

/*
 * Why row @row, whose flags @k has, gives it no case: its disturbance,
 * the half munmap, or what its directions need.
 */
static void combo_why(const struct pk_row *row, const struct pk_kind_ops *k,
		      char *buf, size_t len)
{
	const struct pk_disturb_desc *ds = &pk_disturbs[row->disturb];
	unsigned int missing = 0;
	char fl[PK_MSG_MAX];
	unsigned int d;

	if ((k->flags & ds->kind_needs) != ds->kind_needs) {
		snprintf(buf, len, "its disturbance (%s) needs %s", ds->name,
			 pk_kind_flags_str(ds->kind_needs & ~k->flags, fl,
					   sizeof(fl)));
		return;
	}
	if ((ds->flags & PK_DF_HALF_UNMAP) && (k->flags & PK_KF_NO_REF) &&
	    !(k->flags & PK_KF_VERBS)) {
		snprintf(buf, len,
			 "without page references the unmapped half is judged by a remote access error, which needs PK_KF_VERBS");
		return;
	}
	for (d = 0; d < PK_DIR_NR; d++)
		if (row->dirs & PK_BIT(d))
			missing |= dir_needs(d) & ~k->flags;
	snprintf(buf, len, "its directions need %s",
		 pk_kind_flags_str(missing, fl, sizeof(fl)));
}

/* The rows family: a line per row, with its count or why none. */
static void report_rows(FILE *f, const struct pk_kind_ops *k,
			const struct pk_case *c, size_t n)
{
	size_t r, reached = 0, total = count_kind(c, n, k, NULL);
	char why[PK_MSG_MAX * 2];

	for (r = 0; r < pk_nr_rows; r++)
		reached += count_kind(c, n, k, &pk_rows[r]) > 0;
	fprintf(f, "  rows %zu: %zu of %zu rows\n", total, reached, pk_nr_rows);
	for (r = 0; r < pk_nr_rows; r++) {
		const struct pk_row *row = &pk_rows[r];
		size_t hits = count_kind(c, n, k, row);

		if (hits) {
			fprintf(f, "    row %s %zu\n", row->name, hits);
			continue;
		}
		if (pk_row_has_kind(row, k))
			combo_why(row, k, why, sizeof(why));
		else
			flags_why(k, row->kind_has, row->kind_lacks, why,
				  sizeof(why));
		fprintf(f, "    row %s 0: %s\n", row->name, why);
	}
}

static void report_kind(FILE *f, const struct pk_kind_ops *k,
			struct pk_case *const *cases, const size_t *ncases)
{
	char fl[PK_MSG_MAX], why[PK_MSG_MAX * 2];
	size_t i;

	fprintf(f, "kind %s (%s): %s\n", k->name, pk_kind_origin(k),
		pk_kind_flags_str(k->flags, fl, sizeof(fl)));
	for (i = 0; i < NR(all_families); i++) {
		const struct pk_family *fam = all_families[i];
		size_t hits = count_kind(cases[i], ncases[i], k, NULL);

		if (fam == &pk_family_rows) {
			report_rows(f, k, cases[i], ncases[i]);
			continue;
		}
		if (hits) {
			fprintf(f, "  %s %zu\n", fam->name, hits);
			continue;
		}
		flags_why(k, fam->kind_has, fam->kind_lacks, why, sizeof(why));
		fprintf(f, "  %s 0: %s%s%s\n", fam->name, why, *why ? ": " : "",
			fam->why);
	}
}

int pk_kinds_report(FILE *f)
{
	struct pk_case *cases[NR(all_families)];
	size_t ncases[NR(all_families)], got, i;
	int ret = -1;

	for (got = 0; got < NR(all_families); got++) {
		cases[got] = expand_new(all_families[got], &ncases[got]);
		if (!cases[got])
			goto out_free;
	}
	fprintf(f, "# every kind: its PK_KF_* flags (include/pinkit-kind.h), then per family and row its cases, or 0: what keeps it out\n");
	for (i = 0; i < NR(all_families); i++)
		fprintf(f, "# %s: %s\n", all_families[i]->name,
			all_families[i]->what);
	for (i = 0; i < pk_kind_count(); i++)
		report_kind(f, pk_kind_at(i), cases, ncases);
	ret = 0;
out_free:
	for (i = 0; i < got; i++)
		free(cases[i]);
	return ret;
}
