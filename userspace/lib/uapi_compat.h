/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The uapi that Debian 12's C library and kernel headers (Linux 6.1) lack:
 * one copy for the suite (internal.h includes it) and the benchmarks.
 */
#ifndef PINKIT_UAPI_COMPAT_H
#define PINKIT_UAPI_COMPAT_H

#include <linux/userfaultfd.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
#ifndef UFFD_FEATURE_WP_HUGETLBFS_SHMEM
#define UFFD_FEATURE_WP_HUGETLBFS_SHMEM	(1 << 12)
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED	(1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC		(1 << 15)
#endif

/* PAGEMAP_SCAN (Linux 6.7, include/uapi/linux/fs.h); absent in older headers */
#ifndef PAGEMAP_SCAN
struct page_region {
	uint64_t start;
	uint64_t end;
	uint64_t categories;
};

struct pm_scan_arg {
	uint64_t size;
	uint64_t flags;
	uint64_t start;
	uint64_t end;
	uint64_t walk_end;
	uint64_t vec;
	uint64_t vec_len;
	uint64_t max_pages;
	uint64_t category_inverted;
	uint64_t category_mask;
	uint64_t category_anyof_mask;
	uint64_t return_mask;
};

#define PAGEMAP_SCAN		_IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_WRITTEN		(1 << 1)
#define PM_SCAN_WP_MATCHING	(1 << 0)
#define PM_SCAN_CHECK_WPASYNC	(1 << 1)
#endif

/* uffd-rwp (Linux 7.3, include/uapi/linux/{userfaultfd,fs}.h) */
#ifndef UFFD_FEATURE_RWP
#define UFFD_FEATURE_RWP		(1 << 17)
#define UFFD_FEATURE_RWP_ASYNC		(1 << 18)
#define UFFDIO_REGISTER_MODE_RWP	((uint64_t)1 << 3)
#define _UFFDIO_RWPROTECT		(0x09)
struct uffdio_rwprotect {
	struct uffdio_range range;
	uint64_t mode;
};
#define UFFDIO_RWPROTECT_MODE_RWP	((uint64_t)1 << 0)
#define UFFDIO_RWPROTECT	_IOWR(UFFDIO, _UFFDIO_RWPROTECT, \
				      struct uffdio_rwprotect)
#endif
#ifndef PAGE_IS_ACCESSED
#define PAGE_IS_ACCESSED	(1 << 9)
#endif

#endif /* PINKIT_UAPI_COMPAT_H */
