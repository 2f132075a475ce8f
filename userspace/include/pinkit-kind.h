/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinkit kind interface, version 2: how a device that holds on to process
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
 * returning an array of *n kinds, each starting with PK_KIND_OPS_HEAD.
 * This header is all a plugin needs; it links against nothing of pinkit's.
 * After `make install PREFIX=...`:
 *
 *	cc -shared -fPIC $(pkg-config --cflags pinkit) -o mykind.so mykind.c
 *	pinkit list --kinds --kind-plugin ./mykind.so
 *	pinkit run --kind-plugin ./mykind.so --filter '*my-kind*'
 *
 * `pinkit list --kinds` names every family and row of cases the kind reaches
 * and, for the others, the flag that keeps it out.  userspace/examples/
 * procmem-kind.c is a complete plugin; docs/plugins.md walks through one.
 *
 * Case names.  A case is <row>/<backing>/<kind>/<direction>.  A plugin's
 * kind gets the device-neutral direction names (cpu-write-dev-read,
 * dev-write-cpu-read, interleaved, fetch-add); pinkit's built-in kinds keep
 * the names of interface version 1 (cpu-write-rdma-read, rdma-write-cpu-read)
 * for one more release.  --filter accepts either name for every case.
 *
 * Versioning.  Two numbers guard the layout:
 *  - ops.abi = PK_KIND_ABI, the interface version.  It changes when a
 *    structure changes in a way one side would misread (a field moved,
 *    removed, or with another meaning).  pinkit refuses a kind of another
 *    version, naming the plugin file, both versions and what to do.
 *  - ops.size = sizeof(struct pk_kind_ops) as the plugin was built, and
 *    d->size = sizeof(struct pk_kind_dev) as pinkit was built.  Within a
 *    version fields are only ever added at the end of either structure:
 *    pinkit reads of a plugin's ops only the fields its size covers and
 *    refuses ops smaller than PK_KIND_OPS_MIN_SIZE; a plugin that uses a
 *    pk_kind_dev field added later checks PK_KIND_DEV_HAS(d, field) first.
 *
 * Version 1 plugins (no size, a `host` pointer into pinkit's own state
 * between `dir_flags` and `read_name`, PK_KF_VERBS and PK_KF_TEST_HOOK in
 * the public flags) are refused: rebuild them against this header, with
 * PK_KIND_OPS_HEAD in place of `.abi = PK_KIND_ABI` and without
 * PK_KF_TEST_HOOK (docs/plugins.md, "From version 1").
 */
#ifndef PINKIT_KIND_H
#define PINKIT_KIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PK_KIND_ABI		2
#define PK_KIND_ERR_MAX		512
#define PK_KIND_SYMBOL		"pinkit_kinds"

/*
 * What a device is and can do: its capabilities.  Every family of cases
 * selects kinds by these flags alone (`pinkit list --kinds` says which
 * family and row needs which), so declare what the device really does: a
 * row a kind reaches asserts its invariants for that kind, and a flag the
 * device does not live up to makes cases fail, not skip.
 *
 * Bits 0 and 5 are pinkit's own (its RDMA kinds, which drive verbs through
 * pinkit's vehicle, and its kernel test hooks gup_test and test_hmm); a
 * plugin kind with a bit outside PK_KF_ALL is refused.
 */
enum {
	/*
	 * Holds FOLL_PIN | FOLL_LONGTERM references on the pages while
	 * attached (ib_umem_get, a GPU userptr that pins, io_uring fixed
	 * buffers).  Reaches the rows about pinned pages (fork with pins,
	 * munmap under a pin, the pin's whole life, the MADV_DONTNEED
	 * control) and fork-copies (what fork() copies of a partly pinned
	 * large folio).
	 */
	PK_KF_PIN = 1 << 1,
	/*
	 * Holds no page reference while attached: a secondary MMU that
	 * follows the page tables through mmu notifiers (ODP, HMM, a GPU
	 * with page faults).  What a reference would block (migration, KSM,
	 * reclaim) must happen, and the rows that allow it assert it did.
	 * Not together with PK_KF_PIN.
	 */
	PK_KF_NO_REF = 1 << 2,
	/*
	 * The device writes the memory: write() is set.  Reaches the
	 * directions in which the device writes (dev-write-cpu-read,
	 * interleaved) and the rows that need a device write.
	 */
	PK_KF_WRITES = 1 << 3,
	/* The device has an 8-byte fetch-and-add: atomic() is set. */
	PK_KF_ATOMIC = 1 << 4,
	/*
	 * read() and write() move whole pages only (d->page bytes at a
	 * page-aligned offset).  The rows only ever move whole pages; the
	 * soak, whose device owns part of every page, only reads through
	 * such a device.
	 */
	PK_KF_WHOLE_PAGES = 1 << 6,
	/*
	 * The device holds one attachment at a time (gup_test has one pin
	 * for the whole system).  The cases that attach several ranges at
	 * once (fork-copies' pin-4) leave it out.
	 */
	PK_KF_ONE_ATTACH = 1 << 7,
};

/* Every flag a plugin's kind may declare. */
#define PK_KF_ALL	(PK_KF_PIN | PK_KF_NO_REF | PK_KF_WRITES | \
			 PK_KF_ATOMIC | PK_KF_WHOLE_PAGES | PK_KF_ONE_ATTACH)

/*
 * What the direction of a case asks of the device, in d->dir_flags when
 * check() and attach() are called.  Bit 1 is pinkit's own.
 */
enum {
	PK_DIRF_DEV_WRITES = 1 << 0,	/* the device writes the memory */
	PK_DIRF_ATOMIC = 1 << 2,	/* through fetch-and-add */
};

/* One transfer: @len bytes at @off in the buffer, @loff in the scratch. */
struct pk_xfer {
	size_t off;
	size_t len;
	size_t loff;
};

/* pinkit's side of an attachment; a plugin only passes it on. */
struct pk_host;

/* One attachment of a kind to the buffer under test. */
struct pk_kind_dev {
	/* set by pinkit before check() and attach() */
	unsigned int size;	/* sizeof(struct pk_kind_dev) in pinkit */
	unsigned int dir_flags;	/* PK_DIRF_* of the case */
	const struct pk_kind_ops *ops;
	/*
	 * Opaque: pinkit's own kinds reach their environment through it;
	 * version 2 offers plugins no service through it.
	 */
	const struct pk_host *host;
	uint8_t *addr;		/* the buffer under test */
	size_t len;
	size_t page;
	size_t scratch_len;	/* bytes the kind provides at @scratch */
	const char *read_name;	/* "an RDMA READ"; from ops, a kind may */
	const char *write_name;	/* change them in attach() */
	/* set by the kind */
	uint8_t *scratch;	/* device side: probe i at i * page */
	void *priv;		/* the kind's own state */
	int status;		/* kind-specific code of the last failed
				 * operation (e.g. enum ibv_wc_status), -1 */
	char err[PK_KIND_ERR_MAX];	/* why an operation failed or skipped */
	/* fields added within version 2 go here: see PK_KIND_DEV_HAS() */
};

/* Does the pinkit calling @d have @field of struct pk_kind_dev? */
#define PK_KIND_DEV_HAS(d, field)					\
	((d)->size >= offsetof(struct pk_kind_dev, field) +		\
		      sizeof((d)->field))

/*
 * Return values: 0 done; PK_KIND_SKIP the kernel or device lacks what this
 * needs (err says what, and how to get it); -1 failed (err says what and
 * why, with errno's text).
 */
#define PK_KIND_SKIP	1

struct pk_kind_ops {
	unsigned int abi;	/* PK_KIND_ABI: PK_KIND_OPS_HEAD sets both */
	unsigned int size;	/* sizeof(struct pk_kind_ops) */
	const char *name;	/* third part of a case name: [a-z0-9-]+ */
	unsigned int flags;	/* PK_KF_*: what the device is and can do */
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
	/* fields added within version 2 go here, each optional */
};

/* The first two fields of every kind: .abi and .size. */
#define PK_KIND_OPS_HEAD						\
	.abi = PK_KIND_ABI, .size = sizeof(struct pk_kind_ops)

/* The smallest struct pk_kind_ops of version 2: up to atomic(). */
#define PK_KIND_OPS_MIN_SIZE						\
	(offsetof(struct pk_kind_ops, atomic) +				\
	 sizeof(((struct pk_kind_ops *)0)->atomic))

/*
 * The entry point a plugin defines (PK_KIND_SYMBOL): its kinds, *n of them.
 * Declared here so that a plugin written in C++ gets C linkage for it.
 */
const struct pk_kind_ops *const *pinkit_kinds(unsigned int *n);
typedef const struct pk_kind_ops *const *(*pk_kinds_fn)(unsigned int *n);

#ifdef __cplusplus
}
#endif

#endif /* PINKIT_KIND_H */
