// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile requests: what a remote peer can send to an MR over the case's
 * buffer.  Each direction PK_DIR_HOSTILE_* is one kind of request; the
 * round registers its own MR with the case's kind's access (pinned, or
 * IBV_ACCESS_ON_DEMAND), sends the request from the requester QP and holds
 * the device to the completion the IBTA specification documents:
 *
 *   out of the MR (address + length past 2^64, past its end, before its
 *   start, longer than it), an R_Key that is wrong, of a deregistered MR
 *   or of an MR in another PD:       IBV_WC_REM_ACCESS_ERR (C9-81..C9-88)
 *   an atomic not 8-byte aligned:    IBV_WC_REM_INV_REQ_ERR (o9-22 / C9-104),
 *                                    or ibv_post_send() refuses it with
 *                                    EINVAL where the sender's provider
 *                                    checks (rdma-core's rxe does: then
 *                                    the responder's check is not reached
 *                                    from verbs)
 *   a zero-length RDMA READ/WRITE:   success without the R_Key or VA
 *                                    being checked (C9-88), no byte moved
 *
 * never another status, never a hang (a bounded wait), and no byte of the
 * buffer changes.  After each error both QPs are reset and reconnected and
 * a valid RDMA READ must return the buffer again: the QPs recover.
 *
 * PK_DIR_HOSTILE_RESET_AFTER_ERROR repeats a request past the MR's end,
 * polls its error completion without sleeping and resets the responder's
 * QP, then the requester's, at once: a QP must be in RESET when its
 * ibv_modify_qp(RESET) has returned, however soon after the error (the
 * device may still be finishing the failed request: rxe set the QP back
 * to ERR then, and the next RESET -> INIT failed with EINVAL).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "internal.h"

#define HOSTILE_TIMEOUT_MS	5000
#define HOSTILE_WRID		0x4057
/*
 * PK_DIR_HOSTILE_RESET_AFTER_ERROR: how many times, and the WRITE: 32
 * packets at a 1024-byte MTU, the first of them already past the MR's end,
 * so the requester is still sending when the NAK comes back
 */
#define RESET_ROUNDS		200
#define RESET_LEN		(32u << 10)

struct hostile {
	struct pk_tc *t;
	struct pk_vehicle v;
	struct ibv_mr *mr;	/* over the buffer, the kind's access */
	struct ibv_pd *pd2;	/* another PD ... */
	struct ibv_mr *mr2;	/* ... and an MR of it over the same buffer */
	uint32_t dead_rkey;	/* of an MR registered and deregistered */
	bool spin;		/* poll completions without sleeping */
	char err[PK_ERR_MAX];
};

/* One request as the peer sends it. */
struct hreq {
	const char *what;
	enum ibv_wr_opcode op;
	uint64_t raddr;
	uint32_t rkey;
	uint32_t len;
	int want;		/* enum ibv_wc_status */
	bool post_einval;	/* the sender's provider may refuse it */
};

static int access_of(const struct pk_tc *t)
{
	int acc = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ |
		  IBV_ACCESS_REMOTE_WRITE;

	if (t->env->dev.atomics)
		acc |= IBV_ACCESS_REMOTE_ATOMIC;
	if (t->c->kind->flags & PK_KF_NO_REF)
		acc |= IBV_ACCESS_ON_DEMAND;
	return acc;
}

/* *@status for a request the sender's provider refused at post time */
#define REFUSED_AT_POST	(-EINVAL)

/*
 * Post @q and wait for its completion; *@status gets its status, or
 * REFUSED_AT_POST.  -1 when nothing completed within the bound (a hang)
 * or the post failed otherwise.
 */
static int send_req(struct hostile *h, const struct hreq *q, int *status)
{
	struct ibv_send_wr wr, *bad;
	struct ibv_sge sge;
	double deadline = pk_now() + HOSTILE_TIMEOUT_MS / 1000.0;
	struct ibv_wc wc;
	int ret;

	memset(&wr, 0, sizeof(wr));
	sge.addr = (uintptr_t)h->v.scratch;
	sge.length = q->len;
	sge.lkey = h->v.scratch_mr->lkey;
	wr.wr_id = HOSTILE_WRID;
	wr.sg_list = q->len ? &sge : NULL;
	wr.num_sge = q->len ? 1 : 0;
	wr.opcode = q->op;
	wr.send_flags = IBV_SEND_SIGNALED;
	if (q->op == IBV_WR_ATOMIC_FETCH_AND_ADD) {
		wr.wr.atomic.remote_addr = q->raddr;
		wr.wr.atomic.rkey = q->rkey;
		wr.wr.atomic.compare_add = 1;
	} else {
		wr.wr.rdma.remote_addr = q->raddr;
		wr.wr.rdma.rkey = q->rkey;
	}
	ret = ibv_post_send(h->v.qp[0], &wr, &bad);
	if (ret == EINVAL && q->post_einval) {
		*status = REFUSED_AT_POST;
		return 0;
	}
	if (ret) {
		snprintf(h->err, sizeof(h->err), "ibv_post_send(%s): %s",
			 q->what, strerror(ret));
		return -1;
	}
	for (;;) {
		ret = ibv_poll_cq(h->v.cq, 1, &wc);
		if (ret < 0) {
			snprintf(h->err, sizeof(h->err),
				 "ibv_poll_cq failed (%d) waiting for %s", ret,
				 q->what);
			return -1;
		}
		if (ret && wc.wr_id == HOSTILE_WRID) {
			*status = wc.status;
			return 0;
		}
		if (pk_now() > deadline) {
			snprintf(h->err, sizeof(h->err),
				 "%s: no completion within %d ms (the device hangs on it)",
				 q->what, HOSTILE_TIMEOUT_MS);
			return -1;
		}
		if (!ret && !h->spin)
			usleep(100);
	}
}

/* A valid RDMA READ of the first page: the QPs work and the bytes are. */
static int recovered(struct hostile *h, const char *after)
{
	struct pk_tc *t = h->t;
	struct hreq ok = { "a valid RDMA READ", IBV_WR_RDMA_READ,
			   (uintptr_t)h->mr->addr, h->mr->rkey,
			   (uint32_t)t->page, IBV_WC_SUCCESS, false };
	struct pk_mismatch m;
	int st;

	if (pk_vehicle_reconnect(&h->v, h->err, sizeof(h->err))) {
		pk_fail(t->r, "QPs do not recover after %s: %s", after, h->err);
		return -1;
	}
	if (send_req(h, &ok, &st)) {
		pk_fail(t->r, "after %s and a reconnect: %s", after, h->err);
		return -1;
	}
	if (st != IBV_WC_SUCCESS) {
		pk_fail(t->r, "after %s and a reconnect, a valid RDMA READ completes with %s (status %d): the QPs did not recover",
			after, ibv_wc_status_str(st), st);
		return -1;
	}
	if (pk_compare(t->expect, h->v.scratch, t->page, t->page, &m)) {
		char what[PK_MSG_MAX];

		snprintf(what, sizeof(what),
			 "after %s, a valid RDMA READ of page 0 returns other bytes",
			 after);
		pk_break(t, what, &m);
	}
	return 0;
}

static int one(struct hostile *h, const struct hreq *q)
{
	struct pk_tc *t = h->t;
	int st;

	/* a WRITE that lands anywhere in the buffer shows as 0xee bytes */
	memset(h->v.scratch, 0xee, h->v.scratch_len);
	if (send_req(h, q, &st)) {
		pk_fail(t->r, "%s", h->err);
		return -1;
	}
	if (st == REFUSED_AT_POST) {
		pk_diag(t->r, "%s (addr 0x%016" PRIx64 "): ibv_post_send refused it with EINVAL, the sender's provider checks",
			q->what, q->raddr);
		pk_check_cpu(t, q->what);
		return 0;
	}
	pk_diag(t->r, "%s (addr 0x%016" PRIx64 ", rkey 0x%x, %u bytes): %s",
		q->what, q->raddr, q->rkey, q->len, ibv_wc_status_str(st));
	if (st != q->want) {
		pk_fail(t->r, "%s completed with %s (status %d), the documented completion is %s",
			q->what, ibv_wc_status_str(st), st,
			ibv_wc_status_str(q->want));
	}
	pk_check_cpu(t, q->what);
	return recovered(h, q->what);
}

/* READ and WRITE of @len bytes at @raddr with @rkey. */
static int read_write(struct hostile *h, const char *what, uint64_t raddr,
		      uint32_t rkey, uint32_t len, int want)
{
	char wn[PK_MSG_MAX], rn[PK_MSG_MAX];
	struct hreq w = { wn, IBV_WR_RDMA_WRITE, raddr, rkey, len, want, false };
	struct hreq r = { rn, IBV_WR_RDMA_READ, raddr, rkey, len, want, false };

	snprintf(wn, sizeof(wn), "an RDMA WRITE %s", what);
	snprintf(rn, sizeof(rn), "an RDMA READ %s", what);
	if (one(h, &w))
		return -1;
	return one(h, &r);
}

/*
 * RESET_ROUNDS times: a WRITE past the MR's end, its error completion
 * polled without sleeping, both QPs reset at once (the responder's first:
 * its error follows the NAK it sent) and checked to be in RESET, then
 * reconnected.  The QPs recover after the last round.
 */
static int reset_after_error(struct hostile *h, uint64_t raddr, uint32_t rkey)
{
	static const int responder_first[2] = { 1, 0 };
	struct pk_tc *t = h->t;
	struct hreq q = { "an RDMA WRITE of 32 KiB crossing the end of the MR",
			  IBV_WR_RDMA_WRITE, raddr, rkey, RESET_LEN,
			  IBV_WC_REM_ACCESS_ERR, false };
	double t0 = pk_now();
	unsigned int i;
	int st;

	h->spin = true;
	for (i = 0; i < RESET_ROUNDS; i++) {
		if (send_req(h, &q, &st)) {
			pk_fail(t->r, "round %u of %u: %s", i + 1,
				RESET_ROUNDS, h->err);
			return -1;
		}
		if (st != q.want) {
			pk_fail(t->r, "round %u of %u: %s completed with %s (status %d), the documented completion is %s",
				i + 1, RESET_ROUNDS, q.what,
				ibv_wc_status_str(st), st,
				ibv_wc_status_str(q.want));
			return -1;
		}
		if (pk_vehicle_reset(&h->v, responder_first, h->err,
				     sizeof(h->err)) ||
		    pk_vehicle_reconnect(&h->v, h->err, sizeof(h->err))) {
			pk_fail(t->r, "round %u of %u, reset as soon as the error completion was polled: %s",
				i + 1, RESET_ROUNDS, h->err);
			return -1;
		}
	}
	h->spin = false;
	pk_diag(t->r, "%u rounds in %.2f s: %s, error completion, both QPs in RESET right after their reset, reconnected",
		i, pk_now() - t0, q.what);
	pk_check_cpu(t, q.what);
	return recovered(h, "the last round");
}

static int max_msg(struct hostile *h, uint32_t *len)
{
	struct ibv_port_attr pa;

	if (ibv_query_port(h->v.ctx, h->v.info.port, &pa)) {
		pk_fail(h->t->r, "ibv_query_port(%s port %u): %s",
			h->v.info.name, h->v.info.port, strerror(errno));
		return -1;
	}
	*len = pa.max_msg_sz;
	return 0;
}

static int requests(struct hostile *h)
{
	struct pk_tc *t = h->t;
	uint64_t a = (uintptr_t)h->mr->addr, end = a + h->mr->length;
	uint32_t key = h->mr->rkey, max;
	const int acc = IBV_WC_REM_ACCESS_ERR;

	switch (t->c->dir) {
	case PK_DIR_HOSTILE_WRAP:
		/* 64 bytes from 2^64 - 32: the end wraps below the MR */
		return read_write(h, "whose address + length wraps past 2^64",
				  UINT64_MAX - 31, key, 64, acc);
	case PK_DIR_HOSTILE_PAST_END:
		return read_write(h, "crossing the end of the MR", end - 32,
				  key, 64, acc);
	case PK_DIR_HOSTILE_BEFORE_START:
		return read_write(h, "crossing the start of the MR", a - 32,
				  key, 64, acc);
	case PK_DIR_HOSTILE_BAD_RKEY:
		/* the same MR index, another key byte, then another index */
		if (read_write(h, "with a wrong R_Key (key byte)", a, key ^ 1,
			       64, acc))
			return -1;
		return read_write(h, "with a wrong R_Key (index)", a,
				  key ^ 0x5a5a00, 64, acc);
	case PK_DIR_HOSTILE_DEREG_RKEY:
		return read_write(h, "with the R_Key of a deregistered MR", a,
				  h->dead_rkey, 64, acc);
	case PK_DIR_HOSTILE_OTHER_PD:
		return read_write(h, "with the R_Key of an MR in another PD", a,
				  h->mr2->rkey, 64, acc);
	case PK_DIR_HOSTILE_ATOMIC_MISALIGNED: {
		struct hreq q = { "a FETCH_AND_ADD at MR offset 4 (not 8-byte aligned)",
				  IBV_WR_ATOMIC_FETCH_AND_ADD, a + 4, key, 8,
				  IBV_WC_REM_INV_REQ_ERR, true };

		if (one(h, &q))
			return -1;
		q.what = "a FETCH_AND_ADD at MR offset 1";
		q.raddr = a + 1;
		return one(h, &q);
	}
	case PK_DIR_HOSTILE_ZERO_LEN:
		/* C9-88: neither the address nor the R_Key is checked */
		return read_write(h, "of zero bytes, wrapped address, wrong R_Key",
				  UINT64_MAX - 3, key ^ 1, 0, IBV_WC_SUCCESS);
	case PK_DIR_HOSTILE_RESET_AFTER_ERROR:
		return reset_after_error(h, end - RESET_LEN / 2, key);
	case PK_DIR_HOSTILE_MAX_LEN: {
		struct hreq q = { NULL, IBV_WR_RDMA_READ, a, key, 0, acc, false };
		char what[PK_MSG_MAX];

		if (max_msg(h, &max))
			return -1;
		snprintf(what, sizeof(what),
			 "an RDMA READ of the port's max_msg_sz (%u bytes) from the %zu-byte MR",
			 max, h->mr->length);
		q.what = what;
		q.len = max;
		if (max <= h->mr->length) {
			pk_skip(t->r, "max_msg_sz %u is not longer than the %zu-byte MR",
				max, h->mr->length);
			return 0;
		}
		return one(h, &q);
	}
	default:
		pk_fail(t->r, "internal: direction %d is not a hostile one",
			(int)t->c->dir);
		return -1;
	}
}

int pk_hostile_round(struct pk_tc *t)
{
	struct hostile *h = calloc(1, sizeof(*h));
	struct ibv_mr *dead;
	int acc = access_of(t), ret = -1;

	if (!h) {
		pk_fail(t->r, "out of memory for the hostile peer");
		return -1;
	}
	h->t = t;
	if (pk_vehicle_open(&h->v, &t->env->dev,
			    t->c->dir == PK_DIR_HOSTILE_RESET_AFTER_ERROR ?
			    RESET_LEN : t->page, h->err, sizeof(h->err))) {
		pk_fail(t->r, "the hostile peer's QPs: %s", h->err);
		goto out_free;
	}
	h->v.timeout_ms = HOSTILE_TIMEOUT_MS;
	h->mr = ibv_reg_mr(h->v.pd, t->b.addr, t->b.len, acc);
	if (!h->mr) {
		pk_fail(t->r, "ibv_reg_mr(%zu bytes, access 0x%x) for the hostile peer: %s",
			t->b.len, acc, strerror(errno));
		goto out_vehicle;
	}
	dead = ibv_reg_mr(h->v.pd, t->b.addr, t->page, acc);
	if (!dead) {
		pk_fail(t->r, "ibv_reg_mr of the MR to deregister: %s",
			strerror(errno));
		goto out_mr;
	}
	h->dead_rkey = dead->rkey;
	if (ibv_dereg_mr(dead)) {
		pk_fail(t->r, "ibv_dereg_mr of the MR whose R_Key goes stale: %s",
			strerror(errno));
		goto out_mr;
	}
	h->pd2 = ibv_alloc_pd(h->v.ctx);
	if (!h->pd2) {
		pk_fail(t->r, "ibv_alloc_pd for another PD: %s",
			strerror(errno));
		goto out_mr;
	}
	h->mr2 = ibv_reg_mr(h->pd2, t->b.addr, t->b.len, acc);
	if (!h->mr2) {
		pk_fail(t->r, "ibv_reg_mr in another PD: %s", strerror(errno));
		goto out_pd2;
	}
	ret = requests(h);
	if (ibv_dereg_mr(h->mr2)) {
		pk_fail(t->r, "ibv_dereg_mr (other PD): %s", strerror(errno));
		ret = -1;
	}
out_pd2:
	if (ibv_dealloc_pd(h->pd2)) {
		pk_fail(t->r, "ibv_dealloc_pd (other PD): %s", strerror(errno));
		ret = -1;
	}
out_mr:
	if (ibv_dereg_mr(h->mr)) {
		pk_fail(t->r, "ibv_dereg_mr (hostile peer's MR): %s",
			strerror(errno));
		ret = -1;
	}
out_vehicle:
	pk_vehicle_close(&h->v);
out_free:
	free(h);
	return ret;
}
