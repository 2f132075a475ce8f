// SPDX-License-Identifier: GPL-2.0
/*
 * The kinds: what holds on to the buffer beside the CPU.  One line per
 * built-in kind below; its ops live in its own kind_*.c.  Plugins
 * (--kind-plugin, plugin.c) append theirs at run time.
 *
 * Every family of cases selects kinds by their PK_KF_* flags alone (rows.c,
 * fork_copies.c, soak.c, odp_xfer.c; families.c lists them), so a new kind
 * runs on every row and family whose flags it has, and on no other.  A
 * plugin's kind may declare the public flags of pinkit-kind.h only; the
 * built-in ones add pinkit's own (PK_KF_VERBS, PK_KF_TEST_HOOK: pinkit.h).
 */
#include <string.h>

#include "pinkit.h"

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

static struct {
	const struct pk_kind_ops *ops;
	const char *from;		/* the plugin file */
} added[KINDS_MAX - NR_BUILTIN];
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
	return i < nr_added ? added[i].ops : NULL;
}

const struct pk_kind_ops *pk_kind_find(const char *name)
{
	size_t i;

	for (i = 0; i < pk_kind_count(); i++)
		if (!strcmp(pk_kind_at(i)->name, name))
			return pk_kind_at(i);
	return NULL;
}

bool pk_kind_is_builtin(const struct pk_kind_ops *k)
{
	size_t i;

	for (i = 0; i < NR_BUILTIN; i++)
		if (builtin[i] == k)
			return true;
	return false;
}

const char *pk_kind_origin(const struct pk_kind_ops *k)
{
	size_t i;

	for (i = 0; i < nr_added; i++)
		if (added[i].ops == k)
			return added[i].from;
	return "built-in";
}

/* Every kind flag by name, the public ones first. */
#define FLAG(f)	{ f, #f }
static const struct pk_flag_name flag_names[] = {
	FLAG(PK_KF_PIN), FLAG(PK_KF_NO_REF), FLAG(PK_KF_WRITES),
	FLAG(PK_KF_ATOMIC), FLAG(PK_KF_WHOLE_PAGES), FLAG(PK_KF_ONE_ATTACH),
	FLAG(PK_KF_VERBS), FLAG(PK_KF_TEST_HOOK),
};
#undef FLAG

#define NR_FLAGS	(sizeof(flag_names) / sizeof(flag_names[0]))

char *pk_kind_flags_str(unsigned int flags, char *buf, size_t len)
{
	unsigned int known = 0, rest;
	size_t i, used;

	for (i = 0; i < NR_FLAGS; i++)
		known |= (unsigned int)flag_names[i].mask;
	pk_flag_names(flags & known, flag_names, NR_FLAGS, "none", buf, len);
	/* a bit no flag has: by its value */
	rest = flags & ~known;
	if (rest && len) {
		used = flags & known ? strlen(buf) : 0;
		snprintf(buf + used, len - used, "%s0x%x", used ? "|" : "",
			 rest);
	}
	return buf;
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

/* The interface version and the size of @k's ops: what pinkit can read. */
static int layout_ok(const struct pk_kind_ops *k, char *err, size_t len)
{
	if (k->abi == 1) {
		snprintf(err, len,
			 "a kind built against pinkit kind interface version 1, this pinkit has version %u (sizes, no host pointer, device-neutral case names): rebuild it against this pinkit's pinkit-kind.h (pkg-config --cflags pinkit), starting its ops with PK_KIND_OPS_HEAD and without PK_KF_TEST_HOOK; docs/plugins.md, 'From version 1'",
			 PK_KIND_ABI);
		return -1;
	}
	if (k->abi != PK_KIND_ABI) {
		snprintf(err, len,
			 "a kind built against pinkit kind interface version %u, this pinkit has version %u: rebuild it against this pinkit's pinkit-kind.h (pkg-config --cflags pinkit), or use the pinkit it was built for",
			 k->abi, PK_KIND_ABI);
		return -1;
	}
	if (k->size < PK_KIND_OPS_MIN_SIZE) {
		snprintf(err, len,
			 "a kind whose struct pk_kind_ops is %u bytes, version %u's has at least %zu: start its ops with PK_KIND_OPS_HEAD (.size = sizeof(struct pk_kind_ops)) and rebuild it against pinkit-kind.h",
			 k->size, PK_KIND_ABI, (size_t)PK_KIND_OPS_MIN_SIZE);
		return -1;
	}
	return 0;
}

int pk_kind_register(const struct pk_kind_ops *k, const char *from, char *err,
		     size_t len)
{
	char fl[PK_MSG_MAX];

	if (layout_ok(k, err, len))
		return -1;
	if (!name_ok(k->name)) {
		snprintf(err, len,
			 "kind name '%s' is not [a-z0-9-]+: it is part of every case name",
			 k->name ? k->name : "(null)");
		return -1;
	}
	if (pk_kind_find(k->name)) {
		snprintf(err, len, "kind '%s' is already there (%s): kind names must be unique",
			 k->name, pk_kind_origin(pk_kind_find(k->name)));
		return -1;
	}
	if (k->flags & ~PK_KF_ALL) {
		snprintf(err, len,
			 "kind '%s' declares %s, which no plugin may (PK_KF_ALL in pinkit-kind.h lists the flags of version %u)",
			 k->name, pk_kind_flags_str(k->flags & ~PK_KF_ALL, fl,
						    sizeof(fl)), PK_KIND_ABI);
		return -1;
	}
	if ((k->flags & PK_KF_PIN) && (k->flags & PK_KF_NO_REF)) {
		snprintf(err, len,
			 "kind '%s' declares both PK_KF_PIN and PK_KF_NO_REF: a device either holds page references or it does not",
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
	added[nr_added].ops = k;
	added[nr_added].from = from;
	nr_added++;
	return 0;
}

void pk_kind_truncate(size_t count)
{
	if (count >= NR_BUILTIN && count - NR_BUILTIN < nr_added)
		nr_added = count - NR_BUILTIN;
}

void pk_kind_dev_init(struct pk_kind_dev *d, const struct pk_kind_ops *k,
		      const struct pk_env *env, unsigned int dir_flags)
{
	memset(d, 0, sizeof(*d));
	d->size = sizeof(*d);
	d->dir_flags = dir_flags;
	d->ops = k;
	d->host = pk_host_of(env);
	d->read_name = k->read_name;
	d->write_name = k->write_name;
	d->status = -1;
}

int pk_kind_check(struct pk_kind_dev *d, struct pk_result *r)
{
	int ret;

	if (!d->ops->check)
		return 0;
	ret = d->ops->check(d);
	if (ret == PK_KIND_SKIP) {
		pk_skip(r, "%s", d->err);
		return 1;
	}
	if (ret) {
		pk_fail(r, "%s (check): %s", d->ops->name, d->err);
		return -1;
	}
	return 0;
}
