/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state of one case and the toolkit (toolkit.c) that the backings,
 * kinds, directions and disturbances share.  The units form layers, lowest
 * first; a unit calls only units below it (tests/unit checks with nm):
 *
 *   result pattern pagemap filter report args verbs
 *   toolkit                     probes, expectations, checks, sysfs
 *   kind_* backings directions disturbances
 *   kinds rows plugin           the tables that name them
 *   case_run runner             one case, the suite loop
 *   families                    the kinds every family reaches
 *
 * The toolkit reaches the device only through t->kd.ops.
 */
#ifndef PINKIT_INTERNAL_H
#define PINKIT_INTERNAL_H

#include <linux/userfaultfd.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "pinkit.h"

#include "uapi_compat.h"

#define PK_ERR_MAX	512
#define PK_PROBES_MAX	32

struct pk_buf {
	const struct pk_backing_desc *desc;
	uint8_t *addr;		/* region under test */
	size_t len;
	void *map;		/* whole mapping, for munmap */
	size_t map_len;
	int fd;			/* memfd, or -1 */
	bool shared;		/* MAP_SHARED: children see the same pages */
};

/* The state of one case in the case process. */
struct pk_tc {
	const struct pk_case *c;
	const struct pk_env *env;
	const struct pk_disturb_desc *dist;
	struct pk_result *r;
	struct pk_kind_dev kd;	/* the device: ops, scratch, errors */
	struct pk_buf b;
	/*
	 * The twin: the same backing with the same history but no device.
	 * A copy is the device's doing only if the twin was not copied.
	 */
	struct pk_buf twin;
	bool have_twin;
	uint64_t *pm_twin;
	size_t page;
	size_t npages;
	uint8_t *expect;	/* what both the CPU and the device must see */
	uint8_t *prev;		/* @expect before the current step */
	uint64_t seed;		/* next pattern seed */
	int pm_fd;		/* /proc/self/pagemap */
	int kpf_fd;		/* /proc/kpageflags, -1 if unreadable */
	bool pfn_visible;	/* pagemap shows PFNs (CAP_SYS_ADMIN) */
	bool soft_dirty_ok;	/* the kernel tracks soft-dirty */
	uint64_t *pm_base;	/* pagemap at the baseline */
	uint64_t *kpf_base;	/* kpageflags of the baseline PFNs */
	size_t base_shared;	/* baseline pages that share a PFN */
	uint8_t *dev_wrote;	/* per page: device wrote since the disturbance */
	uint8_t *cpu_wrote;	/* per page: the CPU wrote since then */
	size_t *probe;		/* the pages data moves through (sorted) */
	size_t nprobe;
	unsigned int breaks;	/* coherence breaks (controls count them) */
	char first_break[PK_MSG_MAX];
	/* disturbance state */
	pid_t child;
	int child_fd;
	int uffd;
	char err[PK_ERR_MAX];
};

/* toolkit.c: files */
int pk_write_file(const char *path, const char *val, char *err, size_t len);
int pk_read_file(const char *path, char *buf, size_t len);

/* toolkit.c: probe pages and expectations */
/* Pick the probe pages of a buffer of t->npages pages; -1 out of memory. */
int pk_probes_init(struct pk_tc *t);
const char *pk_when(const struct pk_tc *t);
int pk_pagemap_snapshot(struct pk_tc *t, uint64_t *out);
void pk_fill_probes(struct pk_tc *t, uint8_t *dst, uint64_t seed);
void pk_copy_probes(struct pk_tc *t, uint8_t *dst, const uint8_t *src);
/*
 * Transfers for the probe pages selected by @sel (NULL: all), runs merged;
 * probe i sits at i * page in the scratch buffer.  Returns the count.
 */
size_t pk_probe_xfers(struct pk_tc *t, const uint8_t *sel, struct pk_xfer *x);
void pk_set_expect(struct pk_tc *t, uint64_t seed);
void pk_cpu_write(struct pk_tc *t, uint64_t seed);
int pk_compare_probes(struct pk_tc *t, const uint8_t *got, bool compact,
		      struct pk_mismatch *m);
/*
 * A coherence break: fails the case (a control only notes it) and, for
 * the first one, prints "first-diff: offset=0x..." - the only evidence of
 * corruption the harness accepts.
 */
void pk_break(struct pk_tc *t, const char *what, const struct pk_mismatch *m);
/* Compare the CPU / the device view with @expect; a break is recorded. */
void pk_check_cpu(struct pk_tc *t, const char *what);
/* -1 if the device read itself failed (recorded as a failure). */
int pk_check_device(struct pk_tc *t, const char *what);
/* The device writes @expect into the probe pages selected by @sel. */
int pk_device_write_probes(struct pk_tc *t, const uint8_t *sel);

/* toolkit.c: page state */
size_t pk_count_kpf(struct pk_tc *t, const struct pk_buf *b, unsigned int bit);

/* Pages of the buffer that share their PFN with another (KSM merged). */
size_t pk_count_merged(struct pk_tc *t);
/*
 * Let ksmd run flat out until @done returns true or @secs pass; the KSM
 * knobs are restored after.  Returns whether @done became true.
 */
bool pk_ksm_wait(struct pk_tc *t, bool (*done)(struct pk_tc *t), double secs);

/* hostile.c: the round of the PK_DIR_HOSTILE_* directions */
int pk_hostile_round(struct pk_tc *t);

/* backings.c: unmap a buffer pk_backings[].create() made */
void pk_buf_destroy(struct pk_buf *b);
/* backings.c: the 64 KiB mTHP policy (1: no such control, -1: error) */
#define PK_MTHP_64K	"/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled"
int pk_mthp_set(const char *val, char *old, size_t oldlen, char *err,
		size_t errlen);
/* disturbances.c: stop a fork child, close a userfaultfd */
void pk_disturb_cleanup(struct pk_tc *t);

#endif
