// SPDX-License-Identifier: GPL-2.0
/*
 * The kinds: what holds on to the buffer beside the CPU.  One line per
 * built-in kind below; its ops live in its own kind_*.c.  Plugins
 * (--kind-plugin, plugin.c) append theirs at run time.
 *
 * A row selects kinds by their PK_KF_* flags (rows.c), so a new kind runs
 * on every row whose flags it has, and on no other.
 */
#include <string.h>

#include "internal.h"

/* One line per built-in kind: X(name) stands for pk_kind_<name> */
#define BUILTIN_KINDS(X)						\
	X(pinned_rw)	/* RDMA MR, FOLL_LONGTERM | FOLL_WRITE */	\
	X(pinned_ro)	/* RDMA MR, REMOTE_READ only */			\
	X(odp)		/* RDMA MR, IBV_ACCESS_ON_DEMAND */		\
	X(gup_ro)	/* gup_test's long-term R/O pin */		\
	X(hmm_mirror)	/* test_hmm's secondary MMU */			\
	X(io_uring)	/* io_uring fixed buffers */

#define DECLARE(k)	extern const struct pk_kind_ops pk_kind_##k;
#define ENTRY(k)	&pk_kind_##k,

BUILTIN_KINDS(DECLARE)

static const struct pk_kind_ops *const builtin[] = { BUILTIN_KINDS(ENTRY) };

#define NR_BUILTIN	(sizeof(builtin) / sizeof(builtin[0]))
#define KINDS_MAX	32

static const struct pk_kind_ops *added[KINDS_MAX - NR_BUILTIN];
static size_t nr_added;

size_t pk_kind_count(void)
{
	return NR_BUILTIN + nr_added;
}

const struct pk_kind_ops *pk_kind_at(size_t i)
{
	if (i < NR_BUILTIN)
		return builtin[i];
	i -= NR_BUILTIN;
	return i < nr_added ? added[i] : NULL;
}

const struct pk_kind_ops *pk_kind_find(const char *name)
{
	size_t i;

	for (i = 0; i < pk_kind_count(); i++)
		if (!strcmp(pk_kind_at(i)->name, name))
			return pk_kind_at(i);
	return NULL;
}

static bool name_ok(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-'))
			return false;
	return true;
}

int pk_kind_register(const struct pk_kind_ops *k, char *err, size_t len)
{
	if (k->abi != PK_KIND_ABI) {
		snprintf(err, len,
			 "kind built against pinkit kind interface version %u, this pinkit has version %u: rebuild it against this include/pinkit-kind.h",
			 k->abi, PK_KIND_ABI);
		return -1;
	}
	if (!name_ok(k->name)) {
		snprintf(err, len,
			 "kind name '%s' is not [a-z0-9-]+: it is part of every case name",
			 k->name ? k->name : "(null)");
		return -1;
	}
	if (pk_kind_find(k->name)) {
		snprintf(err, len, "kind '%s' is already there: kind names must be unique",
			 k->name);
		return -1;
	}
	if (!k->attach || !k->detach || !k->read || !k->read_name ||
	    !k->write_name) {
		snprintf(err, len,
			 "kind '%s' lacks attach, detach, read or their names: all are required",
			 k->name);
		return -1;
	}
	if (!(k->flags & PK_KF_WRITES) != !k->write ||
	    !(k->flags & PK_KF_ATOMIC) != !k->atomic) {
		snprintf(err, len,
			 "kind '%s': PK_KF_WRITES must come with write() and PK_KF_ATOMIC with atomic(), and neither without",
			 k->name);
		return -1;
	}
	if (nr_added == KINDS_MAX - NR_BUILTIN) {
		snprintf(err, len, "kind '%s': no room, at most %d kinds",
			 k->name, KINDS_MAX);
		return -1;
	}
	added[nr_added++] = k;
	return 0;
}
