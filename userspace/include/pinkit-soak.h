/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinkit soak (lib/soak.c): CPU writer threads, device traffic and a
 * disturber at the same time over one backing attached to one kind.
 */
#ifndef PINKIT_SOAK_H
#define PINKIT_SOAK_H

#include "pinkit.h"

struct pk_soak_opts {
	uint64_t seed;		/* printed at start; replays the schedule */
	unsigned int seconds;	/* the whole soak; shared by the combos */
	unsigned int iterations;	/* disturbances per combo, 0: by time */
	unsigned int writers;	/* CPU writer threads, 0: one per CPU, >= 2 */
};

/* Sums over the combos, for the closing figures. */
struct pk_soak_totals {
	unsigned long dist[PK_DIST_NR];
	double dist_secs[PK_DIST_NR];	/* time spent in each kind */
	unsigned long disturbances;
	unsigned long corrupt;		/* cases that saw a lost write */
	unsigned long long cpu_writes, cpu_checked, dev_ops, dev_checked;
	double seconds;
};

/*
 * Soak backing @c->backing under kind @c->kind for @seconds (or
 * @o->iterations disturbances): pass, a skip that says why, or a failure
 * with the seed, the slot, expected and found values, the last
 * disturbances and the PFN; a lost or misplaced write also gets the
 * "first-diff: offset=" diagnostic.  Figures go to @r's diagnostics and
 * are added to @tot.
 */
void pk_soak_combo(const struct pk_case *c, const struct pk_env *env,
		   const struct pk_soak_opts *o, double seconds,
		   struct pk_result *r, struct pk_soak_totals *tot);

/*
 * The soak's cases, soak/<backing>/<kind>, into @out like pk_expand(): every
 * backing it covers times every kind pk_family_soak takes.
 */
size_t pk_soak_expand(struct pk_case *out, size_t max);

/* "# soak totals: ..." lines: disturbances by kind, traffic verified. */
void pk_soak_totals_write(FILE *f, const struct pk_soak_totals *t);

#endif /* PINKIT_SOAK_H */
