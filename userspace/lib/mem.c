// SPDX-License-Identifier: GPL-2.0
/*
 * Backings: the memory an MR is registered on.  Each one is verified to be
 * what its name says (a PMD-mapped THP really is one) or the case is
 * skipped with the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE	14
#endif
#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE	15
#endif
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT	26
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB	(21 << MAP_HUGE_SHIFT)
#endif

#define SZ_64K		(64u << 10)
#define SZ_2M		(2u << 20)
#define SMALL_LEN	(16u * 4096u)

#define THP_SYSFS	"/sys/kernel/mm/transparent_hugepage"
#define MTHP_64K	THP_SYSFS "/hugepages-64kB/enabled"
#define HUGETLB_FREE	"/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
#define KSM_SYSFS	"/sys/kernel/mm/ksm"

size_t pk_backing_len(enum pk_backing b)
{
	switch (b) {
	case PK_BACK_ANON_THP:
	case PK_BACK_ANON_THP_PTE:
	case PK_BACK_HUGETLB_2M:
		return SZ_2M;
	case PK_BACK_ANON_MTHP:
		return 4 * SZ_64K;
	default:
		return SMALL_LEN;
	}
}

int pk_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

int pk_write_file(const char *path, const char *val, char *err, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t vlen = strlen(val);
	ssize_t n;

	if (fd < 0) {
		snprintf(err, len, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	n = write(fd, val, vlen);
	if (n != (ssize_t)vlen) {
		snprintf(err, len, "cannot write '%s' to %s: %s", val, path,
			 n < 0 ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Map @len bytes aligned to @align inside a larger anonymous mapping. */
static int map_aligned(struct pk_buf *b, size_t len, size_t align, int flags,
		       struct pk_result *r)
{
	uintptr_t a;

	b->map_len = len + align;
	b->map = mmap(NULL, b->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		pk_fail(r, "mmap of %zu anonymous bytes: %s", b->map_len,
			strerror(errno));
		return -1;
	}
	a = ((uintptr_t)b->map + align - 1) & ~(uintptr_t)(align - 1);
	b->addr = (uint8_t *)a;
	b->len = len;
	return 0;
}

static void thp_settings(char *buf, size_t len)
{
	char en[96] = "?", df[96] = "?";

	pk_read_file(THP_SYSFS "/enabled", en, sizeof(en));
	pk_read_file(THP_SYSFS "/defrag", df, sizeof(df));
	snprintf(buf, len, "transparent_hugepage/enabled: %s, defrag: %s", en,
		 df);
}

size_t pk_count_kpf(struct pk_tc *t, const struct pk_buf *b, unsigned int bit)
{
	uint64_t *pm = calloc(t->npages, sizeof(*pm));
	uint64_t *fl = calloc(t->npages, sizeof(*fl));
	size_t i, n = 0;

	if (pm && fl && t->kpf_fd >= 0 &&
	    !pk_pagemap_read(t->pm_fd, b->addr, t->npages, t->page, pm) &&
	    !pk_kpageflags_read_many(t->kpf_fd, pm, t->npages, fl)) {
		for (i = 0; i < t->npages; i++)
			n += pk_kpf_test(fl[i], bit);
	}
	free(pm);
	free(fl);
	return n;
}

/* Anonymous THP, faulted in and checked to be PMD-mapped. */
static int make_thp(struct pk_tc *t, struct pk_buf *b)
{
	char why[256];
	long kb;

	if (map_aligned(b, SZ_2M, SZ_2M, 0, t->r))
		return -1;
	if (madvise(b->addr, SZ_2M, MADV_HUGEPAGE)) {
		pk_skip(t->r, "madvise(MADV_HUGEPAGE): %s (kernel without CONFIG_TRANSPARENT_HUGEPAGE?)",
			strerror(errno));
		return 1;
	}
	pk_copy_probes(t, b->addr, t->expect);
	kb = pk_smaps_field_kb(b->addr, "AnonHugePages");
	if (kb < 2048) {
		thp_settings(why, sizeof(why));
		pk_skip(t->r, "no PMD-mapped THP after a MADV_HUGEPAGE fault (smaps AnonHugePages %ld kB; %s)",
			kb, why);
		return 1;
	}
	return 0;
}

/* Set the 64 KiB mTHP policy; returns the old value in @old. */
static int mthp_set(const char *val, char *old, size_t oldlen, char *err,
		    size_t errlen)
{
	char cur[128], *l, *rb;

	if (pk_read_file(MTHP_64K, cur, sizeof(cur))) {
		snprintf(err, errlen, "no 64 KiB mTHP control %s: %s (kernel before 6.8 or without THP)",
			 MTHP_64K, strerror(errno));
		return -1;
	}
	/* "always inherit madvise [never]" -> "never" */
	l = strchr(cur, '[');
	rb = l ? strchr(l, ']') : NULL;
	if (!l || !rb) {
		snprintf(err, errlen, "cannot parse %s: '%s'", MTHP_64K, cur);
		return -1;
	}
	*rb = '\0';
	snprintf(old, oldlen, "%s", l + 1);
	return pk_write_file(MTHP_64K, val, err, errlen);
}

static int make_mthp(struct pk_tc *t, struct pk_buf *b)
{
	char old[32], err[PK_ERR_MAX];
	size_t n;

	if (mthp_set("always", old, sizeof(old), err, sizeof(err))) {
		pk_skip(t->r, "%s", err);
		return 1;
	}
	if (map_aligned(b, 4 * SZ_64K, SZ_64K, 0, t->r)) {
		pk_write_file(MTHP_64K, old, err, sizeof(err));
		return -1;
	}
	pk_copy_probes(t, b->addr, t->expect);
	if (pk_write_file(MTHP_64K, old, err, sizeof(err)))
		pk_diag(t->r, "restoring the mTHP policy: %s", err);
	if (t->kpf_fd < 0) {
		pk_skip(t->r, "cannot verify mTHP: /proc/kpageflags unreadable (needs root)");
		return 1;
	}
	n = pk_count_kpf(t, b, PK_KPF_THP);
	if (n != t->npages) {
		pk_skip(t->r, "no 64 KiB mTHP after the fault: %zu of %zu pages are in a large folio (kpageflags THP)",
			n, t->npages);
		return 1;
	}
	return 0;
}

size_t pk_count_merged(struct pk_tc *t)
{
	uint64_t *pm = calloc(t->npages, sizeof(*pm));
	size_t n = 0;

	if (pm && !pk_pagemap_snapshot(t, pm))
		n = pk_count_shared_pfns(pm, t->npages);
	free(pm);
	return n;
}

static bool ksm_all_merged(struct pk_tc *t)
{
	return pk_count_merged(t) == t->npages;
}

bool pk_ksm_wait(struct pk_tc *t, bool (*done)(struct pk_tc *t), double secs)
{
	static const char *const knobs[] = { "run", "pages_to_scan",
					     "sleep_millisecs" };
	static const char *const want[] = { "1", "4096", "0" };
	char old[3][32], err[PK_ERR_MAX];
	double deadline = pk_now() + secs;
	bool ok = false;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		char path[128];

		snprintf(path, sizeof(path), KSM_SYSFS "/%s", knobs[i]);
		if (pk_read_file(path, old[i], sizeof(old[i])))
			old[i][0] = '\0';
		if (pk_write_file(path, want[i], err, sizeof(err)))
			pk_diag(t->r, "ksm: %s", err);
	}
	while (pk_now() < deadline) {
		if (done(t)) {
			ok = true;
			break;
		}
		usleep(2000);
	}
	for (i = 3; i-- > 0;) {
		char path[128];

		snprintf(path, sizeof(path), KSM_SYSFS "/%s", knobs[i]);
		if (old[i][0])
			pk_write_file(path, old[i], err, sizeof(err));
	}
	return ok;
}

static int make_ksm(struct pk_tc *t, struct pk_buf *b)
{
	char run[32];

	if (map_aligned(b, SMALL_LEN, 4096, 0, t->r))
		return -1;
	madvise(b->addr, b->len, MADV_NOHUGEPAGE);
	/* identical pages, so KSM merges all of them into one */
	pk_pattern_fill_periodic(t->expect, b->len, t->seed++, t->page);
	pk_copy_probes(t, b->addr, t->expect);
	if (pk_read_file(KSM_SYSFS "/run", run, sizeof(run))) {
		pk_skip(t->r, "no %s/run: kernel without CONFIG_KSM", KSM_SYSFS);
		return 1;
	}
	if (!t->pfn_visible) {
		pk_skip(t->r, "cannot verify KSM merging: /proc/self/pagemap hides PFNs (needs CAP_SYS_ADMIN)");
		return 1;
	}
	if (madvise(b->addr, b->len, MADV_MERGEABLE)) {
		pk_skip(t->r, "madvise(MADV_MERGEABLE): %s", strerror(errno));
		return 1;
	}
	if (!pk_ksm_wait(t, ksm_all_merged, 3.0)) {
		pk_skip(t->r, "ksmd did not merge the %zu identical pages within 3 s (%zu merged)",
			t->npages, pk_count_merged(t));
		return 1;
	}
	return 0;
}

static int make_hugetlb(struct pk_tc *t, struct pk_buf *b)
{
	char free_pages[32] = "?";

	pk_read_file(HUGETLB_FREE, free_pages, sizeof(free_pages));
	b->map_len = SZ_2M;
	b->map = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB,
		      -1, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		pk_skip(t->r, "no free 2 MiB hugetlb page: mmap(MAP_HUGETLB): %s (free_hugepages %s; reserve with 'echo 4 > /proc/sys/vm/nr_hugepages')",
			strerror(errno), free_pages);
		return 1;
	}
	b->addr = b->map;
	b->len = SZ_2M;
	pk_copy_probes(t, b->addr, t->expect);
	return 0;
}

static int make_memfd(struct pk_tc *t, struct pk_buf *b, bool shared)
{
	size_t off;

	b->fd = memfd_create(shared ? "pinkit-shared" : "pinkit-private",
			     MFD_CLOEXEC);
	if (b->fd < 0) {
		pk_fail(t->r, "memfd_create: %s", strerror(errno));
		return -1;
	}
	if (ftruncate(b->fd, (off_t)SMALL_LEN)) {
		pk_fail(t->r, "ftruncate(memfd, %u): %s", SMALL_LEN,
			strerror(errno));
		return -1;
	}
	if (!shared) {
		/* the file holds the data; the private mapping only reads it */
		if (pwrite(b->fd, t->expect, SMALL_LEN, 0) != SMALL_LEN) {
			pk_fail(t->r, "pwrite of %u bytes to the tmpfs file: %s",
				SMALL_LEN, strerror(errno));
			return -1;
		}
	}
	b->map_len = SMALL_LEN;
	b->map = mmap(NULL, SMALL_LEN, PROT_READ | PROT_WRITE,
		      shared ? MAP_SHARED : MAP_PRIVATE, b->fd, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		pk_fail(t->r, "mmap of the %s memfd: %s",
			shared ? "shared" : "private", strerror(errno));
		return -1;
	}
	b->addr = b->map;
	b->len = SMALL_LEN;
	b->shared = shared;
	if (shared) {
		pk_copy_probes(t, b->addr, t->expect);
	} else {
		/* read-fault the file pages in; nothing is copied yet */
		for (off = 0; off < b->len; off += t->page)
			(void)*(volatile uint8_t *)(b->addr + off);
	}
	return 0;
}

int pk_buf_create(struct pk_tc *t, struct pk_buf *b)
{
	int ret;

	b->backing = t->c->backing;
	b->fd = -1;
	b->len = pk_backing_len(b->backing);

	switch (b->backing) {
	case PK_BACK_ANON_4K:
		if (map_aligned(b, SMALL_LEN, 4096, 0, t->r))
			return -1;
		madvise(b->addr, b->len, MADV_NOHUGEPAGE);
		pk_copy_probes(t, b->addr, t->expect);
		return 0;
	case PK_BACK_ZERO:
		if (map_aligned(b, SMALL_LEN, 4096, 0, t->r))
			return -1;
		madvise(b->addr, b->len, MADV_NOHUGEPAGE);
		/* never touched: every read sees the shared zero page */
		memset(t->expect, 0, b->len);
		return 0;
	case PK_BACK_ANON_THP:
		return make_thp(t, b);
	case PK_BACK_ANON_THP_PTE:
		ret = make_thp(t, b);
		if (ret)
			return ret;
		/* PTE-map the THP: change one subpage's protection and back */
		if (mprotect(b->addr + t->page, t->page, PROT_READ) ||
		    mprotect(b->addr + t->page, t->page,
			     PROT_READ | PROT_WRITE)) {
			pk_fail(t->r, "mprotect to PTE-map the THP: %s",
				strerror(errno));
			return -1;
		}
		if (pk_smaps_field_kb(b->addr, "AnonHugePages") != 0) {
			pk_skip(t->r, "the THP stayed PMD-mapped after a partial mprotect");
			return 1;
		}
		if (t->kpf_fd >= 0 && pk_count_kpf(t, b, PK_KPF_THP) != t->npages) {
			pk_skip(t->r, "the THP was split instead of PTE-mapped (%zu of %zu pages still THP)",
				pk_count_kpf(t, b, PK_KPF_THP), t->npages);
			return 1;
		}
		return 0;
	case PK_BACK_ANON_MTHP:
		return make_mthp(t, b);
	case PK_BACK_HUGETLB_2M:
		return make_hugetlb(t, b);
	case PK_BACK_MEMFD_SHARED:
		return make_memfd(t, b, true);
	case PK_BACK_TMPFS_PRIVATE:
		return make_memfd(t, b, false);
	case PK_BACK_KSM:
		return make_ksm(t, b);
	default:
		pk_fail(t->r, "internal: unknown backing %d", b->backing);
		return -1;
	}
}

void pk_buf_destroy(struct pk_buf *b)
{
	if (b->map)
		munmap(b->map, b->map_len);
	if (b->fd >= 0)
		close(b->fd);
	b->map = NULL;
	b->addr = NULL;
	b->fd = -1;
}
