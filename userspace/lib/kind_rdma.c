// SPDX-License-Identifier: GPL-2.0
/*
 * The RDMA kinds: a memory region registered through verbs and accessed by
 * the verbs vehicle (verbs.c) with RDMA READ, RDMA WRITE and FETCH_AND_ADD;
 * in the SEND/RECV directions (PK_DIRF_MSG) a SEND out of the MR reads it
 * and a RECV into the MR writes it.
 *
 *  - pinned-rw: LOCAL_WRITE | REMOTE_READ | REMOTE_WRITE | REMOTE_ATOMIC,
 *    ib_umem_get() pins with FOLL_LONGTERM | FOLL_WRITE;
 *  - pinned-ro: REMOTE_READ only;
 *  - odp: IBV_ACCESS_ON_DEMAND, no page references (an mmu notifier).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/verbs.h>

#include "internal.h"

/* verbs answers slowly under TCG; a lost completion must not hang a case */
#define RDMA_TIMEOUT_MS	5000

struct rdma_priv {
	struct pk_vehicle v;
	struct ibv_mr *mr;
};

static const struct pk_env *env_of(const struct pk_kind_dev *d)
{
	return pk_host_env(d->host);
}

static bool is_odp(const struct pk_kind_dev *d)
{
	return d->ops->flags & PK_KF_NO_REF;
}

/* Prerequisites the device may lack: a SKIP that says why. */
static int rdma_check(struct pk_kind_dev *d)
{
	const struct pk_dev_info *dev = &env_of(d)->dev;
	const uint32_t msg = IBV_ODP_SUPPORT_SEND | IBV_ODP_SUPPORT_RECV;

	if (is_odp(d) && !dev->odp) {
		snprintf(d->err, sizeof(d->err), "%s", dev->odp_why);
		return PK_KIND_SKIP;
	}
	if ((d->dir_flags & PK_DIRF_ATOMIC) && !dev->atomics) {
		snprintf(d->err, sizeof(d->err),
			 "device %s has no atomics (atomic_cap NONE)", dev->name);
		return PK_KIND_SKIP;
	}
	if ((d->dir_flags & PK_DIRF_ATOMIC) && is_odp(d) && dev->odp_why[0]) {
		snprintf(d->err, sizeof(d->err), "%s", dev->odp_why);
		return PK_KIND_SKIP;
	}
	if ((d->dir_flags & PK_DIRF_MSG) && is_odp(d) &&
	    (dev->odp_rc_caps & msg) != msg) {
		snprintf(d->err, sizeof(d->err),
			 "device ODP caps lack RC SEND/RECV (%s: rc_odp_caps=0x%x)",
			 dev->name, dev->odp_rc_caps);
		return PK_KIND_SKIP;
	}
	return 0;
}

static int rdma_access(const struct pk_kind_dev *d)
{
	int acc = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ |
		  IBV_ACCESS_REMOTE_WRITE;

	if (!(d->ops->flags & PK_KF_WRITES))
		return IBV_ACCESS_REMOTE_READ;
	if (env_of(d)->dev.atomics)
		acc |= IBV_ACCESS_REMOTE_ATOMIC;
	if (is_odp(d))
		acc |= IBV_ACCESS_ON_DEMAND;
	return acc;
}

static int rdma_attach(struct pk_kind_dev *d)
{
	struct rdma_priv *p = calloc(1, sizeof(*p));
	int access;

	if (!p) {
		snprintf(d->err, sizeof(d->err), "out of memory for the verbs state");
		return -1;
	}
	d->priv = p;
	if (d->dir_flags & PK_DIRF_MSG) {
		d->read_name = "a SEND out of the MR";
		d->write_name = "a RECV into the MR";
	}
	if (pk_vehicle_open(&p->v, &env_of(d)->dev, d->scratch_len, d->err,
			    sizeof(d->err)))
		return -1;
	d->scratch = p->v.scratch;
	access = rdma_access(d);
	p->mr = ibv_reg_mr(p->v.pd, d->addr, d->len, access);
	if (!p->mr) {
		snprintf(d->err, sizeof(d->err),
			 "ibv_reg_mr(%zu bytes, %s, access 0x%x): %s", d->len,
			 d->ops->name, access, strerror(errno));
		return -1;
	}
	p->v.timeout_ms = RDMA_TIMEOUT_MS;
	return 0;
}

static int rdma_detach(struct pk_kind_dev *d)
{
	struct rdma_priv *p = d->priv;
	int ret = 0;

	if (!p)
		return 0;
	if (p->mr && ibv_dereg_mr(p->mr)) {
		snprintf(d->err, sizeof(d->err), "ibv_dereg_mr: %s",
			 strerror(errno));
		ret = -1;
	}
	pk_vehicle_close(&p->v);
	free(p);
	d->priv = NULL;
	d->scratch = NULL;
	return ret;
}

/* the failed operation's completion status for the caller, -1 if none */
static int rdma_done(struct pk_kind_dev *d, int ret)
{
	struct rdma_priv *p = d->priv;

	d->status = ret ? p->v.wc_status : -1;
	return ret;
}

static int rdma_read(struct pk_kind_dev *d, const struct pk_xfer *x, size_t n)
{
	struct rdma_priv *p = d->priv;

	if (d->dir_flags & PK_DIRF_MSG)
		return rdma_done(d, pk_rdma_send(&p->v, p->mr, x, n, d->err,
						 sizeof(d->err)));
	return rdma_done(d, pk_rdma_read(&p->v, p->mr, x, n, d->err,
					 sizeof(d->err)));
}

static int rdma_write(struct pk_kind_dev *d, const struct pk_xfer *x, size_t n)
{
	struct rdma_priv *p = d->priv;

	if (d->dir_flags & PK_DIRF_MSG)
		return rdma_done(d, pk_rdma_recv(&p->v, p->mr, x, n, d->err,
						 sizeof(d->err)));
	return rdma_done(d, pk_rdma_write(&p->v, p->mr, x, n, d->err,
					  sizeof(d->err)));
}

static int rdma_atomic(struct pk_kind_dev *d, size_t off, uint64_t add,
		       uint64_t *old)
{
	struct rdma_priv *p = d->priv;

	return rdma_done(d, pk_rdma_fadd(&p->v, p->mr, off, add, old, d->err,
					 sizeof(d->err)));
}

/* The three differ in name, flags and what they may do. */
#define RDMA_KIND(n, f)						\
	PK_KIND_OPS_HEAD,					\
	.name = (n),						\
	.flags = PK_KF_VERBS | (f),				\
	.read_name = "an RDMA READ",				\
	.write_name = "an RDMA WRITE",				\
	.check = rdma_check,					\
	.attach = rdma_attach,					\
	.detach = rdma_detach,					\
	.read = rdma_read

const struct pk_kind_ops pk_kind_pinned_rw = {
	RDMA_KIND("pinned-rw", PK_KF_PIN | PK_KF_WRITES | PK_KF_ATOMIC),
	.write = rdma_write,
	.atomic = rdma_atomic,
};

const struct pk_kind_ops pk_kind_pinned_ro = {
	RDMA_KIND("pinned-ro", PK_KF_PIN),
};

const struct pk_kind_ops pk_kind_odp = {
	RDMA_KIND("odp", PK_KF_NO_REF | PK_KF_WRITES | PK_KF_ATOMIC),
	.write = rdma_write,
	.atomic = rdma_atomic,
};
