// SPDX-License-Identifier: GPL-2.0
/*
 * The body of one case, run in its own process:
 *
 *   check the kind -> map the backing (backings.c) -> attach the device
 *   (kind_*.c) -> establish (the device reads what the CPU put there) ->
 *   baseline (pagemap, kpageflags, vmstat) -> disturbance
 *   (disturbances.c) -> direction, the round that moves data
 *   (directions.c) -> observables.
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

#include "internal.h"

/* The device: the kind's ops on the case's buffer. */
static int device_attach(struct pk_tc *t)
{
	struct pk_kind_dev *d = &t->kd;
	int ret;

	d->addr = t->b.addr;
	d->len = t->b.len;
	d->scratch_len = t->nprobe * t->page + 4096;
	ret = d->ops->attach(d);
	if (ret == PK_KIND_SKIP)
		pk_skip(t->r, "%s", d->err);
	else if (ret)
		pk_fail(t->r, "%s: attaching to %s: %s", d->ops->name,
			t->b.desc->name, d->err);
	return ret;
}

static void device_detach(struct pk_tc *t)
{
	if (t->kd.ops->detach(&t->kd))
		pk_fail(t->r, "%s: detaching: %s", t->kd.ops->name, t->kd.err);
}

/* Map the case's backing (@b is the buffer or its twin). */
static int buf_create(struct pk_tc *t, struct pk_buf *b)
{
	b->desc = pk_backing(t->c->backing);
	b->fd = -1;
	b->len = b->desc->len;
	return b->desc->create(t, b);
}

/*
 * Does the kernel track soft-dirty per page for this backing?  hugetlb
 * does not: pagemap reports only the VMA's VM_SOFTDIRTY for it, which
 * clear_refs clears, so even CPU writes read clean afterwards.
 */
static bool backing_tracks_soft_dirty(const struct pk_tc *t)
{
	return !(t->b.desc->flags & PK_BF_NO_SOFT_DIRTY);
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
				t->kd.read_name, i, i * t->page);
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
	size_t cpu_clean = 0, first_cpu_clean = 0, cpu_written = 0;
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
		} else if (t->cpu_wrote[i]) {
			cpu_written++;
			if (!(pm[i] & PK_PM_SOFT_DIRTY) && !cpu_clean++)
				first_cpu_clean = i;
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
	/*
	 * After a soft-dirty reset, what the CPU wrote reads soft-dirty too,
	 * whether the reset write-protected the page or left it writable.
	 */
	if ((t->dist->flags & PK_DF_CLEAR_REFS) && t->soft_dirty_ok &&
	    backing_tracks_soft_dirty(t) && cpu_clean) {
		struct pk_pme b;

		pk_pme_decode(pm[first_cpu_clean], &b);
		pk_fail(t->r, "soft-dirty: page %zu (offset 0x%zx, pfn 0x%" PRIx64 ") was written by the CPU after %s but /proc/self/pagemap reports it clean (bit 55 = 0); %zu of %zu CPU-written pages read clean",
			first_cpu_clean, first_cpu_clean * t->page, b.pfn,
			pk_disturb_name(row->disturb), cpu_clean, cpu_written);
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
	unsigned int round;
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
	t->b.len = pk_backing(t->c->backing)->len;
	t->npages = t->b.len / t->page;
	t->expect = calloc(1, t->b.len);
	t->prev = calloc(1, t->b.len);
	if (!t->expect || !t->prev || pk_probes_init(t)) {
		pk_fail(t->r, "out of memory for two %zu-byte shadow buffers",
			t->b.len);
		goto out_shadow;
	}
	tm[0] = pk_now();
	pk_fill_probes(t, t->expect, t->seed++);
	ret = buf_create(t, &t->b);
	if (ret)
		goto out_shadow;
	/* KSM would merge the twin with the buffer: no twin there */
	t->have_twin = (row->flags & PK_ROW_NOCOPY) &&
		       !(t->b.desc->flags & PK_BF_NO_TWIN);
	if (t->have_twin) {
		ret = buf_create(t, &t->twin);
		if (ret)
			goto out_shadow;
	}
	tm[1] = pk_now();
	pk_copy_probes(t, t->prev, t->expect);
	t->pm_base = calloc(t->npages, sizeof(*t->pm_base));
	t->pm_twin = calloc(t->npages, sizeof(*t->pm_twin));
	t->kpf_base = calloc(t->npages, sizeof(*t->kpf_base));
	t->dev_wrote = calloc(t->npages, 1);
	t->cpu_wrote = calloc(t->npages, 1);
	pm = calloc(t->npages, sizeof(*pm));
	if (!t->pm_base || !t->pm_twin || !t->kpf_base || !t->dev_wrote ||
	    !t->cpu_wrote || !pm) {
		pk_fail(t->r, "out of memory for %zu page records", t->npages);
		goto out_buf;
	}

	ret = device_attach(t);
	if (ret)
		goto out_device;
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

	for (round = 0; round < t->dist->rounds; round++) {
		memset(t->dev_wrote, 0, t->npages);
		memset(t->cpu_wrote, 0, t->npages);
		ret = t->dist->begin(t);
		if (ret)
			goto out_disturb;
		if ((row->flags & PK_ROW_PRECISION) &&
		    (t->c->kind->flags & PK_KF_NO_REF) &&
		    (t->dist->flags & PK_DF_CLEAR_REFS) &&
		    t->soft_dirty_ok && backing_tracks_soft_dirty(t) &&
		    check_precision(t, pm))
			goto out_disturb;
		if (pk_dirs[t->c->dir].round(t))
			goto out_disturb;
		/* the twin: the same pages written, by the CPU */
		if (t->have_twin)
			pk_copy_probes(t, t->twin.addr, t->expect);
		ret = t->dist->end ? t->dist->end(t) : 0;
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
	device_detach(t);
out_buf:
	free(pm);
	free(t->pm_base);
	free(t->pm_twin);
	t->pm_twin = NULL;
	free(t->kpf_base);
	free(t->dev_wrote);
	free(t->cpu_wrote);
	t->pm_base = t->kpf_base = NULL;
	t->dev_wrote = t->cpu_wrote = NULL;
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

	if (c->xfer) {
		pk_odp_xfer_run(c, env, r);
		return;
	}
	if (c->fork_copies) {
		pk_fork_copies_run(c, env, r);
		return;
	}
	memset(&t, 0, sizeof(t));
	t.c = c;
	t.env = env;
	t.r = r;
	t.pm_fd = -1;
	t.kpf_fd = -1;
	t.b.fd = -1;
	t.twin.fd = -1;
	t.dist = &pk_disturbs[c->row->disturb];
	pk_kind_dev_init(&t.kd, c->kind, env, pk_dirs[c->dir].flags);
	t.kd.page = (size_t)sysconf(_SC_PAGESIZE);
	/* what the device lacks for this case costs a SKIP, nothing more */
	if (pk_kind_check(&t.kd, r))
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
