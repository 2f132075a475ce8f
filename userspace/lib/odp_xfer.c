// SPDX-License-Identifier: GPL-2.0
/*
 * odp-xfer: transfer geometry of RDMA MRs, the cases the main table does
 * not reach.  The main table moves whole pages at page-aligned offsets of
 * MRs whose iova is their address; real traffic does neither.  Each case
 * here is one operation with one geometry on one MR kind:
 *
 *   odp-xfer/<geometry>/<kind>/<op>
 *
 *   kind      pinned-rw | pinned-rw-iova | odp | odp-iova, on 32 pages of
 *             anonymous memory; the -iova kinds are registered with
 *             ibv_reg_mr_iova() at an iova 1 TiB above the buffer's
 *             address, and every address the case posts (remote address
 *             or local SGE) is in that iova space.
 *             The big-* geometries run on ODP MRs of odp-3g (3 GiB),
 *             odp-4g (4 GiB) and odp-4g-64k (4 GiB + 64 KiB) of
 *             MAP_NORESERVE anonymous memory, of which a case touches
 *             only what it transfers (registering an ODP MR faults
 *             nothing in): ODP has no size limit a pinned MR lacks.
 *             The mw-* geometries run on pinned-mw1, pinned-mw2 and
 *             pinned-mwzb: a pinned MR of 32 pages with a memory window
 *             of type 1, type 2 or zero-based type 2 bound (through the
 *             responder's QP) over its pages 8..11, remote requests
 *             naming the window's rkey (through the zero-based window,
 *             an offset into it as their address).
 *             The huge-* geometries run on 4 hugetlb pages of 2 MiB
 *             instead: pinned-huge (a pinned MR, the control),
 *             odp-huge (ODP without IBV_ACCESS_HUGETLB: the core maps
 *             4 KiB blocks), odp-hugetlb (ODP | IBV_ACCESS_HUGETLB: the
 *             core maps whole 2 MiB blocks) and odp-hugetlb-iova (the
 *             same at an iova 1 TiB above the address).
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
 *             huge-past4k    2 pages + 300 bytes inside huge page 1, from
 *                            5 pages + 100 bytes into it
 *             huge-cross     7000 bytes across the boundary of huge pages
 *                            2 and 3
 *             huge-span      4 MiB + 2 pages + 34 bytes from the last page
 *                            of huge page 0 (less 17 bytes) into huge
 *                            page 3: three huge page boundaries
 *             big-tail       3 pages + 500 bytes ending 100 bytes before
 *                            the end of a big MR
 *             big-prefetch   a read prefetch (ibv_advise_mr(PREFETCH),
 *                            with FLUSH or async) of one 2 GiB SGE from
 *                            MR offset 1 GiB, memory never touched: the
 *                            zero page is mapped and mincore() shows it
 *                            resident
 *             mw-end         3 pages + 500 bytes ending at the window's
 *                            last byte (an atomic: its last word)
 *             mw-past        200 bytes from 100 bytes before the
 *                            window's end: past it, inside the MR (an
 *                            atomic: the first word past it)
 *             mw-before      200 bytes from 100 bytes before the window
 *                            (an atomic: the last word before it)
 *             mw-wrap        the bind of a window whose address + length
 *                            wraps past 2^64 (op bind-mw): it must be
 *                            refused
 *             mw-bind-past   the bind of a 4-page window from the MR's
 *                            last page (op bind-mw): it must be refused
 *             rereg-*        a rereg of the MR's access flags (op rereg,
 *                            see run_rereg()), then an RDMA WRITE
 *             huge-replace   huge page 2 replaced under the MR (a new one
 *                            with other bytes faulted in elsewhere, the
 *                            old one unmapped, the new one moved in with
 *                            mremap) after the device accessed it, then a
 *                            transfer of 3 pages from 3 pages + 200 bytes
 *                            into it (ODP kinds only: a pinned MR keeps
 *                            the old page by design)
 *   op        rdma-write | rdma-read | send (out of the MR) |
 *             recv (into the MR) | fetch-add | cmp-swap | advise-write |
 *             prefetch-sync (PREFETCH_WRITE, or PREFETCH for big-prefetch,
 *             with IBV_ADVISE_MR_FLAG_FLUSH: the kernel faults the range
 *             in before it returns) |
 *             prefetch-async (the same without flags: the kernel checks
 *             the request and queues the faults) | bind-mw | rereg
 *
 * Invariants: a transfer inside the MR completes successfully and the
 * bytes the CPU and the device see are the bytes written, with every byte
 * outside the transfer unchanged (the first differing offset is reported);
 * a request that leaves the MR, or the window whose rkey it names, or
 * wraps ends in an error completion and changes no byte of the MR: never
 * success, never a hang.  The verdict is
 * the kernel's: a pinned MR and an ODP MR must behave the same.
 *
 * The huge-* cases are the ones that catch a driver or core that indexes
 * the per-4 KiB pfn_list of an IBV_ACCESS_HUGETLB umem per 2 MiB block
 * (v6.16 to v7.3's core and mlx5): every access to huge page k >= 1 then
 * goes to a 4 KiB page of huge page 0 and on past its end, so the bytes
 * the CPU reads back differ (huge-past4k, huge-cross, huge-span), and an
 * invalidation of huge page k clears the wrong entries, so after
 * huge-replace the device still reads and writes the freed huge page and
 * the CPU sees none of it.  Their verdict is the bytes alone; the pinned
 * control fails only where the bytes differ.  Without free hugetlb pages
 * they are skipped with the reason.
 *
 * The advise-* cases check what ibv_advise_mr() itself returns, sync and
 * async alike: a prefetch inside an ODP MR succeeds, the pages are
 * resident when it returns (sync) or soon after (async), and a WRITE into
 * the range then lands; one that leaves the MR or wraps fails with
 * EFAULT; an unknown lkey fails with EINVAL (rxe) or ENOENT (mlx5).  A
 * prefetch of a pinned MR must be refused, never succeed (success means
 * the kernel took the pinned MR's umem for ODP state).  Since the kernel
 * answers EOPNOTSUPP itself when the device has no advise_mr, a refusal
 * counts only after the unknown-lkey prefetch on the same path got the
 * driver's answer (see advise_reaches_driver()).  Where the provider
 * library has no advise_mr (rxe before rdma-core 56, Debian 12's 44 among
 * them), the cases go through the kernel's ADVISE_MR method with
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
#include <rdma/ib_user_verbs.h>

#include "internal.h"

enum xk { XK_PINNED, XK_PINNED_IOVA, XK_ODP, XK_ODP_IOVA, XK_PINNED_HUGE,
	  XK_ODP_HUGE, XK_ODP_HUGETLB, XK_ODP_HUGETLB_IOVA, XK_ODP_3G,
	  XK_ODP_4G, XK_ODP_4G64K, XK_PINNED_MW1, XK_PINNED_MW2, XK_PINNED_MWZB,
	  XK_NR };
enum xop { XO_WRITE, XO_READ, XO_SEND, XO_RECV, XO_FADD, XO_CSWAP,
	   XO_ADVISE, XO_PF_SYNC, XO_PF_ASYNC, XO_BIND_MW, XO_REREG, XO_NR };
enum xg { XG_ALIGNED_64K, XG_SUBPAGE, XG_MULTIPAGE, XG_MTU, XG_PAGE_EDGE,
	  XG_PAST_END, XG_WRAP, XG_PREFETCH, XG_ADV_INSIDE, XG_ADV_ACROSS,
	  XG_ADV_PAST, XG_ADV_WRAP, XG_ADV_BAD_LKEY, XG_HUGE_PAST4K,
	  XG_HUGE_CROSS, XG_HUGE_SPAN, XG_HUGE_REPLACE, XG_BIG_TAIL,
	  XG_BIG_PREFETCH, XG_MW_END, XG_MW_PAST, XG_MW_BEFORE, XG_MW_WRAP,
	  XG_MW_BIND_PAST, XG_REREG_SAME, XG_REREG_DROP_ODP, XG_REREG_ADD_ODP,
	  XG_REREG_ADD_HUGETLB, XG_REREG_ADD_ODP_HUGE, XG_REREG_DROP_HUGETLB,
	  XG_NR };

static const char *const xk_names[XK_NR] = {
	"pinned-rw", "pinned-rw-iova", "odp", "odp-iova", "pinned-huge",
	"odp-huge", "odp-hugetlb", "odp-hugetlb-iova", "odp-3g", "odp-4g",
	"odp-4g-64k", "pinned-mw1", "pinned-mw2", "pinned-mwzb",
};
static const char *const xop_names[XO_NR] = {
	"rdma-write", "rdma-read", "send", "recv", "fetch-add", "cmp-swap",
	"advise-write", "prefetch-sync", "prefetch-async", "bind-mw", "rereg",
};

#define OPS_DATA	((1u << XO_WRITE) | (1u << XO_READ) | \
			 (1u << XO_SEND) | (1u << XO_RECV))
#define OPS_ATOMIC	((1u << XO_FADD) | (1u << XO_CSWAP))
#define OPS_PREFETCH	((1u << XO_PF_SYNC) | (1u << XO_PF_ASYNC))
#define OPS_RW		((1u << XO_WRITE) | (1u << XO_READ))
#define ODP_KINDS	((1u << XK_ODP) | (1u << XK_ODP_IOVA))
#define ALL_KINDS	((1u << XK_PINNED_HUGE) - 1)	/* 4 KiB pages */
#define HUGE_ODP_KINDS	((1u << XK_ODP_HUGE) | (1u << XK_ODP_HUGETLB) | \
			 (1u << XK_ODP_HUGETLB_IOVA))
#define HUGE_KINDS	((1u << XK_PINNED_HUGE) | HUGE_ODP_KINDS)
#define BIG_KINDS	((1u << XK_ODP_3G) | (1u << XK_ODP_4G) | \
			 (1u << XK_ODP_4G64K))
#define MW_KINDS	((1u << XK_PINNED_MW1) | (1u << XK_PINNED_MW2) | \
			 (1u << XK_PINNED_MWZB))

static bool xop_atomic(enum xop o)
{
	return OPS_ATOMIC & (1u << o);
}

static bool xk_odp(enum xk k)
{
	return k == XK_ODP || k == XK_ODP_IOVA ||
	       ((HUGE_ODP_KINDS | BIG_KINDS) & (1u << k));
}

static bool xk_iova(enum xk k)
{
	return k == XK_PINNED_IOVA || k == XK_ODP_IOVA ||
	       k == XK_ODP_HUGETLB_IOVA;
}

static bool xk_huge(enum xk k)
{
	return HUGE_KINDS & (1u << k);
}

static bool xk_big(enum xk k)
{
	return BIG_KINDS & (1u << k);
}

/* a pinned MR with a memory window of type 1 or 2 over part of it */
static bool xk_mw(enum xk k)
{
	return MW_KINDS & (1u << k);
}

/* The length of a big kind's MR. */
static size_t xk_big_len(enum xk k)
{
	size_t gib = (size_t)1 << 30;

	return k == XK_ODP_3G ? 3 * gib :
	       k == XK_ODP_4G ? 4 * gib : 4 * gib + 65536;
}

/* registered with IBV_ACCESS_HUGETLB */
static bool xk_hugetlb(enum xk k)
{
	return k == XK_ODP_HUGETLB || k == XK_ODP_HUGETLB_IOVA;
}

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
	[XG_HUGE_PAST4K] = { "huge-past4k", OPS_RW, HUGE_KINDS, false },
	[XG_HUGE_CROSS] = { "huge-cross", OPS_RW, HUGE_KINDS, false },
	[XG_HUGE_SPAN] = { "huge-span", OPS_RW, HUGE_KINDS, false },
	[XG_HUGE_REPLACE] = { "huge-replace", OPS_RW, HUGE_ODP_KINDS, false },
	[XG_BIG_TAIL] = { "big-tail", OPS_RW, BIG_KINDS, false },
	[XG_BIG_PREFETCH] = { "big-prefetch", OPS_PREFETCH, 1u << XK_ODP_4G64K,
			      false },
	[XG_MW_END] = { "mw-end", OPS_RW | OPS_ATOMIC, MW_KINDS, false },
	[XG_MW_PAST] = { "mw-past", OPS_RW | OPS_ATOMIC, MW_KINDS, true },
	[XG_MW_BEFORE] = { "mw-before", OPS_RW | OPS_ATOMIC, MW_KINDS, true },
	[XG_MW_WRAP] = { "mw-wrap", 1u << XO_BIND_MW, MW_KINDS, true },
	[XG_MW_BIND_PAST] = { "mw-bind-past", 1u << XO_BIND_MW, MW_KINDS,
			      true },
	[XG_REREG_SAME] = { "rereg-same", 1u << XO_REREG,
			    (1u << XK_PINNED) | (1u << XK_ODP) |
			    (1u << XK_ODP_HUGETLB), false },
	[XG_REREG_DROP_ODP] = { "rereg-drop-odp", 1u << XO_REREG,
				1u << XK_ODP, true },
	[XG_REREG_ADD_ODP] = { "rereg-add-odp", 1u << XO_REREG,
			       1u << XK_PINNED, true },
	[XG_REREG_ADD_HUGETLB] = { "rereg-add-hugetlb", 1u << XO_REREG,
				   1u << XK_ODP, true },
	[XG_REREG_ADD_ODP_HUGE] = { "rereg-add-odp-huge", 1u << XO_REREG,
				    1u << XK_PINNED, true },
	[XG_REREG_DROP_HUGETLB] = { "rereg-drop-hugetlb", 1u << XO_REREG,
				    1u << XK_ODP_HUGETLB, true },
};

/* The row every odp-xfer case points at (run by pk_odp_xfer_run). */
static const struct pk_row xfer_row = {
	.name = "odp-xfer",
	.invariant = "transfers of every geometry complete with the bytes written; requests outside the MR end in an error completion",
	.disturb = PK_DIST_NONE,
};

/* case index + 1 in c->xfer: geometry, kind, op */
#define XFER_ID(g, k, o)	(((g) * XK_NR + (k)) * XO_NR + (o) + 1)

/*
 * The kind a case of MR variant @k runs as (its verbs device, its flags
 * in reports): the first that fits, the ODP MR or the pinned read-write
 * one.  NULL if there is none.
 */
static const struct pk_kind_ops *xk_kind(enum xk k)
{
	unsigned int has = pk_family_odp_xfer.kind_has |
			   (xk_odp(k) ? PK_KF_NO_REF : PK_KF_PIN | PK_KF_WRITES);
	size_t i;

	for (i = 0; i < pk_kind_count(); i++)
		if (pk_kind_fits(pk_kind_at(i), has, 0))
			return pk_kind_at(i);
	return NULL;
}

size_t pk_odp_xfer_expand(struct pk_case *out, size_t max)
{
	size_t n = 0;
	unsigned int g, k, o;

	for (g = 0; g < XG_NR; g++)
		for (k = 0; k < XK_NR; k++) {
			const struct pk_kind_ops *kind = xk_kind(k);

			if (!(xgeoms[g].kinds & (1u << k)) || !kind)
				continue;
			for (o = 0; o < XO_NR; o++) {
				struct pk_case *c;

				if (!(xgeoms[g].ops & (1u << o)))
					continue;
				if (out && n < max) {
					c = &out[n];
					memset(c, 0, sizeof(*c));
					c->row = &xfer_row;
					c->kind = kind;
					c->backing = xk_huge(k) ?
						     PK_BACK_HUGETLB_2M :
						     PK_BACK_ANON_4K;
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

/*
 * Its cases register MRs of their own through pinkit's verbs vehicle, as
 * a pinned read-write MR and as an ODP MR.
 */
const struct pk_family pk_family_odp_xfer = {
	.name = "odp-xfer",
	.what = "transfers of every geometry, iova != address, requests outside the MR",
	.kind_has = PK_KF_VERBS,
	.why = "its cases register MRs of their own through pinkit's verbs vehicle, a pinned read-write one (PK_KF_PIN|PK_KF_WRITES) and an ODP one (PK_KF_NO_REF)",
	.expand = pk_odp_xfer_expand,
};

/* The state of one odp-xfer case. */
struct xc {
	struct pk_result *r;
	const struct pk_dev_info *dev;
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp[2];	/* qp[0] requester, qp[1] responder */
	uint8_t *map;		/* the memory of the MR under test */
	size_t map_len;
	/*
	 * The part of the MR a case touches, at iova x->iova: all of it but
	 * for the big kinds, whose view is the MR's last XC_BIG_VIEW pages.
	 */
	uint8_t *buf;
	size_t len;
	uint64_t iova;
	struct ibv_mr *mr;
	struct ibv_mw *mw;	/* the window of the -mw kinds */
	bool zb;		/* it is zero based: remote addresses are
				 * offsets into it */
	uint32_t rkey;		/* what a remote request names: MR or window */
	int access;		/* the MR's access flags */
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
#define XC_IOVA_SHIFT	(UINT64_C(1) << 40)	/* a multiple of 2 MiB */
#define XC_HUGE_SZ	((size_t)2 << 20)
#define XC_HUGE_PAGES	4
#define XC_HUGETLB_FREE	"/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
#define XC_BAD_LKEY	0x5a5a5a00u	/* xor'ed into an lkey: no MR has it */
#define XC_BIG_VIEW	8		/* pages of a big MR a big-tail touches */
#define XC_MW_FIRST	8		/* the window: pages 8..11 of the MR */
#define XC_MW_PAGES	4
#define XC_BIG_PF_OFF	((size_t)1 << 30)	/* big-prefetch's SGE */
#define XC_BIG_PF_LEN	((size_t)2 << 30)

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB	(21 << MAP_HUGE_SHIFT)
#endif

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

/*
 * Map the x->map_len bytes of the MR under test (hugetlb pages of 2 MiB
 * for the huge kinds, MAP_NORESERVE for the big ones, else anonymous 4 KiB
 * pages), set the view x->buf, x->len on them, and allocate the scratch
 * buffer and the two copies of the view's bytes.  On failure nothing is
 * left mapped or allocated and -1 is returned with a FAIL recorded, or a
 * SKIP when there are not enough free hugetlb pages.
 */
static int xc_alloc(struct xc *x, enum xk kind)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	bool huge = xk_huge(kind);
	char free_pages[32] = "?";
	const char *what;
	int err;

	if (huge)
		flags |= MAP_HUGETLB | MAP_HUGE_2MB;
	if (xk_big(kind))
		flags |= MAP_NORESERVE;
	x->map = mmap(NULL, x->map_len, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (x->map == MAP_FAILED) {
		err = errno;
		x->map = NULL;
		x->len = x->map_len;
		if (huge) {
			pk_read_file(XC_HUGETLB_FREE, free_pages,
				     sizeof(free_pages));
			pk_skip(x->r, "%d free 2 MiB hugetlb pages needed: mmap(MAP_HUGETLB) of %zu bytes: %s (free_hugepages %s; reserve with 'echo 32 > /proc/sys/vm/nr_hugepages')",
				XC_HUGE_PAGES, x->len, strerror(err),
				free_pages);
			return -1;
		}
		what = "mmap of the MR's buffer";
		goto err;
	}
	x->len = xk_big(kind) ? (size_t)XC_BIG_VIEW * x->page : x->map_len;
	x->buf = x->map + x->map_len - x->len;
	x->scratch_len = x->len + x->page;
	x->scratch = mmap(NULL, x->scratch_len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (x->scratch == MAP_FAILED) {
		err = errno;
		x->scratch = NULL;
		what = "mmap of the scratch buffer";
		goto err_buf;
	}
	x->before = malloc(x->len);
	if (!x->before) {
		err = errno;
		what = "malloc of the copy of the MR";
		goto err_scratch;
	}
	x->expect = malloc(x->len);
	if (!x->expect) {
		err = errno;
		what = "malloc of the MR's expected bytes";
		goto err_before;
	}
	return 0;

err_before:
	free(x->before);
	x->before = NULL;
err_scratch:
	munmap(x->scratch, x->scratch_len);
	x->scratch = NULL;
err_buf:
	munmap(x->map, x->map_len);
	x->map = NULL;
	x->buf = NULL;
err:
	pk_fail(x->r, "%s (%zu bytes): %s", what, x->len, strerror(err));
	return -1;
}

static int xc_open(struct xc *x, enum xk kind)
{
	struct ibv_device *dev = x->dev->ibdev;
	struct ibv_qp_init_attr qa;
	char what[160];
	unsigned int acc;
	uint64_t iova;
	int i;

	x->page = (int)sysconf(_SC_PAGESIZE);
	x->mtu = 128 << x->dev->active_mtu;
	/* huge-span moves 4 MiB in MTU-sized packets (per case: 30 s) */
	x->timeout_ms = xk_huge(kind) ? 20000 : 5000;
	x->map_len = xk_big(kind) ? xk_big_len(kind) :
		     xk_huge(kind) ? XC_HUGE_PAGES * XC_HUGE_SZ :
				     (size_t)XC_PAGES * x->page;
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

	if (xc_alloc(x, kind))
		return -1;
	x->smr = ibv_reg_mr(x->pd, x->scratch, x->scratch_len,
			    IBV_ACCESS_LOCAL_WRITE);
	if (!x->smr)
		return fail_errno(x, "ibv_reg_mr of the scratch buffer (RLIMIT_MEMLOCK too low? try 'ulimit -l unlimited')");

	acc = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
	      IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC;
	if (xk_odp(kind))
		acc |= IBV_ACCESS_ON_DEMAND;
	if (xk_hugetlb(kind))
		acc |= IBV_ACCESS_HUGETLB;
	if (xk_mw(kind))
		acc |= IBV_ACCESS_MW_BIND;
	iova = (uintptr_t)x->map;
	if (xk_iova(kind))
		iova += XC_IOVA_SHIFT;
	x->iova = iova + (size_t)(x->buf - x->map);
	x->access = acc;
	x->mr = ibv_reg_mr_iova(x->pd, x->map, x->map_len, iova, acc);
	if (!x->mr && xk_hugetlb(kind) && errno == EOPNOTSUPP) {
		/* rxe before it took the flag; not a verdict on the kernel */
		pk_skip(x->r, "device %s refuses IBV_ACCESS_ON_DEMAND | IBV_ACCESS_HUGETLB: ibv_reg_mr_iova: %s",
			x->dev->name, strerror(errno));
		return -1;
	}
	if (!x->mr) {
		snprintf(what, sizeof(what), "ibv_reg_mr_iova(%s) of %zu bytes (%s)",
			 xk_hugetlb(kind) ? "IBV_ACCESS_ON_DEMAND | IBV_ACCESS_HUGETLB" :
			 xk_odp(kind) ? "IBV_ACCESS_ON_DEMAND" : "pinned",
			 x->map_len, xk_names[kind]);
		return fail_errno(x, what);
	}
	x->rkey = x->mr->rkey;
	if (!xk_mw(kind))
		return 0;
	x->mw = ibv_alloc_mw(x->pd, kind == XK_PINNED_MW1 ? IBV_MW_TYPE_1 :
						       IBV_MW_TYPE_2);
	x->zb = kind == XK_PINNED_MWZB;
	if (!x->mw && (errno == EOPNOTSUPP || errno == ENOSYS)) {
		pk_skip(x->r, "device %s has no type %d memory windows: ibv_alloc_mw: %s",
			x->dev->name, kind == XK_PINNED_MW1 ? 1 : 2,
			strerror(errno));
		return -1;
	}
	if (!x->mw)
		return fail_errno(x, "ibv_alloc_mw");
	return 0;
}

static void xc_close(struct xc *x)
{
	int i;

	/* a bound window keeps its MR from being deregistered */
	if (x->mw)
		ibv_dealloc_mw(x->mw);
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
	if (x->map)
		munmap(x->map, x->map_len);
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

/* "type 1", "type 2" or "zero-based type 2": the window, in messages */
static const char *mw_desc(const struct xc *x)
{
	if (x->zb)
		return "zero-based type 2";
	return x->mw->type == IBV_MW_TYPE_1 ? "type 1" : "type 2";
}

/*
 * Bind the window x->mw to @len bytes at iova @addr of the MR, for remote
 * reads and writes, through the responder's QP (a type 2 window then
 * answers on that QP only).  Returns 0 when the bind completed
 * successfully, x->rkey then being the window's; 1 when it was refused,
 * with the call's errno or the error completion described in @why; -1
 * with a FAIL recorded when the completion could not be polled.
 */
static int mw_bind(struct xc *x, uint64_t addr, uint64_t len, char *why,
		   size_t n)
{
	struct ibv_mw_bind_info info = {
		.mr = x->mr,
		.addr = addr,
		.length = len,
		.mw_access_flags = IBV_ACCESS_REMOTE_READ |
				   IBV_ACCESS_REMOTE_WRITE |
				   IBV_ACCESS_REMOTE_ATOMIC |
				   (x->zb ? IBV_ACCESS_ZERO_BASED : 0),
	};
	bool type1 = x->mw->type == IBV_MW_TYPE_1;
	struct ibv_send_wr wr, *bad;
	struct ibv_mw_bind b;
	int st = 0, ret;

	memset(&wr, 0, sizeof(wr));
	if (type1) {
		memset(&b, 0, sizeof(b));
		b.wr_id = 3;
		b.send_flags = IBV_SEND_SIGNALED;
		b.bind_info = info;
		ret = ibv_bind_mw(x->qp[1], x->mw, &b);
	} else {
		wr.wr_id = 3;
		wr.opcode = IBV_WR_BIND_MW;
		wr.send_flags = IBV_SEND_SIGNALED;
		wr.bind_mw.mw = x->mw;
		wr.bind_mw.rkey = ibv_inc_rkey(x->mw->rkey);
		wr.bind_mw.bind_info = info;
		ret = ibv_post_send(x->qp[1], &wr, &bad);
	}
	if (ret) {
		snprintf(why, n, "%s: %s",
			 type1 ? "ibv_bind_mw" : "ibv_post_send(IBV_WR_BIND_MW)",
			 strerror(ret));
		return 1;
	}
	ret = xc_wait(x, 1, "the bind of the memory window", &st);
	if (ret < 0)
		return -1;
	if (ret > 0) {
		snprintf(why, n, "error completion %s (status %d)",
			 ibv_wc_status_str(st), st);
		return 1;
	}
	x->rkey = type1 ? x->mw->rkey : wr.bind_mw.rkey;
	return 0;
}

/* The window of the -mw kinds: pages XC_MW_FIRST.. of the MR, as iovas. */
static uint64_t mw_first(const struct xc *x)
{
	return x->iova + (uint64_t)XC_MW_FIRST * x->page;
}

static uint64_t mw_len(const struct xc *x)
{
	return (uint64_t)XC_MW_PAGES * x->page;
}

/*
 * The address a remote request names for MR offset @off: its iova, or,
 * through a zero-based window, its offset into the window (an offset
 * below the window wraps to a huge one: outside it all the same).
 */
static uint64_t remote_addr(const struct xc *x, size_t off)
{
	if (x->zb)
		return (uint64_t)off - (uint64_t)XC_MW_FIRST * x->page;
	return x->iova + off;
}

/* Bind the window over pages XC_MW_FIRST.. of the MR; 0, or -1 recorded. */
static int mw_bind_window(struct xc *x)
{
	uint64_t addr = mw_first(x);
	uint64_t len = mw_len(x);
	char why[160];
	int ret = mw_bind(x, addr, len, why, sizeof(why));

	if (ret > 0)
		pk_fail(x->r, "the bind of a %s window to iova 0x%llx..0x%llx, inside its MR, was refused: %s",
			mw_desc(x), (unsigned long long)addr,
			(unsigned long long)(addr + len - 1), why);
	return ret ? -1 : 0;
}

/*
 * A bind of a window that does not lie in its MR must be refused
 * (IBTA C10-75), zero based or not:
 * mw-wrap       2 pages from one page below 2^64: address + length wraps.
 *               v7.3.4's rxe compares addr + length with the MR's end,
 *               sum and all, and binds it (and checks a zero-based one's
 *               length only).
 * mw-bind-past  XC_MW_PAGES pages from the MR's last page: it runs past
 *               the MR's end.  v7.3.4's rxe refuses it unless the window
 *               is zero based, whose addr it never checks.
 */
static void run_mw_bind_outside(struct xc *x, enum xg g)
{
	uint64_t addr, len;
	char what[192], why[160];
	int ret;

	if (g == XG_MW_WRAP) {
		addr = UINT64_MAX - x->page + 1;
		len = 2 * (uint64_t)x->page;
	} else {
		addr = x->iova + x->len - x->page;
		len = (uint64_t)XC_MW_PAGES * x->page;
	}
	snprintf(what, sizeof(what), "the bind of a %s window of %llu bytes at iova 0x%llx (the MR is 0x%llx..0x%llx)",
		 mw_desc(x), (unsigned long long)len,
		 (unsigned long long)addr, (unsigned long long)x->iova,
		 (unsigned long long)(x->iova + x->len - 1));
	ret = mw_bind(x, addr, len, why, sizeof(why));
	if (ret < 0)
		return;
	if (ret == 0) {
		pk_fail(x->r, "%s: it succeeded; a window that does not lie inside its MR must be refused",
			what);
		return;
	}
	pk_diag(x->r, "%s: refused (%s), as it must", what, why);
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
		*off = xop_atomic(o) ? x->len : x->len - 100;
		*len = xop_atomic(o) ? 8 : 200;
		break;
	case XG_HUGE_PAST4K:	/* inside huge page 1, past its first 4 KiB */
		*off = XC_HUGE_SZ + 5 * x->page + 100;
		*len = 2 * x->page + 300;
		break;
	case XG_HUGE_CROSS:	/* across the boundary of huge pages 2 and 3 */
		*off = 3 * XC_HUGE_SZ - 3000;
		*len = 7000;
		break;
	case XG_HUGE_SPAN:	/* huge page 0's last page to huge page 3's first */
		*off = XC_HUGE_SZ - x->page - 17;
		*len = 2 * XC_HUGE_SZ + 2 * x->page + 34;
		break;
	case XG_BIG_TAIL:	/* the view is the MR's last pages */
		*len = 3 * x->page + 500;
		*off = x->len - 100 - *len;
		break;
	case XG_BIG_PREFETCH:
		*off = XC_BIG_PF_OFF;
		*len = XC_BIG_PF_LEN;
		break;
	case XG_MW_END:		/* ends at the window's last byte */
		*len = xop_atomic(o) ? 8 : 3 * x->page + 500;
		*off = (XC_MW_FIRST + XC_MW_PAGES) * x->page - *len;
		break;
	case XG_MW_PAST:	/* past the window's end: its first word */
		*off = (XC_MW_FIRST + XC_MW_PAGES) * x->page -
		       (xop_atomic(o) ? 0 : 100);
		*len = xop_atomic(o) ? 8 : 200;
		break;
	case XG_MW_BEFORE:	/* from before the window: its last word */
		*off = XC_MW_FIRST * x->page - (xop_atomic(o) ? 8 : 100);
		*len = xop_atomic(o) ? 8 : 200;
		break;
	case XG_HUGE_REPLACE:	/* inside huge page 2, past its first 4 KiB */
		*off = 2 * XC_HUGE_SZ + 3 * x->page + 200;
		*len = 3 * x->page;
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

/*
 * One data transfer (RDMA WRITE/READ, SEND, RECV) of the @len bytes at MR
 * offset @off that xc_prepare() described in @lsge and @msge; the MR must
 * then hold x->expect with the bytes written, and a read must return the
 * bytes the CPU sees.  @what names the operation in the messages.
 */
static void xc_transfer(struct xc *x, enum xop o, size_t off, size_t len,
			struct ibv_sge *lsge, struct ibv_sge *msge,
			const char *what)
{
	struct ibv_send_wr wr;
	int st = 0, ret;
	long d;

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 1;
	wr.num_sge = 1;
	wr.send_flags = IBV_SEND_SIGNALED;
	switch (o) {
	case XO_WRITE:
	case XO_READ:
		wr.opcode = o == XO_WRITE ? IBV_WR_RDMA_WRITE :
			    IBV_WR_RDMA_READ;
		wr.sg_list = lsge;
		wr.wr.rdma.remote_addr = remote_addr(x, off);
		wr.wr.rdma.rkey = x->rkey;
		ret = xc_op(x, &wr, what, &st);
		break;
	case XO_SEND:	/* out of the MR into scratch */
		ret = xc_sendrecv(x, &wr, msge, lsge, what, &st);
		break;
	default:	/* XO_RECV: from scratch into the MR */
		ret = xc_sendrecv(x, &wr, lsge, msge, what, &st);
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

/* One data transfer inside the MR, on freshly prepared buffers. */
static void run_data(struct xc *x, enum xop o, size_t off, size_t len)
{
	struct ibv_sge lsge, msge;
	char what[128];

	snprintf(what, sizeof(what), "%s of %zu bytes at MR offset 0x%zx",
		 xop_names[o], len, off);
	xc_prepare(x, 0x0d1, x->iova + off, len, &lsge, &msge);
	xc_transfer(x, o, off, len, &lsge, &msge, what);
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
	wr.wr.atomic.remote_addr = remote_addr(x, off);
	wr.wr.atomic.rkey = x->rkey;
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
	char what[256];
	uint64_t addr;
	int st = 0, ret;

	/* wrap: the request starts 64 bytes (an atomic: 8) below 2^64 */
	addr = wrap ? UINT64_MAX - (xop_atomic(o) ? 7 : 63) :
		      remote_addr(x, off);
	if (wrap)
		len = xop_atomic(o) ? 8 : 200;
	if (x->mw)
		snprintf(what, sizeof(what), "%s of %zu bytes at %s 0x%llx through the rkey of a %s window on 0x%llx..0x%llx (its MR is 0x%llx..0x%llx)",
			 xop_names[o], len,
			 x->zb ? "window offset" : "iova",
			 (unsigned long long)addr, mw_desc(x),
			 (unsigned long long)mw_first(x),
			 (unsigned long long)(mw_first(x) + mw_len(x) - 1),
			 (unsigned long long)x->iova,
			 (unsigned long long)(x->iova + x->len - 1));
	else
		snprintf(what, sizeof(what), "%s of %zu bytes at iova 0x%llx (the MR is 0x%llx..0x%llx)",
			 xop_names[o], len, (unsigned long long)addr,
			 (unsigned long long)x->iova,
			 (unsigned long long)(x->iova + x->len - 1));
	xc_prepare(x, 0x0d2, wrap ? addr : x->iova + off, len, &lsge, &msge);
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
		wr.wr.rdma.rkey = x->rkey;
		ret = xc_op(x, &wr, what, &st);
		break;
	case XO_FADD:
	case XO_CSWAP:
		lsge.addr = (uintptr_t)(x->scratch + 64);
		wr.opcode = o == XO_FADD ? IBV_WR_ATOMIC_FETCH_AND_ADD :
			    IBV_WR_ATOMIC_CMP_AND_SWP;
		wr.wr.atomic.remote_addr = addr;
		wr.wr.atomic.rkey = x->rkey;
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
		pk_fail(x->r, "%s: completed successfully; a request outside the MR%s must end in an error completion",
			what, x->mw ? " or outside the window its rkey names" : "");
		check_mr(x, what);	/* and name the first byte it changed */
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
static int advise(struct xc *x, enum ibv_advise_mr_advice advice,
		  uint32_t flags, struct ibv_sge *sge, const char **via)
{
	cmd_advise_fn cmd;
	void *sym;

	if (ibv_advise_mr(x->pd, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE, 0, NULL,
			  0) != EOPNOTSUPP) {
		*via = "ibv_advise_mr";
		return ibv_advise_mr(x->pd, advice, flags, sge, 1);
	}
	sym = dlsym(RTLD_DEFAULT, "ibv_cmd_advise_mr");
	if (!sym) {
		pk_skip(x->r, "the %s provider library has no advise_mr and this libibverbs exports no ibv_cmd_advise_mr: no way to reach the kernel's ADVISE_MR method",
			x->dev->name);
		return -1;
	}
	memcpy(&cmd, &sym, sizeof(cmd));
	*via = "ibv_cmd_advise_mr (the provider has no advise_mr)";
	return cmd(x->pd, advice, flags, sge, 1);
}

/*
 * Does ADVISE_MR with @flags reach the driver on the path advise() takes?
 * The kernel answers a request it cannot hand to a driver (the device has
 * no advise_mr: rxe on a kernel without CONFIG_INFINIBAND_ON_DEMAND_PAGING,
 * or before 6.16) with EOPNOTSUPP in the uverbs layer, before any driver
 * code runs -- the errno a driver that refuses a pinned MR may return too.
 * Only the driver answers a prefetch under an lkey no MR has: EINVAL
 * (rxe) or ENOENT (mlx5).  Returns 1 when it did; 0 with a SKIP when the
 * request stops before the driver; -1 when advise() recorded a SKIP, or
 * with a FAIL when the kernel accepted the unknown lkey (a kernel that
 * does is broken, and nothing it answers for an MR can be trusted).
 */
static int advise_reaches_driver(struct xc *x, uint32_t flags)
{
	const char *mode = flags ? "FLUSH" : "async";
	struct ibv_sge sge;
	const char *via;
	int ret;

	sge.addr = x->iova + x->page;
	sge.length = 8;
	sge.lkey = x->mr->lkey ^ XC_BAD_LKEY;
	ret = advise(x, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE, flags, &sge, &via);
	if (ret < 0)
		return -1;
	if (ret == EINVAL || ret == ENOENT) {
		pk_diag(x->r, "%s(PREFETCH_WRITE, %s) under lkey 0x%x, which no MR has: %s, the driver's answer",
			via, mode, sge.lkey, strerrorname_np(ret));
		return 1;
	}
	if (ret == 0) {
		pk_fail(x->r, "%s(PREFETCH_WRITE, %s) under lkey 0x%x, which no MR has: success; it must fail with EINVAL or ENOENT",
			via, mode, sge.lkey);
		return -1;
	}
	pk_skip(x->r, "%s(PREFETCH_WRITE, %s) under lkey 0x%x, which no MR has, returned %s, not the driver's EINVAL or ENOENT: the request stops before %s's advise_mr (a kernel without CONFIG_INFINIBAND_ON_DEMAND_PAGING, or rxe before 6.16), so its answer for an MR would prove nothing",
		via, mode, sge.lkey, strerrorname_np(ret), x->dev->name);
	return 0;
}

/*
 * How many of the @n pages from MR offset @start (page aligned, an offset
 * into the whole MR, x->map, not into the view) mincore() shows resident,
 * or -1 with a FAIL recorded.
 */
static long resident(struct xc *x, size_t start, size_t n)
{
	unsigned char vec[XC_PAGES];
	long in = 0;
	size_t i;

	if (n > XC_PAGES) {
		pk_fail(x->r, "internal: %zu pages to check with mincore(), at most %d",
			n, XC_PAGES);
		return -1;
	}
	if (mincore(x->map + start, n * x->page, vec)) {
		pk_fail(x->r, "mincore of MR offsets 0x%zx..0x%zx: %s", start,
			start + n * x->page, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		in += vec[i] & 1;
	return in;
}

/*
 * A prefetch inside an ODP MR that must succeed and must do something.
 * The pages of the range are dropped first (MADV_DONTNEED: they read back
 * as zeroes), so that nothing but the prefetch can make them resident
 * again before the device writes: after a sync prefetch mincore() must
 * show every one of them resident, after an async one within
 * x->timeout_ms.  Then an RDMA WRITE into the range must land, and every
 * other byte of those pages must read zero.
 *
 * A broken kernel fails it: v7.3.4's rxe, on an MR at iova != address,
 * answers a sync prefetch with EFAULT, and an async one with success while
 * its work faults the wrong (unchecked) range in -- the pages stay
 * absent and the timeout ends the case.  A prefetch that returns success
 * and faults nothing in fails the same way, where before the WRITE itself
 * would have faulted the pages in and hidden it.
 */
static void run_advise_ok(struct xc *x, bool sync, size_t off, size_t len)
{
	size_t start = off & ~((size_t)x->page - 1);
	size_t end = (off + len + x->page - 1) & ~((size_t)x->page - 1);
	size_t n = (end - start) / x->page;
	struct ibv_sge lsge, msge, sge;
	char what[200], wwhat[160];
	double t0, deadline;
	const char *via;
	long in;
	int ret;

	xc_prepare(x, 0x0d4, x->iova + off, len, &lsge, &msge);
	if (madvise(x->buf + start, end - start, MADV_DONTNEED)) {
		pk_fail(x->r, "madvise(MADV_DONTNEED) of MR offsets 0x%zx..0x%zx: %s",
			start, end, strerror(errno));
		return;
	}
	memset(x->before + start, 0, end - start);
	memset(x->expect + start, 0, end - start);
	in = resident(x, start, n);
	if (in < 0)
		return;
	if (in) {
		pk_skip(x->r, "MADV_DONTNEED left %ld of the %zu pages from MR offset 0x%zx resident: what a prefetch faults in cannot be seen",
			in, n, start);
		return;
	}

	sge.addr = x->iova + off;
	sge.length = (uint32_t)len;
	sge.lkey = x->mr->lkey;
	ret = advise(x, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE,
		     sync ? IBV_ADVISE_MR_FLAG_FLUSH : 0, &sge, &via);
	if (ret < 0)
		return;
	snprintf(what, sizeof(what), "%s(PREFETCH_WRITE, %s) of %zu bytes at 0x%llx (MR offset 0x%zx) after MADV_DONTNEED of its %zu pages",
		 via, sync ? "FLUSH" : "async", len,
		 (unsigned long long)sge.addr, off, n);
	if (ret) {
		pk_fail(x->r, "%s: %s; it must succeed", what,
			strerrorname_np(ret));
		return;
	}
	t0 = pk_now();
	deadline = t0 + (sync ? 0 : x->timeout_ms / 1000.0);
	for (;;) {
		in = resident(x, start, n);
		if (in < 0)
			return;
		if ((size_t)in == n || pk_now() >= deadline)
			break;
		usleep(1000);
	}
	if ((size_t)in < n) {
		if (sync)
			pk_fail(x->r, "%s: success, but only %ld of the %zu pages are resident when it returns: the prefetch faulted nothing in",
				what, in, n);
		else
			pk_fail(x->r, "%s: success, but only %ld of the %zu pages are resident %u ms later: the prefetch faulted nothing in",
				what, in, n, x->timeout_ms);
		return;
	}
	pk_diag(x->r, "%s: success, all %zu pages resident after %.1f ms, as they must be",
		what, n, (pk_now() - t0) * 1000.0);
	snprintf(wwhat, sizeof(wwhat), "rdma-write of %zu bytes at MR offset 0x%zx after the prefetch",
		 len, off);
	xc_transfer(x, XO_WRITE, off, len, &lsge, &msge, wwhat);
}

/* ibv_advise_mr(PREFETCH_WRITE, FLUSH) of a range, then a WRITE into it. */
static void run_prefetch(struct xc *x, size_t off, size_t len)
{
	if (advise_reaches_driver(x, IBV_ADVISE_MR_FLAG_FLUSH) == 1)
		run_advise_ok(x, true, off, len);
}

/*
 * The errnos an advise-across, -past or -wrap case, or an advise-inside
 * case of a pinned MR, may end in once advise_reaches_driver() has seen
 * the driver answer.  @n gets how many there are.  What a broken kernel
 * does to each:
 *  - ODP MR, across / past / wrap: EFAULT.  v7.3.4's async path queues
 *    any range and returns 0, its sync wrap gets EINVAL from the page
 *    walk: both fail.
 *  - pinned MR, any range: refused.  rxe refuses with EOPNOTSUPP
 *    (pinkit's patch of the subject of upstream 66f18a749a3e) or, if
 *    upstream picked the errno rxe gives its other lookup failures,
 *    EINVAL; mlx5 with ENOENT.  v7.3.4 takes the pinned umem for ODP
 *    state: its async path returns 0 (fails); its sync path reads past
 *    struct ib_umem and usually ends in EFAULT (fails) but may end in
 *    EINVAL, which the sync rows cannot tell from a refusal -- the async
 *    rows can.
 */
static const int *advise_expect(enum xk k, int *n)
{
	static const int not_odp[] = { EOPNOTSUPP, EINVAL, ENOENT };
	static const int outside[] = { EFAULT };

	if (!xk_odp(k)) {
		*n = 3;
		return not_odp;
	}
	*n = 1;
	return outside;
}

/*
 * One ibv_advise_mr() prefetch of geometry @g, checked against its errno.
 * advise-bad-lkey is the driver's own answer (advise_reaches_driver());
 * every other case runs only once that answer came.
 */
static void run_advise(struct xc *x, enum xg g, enum xk k, enum xop o,
		       size_t off, size_t len)
{
	bool sync = o == XO_PF_SYNC;
	uint32_t flags = sync ? IBV_ADVISE_MR_FLAG_FLUSH : 0;
	struct ibv_sge sge, unused[2];
	const int *want;
	char what[200];
	char names[64];
	const char *via;
	int i, n, ret;

	xc_prepare(x, 0x0d4, x->iova, 8, &unused[0], &unused[1]);
	if (advise_reaches_driver(x, flags) != 1)
		return;
	if (g == XG_ADV_BAD_LKEY) {
		check_mr(x, "a prefetch under an unknown lkey");
		return;
	}
	if (g == XG_ADV_INSIDE && xk_odp(k)) {
		run_advise_ok(x, sync, off, len);
		return;
	}

	sge.addr = g == XG_ADV_WRAP ? UINT64_MAX - 63 : x->iova + off;
	sge.length = g == XG_ADV_WRAP ? 200 : (uint32_t)len;
	sge.lkey = x->mr->lkey;
	ret = advise(x, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE, flags, &sge, &via);
	if (ret < 0)
		return;
	snprintf(what, sizeof(what), "%s(PREFETCH_WRITE, %s) of %u bytes at 0x%llx, lkey 0x%x (%s MR 0x%llx..0x%llx, lkey 0x%x)",
		 via, sync ? "FLUSH" : "async", sge.length,
		 (unsigned long long)sge.addr, sge.lkey, xk_names[k],
		 (unsigned long long)x->iova,
		 (unsigned long long)(x->iova + x->len - 1), x->mr->lkey);
	want = advise_expect(k, &n);
	for (i = 0; i < n; i++)
		if (ret == want[i])
			break;
	if (i == n) {
		names[0] = '\0';
		for (i = 0; i < n; i++)
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), "%s%s",
				 i ? " or " : "", strerrorname_np(want[i]));
		pk_fail(x->r, "%s: returned %s; it must return %s",
			what, ret ? strerrorname_np(ret) : "success", names);
		return;
	}
	pk_diag(x->r, "%s: %s, as it must", what, strerrorname_np(ret));
	check_mr(x, what);
}

/*
 * Replace huge page @idx of the MR's buffer with a new one: munmap() it,
 * mmap(MAP_FIXED) a fresh hugetlb page at the same address and fill it
 * with other bytes, which become what the MR must hold there.  An ODP MR
 * must follow: its notifier drops the old page, the next access faults
 * the new one in.  Returns 0, or -1 with a FAIL or SKIP recorded.
 */
static int replace_huge_page(struct xc *x, unsigned int idx)
{
	uint8_t *at = x->buf + (size_t)idx * XC_HUGE_SZ;
	char free_pages[32] = "?";
	void *p, *q;

	/*
	 * The new page is faulted in before the old one is unmapped, then
	 * moved into its place: were it mapped after, the hugetlb pool would
	 * hand back the page just freed, and a device still on the old page
	 * would look right.
	 */
	p = mmap(NULL, XC_HUGE_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB,
		 -1, 0);
	if (p == MAP_FAILED) {
		int err = errno;

		pk_read_file(XC_HUGETLB_FREE, free_pages, sizeof(free_pages));
		if (err == ENOMEM)
			pk_skip(x->r, "no free 2 MiB hugetlb page to replace huge page %u of the MR with: mmap(MAP_HUGETLB): %s (free_hugepages %s)",
				idx, strerror(err), free_pages);
		else
			pk_fail(x->r, "mmap(MAP_HUGETLB) of a new huge page: %s",
				strerror(err));
		return -1;
	}
	pk_pattern_fill(p, XC_HUGE_SZ, 0x0d6, 0);	/* faults it in */
	if (munmap(at, XC_HUGE_SZ)) {
		pk_fail(x->r, "munmap of huge page %u of the MR: %s", idx,
			strerror(errno));
		munmap(p, XC_HUGE_SZ);
		return -1;
	}
	q = mremap(p, XC_HUGE_SZ, XC_HUGE_SZ, MREMAP_MAYMOVE | MREMAP_FIXED,
		   at);
	if (q == MAP_FAILED) {
		/* xc_close() unmaps the whole range, the hole included */
		pk_fail(x->r, "mremap of a new huge page into huge page %u of the MR: %s",
			idx, strerror(errno));
		munmap(p, XC_HUGE_SZ);
		return -1;
	}
	memcpy(x->before + (at - x->buf), at, XC_HUGE_SZ);
	memcpy(x->expect + (at - x->buf), at, XC_HUGE_SZ);
	return 0;
}

/*
 * huge-replace: the device reads huge page 2 (so an ODP MR has it
 * mapped), the page is replaced under the MR, then @o moves @len bytes at
 * MR offset @off inside it.  The device must see the new page: a write
 * must show up in what the CPU reads, a read must return the new bytes.
 * A kernel whose invalidation forgets the wrong entries (the per-block
 * index into the per-4 KiB pfn_list of an IBV_ACCESS_HUGETLB umem) leaves
 * the device on the freed old page: the write goes there and the CPU
 * reads the new page unchanged, the read returns the old bytes.
 */
static void run_huge_replace(struct xc *x, enum xop o, size_t off,
			     size_t len)
{
	struct ibv_sge lsge, msge;
	char what[160];

	xc_prepare(x, 0x0d5, x->iova + off, len, &lsge, &msge);
	snprintf(what, sizeof(what), "rdma-read of %zu bytes at MR offset 0x%zx before huge page 2 is replaced",
		 len, off);
	xc_transfer(x, XO_READ, off, len, &lsge, &msge, what);
	if (x->r->status != PK_PASS)
		return;
	if (replace_huge_page(x, 2))
		return;
	/* new bytes to write: the read above overwrote the scratch range */
	pk_pattern_fill(x->scratch, x->scratch_len, 0x0d7, 0);
	snprintf(what, sizeof(what), "%s of %zu bytes at MR offset 0x%zx after huge page 2 was replaced (a new page moved in with mremap)",
		 xop_names[o], len, off);
	xc_transfer(x, o, off, len, &lsge, &msge, what);
}

#define XC_BIG_PF_WAIT	15.0	/* s for an async big-prefetch (cases die at 30 s) */

/*
 * big-prefetch: ibv_advise_mr(PREFETCH) of the @len bytes from MR offset
 * @off of a big MR, memory the process never touched, with FLUSH (@sync)
 * or without.  A read fault of such memory maps the shared zero page and
 * needs no memory, so 2 GiB can be prefetched in a guest of less;
 * mincore() of the range's first, middle and last page must show them
 * absent before, and resident when the call returns (sync) or within
 * XC_BIG_PF_WAIT s (async).  v7.3.4's rxe takes the length as an int:
 * 2 GiB is negative and reaches the core sign-extended, so the sync call
 * fails with EINVAL and the async one succeeds and faults nothing in.
 */
static void run_big_prefetch(struct xc *x, bool sync, size_t off,
			     size_t len)
{
	size_t at[3] = { off, off + len / 2, off + len - x->page };
	uint64_t mr_iova = x->iova - (size_t)(x->buf - x->map);
	uint32_t flags = sync ? IBV_ADVISE_MR_FLAG_FLUSH : 0;
	struct ibv_sge sge;
	double t0, deadline;
	char what[200];
	const char *via;
	long in;
	int i, ret;

	if (advise_reaches_driver(x, flags) != 1)
		return;
	sge.addr = mr_iova + off;
	sge.length = (uint32_t)len;
	sge.lkey = x->mr->lkey;
	snprintf(what, sizeof(what), "(PREFETCH, %s) of %u bytes at MR offset 0x%zx of %s (%zu bytes, never touched)",
		 sync ? "FLUSH" : "async", sge.length, off,
		 xk_names[XK_ODP_4G64K], x->map_len);
	for (i = 0; i < 3; i++) {
		in = resident(x, at[i], 1);
		if (in < 0)
			return;
		if (in) {
			pk_skip(x->r, "MR offset 0x%zx is resident before the prefetch: what it faults in cannot be seen",
				at[i]);
			return;
		}
	}
	t0 = pk_now();
	ret = advise(x, IBV_ADVISE_MR_ADVICE_PREFETCH, flags, &sge, &via);
	if (ret < 0)
		return;
	if (ret) {
		pk_fail(x->r, "%s%s: %s; it must succeed", via, what,
			strerrorname_np(ret));
		return;
	}
	deadline = t0 + (sync ? 0 : XC_BIG_PF_WAIT);
	for (i = 0; i < 3; ) {
		in = resident(x, at[i], 1);
		if (in < 0)
			return;
		if (in) {
			i++;
			continue;
		}
		if (pk_now() >= deadline) {
			if (sync)
				pk_fail(x->r, "%s%s: success, but MR offset 0x%zx is not resident when it returns: the prefetch faulted nothing in there",
					via, what, at[i]);
			else
				pk_fail(x->r, "%s%s: success, but MR offset 0x%zx is not resident %.0f s later: the prefetch faulted nothing in there",
					via, what, at[i], XC_BIG_PF_WAIT);
			return;
		}
		usleep(10000);
	}
	pk_diag(x->r, "%s%s: success; its first, middle and last pages are resident after %.1f s, as they must be",
		via, what, pk_now() - t0);
}

/*
 * libibverbs' ibv_cmd_rereg_mr(): the kernel's REREG_MR, exported for
 * providers (IBVERBS_PRIVATE_*, no public header), the call a provider
 * without rereg_mr (rxe's, rdma-core 44 to 65) would make.  It writes
 * only the struct ibv_mr at the start of the provider's MR, and its
 * command buffer is the uverbs header and struct ib_uverbs_rereg_mr, as
 * rdma-core's kern-abi.h lays it out.
 */
struct rereg_cmd {
	struct ib_uverbs_cmd_hdr hdr;
	struct ib_uverbs_rereg_mr core;
};

typedef int (*cmd_rereg_fn)(void *vmr, uint32_t flags, void *addr,
			    size_t length, uint64_t hca_va, int access,
			    struct ibv_pd *pd, struct rereg_cmd *cmd,
			    size_t cmd_sz, struct ib_uverbs_rereg_mr_resp *resp,
			    size_t resp_sz);

/*
 * Re-register x->mr's access flags as @access: through ibv_rereg_mr() if
 * @cmd is NULL, else through ibv_cmd_rereg_mr().  0 or the errno.
 */
static int rereg_access(struct xc *x, int access, cmd_rereg_fn cmd)
{
	struct ib_uverbs_rereg_mr_resp resp;
	struct rereg_cmd c;

	if (!cmd) {
		errno = 0;
		if (!ibv_rereg_mr(x->mr, IBV_REREG_MR_CHANGE_ACCESS, NULL, NULL,
				  0, access))
			return 0;
		return errno ? errno : EIO;
	}
	memset(&c, 0, sizeof(c));
	memset(&resp, 0, sizeof(resp));
	return cmd(x->mr, IBV_REREG_MR_CHANGE_ACCESS, NULL, 0, 0, access,
		   NULL, &c, sizeof(c), &resp, sizeof(resp));
}

/*
 * rereg-*: what a rereg of the access flags may change.  IBTA lets a
 * rereg change access rights, but whether an MR pins its pages or faults
 * them on demand (IB_ACCESS_ON_DEMAND) and an ODP MR's page size
 * (IB_ACCESS_HUGETLB) are what its umem is, fixed when it was created:
 *   rereg-same          the MR's own flags again: must succeed
 *   rereg-drop-odp      an ODP MR without IB_ACCESS_ON_DEMAND: refused
 *   rereg-add-odp       a pinned MR with IB_ACCESS_ON_DEMAND: refused
 *   rereg-add-hugetlb   an ODP MR with IB_ACCESS_HUGETLB: refused
 *   rereg-add-odp-huge  a pinned MR with IB_ACCESS_ON_DEMAND |
 *                       IB_ACCESS_HUGETLB: refused (rxe's access mask for
 *                       pinned MRs refuses it before the ON_DEMAND rule is
 *                       reached, stock v7.3.4 too: a guard for that mask)
 *   rereg-drop-hugetlb  an ODP MR of IB_ACCESS_HUGETLB without it: refused
 * rxe refuses each with EOPNOTSUPP; another errno means another check
 * (uverbs' ib_check_mr_access(), a bad request) stopped it before the
 * rule was reached, and fails the case.  Other devices may refuse with
 * their own errno, which is reported.
 * A refused rereg asks to drop IBV_ACCESS_REMOTE_WRITE as well, so on rxe
 * the write that follows also shows that no part of it was applied.
 * ibv_rereg_mr(3) says an MR whose rereg failed should not be used, so
 * that write is rxe's property (it leaves the MR as it was), not the
 * API's: on other devices the case ends with the refusal.
 * An RDMA WRITE through the MR then lands, bytes checked (64 KiB at offset
 * 0, as aligned-64k/<kind>/rdma-write, which fails on v7.3.4's ODP MRs
 * with or without a rereg).
 * v7.3.4's rxe accepts the first two refusals' flags and stores them, its
 * umem unchanged.  The rereg-same control decides the path: ibv_rereg_mr()
 * when the provider has it, else ibv_cmd_rereg_mr(); when neither gets
 * the MR's own flags through, nothing can be decided.
 */
static void run_rereg(struct xc *x, enum xg g)
{
	int access = x->access;
	cmd_rereg_fn cmd = NULL;
	const char *via = "ibv_rereg_mr";
	char what[160];
	void *sym;
	int ret;

	ret = rereg_access(x, x->access, NULL);
	if (ret == EOPNOTSUPP) {
		sym = dlsym(RTLD_DEFAULT, "ibv_cmd_rereg_mr");
		if (!sym) {
			pk_skip(x->r, "the %s provider library has no rereg_mr and this libibverbs exports no ibv_cmd_rereg_mr: no way to reach the kernel's REREG_MR",
				x->dev->name);
			return;
		}
		memcpy(&cmd, &sym, sizeof(cmd));
		via = "ibv_cmd_rereg_mr (the provider has no rereg_mr)";
		ret = rereg_access(x, x->access, cmd);
	}
	if (ret == EOPNOTSUPP) {	/* rxe before v6.2 has no rereg_user_mr */
		pk_skip(x->r, "the kernel refuses any REREG_MR of %s, even of the MR's own access flags 0x%x (%s): %s",
			x->dev->name, x->access, via, strerror(ret));
		return;
	}
	if (ret) {
		pk_fail(x->r, "%s of the MR's own access flags 0x%x: %s", via,
			x->access, strerror(ret));
		return;
	}
	if (g != XG_REREG_SAME)
		access &= ~IBV_ACCESS_REMOTE_WRITE;
	if (g == XG_REREG_DROP_ODP)
		access &= ~IBV_ACCESS_ON_DEMAND;
	else if (g == XG_REREG_DROP_HUGETLB)
		access &= ~IBV_ACCESS_HUGETLB;
	else if (g == XG_REREG_ADD_ODP)
		access |= IBV_ACCESS_ON_DEMAND;
	else if (g == XG_REREG_ADD_HUGETLB)
		access |= IBV_ACCESS_HUGETLB;
	else if (g == XG_REREG_ADD_ODP_HUGE)
		access |= IBV_ACCESS_ON_DEMAND | IBV_ACCESS_HUGETLB;
	snprintf(what, sizeof(what), "%s of access flags 0x%x to 0x%x (%s MR)",
		 via, x->access, access,
		 x->access & IBV_ACCESS_ON_DEMAND ? "an ODP" : "a pinned");
	x->rkey = x->mr->rkey;	/* a rereg may give the MR new keys */
	if (g == XG_REREG_SAME) {
		pk_diag(x->r, "%s: success, as it must", what);
	} else {
		ret = rereg_access(x, access, cmd);
		if (!ret) {
			pk_fail(x->r, "%s: success; IB_ACCESS_ON_DEMAND and IB_ACCESS_HUGETLB are fixed at registration and a rereg that changes them must be refused",
				what);
			rereg_access(x, x->access, cmd);	/* as it was */
			x->rkey = x->mr->rkey;
			return;
		}
		if (x->dev->rxe && ret != EOPNOTSUPP) {
			pk_fail(x->r, "%s: %s, where rxe refuses a change of IB_ACCESS_ON_DEMAND or IB_ACCESS_HUGETLB with EOPNOTSUPP: another check stopped the request before the rule was reached",
				what, strerror(ret));
			return;
		}
		pk_diag(x->r, "%s: %s, as it must be refused", what,
			strerror(ret));
		if (!x->dev->rxe) {
			pk_diag(x->r, "%s is not rxe: ibv_rereg_mr(3) says an MR whose rereg failed should not be used, so the write after the refusal is not made",
				x->dev->name);
			return;
		}
	}
	run_data(x, XO_WRITE, 0, 65536);	/* aligned-64k's write */
}

/* Prerequisites the device may lack: a SKIP that says why. */
static bool xfer_skip(const struct pk_dev_info *d, enum xk k, enum xop o,
		      struct pk_result *r)
{
	bool odp = xk_odp(k);

	if (xop_atomic(o) && !d->atomics) {
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
	if (xop_atomic(o) &&
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
	if (xc_open(&x, k) == 0 &&
	    (!xk_mw(k) || g == XG_MW_WRAP || g == XG_MW_BIND_PAST ||
	     mw_bind_window(&x) == 0)) {
		geometry(&x, g, o, &off, &len);
		if (g == XG_MW_WRAP || g == XG_MW_BIND_PAST)
			run_mw_bind_outside(&x, g);
		else if (g == XG_PAST_END || g == XG_WRAP || g == XG_MW_PAST ||
			 g == XG_MW_BEFORE)
			run_outside(&x, o, off, len, g == XG_WRAP);
		else if (o == XO_REREG)
			run_rereg(&x, g);
		else if (g == XG_PREFETCH)
			run_prefetch(&x, off, len);
		else if (g == XG_HUGE_REPLACE)
			run_huge_replace(&x, o, off, len);
		else if (g == XG_BIG_PREFETCH)
			run_big_prefetch(&x, o == XO_PF_SYNC, off, len);
		else if (o == XO_PF_SYNC || o == XO_PF_ASYNC)
			run_advise(&x, g, k, o, off, len);
		else if (g == XG_PAGE_EDGE) {
			struct ibv_sge unused[2];

			xc_prepare(&x, 0x0d3, x.iova, 8, &unused[0],
				   &unused[1]);
			run_atomic(&x, o, x.page - 8);
			if (r->status == PK_PASS)
				run_atomic(&x, o, x.page);
		} else if (xop_atomic(o)) {	/* mw-end: the window's last word */
			struct ibv_sge unused[2];

			xc_prepare(&x, 0x0d3, x.iova + off, 8, &unused[0],
				   &unused[1]);
			run_atomic(&x, o, off);
		} else {
			run_data(&x, o, off, len);
		}
	}
	xc_close(&x);
}
