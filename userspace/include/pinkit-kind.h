/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinkit kind interface, version 1: how a device that holds on to process
 * memory (a pinned RDMA MR, a GPU userptr, an io_uring fixed buffer, a
 * secondary MMU) plugs into the suite.
 *
 * A kind is a const table of operations.  pinkit maps the buffer under test
 * (the backing), fills it, calls attach() so the device takes hold of it,
 * and then moves data through read(), write() and atomic() while the kernel
 * disturbs the memory.  Every verdict is pinkit's: a kind only moves bytes
 * and says why when it cannot.
 *
 * Built-in kinds live in userspace/lib/kind_*.c.  A vendor builds a kind out
 * of tree as a shared object that exports
 *
 *	const struct pk_kind_ops *const *pinkit_kinds(unsigned int *n);
 *
 * returning an array of *n kinds, each with .abi = PK_KIND_ABI; load it with
 * `pinkit run --kind-plugin PATH.so`.  This header is all a plugin needs; it
 * links against nothing of pinkit's.  userspace/examples/procmem-kind.c is a
 * complete one.
 *
 * Versioning: PK_KIND_ABI changes whenever a structure below changes in a
 * way an older plugin would misread; pinkit refuses a plugin built against
 * another version and names both numbers.
 */
#ifndef PINKIT_KIND_H
#define PINKIT_KIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PK_KIND_ABI		1
#define PK_KIND_ERR_MAX		512
#define PK_KIND_SYMBOL		"pinkit_kinds"

/* What a kind is; rows select kinds by these (userspace/lib/rows.c). */
enum {
	/* An RDMA MR through verbs: has SEND/RECV and remote-access errors. */
	PK_KF_VERBS = 1 << 0,
	/* Holds FOLL_PIN | FOLL_LONGTERM references while attached. */
	PK_KF_PIN = 1 << 1,
	/*
	 * Holds no page reference (a secondary MMU, ODP): what a reference
	 * would block (migration, KSM, reclaim) must happen.
	 */
	PK_KF_NO_REF = 1 << 2,
	/* The device writes the memory (write() is set). */
	PK_KF_WRITES = 1 << 3,
	/* The device has an 8-byte fetch-and-add (atomic() is set). */
	PK_KF_ATOMIC = 1 << 4,
	/*
	 * A kernel test hook (gup_test, test_hmm) rather than a device
	 * driver: the rows about driver-facing APIs leave it out.
	 */
	PK_KF_TEST_HOOK = 1 << 5,
};

/* What the direction of a case asks of the device (check()). */
enum {
	PK_DIRF_DEV_WRITES = 1 << 0,	/* the device writes the memory */
	PK_DIRF_MSG = 1 << 1,		/* through SEND/RECV (PK_KF_VERBS) */
	PK_DIRF_ATOMIC = 1 << 2,	/* through fetch-and-add */
};

/* One transfer: @len bytes at @off in the buffer, @loff in the scratch. */
struct pk_xfer {
	size_t off;
	size_t len;
	size_t loff;
};

/* One attachment of a kind to the buffer under test. */
struct pk_kind_dev {
	/* set by pinkit before check() and attach() */
	const struct pk_kind_ops *ops;
	uint8_t *addr;		/* the buffer under test */
	size_t len;
	size_t page;
	size_t scratch_len;	/* bytes the kind provides at @scratch */
	unsigned int dir_flags;	/* PK_DIRF_* of the case */
	const void *host;	/* pinkit's environment; built-in kinds only */
	const char *read_name;	/* "an RDMA READ"; from ops, a kind may */
	const char *write_name;	/* change them in attach() */
	/* set by the kind */
	uint8_t *scratch;	/* device side: probe i at i * page */
	void *priv;		/* the kind's own state */
	int status;		/* kind-specific code of the last failed
				 * operation (e.g. enum ibv_wc_status), -1 */
	char err[PK_KIND_ERR_MAX];	/* why an operation failed or skipped */
};

/*
 * Return values: 0 done; PK_KIND_SKIP the kernel or device lacks what this
 * needs (err says what, and how to get it); -1 failed (err says what and
 * why, with errno's text).
 */
#define PK_KIND_SKIP	1

struct pk_kind_ops {
	unsigned int abi;	/* PK_KIND_ABI */
	const char *name;	/* third part of a case name: [a-z0-9-]+ */
	unsigned int flags;	/* PK_KF_* */
	const char *read_name;	/* how a device read is called in messages */
	const char *write_name;
	/*
	 * Optional.  Can the device do what d->dir_flags ask?  Called before
	 * anything is mapped; a SKIP here costs nothing.
	 */
	int (*check)(struct pk_kind_dev *d);
	/* Take hold of [addr, addr + len) and provide the scratch buffer. */
	int (*attach)(struct pk_kind_dev *d);
	/* Let go; 0 or -1 with err.  Called after a failed attach() too. */
	int (*detach)(struct pk_kind_dev *d);
	/* Copy buffer[x.off..] to scratch[x.loff..] for every transfer. */
	int (*read)(struct pk_kind_dev *d, const struct pk_xfer *x, size_t n);
	/* Copy scratch[x.loff..] to buffer[x.off..]; NULL without PK_KF_WRITES */
	int (*write)(struct pk_kind_dev *d, const struct pk_xfer *x, size_t n);
	/* Fetch-and-add at buffer[off]; NULL without PK_KF_ATOMIC. */
	int (*atomic)(struct pk_kind_dev *d, size_t off, uint64_t add,
		      uint64_t *old);
};

/* The entry point of a plugin. */
typedef const struct pk_kind_ops *const *(*pk_kinds_fn)(unsigned int *n);

#endif /* PINKIT_KIND_H */
