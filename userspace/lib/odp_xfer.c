// SPDX-License-Identifier: GPL-2.0
/*
 * odp-xfer: transfer geometry of RDMA MRs, the cases the main table does
 * not reach.  The main table moves whole pages at page-aligned offsets of
 * MRs whose iova is their address; real traffic does neither.  Each case
 * here is one operation with one geometry on one MR kind:
 *
 *   odp-xfer/<geometry>/<kind>/<op>
 *
 *   kind      pinned-rw | pinned-rw-iova | odp | odp-iova; the -iova kinds
 *             are registered with ibv_reg_mr_iova() at an iova 1 TiB above
 *             the buffer's address, and every address the case posts
 *             (remote address or local SGE) is in that iova space.
 *   geometry  aligned-64k    64 KiB at offset 0 (many MTU-sized packets)
 *             subpage-cross  256 bytes across the first page boundary
 *             multipage      3 pages + 500 bytes from offset 1000
 *             mtu-cross      3 MTUs + 123 bytes from the middle of a page
 *             page-edge      atomics on the last word of a page and the
 *                            first word of the next
 *             past-end       the request runs 100 bytes past the MR's end
 *             wrap-u64       address + length wraps past 2^64
 *             prefetch       ibv_advise_mr(PREFETCH_WRITE, FLUSH) of a
 *                            range, then an RDMA WRITE into it
 *             advise-inside  a prefetch of 3 pages + 500 bytes from offset
 *                            1000, then an RDMA WRITE into the range
 *             advise-across  a prefetch that starts 100 bytes before the
 *                            MR's end and runs 100 bytes past it
 *             advise-past    a prefetch that starts a page past the MR
 *             advise-wrap    a prefetch whose address + length wraps 2^64
 *             advise-bad-lkey  a prefetch inside the MR, under an lkey no
 *                            MR has
 *   op        rdma-write | rdma-read | send (out of the MR) |
 *             recv (into the MR) | fetch-add | cmp-swap | advise-write |
 *             prefetch-sync (PREFETCH_WRITE with IBV_ADVISE_MR_FLAG_FLUSH:
 *             the kernel faults the range in before it returns) |
 *             prefetch-async (PREFETCH_WRITE without flags: the kernel
 *             checks the request and queues the faults)
 *
 * Invariants: a transfer inside the MR completes successfully and the
 * bytes the CPU and the device see are the bytes written, with every byte
 * outside the transfer unchanged (the first differing offset is reported);
 * a request that leaves the MR or wraps ends in an error completion and
 * changes no byte of the MR: never success, never a hang.  The verdict is
 * the kernel's: a pinned MR and an ODP MR must behave the same.
 *
 * The advise-* cases check what ibv_advise_mr() itself returns, sync and
 * async alike: a prefetch inside an ODP MR succeeds (and a WRITE into the
 * range then lands); one that leaves the MR or wraps fails with EFAULT; an
 * unknown lkey fails with EINVAL (rxe) or ENOENT (mlx5); a prefetch of a
 * pinned MR is refused with EOPNOTSUPP (rxe) or ENOENT (mlx5, which has
 * no ODP state for it either) -- never success, which would mean the
 * kernel took the pinned MR's umem for ODP state.  Where the provider
 * library has no advise_mr (rxe before rdma-core 56, Debian 12's 44
 * among them), the cases go through the kernel's ADVISE_MR method with
 * libibverbs' ibv_cmd_advise_mr(), the call such a provider would make.
 */
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "pinkit.h"

enum xk { XK_PINNED, XK_PINNED_IOVA, XK_ODP, XK_ODP_IOVA, XK_NR };
enum xop { XO_WRITE, XO_READ, XO_SEND, XO_RECV, XO_FADD, XO_CSWAP,
	   XO_ADVISE, XO_PF_SYNC, XO_PF_ASYNC, XO_NR };
enum xg { XG_ALIGNED_64K, XG_SUBPAGE, XG_MULTIPAGE, XG_MTU, XG_PAGE_EDGE,
	  XG_PAST_END, XG_WRAP, XG_PREFETCH, XG_ADV_INSIDE, XG_ADV_ACROSS,
	  XG_ADV_PAST, XG_ADV_WRAP, XG_ADV_BAD_LKEY, XG_NR };

static const char *const xk_names[XK_NR] = {
	"pinned-rw", "pinned-rw-iova", "odp", "odp-iova",
};
static const char *const xop_names[XO_NR] = {
	"rdma-write", "rdma-read", "send", "recv", "fetch-add", "cmp-swap",
	"advise-write", "prefetch-sync", "prefetch-async",
};

#define OPS_DATA	((1u << XO_WRITE) | (1u << XO_READ) | \
			 (1u << XO_SEND) | (1u << XO_RECV))
#define OPS_ATOMIC	((1u << XO_FADD) | (1u << XO_CSWAP))
#define OPS_PREFETCH	((1u << XO_PF_SYNC) | (1u << XO_PF_ASYNC))
#define ODP_KINDS	((1u << XK_ODP) | (1u << XK_ODP_IOVA))
#define ALL_KINDS	((1u << XK_NR) - 1)

static const struct {
	const char *name;
	unsigned int ops;
	unsigned int kinds;
	bool error;		/* the request must end in an error completion */
} xgeoms[XG_NR] = {
	[XG_ALIGNED_64K] = { "aligned-64k", OPS_DATA, ALL_KINDS, false },
	[XG_SUBPAGE] = { "subpage-cross", OPS_DATA, ALL_KINDS, false },
	[XG_MULTIPAGE] = { "multipage", OPS_DATA, ALL_KINDS, false },
	[XG_MTU] = { "mtu-cross", OPS_DATA, ALL_KINDS, false },
	[XG_PAGE_EDGE] = { "page-edge", OPS_ATOMIC, ALL_KINDS, false },
	[XG_PAST_END] = { "past-end", OPS_DATA | OPS_ATOMIC, ALL_KINDS, true },
	[XG_WRAP] = { "wrap-u64", OPS_DATA | OPS_ATOMIC, ALL_KINDS, true },
	[XG_PREFETCH] = { "prefetch", 1u << XO_ADVISE, ODP_KINDS, false },
	[XG_ADV_INSIDE] = { "advise-inside", OPS_PREFETCH, ALL_KINDS, false },
	[XG_ADV_ACROSS] = { "advise-across", OPS_PREFETCH, ALL_KINDS, true },
	[XG_ADV_PAST] = { "advise-past", OPS_PREFETCH, ALL_KINDS, true },
	[XG_ADV_WRAP] = { "advise-wrap", OPS_PREFETCH, ALL_KINDS, true },
	[XG_ADV_BAD_LKEY] = { "advise-bad-lkey", OPS_PREFETCH, ALL_KINDS,
			      true },
};

/* The row every odp-xfer case points at (run by pk_odp_xfer_run). */
static const struct pk_row xfer_row = {
	.name = "odp-xfer",
	.invariant = "transfers of every geometry complete with the bytes written; requests outside the MR end in an error completion",
	.disturb = PK_DIST_NONE,
};

/* case index + 1 in c->xfer: geometry, kind, op */
#define XFER_ID(g, k, o)	(((g) * XK_NR + (k)) * XO_NR + (o) + 1)

size_t pk_odp_xfer_expand(struct pk_case *out, size_t max)
{
	size_t n = 0;
	unsigned int g, k, o;

	for (g = 0; g < XG_NR; g++)
		for (k = 0; k < XK_NR; k++) {
			if (!(xgeoms[g].kinds & (1u << k)))
				continue;
			for (o = 0; o < XO_NR; o++) {
				struct pk_case *c;

				if (!(xgeoms[g].ops & (1u << o)))
					continue;
				if (out && n < max) {
					c = &out[n];
					memset(c, 0, sizeof(*c));
					c->row = &xfer_row;
					c->kind = pk_kind_find(k >= XK_ODP ?
							       "odp" : "pinned-rw");
					c->backing = PK_BACK_ANON_4K;
					c->xfer = XFER_ID(g, k, o);
					snprintf(c->name, sizeof(c->name),
						 "odp-xfer/%s/%s/%s",
						 xgeoms[g].name, xk_names[k],
						 xop_names[o]);
				}
				n++;
			}
		}
	return n;
}

/* The state of one odp-xfer case. */
struct xc {
	struct pk_result *r;
	const struct pk_dev_info *dev;
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp[2];	/* qp[0] requester, qp[1] responder */
	uint8_t *buf;		/* the MR under test */
	size_t len;
	uint64_t iova;		/* the MR's iova */
	struct ibv_mr *mr;
	uint8_t *scratch;	/* the other side, a pinned MR */
	size_t scratch_len;
	struct ibv_mr *smr;
	uint8_t *before;	/* the MR's bytes before the operation */
	uint8_t *expect;	/* what the MR must hold afterwards */
	int page;
	int mtu;
	unsigned int timeout_ms;
};

#define XC_PAGES	32
#define XC_LOFF		37	/* unaligned offset in the scratch buffer */
#define XC_IOVA_SHIFT	(UINT64_C(1) << 40)

static int fail_errno(struct xc *x, const char *what)
{
	pk_fail(x->r, "%s: %s", what, strerror(errno));
	return -1;
}

static int qp_connect(struct xc *x, struct ibv_qp *qp, uint32_t dqpn)
{
	struct ibv_qp_attr a;

	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_INIT;
	a.port_num = x->dev->port;
	a.qp_access_flags = IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_WRITE |
			    IBV_ACCESS_REMOTE_ATOMIC;
	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
			  IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
		return fail_errno(x, "ibv_modify_qp(INIT)");
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = (enum ibv_mtu)x->dev->active_mtu;
	a.dest_qp_num = dqpn;
	a.rq_psn = 0;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 1;
	a.ah_attr.port_num = x->dev->port;
	a.ah_attr.dlid = x->dev->lid;
	if (x->dev->gid_index >= 0) {
		union ibv_gid g;

		if (ibv_query_gid(x->ctx, x->dev->port, x->dev->gid_index, &g))
			return fail_errno(x, "ibv_query_gid");
		a.ah_attr.is_global = 1;
		a.ah_attr.grh.dgid = g;
		a.ah_attr.grh.sgid_index = (uint8_t)x->dev->gid_index;
		a.ah_attr.grh.hop_limit = 1;
	}
	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU |
			  IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
			  IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		return fail_errno(x, "ibv_modify_qp(RTR)");
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 1;
	a.rnr_retry = 1;
	a.sq_psn = 0;
	a.max_rd_atomic = 1;
	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_TIMEOUT |
			  IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN |
			  IBV_QP_MAX_QP_RD_ATOMIC))
		return fail_errno(x, "ibv_modify_qp(RTS)");
	return 0;
}

static int xc_open(struct xc *x, enum xk kind)
{
	struct ibv_device *dev = x->dev->ibdev;
	struct ibv_qp_init_attr qa;
	unsigned int acc;
	int i;

	x->page = (int)sysconf(_SC_PAGESIZE);
	x->mtu = 128 << x->dev->active_mtu;
	x->timeout_ms = 5000;
	x->len = (size_t)XC_PAGES * x->page;
	x->ctx = ibv_open_device(dev);
	if (!x->ctx)
		return fail_errno(x, "ibv_open_device");
	x->pd = ibv_alloc_pd(x->ctx);
	if (!x->pd)
		return fail_errno(x, "ibv_alloc_pd");
	x->cq = ibv_create_cq(x->ctx, 16, NULL, NULL, 0);
	if (!x->cq)
		return fail_errno(x, "ibv_create_cq");
	memset(&qa, 0, sizeof(qa));
	qa.send_cq = x->cq;
	qa.recv_cq = x->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = 4;
	qa.cap.max_recv_wr = 4;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	for (i = 0; i < 2; i++) {
		x->qp[i] = ibv_create_qp(x->pd, &qa);
		if (!x->qp[i])
			return fail_errno(x, "ibv_create_qp(RC)");
	}
	if (qp_connect(x, x->qp[0], x->qp[1]->qp_num) ||
	    qp_connect(x, x->qp[1], x->qp[0]->qp_num))
		return -1;

	x->buf = mmap(NULL, x->len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	x->scratch_len = x->len + x->page;
	x->scratch = mmap(NULL, x->scratch_len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	x->before = malloc(x->len);
	x->expect = malloc(x->len);
	if (x->buf == MAP_FAILED || x->scratch == MAP_FAILED || !x->before ||
	    !x->expect) {
		if (x->buf == MAP_FAILED)
			x->buf = NULL;
		if (x->scratch == MAP_FAILED)
			x->scratch = NULL;
		return fail_errno(x, "allocating the case buffers");
	}
	x->smr = ibv_reg_mr(x->pd, x->scratch, x->scratch_len,
			    IBV_ACCESS_LOCAL_WRITE);
	if (!x->smr)
		return fail_errno(x, "ibv_reg_mr of the scratch buffer (RLIMIT_MEMLOCK too low? try 'ulimit -l unlimited')");

	acc = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
	      IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC;
	if (kind == XK_ODP || kind == XK_ODP_IOVA)
		acc |= IBV_ACCESS_ON_DEMAND;
	x->iova = (uintptr_t)x->buf;
	if (kind == XK_PINNED_IOVA || kind == XK_ODP_IOVA)
		x->iova += XC_IOVA_SHIFT;
	x->mr = ibv_reg_mr_iova(x->pd, x->buf, x->len, x->iova, acc);
	if (!x->mr)
		return fail_errno(x, kind >= XK_ODP ?
				  "ibv_reg_mr_iova(IBV_ACCESS_ON_DEMAND)" :
				  "ibv_reg_mr_iova");
	return 0;
}

static void xc_close(struct xc *x)
{
	int i;

	if (x->mr)
		ibv_dereg_mr(x->mr);
	if (x->smr)
		ibv_dereg_mr(x->smr);
	for (i = 0; i < 2; i++)
		if (x->qp[i])
			ibv_destroy_qp(x->qp[i]);
	if (x->cq)
		ibv_destroy_cq(x->cq);
	if (x->pd)
		ibv_dealloc_pd(x->pd);
	if (x->ctx)
		ibv_close_device(x->ctx);
	if (x->buf)
		munmap(x->buf, x->len);
	if (x->scratch)
		munmap(x->scratch, x->scratch_len);
	free(x->before);
	free(x->expect);
}

/*
 * Wait for @n completions.  Returns 0 when all succeeded, 1 when one was
 * an error completion (its status in *@status), -1 on a timeout or a
 * polling failure (recorded).
 */
static int xc_wait(struct xc *x, int n, const char *what, int *status)
{
	double deadline = pk_now() + x->timeout_ms / 1000.0;
	int got = 0, bad = 0;

	while (got < n) {
		struct ibv_wc wc[4];
		int i, k = ibv_poll_cq(x->cq, 4, wc);

		if (k < 0) {
			pk_fail(x->r, "%s: ibv_poll_cq failed (%d)", what, k);
			return -1;
		}
		for (i = 0; i < k; i++) {
			if (wc[i].status != IBV_WC_SUCCESS && !bad) {
				bad = 1;
				*status = wc[i].status;
			}
		}
		got += k;
		/* after an error the other side may never complete */
		if (bad && k == 0)
			break;
		if (k == 0) {
			if (pk_now() > deadline) {
				if (bad)
					break;
				pk_fail(x->r, "%s: %d of %d completions within %u ms",
					what, got, n, x->timeout_ms);
				return -1;
			}
			usleep(bad ? 20000 : 200);
		}
	}
	return bad;
}

static int post_send(struct xc *x, struct ibv_send_wr *wr, const char *what)
{
	struct ibv_send_wr *bad;
	int ret = ibv_post_send(x->qp[0], wr, &bad);

	if (ret) {
		pk_fail(x->r, "ibv_post_send(%s): %s", what, strerror(ret));
		return -1;
	}
	return 0;
}

static int post_recv(struct xc *x, struct ibv_sge *sge, const char *what)
{
	struct ibv_recv_wr wr, *bad;
	int ret;

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 2;
	wr.sg_list = sge;
	wr.num_sge = 1;
	ret = ibv_post_recv(x->qp[1], &wr, &bad);
	if (ret) {
		pk_fail(x->r, "ibv_post_recv(%s): %s", what, strerror(ret));
		return -1;
	}
	return 0;
}

/* Post @wr on the requester and wait for its completion (see xc_wait()). */
static int xc_op(struct xc *x, struct ibv_send_wr *wr, const char *what,
		 int *status)
{
	int ret = post_send(x, wr, what);

	return ret ? ret : xc_wait(x, 1, what, status);
}

/*
 * A SEND of @from by the requester into the receive buffer @into of the
 * responder; both completions are waited for (see xc_wait()).
 */
static int xc_sendrecv(struct xc *x, struct ibv_send_wr *wr,
		       struct ibv_sge *from, struct ibv_sge *into,
		       const char *what, int *status)
{
	int ret = post_recv(x, into, what);

	wr->opcode = IBV_WR_SEND;
	wr->sg_list = from;
	if (!ret)
		ret = post_send(x, wr, what);
	return ret ? ret : xc_wait(x, 2, what, status);
}

/*
 * Fill the MR and the scratch buffer with patterns of @seed, note what the
 * MR holds, and describe @len bytes at @maddr (an iova of the MR) and at
 * the unaligned scratch offset.
 */
static void xc_prepare(struct xc *x, uint64_t seed, uint64_t maddr,
		       size_t len, struct ibv_sge *lsge, struct ibv_sge *msge)
{
	pk_pattern_fill(x->buf, x->len, seed, 0);
	pk_pattern_fill(x->scratch, x->scratch_len, seed ^ 0x5c00, 0);
	memcpy(x->before, x->buf, x->len);
	memcpy(x->expect, x->buf, x->len);
	lsge->addr = (uintptr_t)(x->scratch + XC_LOFF);
	lsge->length = (uint32_t)len;
	lsge->lkey = x->smr->lkey;
	msge->addr = maddr;
	msge->length = (uint32_t)len;
	msge->lkey = x->mr->lkey;
}

/* Did the operation xc_op()/xc_sendrecv() returned @ret for succeed? */
static bool xc_succeeded(struct xc *x, int ret, int status, const char *what)
{
	if (ret > 0)
		pk_fail(x->r, "%s: error completion %s (status %d)", what,
			ibv_wc_status_str(status), status);
	return ret == 0;
}

/* Where (offset, length) of the geometry lie in the MR. */
static void geometry(const struct xc *x, enum xg g, enum xop o, size_t *off,
		     size_t *len)
{
	switch (g) {
	case XG_ALIGNED_64K:
		*off = 0;
		*len = 65536;
		break;
	case XG_SUBPAGE:
		*off = x->page - 100;
		*len = 256;
		break;
	case XG_MULTIPAGE:
		*off = 1000;
		*len = 3 * x->page + 500;
		break;
	case XG_MTU:
		*off = x->page / 2 + 7;
		*len = 3 * x->mtu + 123;
		break;
	case XG_PREFETCH:
		*off = x->page + 512;
		*len = 2 * x->page;
		break;
	case XG_ADV_INSIDE:
	case XG_ADV_BAD_LKEY:
		*off = 1000;
		*len = 3 * x->page + 500;
		break;
	case XG_ADV_ACROSS:
		*off = x->len - 100;
		*len = 200;
		break;
	case XG_ADV_PAST:
		*off = x->len + x->page;
		*len = 100;
		break;
	case XG_PAST_END:
		*off = o == XO_FADD || o == XO_CSWAP ? x->len : x->len - 100;
		*len = o == XO_FADD || o == XO_CSWAP ? 8 : 200;
		break;
	default:
		*off = 0;
		*len = 8;
		break;
	}
}

/* The first offset at which @got differs from @want, or -1. */
static long first_diff(const uint8_t *got, const uint8_t *want, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (got[i] != want[i])
			return (long)i;
	return -1;
}

static void check_mr(struct xc *x, const char *what)
{
	long d = first_diff(x->buf, x->expect, x->len);

	if (d >= 0)
		pk_fail(x->r, "%s: the CPU reads 0x%02x at MR offset 0x%lx, expected 0x%02x (the MR was 0x%02x there before)",
			what, x->buf[d], d, x->expect[d], x->before[d]);
}

/* One data transfer (RDMA WRITE/READ, SEND, RECV) inside the MR. */
static void run_data(struct xc *x, enum xop o, size_t off, size_t len)
{
	struct ibv_sge lsge, msge;
	struct ibv_send_wr wr;
	char what[128];
	int st = 0, ret;
	long d;

	snprintf(what, sizeof(what), "%s of %zu bytes at MR offset 0x%zx",
		 xop_names[o], len, off);
	xc_prepare(x, 0x0d1, x->iova + off, len, &lsge, &msge);

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 1;
	wr.num_sge = 1;
	wr.send_flags = IBV_SEND_SIGNALED;
	switch (o) {
	case XO_WRITE:
	case XO_READ:
		wr.opcode = o == XO_WRITE ? IBV_WR_RDMA_WRITE :
			    IBV_WR_RDMA_READ;
		wr.sg_list = &lsge;
		wr.wr.rdma.remote_addr = x->iova + off;
		wr.wr.rdma.rkey = x->mr->rkey;
		ret = xc_op(x, &wr, what, &st);
		break;
	case XO_SEND:	/* out of the MR into scratch */
		ret = xc_sendrecv(x, &wr, &msge, &lsge, what, &st);
		break;
	default:	/* XO_RECV: from scratch into the MR */
		ret = xc_sendrecv(x, &wr, &lsge, &msge, what, &st);
		break;
	}
	if (!xc_succeeded(x, ret, st, what))
		return;
	if (o == XO_WRITE || o == XO_RECV) {
		memcpy(x->expect + off, x->scratch + XC_LOFF, len);
		check_mr(x, what);
		return;
	}
	check_mr(x, what);	/* a device read changes nothing */
	d = first_diff(x->scratch + XC_LOFF, x->buf + off, len);
	if (d >= 0)
		pk_fail(x->r, "%s: the device read 0x%02x at MR offset 0x%zx, the CPU wrote 0x%02x there",
			what, x->scratch[XC_LOFF + d], off + d, x->buf[off + d]);
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void put_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* One atomic on the 8-byte word at MR offset @off; the old value is checked. */
static void run_atomic(struct xc *x, enum xop o, size_t off)
{
	uint64_t old = get_u64(x->buf + off), add = UINT64_C(0x10001);
	struct ibv_send_wr wr;
	struct ibv_sge sge;
	uint64_t want;
	char what[128];
	int st = 0, ret;

	snprintf(what, sizeof(what), "%s at MR offset 0x%zx", xop_names[o],
		 off);
	memset(&wr, 0, sizeof(wr));
	sge.addr = (uintptr_t)(x->scratch + 64);
	sge.length = 8;
	sge.lkey = x->smr->lkey;
	put_u64(x->scratch + 64, 0);
	wr.wr_id = 1;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.wr.atomic.remote_addr = x->iova + off;
	wr.wr.atomic.rkey = x->mr->rkey;
	if (o == XO_FADD) {
		wr.opcode = IBV_WR_ATOMIC_FETCH_AND_ADD;
		wr.wr.atomic.compare_add = add;
		want = old + add;
	} else {
		wr.opcode = IBV_WR_ATOMIC_CMP_AND_SWP;
		wr.wr.atomic.compare_add = old;
		wr.wr.atomic.swap = ~old;
		want = ~old;
	}
	ret = xc_op(x, &wr, what, &st);
	if (!xc_succeeded(x, ret, st, what))
		return;
	if (get_u64(x->scratch + 64) != old)
		pk_fail(x->r, "%s: returned 0x%016llx, the CPU wrote 0x%016llx there",
			what, (unsigned long long)get_u64(x->scratch + 64),
			(unsigned long long)old);
	put_u64(x->expect + off, want);
	check_mr(x, what);
}

/*
 * A request that leaves the MR (@wrap: whose address + length wraps past
 * 2^64) must end in an error completion and leave the MR as it was.
 */
static void run_outside(struct xc *x, enum xop o, size_t off, size_t len,
			bool wrap)
{
	struct ibv_sge lsge, msge;
	struct ibv_send_wr wr;
	char what[160];
	uint64_t addr;
	int st = 0, ret;

	/* wrap: the request starts 64 bytes (an atomic: 8) below 2^64 */
	addr = wrap ? UINT64_MAX - (o == XO_FADD || o == XO_CSWAP ? 7 : 63) :
		      x->iova + off;
	if (wrap)
		len = o == XO_FADD || o == XO_CSWAP ? 8 : 200;
	snprintf(what, sizeof(what), "%s of %zu bytes at iova 0x%llx (the MR is 0x%llx..0x%llx)",
		 xop_names[o], len, (unsigned long long)addr,
		 (unsigned long long)x->iova,
		 (unsigned long long)(x->iova + x->len - 1));
	xc_prepare(x, 0x0d2, addr, len, &lsge, &msge);
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 1;
	wr.num_sge = 1;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.sg_list = &lsge;
	switch (o) {
	case XO_WRITE:
	case XO_READ:
		wr.opcode = o == XO_WRITE ? IBV_WR_RDMA_WRITE :
			    IBV_WR_RDMA_READ;
		wr.wr.rdma.remote_addr = addr;
		wr.wr.rdma.rkey = x->mr->rkey;
		ret = xc_op(x, &wr, what, &st);
		break;
	case XO_FADD:
	case XO_CSWAP:
		lsge.addr = (uintptr_t)(x->scratch + 64);
		wr.opcode = o == XO_FADD ? IBV_WR_ATOMIC_FETCH_AND_ADD :
			    IBV_WR_ATOMIC_CMP_AND_SWP;
		wr.wr.atomic.remote_addr = addr;
		wr.wr.atomic.rkey = x->mr->rkey;
		wr.wr.atomic.compare_add = 1;
		ret = xc_op(x, &wr, what, &st);
		break;
	case XO_SEND:	/* the local SGE in the MR leaves it */
		ret = xc_sendrecv(x, &wr, &msge, &lsge, what, &st);
		break;
	default:	/* XO_RECV: the receive SGE in the MR leaves it */
		ret = xc_sendrecv(x, &wr, &lsge, &msge, what, &st);
		break;
	}
	if (ret < 0)
		return;
	if (ret == 0) {
		pk_fail(x->r, "%s: completed successfully; a request outside the MR must end in an error completion",
			what);
		return;
	}
	pk_diag(x->r, "%s: error completion %s, as it must", what,
		ibv_wc_status_str(st));
	check_mr(x, what);
}

/*
 * libibverbs' ibv_cmd_advise_mr(): the kernel's ADVISE_MR method, exported
 * for providers (IBVERBS_PRIVATE_*, no public header).  Its signature has
 * not changed since it came with ibv_advise_mr() in rdma-core 22.
 */
typedef int (*cmd_advise_fn)(struct ibv_pd *pd,
			     enum ibv_advise_mr_advice advice, uint32_t flags,
			     struct ibv_sge *sg_list, uint32_t num_sge);

/*
 * ibv_advise_mr(PREFETCH_WRITE, @flags) of @sge through the provider when
 * it reaches the kernel, else through ibv_cmd_advise_mr() (*@via says
 * which).  libibverbs fills a provider's missing ops with stubs that
 * return EOPNOTSUPP, so the op is always there: an empty request (no SGE)
 * tells them apart, the kernel refuses it with EINVAL, the stub with
 * EOPNOTSUPP.  Returns 0 or the errno of the call, or -1 with a SKIP
 * recorded when neither path exists.
 */
static int advise(struct xc *x, uint32_t flags, struct ibv_sge *sge,
		  const char **via)
{
	cmd_advise_fn cmd;
	void *sym;

	if (ibv_advise_mr(x->pd, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE, 0, NULL,
			  0) != EOPNOTSUPP) {
		*via = "ibv_advise_mr";
		return ibv_advise_mr(x->pd, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE,
				     flags, sge, 1);
	}
	sym = dlsym(RTLD_DEFAULT, "ibv_cmd_advise_mr");
	if (!sym) {
		pk_skip(x->r, "the %s provider library has no advise_mr and this libibverbs exports no ibv_cmd_advise_mr: no way to reach the kernel's ADVISE_MR method",
			x->dev->name);
		return -1;
	}
	memcpy(&cmd, &sym, sizeof(cmd));
	*via = "ibv_cmd_advise_mr (the provider has no advise_mr)";
	return cmd(x->pd, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE, flags, sge, 1);
}

/* ibv_advise_mr(PREFETCH_WRITE, FLUSH) of a range, then a WRITE into it. */
static void run_prefetch(struct xc *x, size_t off, size_t len)
{
	struct ibv_sge sge;
	const char *via;
	int ret;

	sge.addr = x->iova + off;
	sge.length = (uint32_t)len;
	sge.lkey = x->mr->lkey;
	ret = advise(x, IBV_ADVISE_MR_FLAG_FLUSH, &sge, &via);
	if (ret < 0)
		return;
	if (ret) {
		pk_fail(x->r, "%s(PREFETCH_WRITE, FLUSH) of %zu bytes at iova 0x%llx (MR offset 0x%zx): %s",
			via, len, (unsigned long long)sge.addr, off,
			strerror(ret));
		return;
	}
	run_data(x, XO_WRITE, off, len);
}

/*
 * The errnos an advise-* case may end in, 0 for success: see the comment
 * at the top.  @n gets how many there are.
 */
static const int *advise_expect(enum xg g, enum xk k, int *n)
{
	static const int ok[] = { 0 };
	static const int bad_lkey[] = { EINVAL, ENOENT };
	static const int not_odp[] = { EOPNOTSUPP, ENOENT };
	static const int outside[] = { EFAULT };
	bool odp = k == XK_ODP || k == XK_ODP_IOVA;

	if (g == XG_ADV_BAD_LKEY) {
		*n = 2;
		return bad_lkey;
	}
	if (!odp) {
		*n = 2;
		return not_odp;
	}
	*n = 1;
	return g == XG_ADV_INSIDE ? ok : outside;
}

/* One ibv_advise_mr() prefetch of geometry @g, checked against its errno. */
static void run_advise(struct xc *x, enum xg g, enum xk k, enum xop o,
		       size_t off, size_t len)
{
	bool sync = o == XO_PF_SYNC;
	struct ibv_sge sge, unused[2];
	const int *want;
	char what[200];
	char names[64];
	const char *via;
	int i, n, ret;

	sge.addr = g == XG_ADV_WRAP ? UINT64_MAX - 63 : x->iova + off;
	sge.length = g == XG_ADV_WRAP ? 200 : (uint32_t)len;
	sge.lkey = g == XG_ADV_BAD_LKEY ? x->mr->lkey ^ 0x5a5a5a00 :
					  x->mr->lkey;
	xc_prepare(x, 0x0d4, x->iova, 8, &unused[0], &unused[1]);
	ret = advise(x, sync ? IBV_ADVISE_MR_FLAG_FLUSH : 0, &sge, &via);
	if (ret < 0)
		return;
	snprintf(what, sizeof(what), "%s(PREFETCH_WRITE, %s) of %u bytes at 0x%llx, lkey 0x%x (%s MR 0x%llx..0x%llx, lkey 0x%x)",
		 via, sync ? "FLUSH" : "async", sge.length,
		 (unsigned long long)sge.addr, sge.lkey, xk_names[k],
		 (unsigned long long)x->iova,
		 (unsigned long long)(x->iova + x->len - 1), x->mr->lkey);
	want = advise_expect(g, k, &n);
	for (i = 0; i < n; i++)
		if (ret == want[i])
			break;
	if (i == n) {
		names[0] = '\0';
		for (i = 0; i < n; i++)
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), "%s%s",
				 i ? " or " : "",
				 want[i] ? strerrorname_np(want[i]) : "success");
		pk_fail(x->r, "%s: returned %s; it must return %s",
			what, ret ? strerrorname_np(ret) : "success", names);
		return;
	}
	pk_diag(x->r, "%s: %s, as it must", what,
		ret ? strerrorname_np(ret) : "success");
	if (ret == 0)
		run_data(x, XO_WRITE, off, len);
	else
		check_mr(x, what);
}

/* Prerequisites the device may lack: a SKIP that says why. */
static bool xfer_skip(const struct pk_dev_info *d, enum xk k, enum xop o,
		      struct pk_result *r)
{
	bool odp = k == XK_ODP || k == XK_ODP_IOVA;

	if ((o == XO_FADD || o == XO_CSWAP) && !d->atomics) {
		pk_skip(r, "device %s has no atomics (atomic_cap NONE)",
			d->name);
		return true;
	}
	if (!odp)
		return false;
	if (!d->odp) {
		pk_skip(r, "%s", d->odp_why);
		return true;
	}
	if ((o == XO_SEND || o == XO_RECV) &&
	    !(d->odp_rc_caps & (o == XO_SEND ? IBV_ODP_SUPPORT_SEND :
				IBV_ODP_SUPPORT_RECV))) {
		pk_skip(r, "device ODP caps lack RC %s (%s: rc_odp_caps=0x%x)",
			o == XO_SEND ? "SEND" : "RECV", d->name,
			d->odp_rc_caps);
		return true;
	}
	if ((o == XO_FADD || o == XO_CSWAP) &&
	    !(d->odp_rc_caps & IBV_ODP_SUPPORT_ATOMIC)) {
		pk_skip(r, "device ODP caps lack RC atomics (%s: rc_odp_caps=0x%x)",
			d->name, d->odp_rc_caps);
		return true;
	}
	return false;
}

void pk_odp_xfer_run(const struct pk_case *c, const struct pk_env *env,
		      struct pk_result *r)
{
	unsigned int id = c->xfer - 1;
	enum xop o = id % XO_NR;
	enum xk k = (id / XO_NR) % XK_NR;
	enum xg g = id / XO_NR / XK_NR;
	struct xc x;
	size_t off, len;

	if (c->xfer == 0 || g >= XG_NR) {
		pk_fail(r, "internal: %s is not an odp-xfer case", c->name);
		return;
	}
	if (xfer_skip(&env->dev, k, o, r))
		return;
	memset(&x, 0, sizeof(x));
	x.r = r;
	x.dev = &env->dev;
	if (xc_open(&x, k) == 0) {
		geometry(&x, g, o, &off, &len);
		if (g == XG_PAST_END || g == XG_WRAP)
			run_outside(&x, o, off, len, g == XG_WRAP);
		else if (g == XG_PREFETCH)
			run_prefetch(&x, off, len);
		else if (o == XO_PF_SYNC || o == XO_PF_ASYNC)
			run_advise(&x, g, k, o, off, len);
		else if (g == XG_PAGE_EDGE) {
			struct ibv_sge unused[2];

			xc_prepare(&x, 0x0d3, x.iova, 8, &unused[0],
				   &unused[1]);
			run_atomic(&x, o, x.page - 8);
			if (r->status == PK_PASS)
				run_atomic(&x, o, x.page);
		} else {
			run_data(&x, o, off, len);
		}
	}
	xc_close(&x);
}
