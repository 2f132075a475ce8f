// SPDX-License-Identifier: GPL-2.0
/*
 * The body of one case, run in its own process:
 *
 *   map the backing -> register the MR -> establish (the device reads what
 *   the CPU put there) -> baseline (pagemap, kpageflags, vmstat) ->
 *   disturbance -> direction (the round that moves data) -> observables.
 *
 * @expect always holds what both the CPU and the device must see.  Every
 * observable compares against the kernel's own answer; nothing here knows
 * which kernel is expected to fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "internal.h"

/* "after clear_refs 4", or "undisturbed" for the rows without one. */
const char *pk_when(const struct pk_tc *t)
{
	static char buf[80];

	if (t->c->row->disturb == PK_DIST_NONE)
		return "undisturbed";
	snprintf(buf, sizeof(buf), "after %s",
		 pk_disturb_name(t->c->row->disturb));
	return buf;
}

int pk_pagemap_snapshot(struct pk_tc *t, uint64_t *out)
{
	if (t->pm_fd < 0)
		return -1;
	return pk_pagemap_read(t->pm_fd, t->b.addr, t->npages, t->page, out);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The pages a case moves data through.  Small buffers: all of them.  A
 * 2 MiB buffer is one folio (or one hugetlb page), so the first and last
 * pages, page 1 (which partial mprotects hit) and pages spread over the
 * rest stand for it; this keeps a THP case within the suite's time budget
 * under TCG.  Every byte of every probe page is compared.
 */
static int probes_init(struct pk_tc *t)
{
	size_t i, n = 0;

	t->probe = calloc(PK_PROBES_MAX, sizeof(*t->probe));
	if (!t->probe)
		return -1;
	if (t->npages <= PK_PROBES_MAX) {
		for (i = 0; i < t->npages; i++)
			t->probe[i] = i;
		t->nprobe = t->npages;
		return 0;
	}
	t->probe[n++] = 0;
	t->probe[n++] = 1;
	t->probe[n++] = 2;
	for (i = 1; i < 12; i++)
		t->probe[n++] = t->npages * i / 12;
	t->probe[n++] = t->npages - 2;
	t->probe[n++] = t->npages - 1;
	qsort(t->probe, n, sizeof(*t->probe), cmp_size);
	t->nprobe = 0;
	for (i = 0; i < n; i++)
		if (!t->nprobe || t->probe[t->nprobe - 1] != t->probe[i])
			t->probe[t->nprobe++] = t->probe[i];
	return 0;
}

void pk_fill_probes(struct pk_tc *t, uint8_t *dst, uint64_t seed)
{
	size_t i;

	for (i = 0; i < t->nprobe; i++) {
		size_t off = t->probe[i] * t->page;

		pk_pattern_fill(dst + off, t->page, seed, off);
	}
}

void pk_copy_probes(struct pk_tc *t, uint8_t *dst, const uint8_t *src)
{
	size_t i;

	for (i = 0; i < t->nprobe; i++) {
		size_t off = t->probe[i] * t->page;

		memcpy(dst + off, src + off, t->page);
	}
}

/* @expect gets a fresh pattern; @prev keeps the old one for hints. */
void pk_set_expect(struct pk_tc *t, uint64_t seed)
{
	pk_copy_probes(t, t->prev, t->expect);
	pk_fill_probes(t, t->expect, seed);
}

/* The CPU writes a fresh pattern over the probe pages. */
void pk_cpu_write(struct pk_tc *t, uint64_t seed)
{
	pk_set_expect(t, seed);
	pk_copy_probes(t, t->b.addr, t->expect);
}

/*
 * Compare the probe pages of @got with @expect.  @compact: @got is the
 * scratch buffer, where probe i sits at i * page.  Offsets in @m are
 * offsets in the MR.
 */
int pk_compare_probes(struct pk_tc *t, const uint8_t *got, bool compact,
		      struct pk_mismatch *m)
{
	size_t i;
	int bad = 0;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < t->nprobe; i++) {
		size_t off = t->probe[i] * t->page;
		const uint8_t *g = got + (compact ? i * t->page : off);
		struct pk_mismatch pm;

		if (!pk_compare(t->expect + off, g, t->page, t->page, &pm))
			continue;
		if (!bad++) {
			m->offset = off + pm.offset;
			m->expected = pm.expected;
			m->got = pm.got;
		}
		m->bytes += pm.bytes;
		m->pages++;
	}
	return bad ? 1 : 0;
}

/*
 * A coherence break: say where, what was expected, what came back and
 * what that byte looks like (stale data, a fresh zero page).
 */
void pk_break(struct pk_tc *t, const char *what, const struct pk_mismatch *m)
{
	char msg[PK_MSG_MAX];
	const char *hint = "";

	if (m->got == t->prev[m->offset] && m->got != m->expected)
		hint = " (the byte from before this step: a stale page)";
	else if (!m->got)
		hint = " (zero: a fresh page)";
	snprintf(msg, sizeof(msg),
		 "%s: first differing offset 0x%zx (page %zu): expected 0x%02x got 0x%02x%s; %zu bytes in %zu of %zu checked pages differ",
		 what, m->offset, m->offset / t->page, m->expected, m->got,
		 hint, m->bytes, m->pages, t->nprobe);
	if (t->c->row->flags & PK_ROW_CONTROL)
		pk_diag(t->r, "break seen: %s", msg);
	else
		pk_fail(t->r, "%s", msg);
	/*
	 * The evidence of corruption, machine-readable: only a data
	 * comparison prints it, never an I/O error or a timeout.
	 */
	if (!t->breaks++) {
		snprintf(t->first_break, sizeof(t->first_break), "%s", msg);
		pk_diag(t->r, "first-diff: offset=0x%zx expected=0x%02x got=0x%02x",
			m->offset, m->expected, m->got);
	}
}

size_t pk_probe_xfers(struct pk_tc *t, const uint8_t *sel, struct pk_xfer *x)
{
	size_t i, n = 0;

	for (i = 0; i < t->nprobe; i++) {
		size_t off = t->probe[i] * t->page;

		if (sel && !sel[i])
			continue;
		if (n && x[n - 1].off + x[n - 1].len == off &&
		    x[n - 1].loff + x[n - 1].len == i * t->page) {
			x[n - 1].len += t->page;
			continue;
		}
		x[n].off = off;
		x[n].len = t->page;
		x[n].loff = i * t->page;
		n++;
	}
	return n;
}

static int device_read_probes(struct pk_tc *t, const char *when)
{
	struct pk_xfer x[PK_PROBES_MAX];
	size_t n = pk_probe_xfers(t, NULL, x);

	memset(t->scratch, 0xa5, t->nprobe * t->page);
	if (pk_device_read(t, x, n)) {
		pk_fail(t->r, "%s: %s", when, t->err);
		return -1;
	}
	return 0;
}

/* Compare what the device reads against @expect. */
int pk_check_device(struct pk_tc *t, const char *what)
{
	struct pk_mismatch m;

	if (device_read_probes(t, what))
		return -1;
	if (pk_compare_probes(t, t->scratch, true, &m))
		pk_break(t, what, &m);
	return 0;
}

void pk_check_cpu(struct pk_tc *t, const char *what)
{
	struct pk_mismatch m;

	if (pk_compare_probes(t, t->b.addr, false, &m))
		pk_break(t, what, &m);
}

/* The device writes @expect into the probe pages selected by @sel. */
static int device_write(struct pk_tc *t, const uint8_t *sel)
{
	struct pk_xfer x[PK_PROBES_MAX];
	size_t n = pk_probe_xfers(t, sel, x), i;

	for (i = 0; i < t->nprobe; i++) {
		if (sel && !sel[i])
			continue;
		memcpy(t->scratch + i * t->page,
		       t->expect + t->probe[i] * t->page, t->page);
		t->dev_wrote[t->probe[i]] = 1;
	}
	if (pk_device_write(t, x, n)) {
		pk_fail(t->r, "%s: %s", pk_when(t), t->err);
		return -1;
	}
	return 0;
}

/* CPU write -> RDMA READ */
static int dir_cpu_write(struct pk_tc *t)
{
	char what[PK_MSG_MAX];

	pk_cpu_write(t, t->seed++);
	snprintf(what, sizeof(what),
		 "%s, %s differs from what the CPU wrote",
		 pk_when(t), pk_device_read_name(t));
	return pk_check_device(t, what);
}

/* RDMA WRITE -> CPU read */
static int dir_rdma_write(struct pk_tc *t)
{
	char what[PK_MSG_MAX];

	pk_set_expect(t, t->seed++);
	if (device_write(t, NULL))
		return -1;
	snprintf(what, sizeof(what),
		 "%s, the CPU reads other bytes than %s put there",
		 pk_when(t), pk_device_write_name(t));
	pk_check_cpu(t, what);
	return 0;
}

/*
 * Interleaved: the CPU writes the even probe pages, the device the odd
 * ones, one after the other; then both views must hold all of it.
 */
static int dir_interleaved(struct pk_tc *t)
{
	uint8_t sel[PK_PROBES_MAX];
	char what[PK_MSG_MAX];
	size_t i;

	pk_set_expect(t, t->seed++);
	for (i = 0; i < t->nprobe; i++) {
		size_t off = t->probe[i] * t->page;

		if (i % 2 == 0) {
			memcpy(t->b.addr + off, t->expect + off, t->page);
			continue;
		}
		memset(sel, 0, sizeof(sel));
		sel[i] = 1;
		if (device_write(t, sel))
			return -1;
	}
	snprintf(what, sizeof(what),
		 "%s, with interleaved CPU/device writes, the CPU view differs",
		 pk_when(t));
	pk_check_cpu(t, what);
	snprintf(what, sizeof(what),
		 "%s, with interleaved CPU/device writes, %s differs",
		 pk_when(t), pk_device_read_name(t));
	return pk_check_device(t, what);
}

/*
 * Fetch-and-add on one word per probe page: the device must fetch what
 * the CPU wrote and the CPU must then read the sum.
 */
static int dir_fetch_add(struct pk_tc *t)
{
	size_t i;

	pk_cpu_write(t, t->seed++);
	for (i = 0; i < t->nprobe; i++) {
		size_t pg = t->probe[i];
		size_t off = pg * t->page + ((i * 72) % (t->page - 8) & ~(size_t)7);
		uint64_t want, got, add = UINT64_C(0x0100000000000001) * (i + 1);
		uint64_t cpu;

		memcpy(&want, t->expect + off, 8);
		if (pk_device_fadd(t, off, add, &got)) {
			pk_fail(t->r, "%s: %s", pk_when(t), t->err);
			return -1;
		}
		t->dev_wrote[pg] = 1;
		want += add;
		memcpy(t->expect + off, &want, 8);
		want -= add;
		if (got != want) {
			struct pk_mismatch m = { .offset = off, .bytes = 8,
						 .pages = 1 };
			char what[PK_MSG_MAX];

			m.expected = (uint8_t)want;
			m.got = (uint8_t)got;
			snprintf(what, sizeof(what),
				 "%s, FETCH_AND_ADD fetched 0x%016" PRIx64 " but the CPU wrote 0x%016" PRIx64,
				 pk_when(t), got, want);
			pk_break(t, what, &m);
		}
		memcpy(&cpu, t->b.addr + off, 8);
		if (cpu != want + add) {
			struct pk_mismatch m = { .offset = off, .bytes = 8,
						 .pages = 1 };
			char what[PK_MSG_MAX];

			m.expected = (uint8_t)(want + add);
			m.got = (uint8_t)cpu;
			snprintf(what, sizeof(what),
				 "%s, the CPU reads 0x%016" PRIx64 " after FETCH_AND_ADD, expected 0x%016" PRIx64,
				 pk_when(t), cpu, want + add);
			pk_break(t, what, &m);
		}
	}
	return 0;
}

static int run_direction(struct pk_tc *t)
{
	switch (t->c->dir) {
	case PK_DIR_CPU_WRITE_RDMA_READ:
		return dir_cpu_write(t);
	case PK_DIR_RDMA_WRITE_CPU_READ:
		return dir_rdma_write(t);
	case PK_DIR_INTERLEAVED:
		return dir_interleaved(t);
	case PK_DIR_FETCH_ADD:
		return dir_fetch_add(t);
	/* the same rounds, with SEND/RECV as the device's read and write */
	case PK_DIR_CPU_WRITE_SEND:
		return dir_cpu_write(t);
	case PK_DIR_RECV_CPU_READ:
		return dir_rdma_write(t);
	default:
		pk_fail(t->r, "internal: unknown direction %d", t->c->dir);
		return -1;
	}
}

/* Kind prerequisites the device may lack: a SKIP that says why. */
static bool kind_skip(struct pk_tc *t)
{
	const struct pk_dev_info *d = &t->env->dev;

	if (!pk_kind_is_rdma(t->c->kind))
		return false;
	if (t->c->kind == PK_KIND_ODP && !d->odp) {
		pk_skip(t->r, "%s", d->odp_why);
		return true;
	}
	if (t->c->dir == PK_DIR_FETCH_ADD && !d->atomics) {
		pk_skip(t->r, "device %s has no atomics (atomic_cap NONE)",
			d->name);
		return true;
	}
	if (t->c->dir == PK_DIR_FETCH_ADD && t->c->kind == PK_KIND_ODP &&
	    d->odp_why[0]) {
		pk_skip(t->r, "%s", d->odp_why);
		return true;
	}
	if (pk_dir_is_msg(t->c->dir) && t->c->kind == PK_KIND_ODP &&
	    (d->odp_rc_caps & (IBV_ODP_SUPPORT_SEND | IBV_ODP_SUPPORT_RECV)) !=
	    (IBV_ODP_SUPPORT_SEND | IBV_ODP_SUPPORT_RECV)) {
		pk_skip(t->r, "device ODP caps lack RC SEND/RECV (%s: rc_odp_caps=0x%x)",
			d->name, d->odp_rc_caps);
		return true;
	}
	return false;
}

/*
 * Does the kernel track soft-dirty per page for this backing?  hugetlb
 * does not: pagemap reports only the VMA's VM_SOFTDIRTY for it, which
 * clear_refs clears, so even CPU writes read clean afterwards.
 */
static bool backing_tracks_soft_dirty(const struct pk_tc *t)
{
	return t->c->backing != PK_BACK_HUGETLB_2M;
}

static bool is_clear_refs(enum pk_disturb d)
{
	return d == PK_DIST_CLEAR_REFS || d == PK_DIST_CLEAR_REFS_TWICE;
}

/*
 * Precision, for MRs that hold no page reference: right after clear_refs
 * the pages read clean, and a device read (an RDMA READ, or a SEND out of
 * the MR in the SEND/RECV directions) leaves them clean.
 */
static int check_precision(struct pk_tc *t, uint64_t *pm)
{
	size_t i;

	if (pk_pagemap_snapshot(t, pm)) {
		pk_fail(t->r, "reading /proc/self/pagemap: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < t->npages; i++) {
		if (pm[i] & PK_PM_SOFT_DIRTY) {
			pk_fail(t->r, "soft-dirty precision: page %zu (offset 0x%zx) reads dirty right after clear_refs although the device holds no page reference",
				i, i * t->page);
			return 0;
		}
	}
	if (pk_check_device(t, "device read after clear_refs (precision)"))
		return -1;
	if (pk_pagemap_snapshot(t, pm)) {
		pk_fail(t->r, "reading /proc/self/pagemap: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < t->npages; i++) {
		if (pm[i] & PK_PM_SOFT_DIRTY) {
			pk_fail(t->r, "soft-dirty precision: %s made page %zu (offset 0x%zx) soft-dirty",
				pk_device_read_name(t), i, i * t->page);
			return 0;
		}
	}
	return 0;
}

/*
 * A baseline page that is not a page of its own: the zero page, or a PFN
 * several pages share (KSM).  Its first write allocates a page; that is
 * not a copy of the MR's page.
 */
static bool pfn_special(const struct pk_tc *t, size_t i)
{
	struct pk_pme e;
	size_t j;

	if (pk_kpf_test(t->kpf_base[i], PK_KPF_ZERO_PAGE))
		return true;
	if (!t->base_shared)
		return false;
	pk_pme_decode(t->pm_base[i], &e);
	for (j = 0; j < t->npages; j++) {
		struct pk_pme o;

		pk_pme_decode(t->pm_base[j], &o);
		if (j != i && o.pfn == e.pfn)
			return true;
	}
	return false;
}

static bool pfn_changed(uint64_t before, uint64_t after)
{
	struct pk_pme a, b;

	pk_pme_decode(before, &a);
	pk_pme_decode(after, &b);
	return a.pfn && b.pfn && a.pfn != b.pfn;
}

/*
 * Copies, soft-dirty honesty and vmstat after the rounds.
 *
 * No copies: a page under the device is copied only where the twin (the
 * same memory, same history, no device) was not copied.  The kernel's own
 * behaviour without the device is the reference, so a kernel that copies
 * for reasons of its own (a private file page's first write, a PTE-mapped
 * large folio it does not reuse) does not count against the device.
 */
static void observe(struct pk_tc *t, const struct pk_vmstat *vm0)
{
	const struct pk_row *row = t->c->row;
	uint64_t *pm = calloc(t->npages, sizeof(*pm));
	uint64_t *pmt = calloc(t->npages, sizeof(*pmt));
	size_t i, copies = 0, twin_copies = 0, own = 0, first_own = 0;
	size_t clean = 0, first_clean = 0, written = 0;
	struct pk_vmstat vm1;
	char buf[256];

	if (!pm || !pmt) {
		pk_fail(t->r, "out of memory for %zu pagemap entries", t->npages);
		goto out;
	}
	if (pk_pagemap_snapshot(t, pm) ||
	    (t->have_twin && pk_pagemap_read(t->pm_fd, t->twin.addr,
					     t->npages, t->page, pmt))) {
		pk_fail(t->r, "reading /proc/self/pagemap at the end: %s",
			strerror(errno));
		goto out;
	}
	for (i = 0; i < t->npages; i++) {
		bool mine = pfn_changed(t->pm_base[i], pm[i]) &&
			    !pfn_special(t, i);
		bool twin = t->have_twin &&
			    pfn_changed(t->pm_twin[i], pmt[i]);

		copies += mine;
		twin_copies += twin;
		if (mine && !twin && !own++)
			first_own = i;
		if (t->dev_wrote[i]) {
			written++;
			if (!(pm[i] & PK_PM_SOFT_DIRTY) && !clean++)
				first_clean = i;
		}
	}
	if (!t->pfn_visible)
		pk_diag(t->r, "pages %zu, device-written %zu; PFNs hidden (not CAP_SYS_ADMIN): copies not counted",
			t->npages, written);
	else if (t->have_twin)
		pk_diag(t->r, "pages %zu, PFN changed %zu (without the device %zu), device-written %zu",
			t->npages, copies, twin_copies, written);
	else
		pk_diag(t->r, "pages %zu, PFN changed %zu, device-written %zu",
			t->npages, copies, written);

	if (row->flags & PK_ROW_CONTROL)
		goto vmstat;

	/* a row that asserts "no copies" cannot pass without seeing PFNs */
	if ((row->flags & PK_ROW_NOCOPY) && !t->pfn_visible)
		pk_skip(t->r, "\"no copies\" not checked: /proc/self/pagemap hides PFNs without CAP_SYS_ADMIN (run as root)");

	if ((row->flags & PK_ROW_NOCOPY) && own) {
		struct pk_pme a, b;

		pk_pme_decode(t->pm_base[first_own], &a);
		pk_pme_decode(pm[first_own], &b);
		pk_fail(t->r, "page %zu (offset 0x%zx) was copied after %s + write: pfn 0x%" PRIx64 " -> 0x%" PRIx64 "; %zu of %zu pages copied with the device, %zu without it%s",
			first_own, first_own * t->page,
			pk_disturb_name(row->disturb), a.pfn, b.pfn, copies,
			t->npages, twin_copies,
			t->have_twin ? "" : " (no twin for this backing)");
	}

	/* soft-dirty honesty: a page the device wrote never reads clean */
	if (!backing_tracks_soft_dirty(t)) {
		if (written)
			pk_diag(t->r, "soft-dirty honesty not checked: hugetlb pages have no per-page soft-dirty (pagemap reports only VM_SOFTDIRTY)");
	} else if (t->soft_dirty_ok && clean) {
		struct pk_pme b;

		pk_pme_decode(pm[first_clean], &b);
		pk_fail(t->r, "soft-dirty: page %zu (offset 0x%zx, pfn 0x%" PRIx64 ") was written by the device after %s but /proc/self/pagemap reports it clean (bit 55 = 0); %zu of %zu device-written pages read clean",
			first_clean, first_clean * t->page, b.pfn,
			pk_disturb_name(row->disturb), clean, written);
	} else if (!t->soft_dirty_ok && written) {
		pk_diag(t->r, "soft-dirty not tracked by this kernel (no CONFIG_MEM_SOFT_DIRTY): honesty not checked");
	}

vmstat:
	if (!pk_vmstat_read(&vm1)) {
		pk_vmstat_delta(vm0, &vm1, buf, sizeof(buf));
		if (buf[0])
			pk_diag(t->r, "vmstat: %s", buf);
	}
out:
	free(pm);
	free(pmt);
}

static void baseline(struct pk_tc *t)
{
	size_t i;

	if (pk_pagemap_snapshot(t, t->pm_base))
		return;
	if (t->have_twin &&
	    pk_pagemap_read(t->pm_fd, t->twin.addr, t->npages, t->page,
			    t->pm_twin))
		t->have_twin = false;
	t->base_shared = pk_count_shared_pfns(t->pm_base, t->npages);
	for (i = 0; i < t->npages; i++) {
		if (t->pm_base[i] & PK_PM_SOFT_DIRTY) {
			t->soft_dirty_ok = true;
			break;
		}
	}
	if (t->kpf_fd < 0 ||
	    pk_kpageflags_read_many(t->kpf_fd, t->pm_base, t->npages,
				    t->kpf_base))
		memset(t->kpf_base, 0, t->npages * sizeof(*t->kpf_base));
	if (t->kpf_fd >= 0 && t->env->verbose) {
		char fl[128];

		pk_diag(t->r, "baseline page 0: pfn 0x%" PRIx64 " flags %s",
			t->pm_base[0] & PK_PM_PFN_MASK,
			pk_kpf_describe(t->kpf_base[0], fl, sizeof(fl)));
	}
}

static void run_once(struct pk_tc *t, unsigned int iter)
{
	const struct pk_row *row = t->c->row;
	unsigned int rounds, round;
	struct pk_vmstat vm0;
	uint64_t *pm = NULL;
	double tm[5];
	int ret;

	t->seed = UINT64_C(0x5eed0000) + iter * 64;
	t->uffd = -1;
	t->child = 0;
	t->child_fd = -1;
	t->breaks = 0;
	t->first_break[0] = '\0';

	t->page = (size_t)sysconf(_SC_PAGESIZE);
	t->b.len = pk_backing_len(t->c->backing);
	t->npages = t->b.len / t->page;
	t->expect = calloc(1, t->b.len);
	t->prev = calloc(1, t->b.len);
	if (!t->expect || !t->prev || probes_init(t)) {
		pk_fail(t->r, "out of memory for two %zu-byte shadow buffers",
			t->b.len);
		goto out_shadow;
	}
	tm[0] = pk_now();
	pk_fill_probes(t, t->expect, t->seed++);
	ret = pk_buf_create(t, &t->b);
	if (ret)
		goto out_shadow;
	/* KSM would merge the twin with the buffer: no twin there */
	t->have_twin = (row->flags & PK_ROW_NOCOPY) &&
		       t->c->backing != PK_BACK_KSM;
	if (t->have_twin) {
		ret = pk_buf_create(t, &t->twin);
		if (ret)
			goto out_shadow;
	}
	tm[1] = pk_now();
	pk_copy_probes(t, t->prev, t->expect);
	t->pm_base = calloc(t->npages, sizeof(*t->pm_base));
	t->pm_twin = calloc(t->npages, sizeof(*t->pm_twin));
	t->kpf_base = calloc(t->npages, sizeof(*t->kpf_base));
	t->dev_wrote = calloc(t->npages, 1);
	pm = calloc(t->npages, sizeof(*pm));
	if (!t->pm_base || !t->pm_twin || !t->kpf_base || !t->dev_wrote ||
	    !pm) {
		pk_fail(t->r, "out of memory for %zu page records", t->npages);
		goto out_buf;
	}

	ret = pk_device_attach(t);
	if (ret)
		goto out_device;
	if (pk_kind_is_rdma(t->c->kind))
		t->v.timeout_ms = 5000;
	tm[2] = pk_now();

	/* the vehicle works before anything is disturbed */
	if (pk_check_device(t, "before any disturbance, the device reads other bytes than the buffer holds"))
		goto out_device;
	if (t->breaks) {
		pk_fail(t->r, "incoherent before the disturbance: %s",
			t->first_break);
		goto out_device;
	}

	tm[3] = pk_now();
	baseline(t);
	pk_vmstat_read(&vm0);

	rounds = row->disturb == PK_DIST_CLEAR_REFS_TWICE ? 2 : 1;
	for (round = 0; round < rounds; round++) {
		memset(t->dev_wrote, 0, t->npages);
		ret = pk_disturb_begin(t, round);
		if (ret)
			goto out_disturb;
		if ((row->flags & PK_ROW_PRECISION) &&
		    pk_kind_holds_no_ref(t->c->kind) &&
		    is_clear_refs(row->disturb) &&
		    t->soft_dirty_ok && backing_tracks_soft_dirty(t) &&
		    check_precision(t, pm))
			goto out_disturb;
		if (run_direction(t))
			goto out_disturb;
		/* the twin: the same pages written, by the CPU */
		if (t->have_twin)
			pk_copy_probes(t, t->twin.addr, t->expect);
		ret = pk_disturb_end(t, round);
		if (ret)
			goto out_disturb;
	}
	if (t->r->status == PK_SKIP)
		goto out_disturb;
	tm[4] = pk_now();
	observe(t, &vm0);
	if (t->env->verbose)
		pk_diag(t->r, "ms: backing %.1f, vehicle %.1f, reg+establish %.1f, disturb+rounds %.1f, observe %.1f",
			(tm[1] - tm[0]) * 1e3, (tm[2] - tm[1]) * 1e3,
			(tm[3] - tm[2]) * 1e3, (tm[4] - tm[3]) * 1e3,
			(pk_now() - tm[4]) * 1e3);

	if (row->flags & PK_ROW_CONTROL) {
		if (t->breaks)
			pk_diag(t->r, "control: the checker saw the break (%u mismatches)",
				t->breaks);
		else
			pk_fail(t->r, "control did not detect its break: after %s the CPU and the device still agree, so the checker is blind",
				pk_disturb_name(row->disturb));
	}

out_disturb:
	pk_disturb_cleanup(t);
out_device:
	pk_device_detach(t);
out_buf:
	free(pm);
	free(t->pm_base);
	free(t->pm_twin);
	t->pm_twin = NULL;
	free(t->kpf_base);
	free(t->dev_wrote);
	t->pm_base = t->kpf_base = NULL;
	t->dev_wrote = NULL;
out_shadow:
	pk_buf_destroy(&t->b);
	pk_buf_destroy(&t->twin);
	free(t->expect);
	free(t->prev);
	free(t->probe);
	t->expect = t->prev = NULL;
	t->probe = NULL;
}

/* Does pagemap show PFNs to us (CAP_SYS_ADMIN)?  Ask about our stack. */
static bool pfns_visible(int pm_fd)
{
	volatile uint8_t probe = 1;
	uint64_t e = 0;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (pk_pagemap_read(pm_fd, (const void *)&probe, 1, page, &e))
		return false;
	return (e & PK_PM_PRESENT) && (e & PK_PM_PFN_MASK);
}

void pk_case_run(const struct pk_case *c, const struct pk_env *env,
		 struct pk_result *r)
{
	unsigned int iters = env->iterations ? env->iterations : 1, i;
	struct pk_tc t;

	memset(&t, 0, sizeof(t));
	t.c = c;
	t.env = env;
	t.r = r;
	t.pm_fd = -1;
	t.kpf_fd = -1;
	t.b.fd = -1;
	t.twin.fd = -1;
	t.dev_fd = -1;
	t.msg = pk_dir_is_msg(c->dir);
	if (kind_skip(&t))
		return;

	t.pm_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (t.pm_fd < 0) {
		pk_fail(r, "cannot open /proc/self/pagemap: %s (is /proc mounted?)",
			strerror(errno));
		return;
	}
	t.kpf_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	t.pfn_visible = pfns_visible(t.pm_fd);

	for (i = 0; i < iters && r->status == PK_PASS; i++)
		run_once(&t, i);
	if (iters > 1 && r->status == PK_FAIL)
		pk_diag(r, "failed in iteration %u of %u", i, iters);

	if (t.kpf_fd >= 0)
		close(t.kpf_fd);
	close(t.pm_fd);
}
