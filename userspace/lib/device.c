// SPDX-License-Identifier: GPL-2.0
/*
 * The "device" of a case: what holds on to the buffer beside the CPU.
 *
 *  - RDMA MRs (pinned read/write, pinned read-only, ODP) through the verbs
 *    vehicle: RDMA READ, RDMA WRITE, FETCH_AND_ADD; in the SEND/RECV
 *    directions (t->msg) a SEND out of the MR reads it and a RECV into
 *    the MR writes it.
 *  - gup_test's long-term R/O pin (CONFIG_GUP_TEST, Linux 6.6+): reads go
 *    through the pinned pages (PIN_LONGTERM_TEST_READ).
 *  - hmm_dmirror (CONFIG_TEST_HMM): a software secondary MMU that mirrors
 *    the page tables with hmm_range_fault and holds no page reference.
 *
 * Reads land in t->scratch with probe page i at i * page (pk_xfer.loff);
 * writes take their bytes from there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "internal.h"

#define GUP_TEST	"/sys/kernel/debug/gup_test"
#define HMM_DEV		"/dev/hmm_dmirror0"

/* mm/gup_test.h (6.6+) */
struct pk_pin_longterm_test {
	uint64_t addr;
	uint64_t size;
	uint32_t flags;
};

#define PK_PIN_LONGTERM_TEST_START	_IOW('g', 7, struct pk_pin_longterm_test)
#define PK_PIN_LONGTERM_TEST_STOP	_IO('g', 8)
#define PK_PIN_LONGTERM_TEST_READ	_IOW('g', 9, uint64_t)

/* lib/test_hmm_uapi.h */
struct pk_hmm_cmd {
	uint64_t addr;
	uint64_t ptr;
	uint64_t npages;
	uint64_t cpages;
	uint64_t faults;
};

#define PK_HMM_DMIRROR_READ	_IOWR('H', 0x00, struct pk_hmm_cmd)
#define PK_HMM_DMIRROR_WRITE	_IOWR('H', 0x01, struct pk_hmm_cmd)

bool pk_kind_is_rdma(enum pk_kind k)
{
	return k == PK_KIND_PINNED_RW || k == PK_KIND_PINNED_RO ||
	       k == PK_KIND_ODP;
}

bool pk_kind_holds_no_ref(enum pk_kind k)
{
	return k == PK_KIND_ODP || k == PK_KIND_HMM;
}

const char *pk_device_read_name(const struct pk_tc *t)
{
	switch (t->c->kind) {
	case PK_KIND_GUP_RO:
		return "a read through the gup_test long-term pin";
	case PK_KIND_HMM:
		return "an hmm_dmirror read";
	default:
		return t->msg ? "a SEND out of the MR" : "an RDMA READ";
	}
}

const char *pk_device_write_name(const struct pk_tc *t)
{
	if (t->c->kind == PK_KIND_HMM)
		return "an hmm_dmirror write";
	return t->msg ? "a RECV into the MR" : "an RDMA WRITE";
}

static int rdma_access(const struct pk_tc *t)
{
	int acc = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ |
		  IBV_ACCESS_REMOTE_WRITE;

	if (t->env->dev.atomics)
		acc |= IBV_ACCESS_REMOTE_ATOMIC;
	switch (t->c->kind) {
	case PK_KIND_PINNED_RO:
		return IBV_ACCESS_REMOTE_READ;
	case PK_KIND_ODP:
		return acc | IBV_ACCESS_ON_DEMAND;
	default:
		return acc;
	}
}

static int rdma_attach(struct pk_tc *t)
{
	int access;

	if (pk_vehicle_open(&t->v, &t->env->dev, t->nprobe * t->page + 4096,
			    t->err, sizeof(t->err))) {
		pk_fail(t->r, "%s", t->err);
		return -1;
	}
	t->scratch = t->v.scratch;
	access = rdma_access(t);
	t->mr = ibv_reg_mr(t->v.pd, t->b.addr, t->b.len, access);
	if (!t->mr) {
		pk_fail(t->r, "ibv_reg_mr(%zu bytes of %s, %s, access 0x%x): %s",
			t->b.len, pk_backing_name(t->c->backing),
			pk_kind_name(t->c->kind), access, strerror(errno));
		pk_vehicle_close(&t->v);
		t->scratch = NULL;
		return -1;
	}
	return 0;
}

static int open_dev(struct pk_tc *t, const char *path, const char *need)
{
	t->dev_fd = open(path, O_RDWR | O_CLOEXEC);
	if (t->dev_fd >= 0)
		return 0;
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO) {
		pk_skip(t->r, "no %s: %s", path, need);
		return 1;
	}
	pk_fail(t->r, "cannot open %s: %s", path, strerror(errno));
	return -1;
}

static int gup_attach(struct pk_tc *t)
{
	struct pk_pin_longterm_test pin = {
		.addr = (uintptr_t)t->b.addr,
		.size = t->b.len,
		.flags = 0,	/* R/O long-term pin */
	};
	int ret;

	ret = open_dev(t, GUP_TEST,
		       "kernel without CONFIG_GUP_TEST, or debugfs not mounted on /sys/kernel/debug");
	if (ret)
		return ret;
	t->scratch = malloc(t->nprobe * t->page + 4096);
	t->gup_buf = malloc(t->b.len);
	if (!t->scratch || !t->gup_buf) {
		pk_fail(t->r, "out of memory for the gup_test buffers");
		return -1;
	}
	if (ioctl(t->dev_fd, PK_PIN_LONGTERM_TEST_START, &pin)) {
		if (errno == EINVAL || errno == ENOTTY) {
			pk_skip(t->r, "gup_test has no PIN_LONGTERM_TEST_START: %s (Linux 6.6+)",
				strerror(errno));
			return 1;
		}
		pk_fail(t->r, "PIN_LONGTERM_TEST_START (R/O long-term pin of %zu bytes of %s): %s",
			t->b.len, pk_backing_name(t->c->backing),
			strerror(errno));
		return -1;
	}
	t->gup_pinned = true;
	return 0;
}

static int hmm_attach(struct pk_tc *t)
{
	int ret;

	ret = open_dev(t, HMM_DEV, "kernel without CONFIG_TEST_HMM (lib/test_hmm)");
	if (ret)
		return ret;
	t->scratch = malloc(t->nprobe * t->page + 4096);
	if (!t->scratch) {
		pk_fail(t->r, "out of memory for the hmm buffer");
		return -1;
	}
	return 0;
}

int pk_device_attach(struct pk_tc *t)
{
	t->dev_fd = -1;
	switch (t->c->kind) {
	case PK_KIND_GUP_RO:
		return gup_attach(t);
	case PK_KIND_HMM:
		return hmm_attach(t);
	default:
		return rdma_attach(t);
	}
}

void pk_device_detach(struct pk_tc *t)
{
	if (pk_kind_is_rdma(t->c->kind)) {
		if (t->mr && ibv_dereg_mr(t->mr))
			pk_fail(t->r, "ibv_dereg_mr: %s", strerror(errno));
		t->mr = NULL;
		pk_vehicle_close(&t->v);
		t->scratch = NULL;
		return;
	}
	if (t->gup_pinned && ioctl(t->dev_fd, PK_PIN_LONGTERM_TEST_STOP))
		pk_fail(t->r, "PIN_LONGTERM_TEST_STOP: %s", strerror(errno));
	t->gup_pinned = false;
	if (t->dev_fd >= 0)
		close(t->dev_fd);
	t->dev_fd = -1;
	free(t->scratch);
	free(t->gup_buf);
	t->scratch = NULL;
	t->gup_buf = NULL;
}

static int hmm_xfer(struct pk_tc *t, unsigned long req, const char *name,
		    const struct pk_xfer *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct pk_hmm_cmd cmd = {
			.addr = (uintptr_t)t->b.addr + x[i].off,
			.ptr = (uintptr_t)t->scratch + x[i].loff,
			.npages = x[i].len / t->page,
		};

		if (ioctl(t->dev_fd, req, &cmd)) {
			snprintf(t->err, sizeof(t->err),
				 "%s of %zu bytes at offset 0x%zx: %s", name,
				 x[i].len, x[i].off, strerror(errno));
			return -1;
		}
		if (cmd.cpages != cmd.npages) {
			snprintf(t->err, sizeof(t->err),
				 "%s at offset 0x%zx copied %llu of %llu pages",
				 name, x[i].off,
				 (unsigned long long)cmd.cpages,
				 (unsigned long long)cmd.npages);
			return -1;
		}
	}
	return 0;
}

int pk_device_read(struct pk_tc *t, const struct pk_xfer *x, size_t n)
{
	size_t i;

	switch (t->c->kind) {
	case PK_KIND_GUP_RO:
		/* the module copies every pinned page; keep the probes */
		if (ioctl(t->dev_fd, PK_PIN_LONGTERM_TEST_READ,
			  &(uint64_t){ (uintptr_t)t->gup_buf })) {
			snprintf(t->err, sizeof(t->err),
				 "PIN_LONGTERM_TEST_READ: %s", strerror(errno));
			return -1;
		}
		for (i = 0; i < n; i++)
			memcpy(t->scratch + x[i].loff, t->gup_buf + x[i].off,
			       x[i].len);
		return 0;
	case PK_KIND_HMM:
		return hmm_xfer(t, PK_HMM_DMIRROR_READ, "HMM_DMIRROR_READ", x,
				n);
	default:
		if (t->msg)
			return pk_rdma_send(&t->v, t->mr, x, n, t->err,
					    sizeof(t->err));
		return pk_rdma_read(&t->v, t->mr, x, n, t->err,
				    sizeof(t->err));
	}
}

int pk_device_write(struct pk_tc *t, const struct pk_xfer *x, size_t n)
{
	switch (t->c->kind) {
	case PK_KIND_HMM:
		return hmm_xfer(t, PK_HMM_DMIRROR_WRITE, "HMM_DMIRROR_WRITE",
				x, n);
	case PK_KIND_GUP_RO:
	case PK_KIND_PINNED_RO:
		snprintf(t->err, sizeof(t->err),
			 "internal: %s cannot write", pk_kind_name(t->c->kind));
		return -1;
	default:
		if (t->msg)
			return pk_rdma_recv(&t->v, t->mr, x, n, t->err,
					    sizeof(t->err));
		return pk_rdma_write(&t->v, t->mr, x, n, t->err,
				     sizeof(t->err));
	}
}

int pk_device_fadd(struct pk_tc *t, size_t off, uint64_t add, uint64_t *old)
{
	if (!pk_kind_is_rdma(t->c->kind)) {
		snprintf(t->err, sizeof(t->err),
			 "internal: %s has no atomics", pk_kind_name(t->c->kind));
		return -1;
	}
	return pk_rdma_fadd(&t->v, t->mr, off, add, old, t->err,
			    sizeof(t->err));
}
