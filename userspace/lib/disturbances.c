// SPDX-License-Identifier: GPL-2.0
/*
 * Disturbances: what the kernel does to the memory under a registered MR.
 * begin() runs before the round that moves data, end() after it.  A
 * feature the kernel lacks is a SKIP that names it; a refusal the kernel
 * documents (a pinned page that cannot migrate) is a result, reported in
 * the diagnostics, and only an MR that holds no page reference is held to
 * "what a reference would block happens".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "internal.h"

#ifndef MPOL_MF_MOVE
#define MPOL_MF_MOVE	(1 << 1)
#endif

#define KSM_FULL_SCANS	"/sys/kernel/mm/ksm/full_scans"
#define SPLIT_DEBUGFS	"/sys/kernel/debug/split_huge_pages"

static bool holds_no_reference(const struct pk_tc *t)
{
	return (t->c->row->flags & PK_ROW_NOREF) &&
	       (t->c->kind->flags & PK_KF_NO_REF);
}

/* ---------------------------------------------------------------- */

static int do_clear_refs(struct pk_tc *t)
{
	if (!t->soft_dirty_ok) {
		pk_skip(t->r, "kernel does not track soft-dirty (pagemap bit 55 never set: CONFIG_MEM_SOFT_DIRTY off), clear_refs 4 does nothing");
		return 1;
	}
	if (pk_write_file("/proc/self/clear_refs", "4", t->err,
			  sizeof(t->err))) {
		pk_fail(t->r, "%s", t->err);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- */

static int fork_begin(struct pk_tc *t)
{
	enum pk_disturb d = t->c->row->disturb;
	int ready[2], release[2], status;
	char c;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) || pipe2(release, O_CLOEXEC)) {
		pk_fail(t->r, "pipe2 for the fork child: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		pk_fail(t->r, "fork: %s", strerror(errno));
		close(ready[0]);
		close(ready[1]);
		close(release[0]);
		close(release[1]);
		return -1;
	}
	if (pid == 0) {
		/* the child never touches verbs; it only uses the memory */
		close(ready[0]);
		close(release[1]);
		if (d == PK_DIST_FORK_CHILD_EXITS)
			_exit(0);
		if (d == PK_DIST_FORK_CHILD_WRITES)
			pk_fill_probes(t, t->b.addr, UINT64_C(0xc41d));
		if (write(ready[1], "r", 1) != 1)
			_exit(4);
		/* returns 0 when the parent releases us or dies */
		while (read(release[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);

	if (d == PK_DIST_FORK_CHILD_EXITS) {
		close(ready[0]);
		close(release[1]);
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			pk_fail(t->r, "the fork child did not exit cleanly (status 0x%x)",
				status);
			return -1;
		}
		return 0;
	}

	t->child = pid;
	t->child_fd = release[1];
	if (read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		pk_fail(t->r, "the fork child died before it was ready");
		return -1;
	}
	close(ready[0]);

	if (d == PK_DIST_FORK_PARENT_WRITES) {
		pk_cpu_write(t, t->seed++);
	} else {
		/*
		 * The child wrote its copy.  Private memory: the parent and
		 * its MR still hold the parent's data.  Shared memory: the
		 * child's bytes are everybody's data.
		 */
		if (t->b.shared)
			pk_set_expect(t, UINT64_C(0xc41d));
		pk_check_cpu(t, t->b.shared ?
			     "after the child wrote the shared mapping, the parent reads other bytes" :
			     "after the child wrote its copy, the parent's memory changed");
		if (pk_check_device(t, t->b.shared ?
				    "after the child wrote the shared mapping, the device reads other bytes" :
				    "after the child wrote its copy, the device reads other bytes from the parent's buffer"))
			return -1;
	}
	return 0;
}

static void fork_reap(struct pk_tc *t)
{
	int status;

	if (t->child_fd >= 0) {
		close(t->child_fd);
		t->child_fd = -1;
	}
	if (t->child > 0) {
		if (waitpid(t->child, &status, 0) == t->child &&
		    (!WIFEXITED(status) || WEXITSTATUS(status)))
			pk_diag(t->r, "the fork child ended with status 0x%x",
				status);
		t->child = 0;
	}
}

/* ---------------------------------------------------------------- */

static int uffd_setup(struct pk_tc *t, uint64_t features, uint64_t mode,
		      const char *what)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	int fd;

	features |= t->b.desc->uffd_features;

	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOSYS)
			pk_skip(t->r, "userfaultfd: kernel without CONFIG_USERFAULTFD");
		else if (errno == EPERM)
			pk_skip(t->r, "userfaultfd not permitted: %s (run as root or set vm.unprivileged_userfaultfd=1)",
				strerror(errno));
		else
			pk_fail(t->r, "userfaultfd: %s", strerror(errno));
		return errno == ENOSYS || errno == EPERM ? 1 : -1;
	}
	/* ask what the kernel has, then open again with what we need */
	if (ioctl(fd, UFFDIO_API, &api)) {
		pk_fail(t->r, "UFFDIO_API: %s", strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if ((api.features & features) != features) {
		pk_skip(t->r, "userfaultfd lacks the features %s needs (want 0x%" PRIx64 ", kernel has 0x%llx)",
			what, (uint64_t)features,
			(unsigned long long)api.features);
		return 1;
	}
	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		pk_fail(t->r, "userfaultfd: %s", strerror(errno));
		return -1;
	}
	memset(&api, 0, sizeof(api));
	api.api = UFFD_API;
	api.features = features;
	if (ioctl(fd, UFFDIO_API, &api)) {
		pk_fail(t->r, "UFFDIO_API(features 0x%" PRIx64 "): %s",
			(uint64_t)features, strerror(errno));
		close(fd);
		return -1;
	}
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)t->b.addr;
	reg.range.len = t->b.len;
	reg.mode = mode;
	if (ioctl(fd, UFFDIO_REGISTER, &reg)) {
		int e = errno;

		close(fd);
		if (e == EINVAL) {
			pk_skip(t->r, "UFFDIO_REGISTER for %s on %s: %s (unsupported for this memory)",
				what, t->b.desc->name, strerror(e));
			return 1;
		}
		pk_fail(t->r, "UFFDIO_REGISTER for %s: %s", what, strerror(e));
		return -1;
	}
	t->uffd = fd;
	return 0;
}

static int uffd_wp(struct pk_tc *t, bool protect)
{
	struct uffdio_writeprotect wp;

	memset(&wp, 0, sizeof(wp));
	wp.range.start = (uintptr_t)t->b.addr;
	wp.range.len = t->b.len;
	wp.mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0;
	if (ioctl(t->uffd, UFFDIO_WRITEPROTECT, &wp)) {
		pk_fail(t->r, "UFFDIO_WRITEPROTECT(%s): %s",
			protect ? "protect" : "resolve", strerror(errno));
		return -1;
	}
	return 0;
}

/* uffd_rwp - the uffd-rwp reset: the whole buffer read-write-protected. */
static int uffd_rwp(struct pk_tc *t)
{
	struct uffdio_rwprotect rwp;

	memset(&rwp, 0, sizeof(rwp));
	rwp.range.start = (uintptr_t)t->b.addr;
	rwp.range.len = t->b.len;
	rwp.mode = UFFDIO_RWPROTECT_MODE_RWP;
	if (ioctl(t->uffd, UFFDIO_RWPROTECT, &rwp)) {
		pk_fail(t->r, "UFFDIO_RWPROTECT: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int uffd_wp_begin(struct pk_tc *t)
{
	uint64_t *pm;
	int ret;

	ret = uffd_setup(t, UFFD_FEATURE_PAGEFAULT_FLAG_WP,
			 UFFDIO_REGISTER_MODE_WP, "uffd-wp");
	if (ret)
		return ret;
	if (uffd_wp(t, true))
		return -1;
	pm = calloc(t->npages, sizeof(*pm));
	if (pm && !pk_pagemap_snapshot(t, pm)) {
		size_t i, wp = 0;

		for (i = 0; i < t->npages; i++)
			wp += !!(pm[i] & PK_PM_UFFD_WP);
		pk_diag(t->r, "uffd-wp: %zu of %zu pages write-protected", wp,
			t->npages);
	}
	free(pm);
	return uffd_wp(t, false);
}

/* ---------------------------------------------------------------- */

/*
 * One PAGEMAP_SCAN over the buffer: pages in @category into @in (one byte
 * per page); @reset write-protects what matches (uffd-wp async).
 */
static int pm_scan(struct pk_tc *t, bool reset, uint64_t category,
		   uint8_t *in)
{
	struct page_region regs[64];
	struct pm_scan_arg arg;
	uintptr_t start = (uintptr_t)t->b.addr;
	uintptr_t end = start + t->b.len;
	long n;
	int i;

	if (in)
		memset(in, 0, t->npages);
	while (start < end) {
		memset(&arg, 0, sizeof(arg));
		arg.size = sizeof(arg);
		arg.flags = reset ? PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC :
				    0;
		arg.start = start;
		arg.end = end;
		arg.vec = (uintptr_t)regs;
		arg.vec_len = 64;
		arg.category_mask = category;
		arg.return_mask = category;
		n = ioctl(t->pm_fd, PAGEMAP_SCAN, &arg);
		if (n < 0)
			return -1;
		for (i = 0; i < n && in; i++) {
			uintptr_t a;

			for (a = regs[i].start; a < regs[i].end; a += t->page)
				in[(a - (uintptr_t)t->b.addr) / t->page] = 1;
		}
		if (!arg.walk_end || arg.walk_end <= start)
			break;
		start = arg.walk_end;
	}
	return 0;
}

static int pagemap_scan_begin(struct pk_tc *t)
{
	int ret;

	ret = uffd_setup(t, UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED,
			 UFFDIO_REGISTER_MODE_WP, "PAGEMAP_SCAN write tracking");
	if (ret)
		return ret;
	if (pm_scan(t, true, PAGE_IS_WRITTEN, NULL)) {
		if (errno == ENOTTY || errno == EINVAL) {
			pk_skip(t->r, "PAGEMAP_SCAN on /proc/self/pagemap: %s (needs Linux 6.7+)",
				strerror(errno));
			return 1;
		}
		pk_fail(t->r, "PAGEMAP_SCAN (write-protect): %s",
			strerror(errno));
		return -1;
	}
	return 0;
}

static int cmp_page(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The pages that must be in @category after the round: those the device
 * wrote and, with @cpu_all, the probe pages the CPU wrote.  Scans once and
 * counts them in @want, those missing from @category in @missed, the first
 * of those in @first.  -1 (reason in t->r) when the scan fails.
 */
static int pm_scan_missed(struct pk_tc *t, uint64_t category, bool cpu_all,
			  size_t *want, size_t *missed, size_t *first)
{
	uint8_t *in = calloc(t->npages, 1);
	size_t i;

	*want = *missed = *first = 0;
	if (!in) {
		pk_fail(t->r, "out of memory");
		return -1;
	}
	if (pm_scan(t, false, category, in)) {
		pk_fail(t->r, "PAGEMAP_SCAN (read, categories 0x%" PRIx64 "): %s",
			category, strerror(errno));
		free(in);
		return -1;
	}
	for (i = 0; i < t->npages; i++) {
		bool cpu = cpu_all && bsearch(&i, t->probe, t->nprobe,
					      sizeof(*t->probe), cmp_page);

		if (!t->dev_wrote[i] && !cpu)
			continue;
		(*want)++;
		if (!in[i] && !(*missed)++)
			*first = i;
	}
	free(in);
	return 0;
}

/* Every page written after the reset must be reported written. */
static int pagemap_scan_end(struct pk_tc *t)
{
	bool cpu_all = t->c->dir == PK_DIR_CPU_WRITE_RDMA_READ;
	size_t want, missed, first;

	if (pm_scan_missed(t, PAGE_IS_WRITTEN, cpu_all, &want, &missed, &first))
		return -1;
	pk_diag(t->r, "PAGEMAP_SCAN: %zu of %zu written pages reported written",
		want - missed, want);
	if (missed)
		pk_fail(t->r, "PAGEMAP_SCAN reports page %zu (offset 0x%zx) unwritten although the %s wrote it after the reset; %zu of %zu written pages reported unwritten",
			first, first * t->page, cpu_all ? "CPU" : "device",
			missed, want);
	return 0;
}

/*
 * uffd-rwp access tracking (async): UFFDIO_RWPROTECT makes the pages
 * inaccessible to the CPU, the next access faults and PAGEMAP_SCAN reports
 * the page PAGE_IS_ACCESSED.  The device writes the probe pages right after
 * the protection, before any CPU access (the round that follows reads
 * them): every page it wrote must be reported accessed.
 */
static int uffd_rwp_begin(struct pk_tc *t)
{
	size_t want, missed, first;
	int ret;

	ret = uffd_setup(t, UFFD_FEATURE_RWP | UFFD_FEATURE_RWP_ASYNC,
			 UFFDIO_REGISTER_MODE_RWP, "uffd-rwp access tracking");
	if (ret)
		return ret;
	if (uffd_rwp(t))
		return -1;
	pk_set_expect(t, t->seed++);
	if (pk_device_write_probes(t, NULL))
		return -1;
	if (pm_scan_missed(t, PAGE_IS_ACCESSED, false, &want, &missed, &first))
		return -1;
	pk_diag(t->r, "uffd-rwp: %zu of %zu pages the device wrote reported accessed",
		want - missed, want);
	if (missed)
		pk_fail(t->r, "PAGEMAP_SCAN reports page %zu (offset 0x%zx) not accessed although the device wrote it after UFFDIO_RWPROTECT; %zu of %zu device-written pages reported not accessed",
			first, first * t->page, missed, want);
	return 0;
}

/* ---------------------------------------------------------------- */

/*
 * The pin's whole life.  A checkpointer reads the tracking state after the
 * device is done, when the pin has ended.  With the buffer pinned, reset
 * the tracking state and let the device write every probe page; end the
 * pin (deregister the MR, unregister the fixed buffer); then every page
 * the device wrote must read soft-dirty / written / accessed.  A second
 * reset, now that nothing pins the buffer, must leave every page of it
 * clean: a page that stays dirty once the pin has ended is a sticky false
 * positive.  Last, the same pages are pinned again and must be coherent.
 */
struct pin_life {
	const char *state;	/* "soft-dirty": what a written page reads */
	const char *reset_name;	/* "clear_refs 4" */
	int (*first_reset)(struct pk_tc *t);	/* 0, 1 skipped, -1 */
	int (*reset)(struct pk_tc *t);		/* 0 or -1 */
	/* per page: 1 if it reads in the state; 0 or -1 */
	int (*read)(struct pk_tc *t, uint8_t *in);
};

static int pl_soft_dirty_read(struct pk_tc *t, uint8_t *in)
{
	uint64_t *pm = calloc(t->npages, sizeof(*pm));
	size_t i;

	if (!pm || pk_pagemap_snapshot(t, pm)) {
		pk_fail(t->r, "reading /proc/self/pagemap: %s",
			pm ? strerror(errno) : "out of memory");
		free(pm);
		return -1;
	}
	for (i = 0; i < t->npages; i++)
		in[i] = !!(pm[i] & PK_PM_SOFT_DIRTY);
	free(pm);
	return 0;
}

static int pl_clear_refs(struct pk_tc *t)
{
	return do_clear_refs(t) ? -1 : 0;
}

static int pl_scan_reset(struct pk_tc *t)
{
	if (pm_scan(t, true, PAGE_IS_WRITTEN, NULL)) {
		pk_fail(t->r, "PAGEMAP_SCAN (write-protect): %s",
			strerror(errno));
		return -1;
	}
	return 0;
}

static int pl_scan_read(struct pk_tc *t, uint64_t category, uint8_t *in)
{
	if (pm_scan(t, false, category, in)) {
		pk_fail(t->r, "PAGEMAP_SCAN (read, categories 0x%" PRIx64 "): %s",
			category, strerror(errno));
		return -1;
	}
	return 0;
}

static int pl_written_read(struct pk_tc *t, uint8_t *in)
{
	return pl_scan_read(t, PAGE_IS_WRITTEN, in);
}

static int pl_accessed_read(struct pk_tc *t, uint8_t *in)
{
	return pl_scan_read(t, PAGE_IS_ACCESSED, in);
}

static int pl_rwp_first(struct pk_tc *t)
{
	int ret;

	ret = uffd_setup(t, UFFD_FEATURE_RWP | UFFD_FEATURE_RWP_ASYNC,
			 UFFDIO_REGISTER_MODE_RWP, "uffd-rwp access tracking");
	return ret ? ret : uffd_rwp(t);
}

static const struct pin_life pl_clear_refs_life = {
	"soft-dirty", "clear_refs 4", do_clear_refs, pl_clear_refs,
	pl_soft_dirty_read,
};
static const struct pin_life pl_pagemap_scan_life = {
	"PAGE_IS_WRITTEN", "PAGEMAP_SCAN write-protect", pagemap_scan_begin,
	pl_scan_reset, pl_written_read,
};
static const struct pin_life pl_uffd_rwp_life = {
	"PAGE_IS_ACCESSED", "UFFDIO_RWPROTECT", pl_rwp_first, uffd_rwp,
	pl_accessed_read,
};

/* After the pin ended: every page the device wrote reads in the state. */
static void pl_check_kept(struct pk_tc *t, const struct pin_life *pl,
			  const uint8_t *in)
{
	size_t i, want = 0, lost = 0, first = 0;

	for (i = 0; i < t->npages; i++) {
		if (!t->dev_wrote[i])
			continue;
		want++;
		if (!in[i] && !lost++)
			first = i;
	}
	pk_diag(t->r, "pin ended: %zu of %zu pages written while pinned (%s) read %s",
		want - lost, want, t->kd.write_name, pl->state);
	if (lost)
		pk_fail(t->r, "page %zu (offset 0x%zx) was written by the device while pinned, after %s, but reads not %s once the %s pin ended; %zu of %zu device-written pages lost",
			first, first * t->page, pl->reset_name, pl->state,
			t->kd.ops->name, lost, want);
}

/* After the second reset: no page of the buffer reads in the state. */
static void pl_check_reset(struct pk_tc *t, const struct pin_life *pl,
			   const uint8_t *in)
{
	size_t i, sticky = 0, first = 0;

	for (i = 0; i < t->npages; i++)
		if (in[i] && !sticky++)
			first = i;
	pk_diag(t->r, "second %s after the pin ended: %zu of %zu pages still read %s",
		pl->reset_name, sticky, t->npages, pl->state);
	if (sticky)
		pk_fail(t->r, "page %zu (offset 0x%zx) still reads %s after a %s that found nothing pinned (a sticky false positive); %zu of %zu pages",
			first, first * t->page, pl->state, pl->reset_name,
			sticky, t->npages);
}

static int pin_life_begin(struct pk_tc *t, const struct pin_life *pl)
{
	uint8_t *in = calloc(t->npages, 1);
	unsigned int breaks;
	int ret;

	if (!in) {
		pk_fail(t->r, "out of memory for %zu page records", t->npages);
		return -1;
	}
	ret = pl->first_reset(t);
	if (ret)
		goto out;
	ret = -1;
	pk_set_expect(t, t->seed++);
	if (pk_device_write_probes(t, NULL))
		goto out;
	if (t->kd.ops->detach(&t->kd)) {
		pk_fail(t->r, "%s: ending the pin: %s", t->kd.ops->name,
			t->kd.err);
		goto attach;
	}
	if (pl->read(t, in))
		goto attach;
	pl_check_kept(t, pl, in);
	if (pl->reset(t) || pl->read(t, in))
		goto attach;
	pl_check_reset(t, pl, in);
	ret = 0;
attach:
	/* pinned again over the same pages (detach is safe after a failure) */
	if (t->kd.ops->attach(&t->kd)) {
		pk_fail(t->r, "%s: pinning the same pages again after the pin ended: %s",
			t->kd.ops->name, t->kd.err);
		ret = -1;
		goto out;
	}
	if (ret)
		goto out;
	breaks = t->breaks;
	if (pk_check_device(t, "the same pages pinned again after the pin ended"))
		ret = -1;
	else if (t->breaks != breaks)
		pk_fail(t->r, "pinned again after the pin ended, the device reads other bytes than the buffer holds: %s",
			t->first_break);
out:
	free(in);
	return ret;
}

static int pin_ends_clear_refs_begin(struct pk_tc *t)
{
	return pin_life_begin(t, &pl_clear_refs_life);
}

static int pin_ends_pagemap_scan_begin(struct pk_tc *t)
{
	return pin_life_begin(t, &pl_pagemap_scan_life);
}

static int pin_ends_uffd_rwp_begin(struct pk_tc *t)
{
	return pin_life_begin(t, &pl_uffd_rwp_life);
}

/* ---------------------------------------------------------------- */

static long ksm_full_scans(void)
{
	char buf[32];

	if (pk_read_file(KSM_FULL_SCANS, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static long ksm_scans_target;

static bool ksm_done(struct pk_tc *t)
{
	return pk_count_merged(t) == t->npages ||
	       ksm_full_scans() >= ksm_scans_target;
}

static int ksm_merge_begin(struct pk_tc *t)
{
	size_t merged;
	long scans = ksm_full_scans();

	if (scans < 0) {
		pk_skip(t->r, "no %s: kernel without CONFIG_KSM", KSM_FULL_SCANS);
		return 1;
	}
	if (!t->pfn_visible) {
		pk_skip(t->r, "cannot see KSM merging: /proc/self/pagemap hides PFNs (needs CAP_SYS_ADMIN)");
		return 1;
	}
	/* identical pages, so KSM wants to merge every one of them */
	memcpy(t->prev, t->expect, t->b.len);
	pk_pattern_fill_periodic(t->expect, t->b.len, t->seed++, t->page);
	memcpy(t->b.addr, t->expect, t->b.len);
	if (madvise(t->b.addr, t->b.len, MADV_MERGEABLE)) {
		pk_skip(t->r, "madvise(MADV_MERGEABLE): %s", strerror(errno));
		return 1;
	}
	/*
	 * Three more full scans: the one in progress may have passed the
	 * buffer already; of the two after it, the first puts the pages in
	 * the unstable tree and the second merges them.
	 */
	ksm_scans_target = scans + 3;
	pk_ksm_wait(t, ksm_done, 3.0);
	merged = pk_count_merged(t);
	pk_diag(t->r, "KSM merged %zu of %zu identical pages", merged,
		t->npages);
	if (holds_no_reference(t) && merged < t->npages)
		pk_fail(t->r, "KSM merged only %zu of %zu identical pages although the device holds no page reference",
			merged, t->npages);
	return 0;
}

/* ---------------------------------------------------------------- */

static bool swap_active(void)
{
	char buf[512];

	/* the header line only means no swap */
	if (pk_read_file("/proc/swaps", buf, sizeof(buf)))
		return false;
	return strchr(buf, '\n') != NULL;
}

/*
 * MADV_PAGEOUT.  Unmapping a page (pagemap: not present) is not reclaim:
 * a pinned shmem page is unmapped and stays in the page cache.  What a
 * page reference blocks is the write to swap, counted by pswpout.
 */
static int pageout_begin(struct pk_tc *t)
{
	uint64_t *pm = calloc(t->npages, sizeof(*pm));
	struct pk_vmstat v0, v1;
	size_t gone = 0, swapped = 0, i;
	int64_t out = 0;
	int tries;

	if (!pm) {
		pk_fail(t->r, "out of memory");
		return -1;
	}
	if (!swap_active()) {
		pk_skip(t->r, "no active swap (/proc/swaps is empty): MADV_PAGEOUT cannot reclaim anonymous or shmem pages; add zram or a swap device");
		free(pm);
		return 1;
	}
	pk_vmstat_read(&v0);
	for (tries = 0; tries < 3; tries++) {
		if (madvise(t->b.addr, t->b.len, MADV_PAGEOUT)) {
			int e = errno;

			free(pm);
			if (e == EINVAL) {
				pk_skip(t->r, "madvise(MADV_PAGEOUT): %s (Linux 5.4+)",
					strerror(e));
				return 1;
			}
			pk_fail(t->r, "madvise(MADV_PAGEOUT): %s", strerror(e));
			return -1;
		}
		pk_vmstat_read(&v1);
		out = v1.v[PK_VM_PSWPOUT] - v0.v[PK_VM_PSWPOUT];
		if (!holds_no_reference(t) || out >= (int64_t)t->npages)
			break;
	}
	if (!pk_pagemap_snapshot(t, pm)) {
		for (i = 0; i < t->npages; i++) {
			gone += !(pm[i] & PK_PM_PRESENT);
			swapped += !!(pm[i] & PK_PM_SWAPPED);
		}
	}
	free(pm);
	pk_diag(t->r, "MADV_PAGEOUT: %zu of %zu pages unmapped, %zu swap entries, pswpout %+" PRId64,
		gone, t->npages, swapped, out);
	if (holds_no_reference(t) && out <= 0)
		pk_fail(t->r, "MADV_PAGEOUT wrote none of %zu pages to swap (pswpout %+" PRId64 ") although the device holds no page reference",
			t->npages, out);
	return 0;
}

/* Parse "0-1,3" into a node bitmap (nodes < 64). */
static uint64_t parse_nodelist(const char *s)
{
	uint64_t mask = 0;

	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b;

		if (end == s)
			break;
		b = a;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (; a <= b && a < 64; a++)
			mask |= UINT64_C(1) << a;
		s = *end == ',' ? end + 1 : end;
		if (*s == '\n')
			break;
	}
	return mask;
}

static int migrate_begin(struct pk_tc *t)
{
	char list[128];
	uint64_t nodes;
	void **pages = calloc(t->npages, sizeof(*pages));
	int *status = calloc(t->npages, sizeof(*status));
	int *target = calloc(t->npages, sizeof(*target));
	int from, to = -1, ret = -1;
	size_t i, moved = 0, first_bad = (size_t)-1;
	long n;

	if (!pages || !status || !target) {
		pk_fail(t->r, "out of memory");
		goto out;
	}
	if (pk_read_file("/sys/devices/system/node/has_memory", list,
			 sizeof(list)) &&
	    pk_read_file("/sys/devices/system/node/online", list,
			 sizeof(list))) {
		pk_skip(t->r, "no /sys/devices/system/node: kernel without CONFIG_NUMA");
		ret = 1;
		goto out;
	}
	nodes = parse_nodelist(list);
	if (__builtin_popcountll(nodes) < 2) {
		pk_skip(t->r, "only one NUMA node with memory (%s): boot with two nodes (QEMU -numa) to test migration",
			list);
		ret = 1;
		goto out;
	}
	for (i = 0; i < t->npages; i++)
		pages[i] = t->b.addr + i * t->page;
	n = syscall(SYS_move_pages, 0, t->npages, pages, NULL, status, 0);
	if (n < 0) {
		if (errno == ENOSYS) {
			pk_skip(t->r, "move_pages: kernel without CONFIG_MIGRATION");
			ret = 1;
		} else {
			pk_fail(t->r, "move_pages (query): %s", strerror(errno));
		}
		goto out;
	}
	from = status[0];
	for (i = 0; i < 64; i++) {
		if ((nodes & (UINT64_C(1) << i)) && (int)i != from) {
			to = (int)i;
			break;
		}
	}
	for (i = 0; i < t->npages; i++)
		target[i] = to;
	n = syscall(SYS_move_pages, 0, t->npages, pages, target, status,
		    MPOL_MF_MOVE);
	if (n < 0) {
		pk_fail(t->r, "move_pages to node %d: %s", to, strerror(errno));
		goto out;
	}
	/*
	 * Ask where the pages are now: the per-page status of a move says
	 * -EBUSY for the tail pages of a THP that moved as a whole.
	 */
	/* the move's own verdict per page: a node, or -errno */
	memcpy(target, status, t->npages * sizeof(*status));
	n = syscall(SYS_move_pages, 0, t->npages, pages, NULL, status, 0);
	if (n < 0) {
		pk_fail(t->r, "move_pages (query after the move): %s",
			strerror(errno));
		goto out;
	}
	for (i = 0; i < t->npages; i++) {
		if (status[i] == to)
			moved++;
		else if (first_bad == (size_t)-1)
			first_bad = i;
	}
	if (first_bad == (size_t)-1) {
		pk_diag(t->r, "move_pages node %d -> %d: %zu of %zu pages moved",
			from, to, moved, t->npages);
	} else {
		/* tail pages of a THP report -EBUSY yet move with the head */
		const char *why = target[first_bad] < 0 ?
				  strerror(-target[first_bad]) : "not moved";

		pk_diag(t->r, "move_pages node %d -> %d: %zu of %zu pages moved, page %zu stayed on node %d (%s)",
			from, to, moved, t->npages, first_bad,
			status[first_bad], why);
		if (holds_no_reference(t))
			pk_fail(t->r, "move_pages left page %zu on node %d (%s) although the device holds no page reference",
				first_bad, status[first_bad], why);
	}
	ret = 0;
out:
	free(pages);
	free(status);
	free(target);
	return ret;
}

/* ---------------------------------------------------------------- */

/*
 * Split the huge mapping under the MR: a partial mprotect splits a PMD,
 * split_huge_pages (debugfs) splits the folio where the kernel can.  The
 * row is about a split, so one must have happened: the PMD mapping is gone
 * (smaps AnonHugePages drops) or fewer pages sit in large folios
 * (kpageflags THP).  Otherwise the case is skipped and says which.
 */
static int thp_split_begin(struct pk_tc *t)
{
	size_t before, after;
	long kb0, kb1;
	char req[128];

	if (t->kpf_fd < 0) {
		pk_skip(t->r, "cannot see a THP split: /proc/kpageflags unreadable (needs root)");
		return 1;
	}
	before = pk_count_kpf(t, &t->b, PK_KPF_THP);
	kb0 = pk_smaps_field_kb(t->b.addr, "AnonHugePages");
	/* PMD split: change the protection of one subpage and back */
	if (mprotect(t->b.addr + t->page, t->page, PROT_READ) ||
	    mprotect(t->b.addr + t->page, t->page, PROT_READ | PROT_WRITE)) {
		pk_fail(t->r, "partial mprotect: %s", strerror(errno));
		return -1;
	}
	/* folio split through debugfs, where the kernel offers it */
	snprintf(req, sizeof(req), "%d,0x%lx,0x%lx", getpid(),
		 (unsigned long)(uintptr_t)t->b.addr,
		 (unsigned long)(uintptr_t)(t->b.addr + t->b.len));
	if (!access(SPLIT_DEBUGFS, W_OK) &&
	    pk_write_file(SPLIT_DEBUGFS, req, t->err, sizeof(t->err)))
		pk_diag(t->r, "%s", t->err);
	after = pk_count_kpf(t, &t->b, PK_KPF_THP);
	kb1 = pk_smaps_field_kb(t->b.addr, "AnonHugePages");
	pk_diag(t->r, "THP split: %zu -> %zu pages in large folios, AnonHugePages %ld -> %ld kB",
		before, after, kb0, kb1);
	if (kb1 < kb0 || after < before)
		return 0;
	pk_skip(t->r, "no split happened: %zu of %zu pages stay in large folios and no PMD mapping went away (AnonHugePages %ld kB; %s)",
		after, t->npages, kb1,
		access(SPLIT_DEBUGFS, W_OK) ?
		"no " SPLIT_DEBUGFS " to split the folio" :
		"split_huge_pages left the folio whole, as it does for a pinned one");
	return 1;
}

static int collapse_begin(struct pk_tc *t)
{
	if (madvise(t->b.addr, t->b.len, MADV_COLLAPSE)) {
		if (errno == EINVAL) {
			pk_skip(t->r, "madvise(MADV_COLLAPSE): %s (Linux 6.1+ with THP)",
				strerror(errno));
			return 1;
		}
		/* a refusal (EAGAIN for a pinned page) is a result */
		pk_diag(t->r, "MADV_COLLAPSE refused: %s", strerror(errno));
		if (holds_no_reference(t))
			pk_fail(t->r, "MADV_COLLAPSE refused (%s) although the device holds no page reference",
				strerror(errno));
		return 0;
	}
	pk_diag(t->r, "MADV_COLLAPSE done, AnonHugePages %ld kB",
		pk_smaps_field_kb(t->b.addr, "AnonHugePages"));
	return 0;
}

static int mremap_begin(struct pk_tc *t)
{
	size_t align = 2u << 20, res_len = t->b.len + align;
	uint8_t *res, *dst;
	void *p;

	res = mmap(NULL, res_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	if (res == MAP_FAILED) {
		pk_fail(t->r, "mmap of the mremap destination: %s",
			strerror(errno));
		return -1;
	}
	dst = (uint8_t *)(((uintptr_t)res + align - 1) & ~(uintptr_t)(align - 1));
	p = mremap(t->b.addr, t->b.len, t->b.len,
		   MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	if (p == MAP_FAILED) {
		pk_fail(t->r, "mremap away to %p: %s", (void *)dst,
			strerror(errno));
		munmap(res, res_len);
		return -1;
	}
	{
		struct pk_mismatch m;

		if (pk_compare_probes(t, dst, false, &m))
			pk_break(t, "after mremap away, the CPU reads other bytes at the new address",
				 &m);
	}
	p = mremap(dst, t->b.len, t->b.len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   t->b.addr);
	munmap(res, res_len);
	if (p == MAP_FAILED) {
		pk_fail(t->r, "mremap back to %p: %s", (void *)t->b.addr,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- */

/*
 * The device accesses the unmapped pages [@first, npages) with the
 * operation of the case's direction (probes from @pfirst on lie there).
 * An MR without page references has nothing left to access: the requester
 * must get IBV_WC_REM_ACCESS_ERR.  A pinned MR still holds every page: it
 * must read the bytes from before munmap.
 */
static int hole_access(struct pk_tc *t, size_t first, size_t pfirst)
{
	struct pk_xfer x[PK_PROBES_MAX];
	uint8_t sel[PK_PROBES_MAX];
	const char *op;
	size_t i, n;
	uint64_t old;
	int ret;

	if (!(t->c->kind->flags & PK_KF_NO_REF)) {
		unsigned int breaks = t->breaks;

		if (pk_check_device(t, "after munmap of the upper half, the pinned MR reads other bytes than the buffer held before munmap"))
			return -1;
		if (t->breaks == breaks)
			pk_diag(t->r, "the pinned MR still reads the bytes from before munmap of pages %zu-%zu",
				first, t->npages - 1);
		return 0;
	}

	memset(sel, 0, sizeof(sel));
	for (i = pfirst; i < t->nprobe; i++)
		sel[i] = 1;
	n = pk_probe_xfers(t, sel, x);
	if (!n) {
		pk_fail(t->r, "internal: no probe page in the unmapped range from page %zu",
			first);
		return -1;
	}
	memset(t->kd.scratch, 0x5a, t->nprobe * t->page);
	switch (t->c->dir) {
	case PK_DIR_CPU_WRITE_RDMA_READ:
		op = t->kd.read_name;
		ret = t->kd.ops->read(&t->kd, x, n);
		break;
	case PK_DIR_RDMA_WRITE_CPU_READ:
		op = t->kd.write_name;
		ret = t->kd.ops->write(&t->kd, x, n);
		break;
	case PK_DIR_FETCH_ADD:
		op = "a FETCH_AND_ADD";
		ret = t->kd.ops->atomic(&t->kd, x[0].off, 1, &old);
		break;
	default:
		pk_fail(t->r, "internal: no access to an unmapped range for direction %s",
			pk_dir_name(t->c->dir));
		return -1;
	}
	if (!ret) {
		pk_fail(t->r, "%s of the unmapped range (MR offset 0x%zx, page %zu on) completed successfully, although the MR holds no page reference and the pages are unmapped: expected an error completion %s",
			op, x[0].off, first,
			ibv_wc_status_str(IBV_WC_REM_ACCESS_ERR));
		return 0;
	}
	if (t->kd.status != IBV_WC_REM_ACCESS_ERR) {
		pk_fail(t->r, "%s of the unmapped range (MR offset 0x%zx): expected an error completion %s, got: %s",
			op, x[0].off, ibv_wc_status_str(IBV_WC_REM_ACCESS_ERR),
			t->kd.err);
		return 0;
	}
	pk_diag(t->r, "%s of the unmapped range (MR offset 0x%zx) ended as expected: %s",
		op, x[0].off, t->kd.err);
	return 0;
}

/*
 * munmap the upper half of the buffer under the registered MR.  Without
 * @remap the device then accesses the hole (hole_access) and the round
 * that follows moves data through the mapped half only.  With @remap an
 * anonymous mapping with new contents takes the hole's place, and the
 * device must read the new contents.
 */
static int munmap_begin(struct pk_tc *t, bool remap)
{
	size_t first = t->npages / 2, off = first * t->page;
	size_t len = t->b.len - off, pfirst;
	void *p;
	int ret;

	if (munmap(t->b.addr + off, len)) {
		pk_fail(t->r, "munmap of %zu bytes at offset 0x%zx of the buffer: %s",
			len, off, strerror(errno));
		return -1;
	}
	/* the probes are sorted: the ones in the mapped half come first */
	for (pfirst = 0; pfirst < t->nprobe && t->probe[pfirst] < first;
	     pfirst++)
		;
	if (!remap) {
		ret = hole_access(t, first, pfirst);
		/* the CPU must not touch the hole: keep the mapped probes */
		t->nprobe = pfirst;
		return ret;
	}
	p = mmap(t->b.addr + off, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED) {
		pk_fail(t->r, "mmap(MAP_FIXED) of %zu anonymous bytes at offset 0x%zx of the buffer: %s",
			len, off, strerror(errno));
		return -1;
	}
	/* new contents: the hole's new pages and the mapped half */
	pk_cpu_write(t, t->seed++);
	if (pk_check_device(t, "after munmap and mmap MAP_FIXED with new contents, the device reads other bytes than the mapping holds now"))
		return -1;
	return 0;
}

/* ---------------------------------------------------------------- */

static int none_begin(struct pk_tc *t)
{
	(void)t;
	return 0;
}

static int mprotect_begin(struct pk_tc *t)
{
	if (mprotect(t->b.addr, t->b.len, PROT_READ) ||
	    mprotect(t->b.addr, t->b.len, PROT_READ | PROT_WRITE) ||
	    (t->have_twin &&
	     (mprotect(t->twin.addr, t->b.len, PROT_READ) ||
	      mprotect(t->twin.addr, t->b.len, PROT_READ | PROT_WRITE)))) {
		pk_fail(t->r, "mprotect: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int compact_begin(struct pk_tc *t)
{
	if (pk_write_file("/proc/sys/vm/compact_memory", "1", t->err,
			  sizeof(t->err))) {
		if (errno == ENOENT) {
			pk_skip(t->r, "no /proc/sys/vm/compact_memory: kernel without CONFIG_COMPACTION");
			return 1;
		}
		pk_fail(t->r, "%s", t->err);
		return -1;
	}
	return 0;
}

static int munmap_hole_begin(struct pk_tc *t)
{
	return munmap_begin(t, false);
}

static int munmap_remap_begin(struct pk_tc *t)
{
	return munmap_begin(t, true);
}

static int dontneed_begin(struct pk_tc *t)
{
	if (madvise(t->b.addr, t->b.len, MADV_DONTNEED)) {
		pk_fail(t->r, "madvise(MADV_DONTNEED): %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* fork_reap: the child of a fork row ends once the round is over */
static int fork_end(struct pk_tc *t)
{
	fork_reap(t);
	return 0;
}

/*
 * The disturbances.  To add one: its begin (and end) function above, one
 * line here and its enum pk_disturb value in pinkit.h; then a row in
 * rows.c says what must hold after it.
 */
const struct pk_disturb_desc pk_disturbs[PK_DIST_NR] = {
	[PK_DIST_NONE] = { "none", 1, 0, 0, none_begin, NULL },
	[PK_DIST_CLEAR_REFS] = { "clear_refs 4", 1, PK_DF_CLEAR_REFS, 0,
				 do_clear_refs, NULL },
	[PK_DIST_CLEAR_REFS_TWICE] = { "clear_refs 4 twice", 2,
				       PK_DF_CLEAR_REFS, 0, do_clear_refs,
				       NULL },
	[PK_DIST_FORK_PARENT_WRITES] = { "fork, parent writes", 1, 0, 0,
					 fork_begin, fork_end },
	[PK_DIST_FORK_CHILD_WRITES] = { "fork, child writes", 1, 0, 0,
					fork_begin, fork_end },
	[PK_DIST_FORK_CHILD_EXITS] = { "fork, child exits first", 1, 0, 0,
				       fork_begin, NULL },
	[PK_DIST_MPROTECT] = { "mprotect read-only then read-write", 1, 0, 0,
			       mprotect_begin, NULL },
	[PK_DIST_UFFD_WP] = { "UFFDIO_WRITEPROTECT then resolve", 1, 0, 0,
			      uffd_wp_begin, NULL },
	[PK_DIST_PAGEMAP_SCAN] = { "PAGEMAP_SCAN write-protect", 1, 0, 0,
				   pagemap_scan_begin, pagemap_scan_end },
	[PK_DIST_UFFD_RWP] = { "UFFDIO_RWPROTECT, device writes", 1, 0,
			       PK_KF_WRITES, uffd_rwp_begin, NULL },
	[PK_DIST_KSM_MERGE] = { "KSM merge", 1, 0, 0, ksm_merge_begin, NULL },
	[PK_DIST_PAGEOUT] = { "MADV_PAGEOUT", 1, 0, 0, pageout_begin, NULL },
	[PK_DIST_MIGRATE] = { "move_pages to another node", 1, 0, 0,
			      migrate_begin, NULL },
	[PK_DIST_COMPACT] = { "compaction", 1, 0, 0, compact_begin, NULL },
	[PK_DIST_THP_SPLIT] = { "THP split by partial mprotect", 1, 0, 0,
				thp_split_begin, NULL },
	[PK_DIST_COLLAPSE] = { "MADV_COLLAPSE", 1, 0, 0, collapse_begin,
			       NULL },
	[PK_DIST_MREMAP] = { "mremap away and back", 1, 0, 0, mremap_begin,
			     NULL },
	[PK_DIST_MUNMAP] = { "munmap of the upper half", 1, PK_DF_HALF_UNMAP,
			     0, munmap_hole_begin, NULL },
	[PK_DIST_MUNMAP_REMAP] = { "munmap of the upper half and mmap MAP_FIXED with new contents",
				   1, PK_DF_HALF_UNMAP,
				   PK_KF_VERBS | PK_KF_NO_REF,
				   munmap_remap_begin, NULL },
	[PK_DIST_MADV_DONTNEED] = { "MADV_DONTNEED after registration", 1, 0,
				    0, dontneed_begin, NULL },
	[PK_DIST_PIN_ENDS_CLEAR_REFS] = { "clear_refs 4 while pinned, the pin ends",
					  1, 0, PK_KF_PIN | PK_KF_WRITES,
					  pin_ends_clear_refs_begin, NULL },
	[PK_DIST_PIN_ENDS_PAGEMAP_SCAN] = { "PAGEMAP_SCAN reset while pinned, the pin ends",
					    1, 0, PK_KF_PIN | PK_KF_WRITES,
					    pin_ends_pagemap_scan_begin, NULL },
	[PK_DIST_PIN_ENDS_UFFD_RWP] = { "UFFDIO_RWPROTECT while pinned, the pin ends",
					1, 0, PK_KF_PIN | PK_KF_WRITES,
					pin_ends_uffd_rwp_begin, NULL },
};

const char *pk_disturb_name(enum pk_disturb d)
{
	return d < PK_DIST_NR ? pk_disturbs[d].name : "?";
}

void pk_disturb_cleanup(struct pk_tc *t)
{
	if (t->child > 0)
		kill(t->child, SIGKILL);
	fork_reap(t);
	if (t->uffd >= 0) {
		close(t->uffd);
		t->uffd = -1;
	}
}
