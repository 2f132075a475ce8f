/* SPDX-License-Identifier: GPL-2.0 */
/* Pieces shared by the case body, the backings and the disturbances. */
#ifndef PINKIT_INTERNAL_H
#define PINKIT_INTERNAL_H

#include <sys/types.h>

#include "pinkit.h"

#define PK_ERR_MAX	512
#define PK_PROBES_MAX	32

struct pk_buf {
	enum pk_backing backing;
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
	struct pk_result *r;
	struct pk_vehicle v;
	struct pk_buf b;
	/*
	 * The twin: the same backing with the same history but no device.
	 * A copy is the device's doing only if the twin was not copied.
	 */
	struct pk_buf twin;
	bool have_twin;
	uint64_t *pm_twin;
	struct ibv_mr *mr;
	/*
	 * SEND/RECV directions: the device reads the MR by a SEND out of
	 * it and writes it by a RECV into it, for the whole case.
	 */
	bool msg;
	uint8_t *scratch;	/* device side: probe i at i * page */
	int dev_fd;		/* gup_test or hmm_dmirror */
	uint8_t *gup_buf;	/* PIN_LONGTERM_TEST_READ copies everything */
	bool gup_pinned;
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

/* mem.c */
size_t pk_backing_len(enum pk_backing b);
/*
 * Map @b as the case's backing and give it the initial content of @expect
 * (the caller fills it; KSM makes it page-periodic).  Returns 0, 1 when
 * skipped (reason in t->r) or -1 when failed (reason in t->r).
 */
int pk_buf_create(struct pk_tc *t, struct pk_buf *b);
void pk_buf_destroy(struct pk_buf *b);
int pk_write_file(const char *path, const char *val, char *err, size_t len);
int pk_read_file(const char *path, char *buf, size_t len);
/* Let ksmd run until @done returns true or @secs pass. */
bool pk_ksm_wait(struct pk_tc *t, bool (*done)(struct pk_tc *t), double secs);
size_t pk_count_kpf(struct pk_tc *t, const struct pk_buf *b, unsigned int bit);
/* Pages of the buffer that share their PFN with another (KSM merged). */
size_t pk_count_merged(struct pk_tc *t);

/* device.c: attach 0 ok, 1 skipped, -1 failed; I/O 0 or -1 (t->err) */
bool pk_kind_is_rdma(enum pk_kind k);
bool pk_kind_holds_no_ref(enum pk_kind k);
const char *pk_device_read_name(const struct pk_tc *t);
const char *pk_device_write_name(const struct pk_tc *t);
int pk_device_attach(struct pk_tc *t);
void pk_device_detach(struct pk_tc *t);
int pk_device_read(struct pk_tc *t, const struct pk_xfer *x, size_t n);
int pk_device_write(struct pk_tc *t, const struct pk_xfer *x, size_t n);
int pk_device_fadd(struct pk_tc *t, size_t off, uint64_t add, uint64_t *old);

/* disturb.c: 0 ok, 1 skipped (reason in t->r), -1 failed */
int pk_disturb_begin(struct pk_tc *t, unsigned int round);
int pk_disturb_end(struct pk_tc *t, unsigned int round);
void pk_disturb_cleanup(struct pk_tc *t);

/* case.c */
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
void pk_break(struct pk_tc *t, const char *what, const struct pk_mismatch *m);
/* Compare the CPU / the device view with @expect; a break is recorded. */
void pk_check_cpu(struct pk_tc *t, const char *what);
/* -1 if the RDMA READ itself failed (recorded as a failure). */
int pk_check_device(struct pk_tc *t, const char *what);

#endif
