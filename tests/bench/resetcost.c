// SPDX-License-Identifier: GPL-2.0
/*
 * resetcost [MIB] - what one tracking reset costs per page, run in a guest
 * (make exec CMD=...; tests/bench/resetcost.sh boots the kernels to compare).
 *
 * For a private anonymous mapping (4 KiB pages, MADV_NOHUGEPAGE) and a
 * shared memfd mapping of MIB MiB each (default 256): write every page, then
 * time one reset over the mapping, five times, and print the median:
 *
 *	clear_refs	"4" to /proc/self/clear_refs (the whole mm, so both
 *			mappings: the figure is per page of both)
 *	pagemap-wp	PAGEMAP_SCAN with PM_SCAN_WP_MATCHING over the mapping
 *	uffd-wp		UFFDIO_WRITEPROTECT of the mapping (async uffd-wp)
 *
 * first in an mm that never pinned a page, then again after an io_uring
 * fixed buffer of one unrelated page has set MMF_HAS_PINNED.  A benchmark,
 * not a test: it prints figures ("# figure: resetcost ...") and fails only
 * when a reset itself fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "uapi_compat.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 1U
#endif

#define REPS 5

enum reset { RESET_CLEAR_REFS, RESET_PAGEMAP_WP, RESET_UFFD_WP, NR_RESETS };
static const char *const reset_names[NR_RESETS] = {
	"clear_refs", "pagemap-wp", "uffd-wp",
};

struct area {
	const char *name;
	char *addr;
	size_t len;
};

static long page_size;
static int clear_refs_fd = -1, pagemap_fd = -1, uffd = -1;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void touch(const struct area *a, int round)
{
	size_t off;

	for (off = 0; off < a->len; off += page_size)
		a->addr[off] = (char)(round + 1);
}

static int do_reset(enum reset r, const struct area *a)
{
	struct page_region regs[1];
	struct pm_scan_arg arg;
	struct uffdio_writeprotect wp;

	switch (r) {
	case RESET_CLEAR_REFS:
		return write(clear_refs_fd, "4", 1) == 1 ? 0 : -1;
	case RESET_PAGEMAP_WP:
		memset(&arg, 0, sizeof(arg));
		arg.size = sizeof(arg);
		arg.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC;
		arg.start = (uintptr_t)a->addr;
		arg.end = (uintptr_t)a->addr + a->len;
		arg.vec = (uintptr_t)regs;
		arg.vec_len = 1;
		arg.category_mask = PAGE_IS_WRITTEN;
		arg.return_mask = PAGE_IS_WRITTEN;
		/* one region: the whole range is written, so one call */
		return ioctl(pagemap_fd, PAGEMAP_SCAN, &arg) < 0 ? -1 : 0;
	case RESET_UFFD_WP:
		memset(&wp, 0, sizeof(wp));
		wp.range.start = (uintptr_t)a->addr;
		wp.range.len = a->len;
		wp.mode = UFFDIO_WRITEPROTECT_MODE_WP;
		return ioctl(uffd, UFFDIO_WRITEPROTECT, &wp);
	default:
		return -1;
	}
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static int measure(const struct area *a, const char *mm_state,
		   size_t total_pages)
{
	double t[REPS], t0;
	enum reset r;
	size_t pages;
	int i;

	for (r = 0; r < NR_RESETS; r++) {
		/* clear_refs resets every mapping of the mm */
		pages = r == RESET_CLEAR_REFS ? total_pages : a->len / page_size;
		for (i = 0; i < REPS; i++) {
			touch(a, i);
			t0 = now_ns();
			if (do_reset(r, a)) {
				fprintf(stderr, "resetcost: %s on %s failed: %s\n",
					reset_names[r], a->name, strerror(errno));
				return -1;
			}
			t[i] = now_ns() - t0;
		}
		qsort(t, REPS, sizeof(t[0]), cmp_double);
		printf("# figure: resetcost %-7s %-12s %-10s %8.1f ns/page %9.2f ms (median of %d, %zu pages)\n",
		       a->name, mm_state, reset_names[r], t[REPS / 2] / pages,
		       t[REPS / 2] / 1e6, REPS, pages);
	}
	return 0;
}

/* An io_uring fixed buffer of one page: pins it, sets MMF_HAS_PINNED. */
static int pin_one_page(void **page)
{
	struct {
		uint32_t sq_entries, cq_entries, flags, sq_thread_cpu;
		uint32_t sq_thread_idle, features, wq_fd, resv[3];
		uint64_t sq_off[5], cq_off[5];
	} p;
	struct iovec iov;
	int ring;

	memset(&p, 0, sizeof(p));
	ring = syscall(__NR_io_uring_setup, 4, &p);
	if (ring < 0)
		return -1;
	*page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*page == MAP_FAILED)
		return -1;
	iov.iov_base = *page;
	iov.iov_len = page_size;
	/* IORING_REGISTER_BUFFERS = 0 */
	if (syscall(__NR_io_uring_register, ring, 0, &iov, 1) < 0)
		return -1;
	return ring;
}

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct area areas[2];
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 256;
	void *pinned;
	int memfd, ring, i, rc = 1;

	page_size = sysconf(_SC_PAGESIZE);
	if (!mib || mib > 4096) {
		fprintf(stderr, "resetcost: MIB '%s': give 1 to 4096\n", argv[1]);
		return 2;
	}
	areas[0].name = "anon";
	areas[0].len = mib << 20;
	areas[0].addr = mmap(NULL, areas[0].len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (areas[0].addr == MAP_FAILED) {
		perror("resetcost: mmap of the anonymous area");
		goto out;
	}
	madvise(areas[0].addr, areas[0].len, MADV_NOHUGEPAGE);
	memfd = memfd_create("resetcost", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, mib << 20)) {
		perror("resetcost: memfd of the shared area");
		goto out;
	}
	areas[1].name = "memfd";
	areas[1].len = mib << 20;
	areas[1].addr = mmap(NULL, areas[1].len, PROT_READ | PROT_WRITE,
			     MAP_SHARED, memfd, 0);
	if (areas[1].addr == MAP_FAILED) {
		perror("resetcost: mmap of the memfd");
		goto out;
	}
	/* opened once: the timed reset is the write or ioctl alone */
	clear_refs_fd = open("/proc/self/clear_refs", O_WRONLY);
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (clear_refs_fd < 0 || pagemap_fd < 0 || uffd < 0) {
		perror("resetcost: /proc/self/clear_refs, /proc/self/pagemap or userfaultfd");
		goto out;
	}
	api.features = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED |
		       UFFD_FEATURE_WP_HUGETLBFS_SHMEM;
	if (ioctl(uffd, UFFDIO_API, &api)) {
		perror("resetcost: UFFDIO_API with async uffd-wp");
		goto out;
	}
	for (i = 0; i < 2; i++) {
		memset(&reg, 0, sizeof(reg));
		reg.range.start = (uintptr_t)areas[i].addr;
		reg.range.len = areas[i].len;
		reg.mode = UFFDIO_REGISTER_MODE_WP;
		if (ioctl(uffd, UFFDIO_REGISTER, &reg)) {
			fprintf(stderr, "resetcost: UFFDIO_REGISTER of %s: %s\n",
				areas[i].name, strerror(errno));
			goto out;
		}
		touch(&areas[i], 0);
	}
	for (i = 0; i < 2; i++)
		if (measure(&areas[i], "never-pinned", 2 * (mib << 20) / page_size))
			goto out;
	ring = pin_one_page(&pinned);
	if (ring < 0) {
		perror("resetcost: io_uring fixed buffer (to set MMF_HAS_PINNED)");
		goto out;
	}
	for (i = 0; i < 2; i++)
		if (measure(&areas[i], "has-pinned", 2 * (mib << 20) / page_size))
			goto out;
	rc = 0;
out:
	return rc;
}
