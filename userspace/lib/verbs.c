// SPDX-License-Identifier: GPL-2.0
/*
 * The vehicle: two RC QPs on one device connected to each other.  qp[0]
 * is the requester; the MR under test is the target of its RDMA READ,
 * RDMA WRITE and atomics, so the responder side (qp[1]) touches the MR.
 * SEND/RECV use it locally (lkey): as qp[0]'s SEND source, or as the
 * buffer of a RECV posted on qp[1].
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "pinkit.h"

#define PK_CQ_DEPTH	256
#define PK_SQ_DEPTH	128
#define PK_WR_CHUNK	64
#define PK_WRID_SEND	UINT64_C(0x5e4d)
#define PK_WRID_RECV	UINT64_C(0x4ec5)
#define PK_RXE_VENDOR_ID	0xffffff	/* RXE_VENDOR_ID, rxe_param.h */

static bool gid_is_zero(const union ibv_gid *g)
{
	static const uint8_t zero[16];

	return !memcmp(g->raw, zero, sizeof(zero));
}

static bool gid_is_ipv4_mapped(const union ibv_gid *g)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff };

	return !memcmp(g->raw, prefix, sizeof(prefix));
}

static void gid_format(const union ibv_gid *g, char *buf, size_t len)
{
	if (gid_is_ipv4_mapped(g)) {
		inet_ntop(AF_INET, g->raw + 12, buf, (socklen_t)len);
		return;
	}
	inet_ntop(AF_INET6, g->raw, buf, (socklen_t)len);
}

static const char *gid_type_name(uint32_t t)
{
	switch (t) {
	case IBV_GID_TYPE_IB:
		return "IB";
	case IBV_GID_TYPE_ROCE_V1:
		return "RoCE v1";
	case IBV_GID_TYPE_ROCE_V2:
		return "RoCE v2";
	}
	return "?";
}

/*
 * Auto GID: the RoCE v2 IPv4-mapped GID routes over plain UDP/IPv4 and is
 * what rxe loopback needs; then any RoCE v2, then anything non-zero.
 */
static int pick_gid(struct ibv_context *ctx, uint8_t port, int tbl_len,
		    int want, struct pk_dev_info *info, char *err,
		    size_t errlen)
{
	struct ibv_gid_entry e;
	int best = -1, rank = 0, i;

	if (want >= 0) {
		if (want >= tbl_len) {
			snprintf(err, errlen,
				 "--gid %d: %s port %u has only %d GID entries",
				 want, info->name, port, tbl_len);
			return -1;
		}
		if (ibv_query_gid_ex(ctx, port, (uint32_t)want, &e, 0) ||
		    gid_is_zero(&e.gid)) {
			snprintf(err, errlen,
				 "--gid %d: GID entry %d of %s port %u is empty; list the valid ones with 'ibv_devinfo -v -d %s' or omit --gid",
				 want, want, info->name, port, info->name);
			return -1;
		}
		info->gid_index = want;
		gid_format(&e.gid, info->gid_str, sizeof(info->gid_str));
		return 0;
	}

	for (i = 0; i < tbl_len; i++) {
		int r;

		if (ibv_query_gid_ex(ctx, port, (uint32_t)i, &e, 0))
			continue;
		if (gid_is_zero(&e.gid))
			continue;
		if (e.gid_type == IBV_GID_TYPE_ROCE_V2 &&
		    gid_is_ipv4_mapped(&e.gid))
			r = 3;
		else if (e.gid_type == IBV_GID_TYPE_ROCE_V2)
			r = 2;
		else
			r = 1;
		if (r > rank) {
			rank = r;
			best = i;
			gid_format(&e.gid, info->gid_str,
				   sizeof(info->gid_str));
			snprintf(info->gid_str + strlen(info->gid_str),
				 sizeof(info->gid_str) - strlen(info->gid_str),
				 " %s", gid_type_name(e.gid_type));
		}
	}
	if (best < 0) {
		snprintf(err, errlen,
			 "%s port %u has no usable GID: give the netdev an IP address (e.g. 'ip addr add 10.0.2.15/24 dev eth0') or pass --gid",
			 info->name, port);
		return -1;
	}
	info->gid_index = best;
	return 0;
}

int pk_dev_probe(const char *want, int gid, struct pk_dev_info *info,
		 char *err, size_t errlen)
{
	struct ibv_device **list;
	struct ibv_device *dev = NULL;
	struct ibv_context *ctx;
	struct ibv_device_attr_ex attr;
	struct ibv_port_attr pattr;
	uint32_t need;
	int num, i, ret = -1;

	memset(info, 0, sizeof(*info));
	list = ibv_get_device_list(&num);
	if (!list && errno == ENOSYS) {
		snprintf(err, errlen,
			 "no RDMA support in this kernel: ibv_get_device_list: %s (no /sys/class/infiniband_verbs); load ib_uverbs and the NIC's RDMA driver, or soft-RoCE: 'modprobe rdma_rxe && rdma link add rxe0 type rxe netdev eth0'",
			 strerror(errno));
		return -1;
	}
	if (!list) {
		snprintf(err, errlen,
			 "cannot list RDMA devices: ibv_get_device_list: %s (load ib_uverbs and the device driver, e.g. 'modprobe rdma_rxe')",
			 strerror(errno));
		return -1;
	}
	if (num == 0) {
		snprintf(err, errlen,
			 "no RDMA device found (ibv_get_device_list returned none): create a soft-RoCE device with 'rdma link add rxe0 type rxe netdev eth0', or load the NIC's RDMA driver and ib_uverbs");
		goto out_list;
	}
	for (i = 0; i < num; i++) {
		if (!want || !strcmp(ibv_get_device_name(list[i]), want)) {
			dev = list[i];
			break;
		}
	}
	if (!dev) {
		size_t used;

		used = (size_t)snprintf(err, errlen,
					"RDMA device '%s' not found; available:",
					want);
		for (i = 0; i < num && used < errlen; i++)
			used += (size_t)snprintf(err + used, errlen - used,
						 " %s",
						 ibv_get_device_name(list[i]));
		goto out_list;
	}
	snprintf(info->name, sizeof(info->name), "%s",
		 ibv_get_device_name(dev));

	ctx = ibv_open_device(dev);
	if (!ctx) {
		snprintf(err, errlen,
			 "cannot open RDMA device %s: ibv_open_device: %s (is /dev/infiniband/uverbs* present and accessible?)",
			 info->name, strerror(errno));
		goto out_list;
	}
	memset(&attr, 0, sizeof(attr));
	if (ibv_query_device_ex(ctx, NULL, &attr)) {
		snprintf(err, errlen, "cannot query RDMA device %s: ibv_query_device_ex: %s",
			 info->name, strerror(errno));
		goto out_close;
	}

	/* the first ACTIVE port */
	for (i = 1; i <= attr.orig_attr.phys_port_cnt; i++) {
		if (ibv_query_port(ctx, (uint8_t)i, &pattr))
			continue;
		if (pattr.state == IBV_PORT_ACTIVE)
			break;
	}
	if (i > attr.orig_attr.phys_port_cnt) {
		snprintf(err, errlen,
			 "RDMA device %s has no ACTIVE port: bring its netdev up ('ip link set eth0 up') and check 'rdma link show'",
			 info->name);
		goto out_close;
	}
	info->port = (uint8_t)i;
	info->lid = pattr.lid;
	info->active_mtu = pattr.active_mtu;
	info->ethernet = pattr.link_layer == IBV_LINK_LAYER_ETHERNET;
	info->atomics = attr.orig_attr.atomic_cap != IBV_ATOMIC_NONE;
	info->rxe = attr.orig_attr.vendor_id == PK_RXE_VENDOR_ID;

	if (info->ethernet || gid >= 0) {
		if (pick_gid(ctx, info->port, pattr.gid_tbl_len, gid, info,
			     err, errlen))
			goto out_close;
	} else {
		/* InfiniBand: LID routing, no GRH needed for loopback */
		info->gid_index = -1;
		snprintf(info->gid_str, sizeof(info->gid_str), "lid %u",
			 info->lid);
	}

	need = IBV_ODP_SUPPORT_READ | IBV_ODP_SUPPORT_WRITE;
	info->odp_rc_caps = attr.odp_caps.per_transport_caps.rc_odp_caps;
	if (!(attr.odp_caps.general_caps & IBV_ODP_SUPPORT)) {
		snprintf(info->odp_why, sizeof(info->odp_why),
			 "device has no ODP caps (%s: ibv_query_device_ex odp_caps.general_caps=0x%llx)",
			 info->name,
			 (unsigned long long)attr.odp_caps.general_caps);
	} else if ((attr.odp_caps.per_transport_caps.rc_odp_caps & need) !=
		   need) {
		snprintf(info->odp_why, sizeof(info->odp_why),
			 "device ODP caps lack RC READ/WRITE (%s: rc_odp_caps=0x%x)",
			 info->name,
			 attr.odp_caps.per_transport_caps.rc_odp_caps);
	} else {
		info->odp = true;
		if (!(attr.odp_caps.per_transport_caps.rc_odp_caps &
		      IBV_ODP_SUPPORT_ATOMIC))
			snprintf(info->odp_why, sizeof(info->odp_why),
				 "device ODP caps lack RC atomics (%s: rc_odp_caps=0x%x)",
				 info->name,
				 attr.odp_caps.per_transport_caps.rc_odp_caps);
	}
	info->ibdev = dev;
	ibv_close_device(ctx);
	/* keep @list: forked case processes open info->ibdev from it */
	return 0;
out_close:
	ibv_close_device(ctx);
out_list:
	ibv_free_device_list(list);
	return ret;
}

static int qp_to_init(struct ibv_qp *qp, uint8_t port)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT,
		.pkey_index = 0,
		.port_num = port,
		.qp_access_flags = IBV_ACCESS_REMOTE_READ |
				   IBV_ACCESS_REMOTE_WRITE |
				   IBV_ACCESS_REMOTE_ATOMIC,
	};

	return ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
				     IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
}

static int qp_to_rtr(struct pk_vehicle *v, struct ibv_qp *qp, uint32_t dqpn)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_RTR,
		.path_mtu = (enum ibv_mtu)v->info.active_mtu,
		.dest_qp_num = dqpn,
		.rq_psn = v->psn,
		.max_dest_rd_atomic = 16,
		.min_rnr_timer = 12,
	};

	a.ah_attr.port_num = v->info.port;
	a.ah_attr.dlid = v->info.lid;
	if (v->info.gid_index >= 0) {
		a.ah_attr.is_global = 1;
		memcpy(a.ah_attr.grh.dgid.raw, v->gid_raw, 16);
		a.ah_attr.grh.sgid_index = (uint8_t)v->info.gid_index;
		a.ah_attr.grh.hop_limit = 64;
	}
	return ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_AV |
				     IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
				     IBV_QP_RQ_PSN |
				     IBV_QP_MAX_DEST_RD_ATOMIC |
				     IBV_QP_MIN_RNR_TIMER);
}

static int qp_to_rts(struct pk_vehicle *v, struct ibv_qp *qp)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_RTS,
		.timeout = 14,
		.retry_cnt = 7,
		.rnr_retry = 7,
		.sq_psn = v->psn,
		.max_rd_atomic = 16,
	};

	return ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_TIMEOUT |
				     IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
				     IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC);
}

static void cq_drain(struct pk_vehicle *v)
{
	struct ibv_wc wc[16];

	while (ibv_poll_cq(v->cq, 16, wc) > 0)
		;
}

static const char *qp_state_str(enum ibv_qp_state s)
{
	static const char *const names[] = {
		[IBV_QPS_RESET] = "RESET", [IBV_QPS_INIT] = "INIT",
		[IBV_QPS_RTR] = "RTR", [IBV_QPS_RTS] = "RTS",
		[IBV_QPS_SQD] = "SQD", [IBV_QPS_SQE] = "SQE",
		[IBV_QPS_ERR] = "ERR",
	};

	return (unsigned int)s < sizeof(names) / sizeof(names[0]) && names[s] ?
	       names[s] : "unknown";
}

int pk_vehicle_reset(struct pk_vehicle *v, const int order[2], char *err,
		     size_t errlen)
{
	struct ibv_qp_attr reset = { .qp_state = IBV_QPS_RESET }, a;
	struct ibv_qp_init_attr ia;
	int i;

	for (i = 0; i < 2; i++) {
		if (ibv_modify_qp(v->qp[order[i]], &reset, IBV_QP_STATE)) {
			snprintf(err, errlen, "cannot reset QP %u: ibv_modify_qp(RESET): %s",
				 v->qp[order[i]]->qp_num, strerror(errno));
			return -1;
		}
	}
	/*
	 * A QP in RESET stays there until the next modify: if it is not,
	 * the driver moved it behind our back (rxe did, with an error of
	 * the work the reset discarded) and RESET -> INIT fails with EINVAL.
	 */
	for (i = 0; i < 2; i++) {
		if (ibv_query_qp(v->qp[i], &a, IBV_QP_STATE, &ia)) {
			snprintf(err, errlen, "ibv_query_qp(QP %u) after its reset: %s",
				 v->qp[i]->qp_num, strerror(errno));
			return -1;
		}
		if (a.qp_state != IBV_QPS_RESET) {
			snprintf(err, errlen,
				 "QP %u is in state %s right after ibv_modify_qp(RESET) succeeded on it: the driver moved the reset QP by itself (rxe without the patch \"RDMA/rxe: Keep a QP that the consumer reset out of the error state\")",
				 v->qp[i]->qp_num, qp_state_str(a.qp_state));
			return -1;
		}
	}
	return 0;
}

/* (Re)connect the two QPs; new QPs are in RESET already. */
static int connect_qps(struct pk_vehicle *v, bool fresh, char *err,
		       size_t errlen)
{
	static const int order[2] = { 0, 1 };
	int i;

	if (!fresh && pk_vehicle_reset(v, order, err, errlen))
		return -1;
	cq_drain(v);
	v->psn = (v->psn + 0x1000) & 0xffffff;
	for (i = 0; i < 2; i++) {
		const char *step;

		step = "INIT";
		if (qp_to_init(v->qp[i], v->info.port))
			goto fail;
		step = "RTR";
		if (qp_to_rtr(v, v->qp[i], v->qp[!i]->qp_num))
			goto fail;
		step = "RTS";
		if (qp_to_rts(v, v->qp[i]))
			goto fail;
		continue;
fail:
		snprintf(err, errlen,
			 "cannot connect QP %u to QP %u on %s port %u GID %d: ibv_modify_qp(%s): %s",
			 v->qp[i]->qp_num, v->qp[!i]->qp_num, v->info.name,
			 v->info.port, v->info.gid_index, step,
			 strerror(errno));
		return -1;
	}
	v->broken = false;
	return 0;
}

int pk_vehicle_reconnect(struct pk_vehicle *v, char *err, size_t errlen)
{
	return connect_qps(v, false, err, errlen);
}

int pk_vehicle_open(struct pk_vehicle *v, const struct pk_dev_info *info,
		    size_t scratch_len, char *err, size_t errlen)
{
	struct ibv_device **list;
	struct ibv_qp_init_attr qa;
	int num, i, flags;

	memset(v, 0, sizeof(*v));
	v->info = *info;
	v->timeout_ms = 5000;
	v->wc_status = -1;
	v->psn = (uint32_t)getpid() & 0xffffff;

	if (info->ibdev) {
		v->ctx = ibv_open_device(info->ibdev);
		i = num = 0;
	} else {
		list = ibv_get_device_list(&num);
		if (!list) {
			snprintf(err, errlen, "ibv_get_device_list: %s",
				 strerror(errno));
			return -1;
		}
		for (i = 0; i < num; i++) {
			if (!strcmp(ibv_get_device_name(list[i]), info->name)) {
				v->ctx = ibv_open_device(list[i]);
				break;
			}
		}
		ibv_free_device_list(list);
	}
	if (!v->ctx) {
		snprintf(err, errlen, "cannot open RDMA device %s: %s",
			 info->name, i == num && num ? "it disappeared" :
			 strerror(errno));
		return -1;
	}
	if (info->gid_index >= 0) {
		union ibv_gid g;

		if (ibv_query_gid(v->ctx, info->port, info->gid_index, &g)) {
			snprintf(err, errlen, "ibv_query_gid(%s, port %u, index %d): %s",
				 info->name, info->port, info->gid_index,
				 strerror(errno));
			goto err_ctx;
		}
		memcpy(v->gid_raw, g.raw, 16);
	}
	v->pd = ibv_alloc_pd(v->ctx);
	if (!v->pd) {
		snprintf(err, errlen, "ibv_alloc_pd on %s: %s", info->name,
			 strerror(errno));
		goto err_ctx;
	}
	v->chan = ibv_create_comp_channel(v->ctx);
	if (!v->chan) {
		snprintf(err, errlen, "ibv_create_comp_channel on %s: %s",
			 info->name, strerror(errno));
		goto err_pd;
	}
	flags = fcntl(v->chan->fd, F_GETFL);
	if (flags < 0 || fcntl(v->chan->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "fcntl(O_NONBLOCK) on the completion channel: %s",
			 strerror(errno));
		goto err_chan;
	}
	v->cq = ibv_create_cq(v->ctx, PK_CQ_DEPTH, NULL, v->chan, 0);
	if (!v->cq) {
		snprintf(err, errlen, "ibv_create_cq(%d entries) on %s: %s",
			 PK_CQ_DEPTH, info->name, strerror(errno));
		goto err_chan;
	}
	memset(&qa, 0, sizeof(qa));
	qa.send_cq = v->cq;
	qa.recv_cq = v->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = PK_SQ_DEPTH;
	qa.cap.max_recv_wr = 1;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	for (i = 0; i < 2; i++) {
		v->qp[i] = ibv_create_qp(v->pd, &qa);
		if (!v->qp[i]) {
			snprintf(err, errlen, "ibv_create_qp(RC, %d send WRs) on %s: %s",
				 PK_SQ_DEPTH, info->name, strerror(errno));
			goto err_qp;
		}
	}

	v->scratch_len = scratch_len;
	v->scratch = mmap(NULL, scratch_len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (v->scratch == MAP_FAILED) {
		v->scratch = NULL;
		snprintf(err, errlen, "mmap of a %zu-byte scratch buffer: %s",
			 scratch_len, strerror(errno));
		goto err_qp;
	}
	v->scratch_mr = ibv_reg_mr(v->pd, v->scratch, scratch_len,
				   IBV_ACCESS_LOCAL_WRITE);
	if (!v->scratch_mr) {
		snprintf(err, errlen, "ibv_reg_mr of the %zu-byte scratch buffer: %s (RLIMIT_MEMLOCK too low? try 'ulimit -l unlimited')",
			 scratch_len, strerror(errno));
		goto err_scratch;
	}
	if (connect_qps(v, true, err, errlen))
		goto err_mr;
	return 0;

err_mr:
	ibv_dereg_mr(v->scratch_mr);
err_scratch:
	munmap(v->scratch, scratch_len);
err_qp:
	for (i = 0; i < 2; i++)
		if (v->qp[i])
			ibv_destroy_qp(v->qp[i]);
	ibv_destroy_cq(v->cq);
err_chan:
	ibv_destroy_comp_channel(v->chan);
err_pd:
	ibv_dealloc_pd(v->pd);
err_ctx:
	ibv_close_device(v->ctx);
	memset(v, 0, sizeof(*v));
	return -1;
}

void pk_vehicle_close(struct pk_vehicle *v)
{
	int i;

	if (!v->ctx)
		return;
	if (v->scratch_mr)
		ibv_dereg_mr(v->scratch_mr);
	if (v->scratch)
		munmap(v->scratch, v->scratch_len);
	for (i = 0; i < 2; i++)
		if (v->qp[i])
			ibv_destroy_qp(v->qp[i]);
	if (v->cq)
		ibv_destroy_cq(v->cq);
	if (v->chan)
		ibv_destroy_comp_channel(v->chan);
	if (v->pd)
		ibv_dealloc_pd(v->pd);
	ibv_close_device(v->ctx);
	memset(v, 0, sizeof(*v));
}

static const char *opcode_name(enum ibv_wr_opcode op)
{
	switch (op) {
	case IBV_WR_RDMA_READ:
		return "RDMA READ";
	case IBV_WR_RDMA_WRITE:
		return "RDMA WRITE";
	case IBV_WR_ATOMIC_FETCH_AND_ADD:
		return "FETCH_AND_ADD";
	case IBV_WR_SEND:
		return "SEND";
	default:
		return "work request";
	}
}

/*
 * Take the completions in @wc: an error ends the wait (its status is kept
 * in v->wc_status), a success of one of the @n awaited @ids counts it.
 */
static int wc_take(struct pk_vehicle *v, const struct ibv_wc *wc, int nwc,
		   const uint64_t *ids, bool *seen, size_t n, size_t *left,
		   const char *what, char *err, size_t errlen)
{
	int i;
	size_t j;

	for (i = 0; i < nwc; i++) {
		if (wc[i].status != IBV_WC_SUCCESS) {
			snprintf(err, errlen,
				 "%s: error completion %s (status %d, vendor_err 0x%x)",
				 what, ibv_wc_status_str(wc[i].status),
				 wc[i].status, wc[i].vendor_err);
			v->wc_status = wc[i].status;
			v->broken = true;
			return -1;
		}
		for (j = 0; j < n; j++) {
			if (!seen[j] && wc[i].wr_id == ids[j]) {
				seen[j] = true;
				(*left)--;
				break;
			}
		}
	}
	return 0;
}

/*
 * Wait for the completions of the @n work requests @ids (at most 2),
 * bounded by the vehicle's timeout.
 */
static int wait_wcs(struct pk_vehicle *v, const uint64_t *ids, size_t n,
		    const char *what, char *err, size_t errlen)
{
	double deadline = pk_now() + v->timeout_ms / 1000.0;
	bool seen[2] = { false, false };
	size_t left = n;
	int spins = 0;

	while (left) {
		struct ibv_wc wc[8];
		struct pollfd pfd;
		int nwc, left_ms;

		nwc = ibv_poll_cq(v->cq, 8, wc);
		if (nwc < 0) {
			snprintf(err, errlen, "ibv_poll_cq failed (%d) waiting for %s",
				 nwc, what);
			v->broken = true;
			return -1;
		}
		if (wc_take(v, wc, nwc, ids, seen, n, &left, what, err,
			    errlen))
			return -1;
		if (nwc || !left)
			continue;
		if (++spins < 64)
			continue;

		/* arm, re-check (a completion may have raced), then sleep */
		if (ibv_req_notify_cq(v->cq, 0)) {
			snprintf(err, errlen, "ibv_req_notify_cq: %s",
				 strerror(errno));
			v->broken = true;
			return -1;
		}
		nwc = ibv_poll_cq(v->cq, 8, wc);
		if (nwc > 0) {
			if (wc_take(v, wc, nwc, ids, seen, n, &left, what, err,
				    errlen))
				return -1;
			continue;
		}
		left_ms = (int)((deadline - pk_now()) * 1000);
		if (left_ms <= 0) {
			snprintf(err, errlen, "%s: no completion within %d ms",
				 what, v->timeout_ms);
			v->broken = true;
			return -1;
		}
		pfd.fd = v->chan->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		nwc = poll(&pfd, 1, left_ms);
		if (nwc > 0) {
			struct ibv_cq *ev_cq;
			void *ev_ctx;

			if (!ibv_get_cq_event(v->chan, &ev_cq, &ev_ctx))
				ibv_ack_cq_events(ev_cq, 1);
		} else if (nwc < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll on the completion channel: %s",
				 strerror(errno));
			v->broken = true;
			return -1;
		}
	}
	return 0;
}

static int wait_wc(struct pk_vehicle *v, uint64_t wr_id, const char *what,
		   char *err, size_t errlen)
{
	return wait_wcs(v, &wr_id, 1, what, err, errlen);
}

static int post_chain(struct pk_vehicle *v, enum ibv_wr_opcode op,
		      struct ibv_mr *mr, const struct pk_xfer *x, size_t n,
		      char *err, size_t errlen)
{
	struct ibv_send_wr wr[PK_WR_CHUNK], *bad;
	struct ibv_sge sge[PK_WR_CHUNK];
	size_t done = 0;

	v->wc_status = -1;
	if (v->broken && pk_vehicle_reconnect(v, err, errlen))
		return -1;
	while (done < n) {
		size_t cnt = n - done < PK_WR_CHUNK ? n - done : PK_WR_CHUNK;
		char what[160];
		size_t i;
		int ret;

		memset(wr, 0, sizeof(wr[0]) * cnt);
		for (i = 0; i < cnt; i++) {
			const struct pk_xfer *t = &x[done + i];

			if (t->loff + t->len > v->scratch_len) {
				snprintf(err, errlen, "internal: transfer of %zu bytes at scratch offset %zu exceeds the %zu-byte scratch buffer",
					 t->len, t->loff, v->scratch_len);
				return -1;
			}
			sge[i].addr = (uintptr_t)(v->scratch + t->loff);
			sge[i].length = (uint32_t)t->len;
			sge[i].lkey = v->scratch_mr->lkey;
			wr[i].wr_id = done + i + 1;
			wr[i].sg_list = &sge[i];
			wr[i].num_sge = 1;
			wr[i].opcode = op;
			wr[i].wr.rdma.remote_addr = (uintptr_t)mr->addr + t->off;
			wr[i].wr.rdma.rkey = mr->rkey;
			wr[i].next = i + 1 < cnt ? &wr[i + 1] : NULL;
		}
		wr[cnt - 1].send_flags = IBV_SEND_SIGNALED;
		snprintf(what, sizeof(what),
			 "%s of %zu bytes at MR offset 0x%zx (%zu WRs)",
			 opcode_name(op), x[done].len, x[done].off, cnt);
		ret = ibv_post_send(v->qp[0], wr, &bad);
		if (ret) {
			snprintf(err, errlen, "ibv_post_send(%s): %s", what,
				 strerror(ret));
			v->broken = true;
			return -1;
		}
		if (wait_wc(v, wr[cnt - 1].wr_id, what, err, errlen))
			return -1;
		done += cnt;
	}
	return 0;
}

int pk_rdma_read(struct pk_vehicle *v, struct ibv_mr *mr,
		 const struct pk_xfer *x, size_t n, char *err, size_t errlen)
{
	return post_chain(v, IBV_WR_RDMA_READ, mr, x, n, err, errlen);
}

int pk_rdma_write(struct pk_vehicle *v, struct ibv_mr *mr,
		  const struct pk_xfer *x, size_t n, char *err, size_t errlen)
{
	return post_chain(v, IBV_WR_RDMA_WRITE, mr, x, n, err, errlen);
}

/*
 * One message: a RECV into @rs posted on the responder (qp[1]), then a
 * SEND from @ss on the requester (qp[0]); both must complete.
 */
static int post_message(struct pk_vehicle *v, struct ibv_sge *ss,
			struct ibv_sge *rs, const char *what, char *err,
			size_t errlen)
{
	static const uint64_t ids[2] = { PK_WRID_RECV, PK_WRID_SEND };
	struct ibv_recv_wr rwr, *rbad;
	struct ibv_send_wr swr, *sbad;
	int ret;

	memset(&rwr, 0, sizeof(rwr));
	rwr.wr_id = PK_WRID_RECV;
	rwr.sg_list = rs;
	rwr.num_sge = 1;
	ret = ibv_post_recv(v->qp[1], &rwr, &rbad);
	if (ret) {
		snprintf(err, errlen, "ibv_post_recv(%s): %s", what,
			 strerror(ret));
		v->broken = true;
		return -1;
	}
	memset(&swr, 0, sizeof(swr));
	swr.wr_id = PK_WRID_SEND;
	swr.sg_list = ss;
	swr.num_sge = 1;
	swr.opcode = IBV_WR_SEND;
	swr.send_flags = IBV_SEND_SIGNALED;
	ret = ibv_post_send(v->qp[0], &swr, &sbad);
	if (ret) {
		snprintf(err, errlen, "ibv_post_send(%s): %s", what,
			 strerror(ret));
		v->broken = true;
		return -1;
	}
	return wait_wcs(v, ids, 2, what, err, errlen);
}

/* One message per transfer; @into_mr: the MR receives, else it sends. */
static int msg_chain(struct pk_vehicle *v, struct ibv_mr *mr, bool into_mr,
		     const struct pk_xfer *x, size_t n, char *err,
		     size_t errlen)
{
	size_t i;

	v->wc_status = -1;
	if (v->broken && pk_vehicle_reconnect(v, err, errlen))
		return -1;
	for (i = 0; i < n; i++) {
		struct ibv_sge local, target;
		char what[160];

		if (x[i].loff + x[i].len > v->scratch_len) {
			snprintf(err, errlen, "internal: message of %zu bytes at scratch offset %zu exceeds the %zu-byte scratch buffer",
				 x[i].len, x[i].loff, v->scratch_len);
			return -1;
		}
		local.addr = (uintptr_t)(v->scratch + x[i].loff);
		local.length = (uint32_t)x[i].len;
		local.lkey = v->scratch_mr->lkey;
		target.addr = (uintptr_t)mr->addr + x[i].off;
		target.length = (uint32_t)x[i].len;
		target.lkey = mr->lkey;
		snprintf(what, sizeof(what), "%s of %zu bytes %s MR offset 0x%zx",
			 into_mr ? "RECV" : "SEND", x[i].len,
			 into_mr ? "into" : "from", x[i].off);
		if (into_mr ? post_message(v, &local, &target, what, err, errlen) :
			      post_message(v, &target, &local, what, err, errlen))
			return -1;
	}
	return 0;
}

int pk_rdma_send(struct pk_vehicle *v, struct ibv_mr *mr,
		 const struct pk_xfer *x, size_t n, char *err, size_t errlen)
{
	return msg_chain(v, mr, false, x, n, err, errlen);
}

int pk_rdma_recv(struct pk_vehicle *v, struct ibv_mr *mr,
		 const struct pk_xfer *x, size_t n, char *err, size_t errlen)
{
	return msg_chain(v, mr, true, x, n, err, errlen);
}

int pk_rdma_fadd(struct pk_vehicle *v, struct ibv_mr *mr, size_t off,
		 uint64_t add, uint64_t *old, char *err, size_t errlen)
{
	struct ibv_send_wr wr, *bad;
	struct ibv_sge sge;
	uint64_t *local = (uint64_t *)(v->scratch + v->scratch_len - 8);
	char what[96];
	int ret;

	v->wc_status = -1;
	if (v->broken && pk_vehicle_reconnect(v, err, errlen))
		return -1;
	*local = 0;
	memset(&wr, 0, sizeof(wr));
	sge.addr = (uintptr_t)local;
	sge.length = 8;
	sge.lkey = v->scratch_mr->lkey;
	wr.wr_id = 0xfadd;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = IBV_WR_ATOMIC_FETCH_AND_ADD;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.wr.atomic.remote_addr = (uintptr_t)mr->addr + off;
	wr.wr.atomic.compare_add = add;
	wr.wr.atomic.rkey = mr->rkey;
	snprintf(what, sizeof(what), "FETCH_AND_ADD at MR offset 0x%zx", off);
	ret = ibv_post_send(v->qp[0], &wr, &bad);
	if (ret) {
		snprintf(err, errlen, "ibv_post_send(%s): %s", what,
			 strerror(ret));
		v->broken = true;
		return -1;
	}
	if (wait_wc(v, wr.wr_id, what, err, errlen))
		return -1;
	*old = *(volatile uint64_t *)local;
	return 0;
}
