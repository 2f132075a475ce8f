// SPDX-License-Identifier: GPL-2.0
/* pagemap / kpageflags / smaps / vmstat decoding. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kernel-page-flags.h>

#include "unit.h"

/* A present, soft-dirty, exclusive entry with a PFN. */
static void pme_present(void)
{
	uint64_t raw = PK_PM_PRESENT | PK_PM_SOFT_DIRTY | PK_PM_EXCLUSIVE |
		       UINT64_C(0x12345);
	struct pk_pme e;

	pk_pme_decode(raw, &e);
	CU_ASSERT_TRUE(e.present);
	CU_ASSERT_TRUE(e.soft_dirty);
	CU_ASSERT_TRUE(e.exclusive);
	CU_ASSERT_FALSE(e.swapped);
	CU_ASSERT_FALSE(e.file);
	CU_ASSERT_FALSE(e.uffd_wp);
	CU_ASSERT_EQUAL(e.pfn, 0x12345);
}

/* A swapped entry carries swap type/offset, never a PFN. */
static void pme_swapped(void)
{
	struct pk_pme e;

	pk_pme_decode(PK_PM_SWAPPED | PK_PM_UFFD_WP | 0x777, &e);
	CU_ASSERT_FALSE(e.present);
	CU_ASSERT_TRUE(e.swapped);
	CU_ASSERT_TRUE(e.uffd_wp);
	CU_ASSERT_EQUAL(e.pfn, 0);
	pk_pme_decode(0, &e);
	CU_ASSERT_FALSE(e.present || e.swapped || e.soft_dirty);
}

/*
 * The kpageflags bit numbers against the kernel's own uapi header, and the
 * pagemap bits against what the running kernel reports: a written private
 * page is present and exclusive, a page of a shared memfd is a "file or
 * shared anon" page, and a written page is soft-dirty where the kernel
 * tracks soft-dirty at all.
 */
static void pme_bits(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	uint64_t pm;
	uint8_t *p, *q;
	int fd, mfd;
	bool tracks;

	CU_ASSERT_EQUAL(PK_KPF_LOCKED, KPF_LOCKED);
	CU_ASSERT_EQUAL(PK_KPF_DIRTY, KPF_DIRTY);
	CU_ASSERT_EQUAL(PK_KPF_LRU, KPF_LRU);
	CU_ASSERT_EQUAL(PK_KPF_ANON, KPF_ANON);
	CU_ASSERT_EQUAL(PK_KPF_SWAPCACHE, KPF_SWAPCACHE);
	CU_ASSERT_EQUAL(PK_KPF_SWAPBACKED, KPF_SWAPBACKED);
	CU_ASSERT_EQUAL(PK_KPF_COMPOUND_HEAD, KPF_COMPOUND_HEAD);
	CU_ASSERT_EQUAL(PK_KPF_COMPOUND_TAIL, KPF_COMPOUND_TAIL);
	CU_ASSERT_EQUAL(PK_KPF_HUGE, KPF_HUGE);
	CU_ASSERT_EQUAL(PK_KPF_NOPAGE, KPF_NOPAGE);
	CU_ASSERT_EQUAL(PK_KPF_KSM, KPF_KSM);
	CU_ASSERT_EQUAL(PK_KPF_THP, KPF_THP);
	CU_ASSERT_EQUAL(PK_KPF_ZERO_PAGE, KPF_ZERO_PAGE);

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ut_skip("/proc/self/pagemap unreadable: %s", strerror(errno));
		return;
	}
	p = mmap(NULL, (size_t)psz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(p != MAP_FAILED);
	p[0] = 1;
	CU_ASSERT_EQUAL_FATAL(pk_pagemap_read(fd, p, 1, (size_t)psz, &pm), 0);
	CU_ASSERT_TRUE(!!(pm & PK_PM_PRESENT));
	CU_ASSERT_TRUE(!!(pm & PK_PM_EXCLUSIVE));
	CU_ASSERT_FALSE(!!(pm & (PK_PM_SWAPPED | PK_PM_FILE | PK_PM_UFFD_WP)));
	/* a new mapping starts soft-dirty where the kernel tracks it */
	tracks = !!(pm & PK_PM_SOFT_DIRTY);

	mfd = memfd_create("pme-bits", MFD_CLOEXEC);
	CU_ASSERT_FATAL(mfd >= 0);
	CU_ASSERT_FATAL(ftruncate(mfd, psz) == 0);
	q = mmap(NULL, (size_t)psz, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	CU_ASSERT_FATAL(q != MAP_FAILED);
	q[0] = 1;
	CU_ASSERT_EQUAL_FATAL(pk_pagemap_read(fd, q, 1, (size_t)psz, &pm), 0);
	CU_ASSERT_TRUE(!!(pm & PK_PM_PRESENT));
	CU_ASSERT_TRUE(!!(pm & PK_PM_FILE));
	munmap(q, (size_t)psz);
	close(mfd);

	/* soft-dirty: clear_refs 4 clears it, the next write sets it */
	if (!tracks) {
		ut_skip("kernel without soft-dirty tracking (a new written page is not soft-dirty): bit 55 not checked");
	} else {
		int cfd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);

		CU_ASSERT_FATAL(cfd >= 0);
		CU_ASSERT_EQUAL(write(cfd, "4", 1), 1);
		close(cfd);
		CU_ASSERT_EQUAL(pk_pagemap_read(fd, p, 1, (size_t)psz, &pm), 0);
		CU_ASSERT_FALSE(!!(pm & PK_PM_SOFT_DIRTY));
		p[0] = 2;
		CU_ASSERT_EQUAL(pk_pagemap_read(fd, p, 1, (size_t)psz, &pm), 0);
		CU_ASSERT_TRUE(!!(pm & PK_PM_SOFT_DIRTY));
	}
	munmap(p, (size_t)psz);
	close(fd);
}

static void kpf_describe(void)
{
	char buf[128];
	uint64_t f = (UINT64_C(1) << PK_KPF_ANON) | (UINT64_C(1) << PK_KPF_THP) |
		     (UINT64_C(1) << PK_KPF_COMPOUND_HEAD);

	CU_ASSERT_TRUE(pk_kpf_test(f, PK_KPF_THP));
	CU_ASSERT_FALSE(pk_kpf_test(f, PK_KPF_KSM));
	CU_ASSERT_STRING_EQUAL(pk_kpf_describe(f, buf, sizeof(buf)),
			       "anon|thp|head");
	CU_ASSERT_STRING_EQUAL(pk_kpf_describe(0, buf, sizeof(buf)), "-");
	/* a short buffer truncates at a flag boundary, stays terminated */
	pk_kpf_describe(f, buf, 9);
	CU_ASSERT_STRING_EQUAL(buf, "anon|thp");
	pk_kpf_describe(f, buf, 8);
	CU_ASSERT_STRING_EQUAL(buf, "anon");
}

/* Pages that map the same PFN (KSM, the zero page) are counted. */
static void shared_pfns(void)
{
	uint64_t pm[6] = {
		PK_PM_PRESENT | 10, PK_PM_PRESENT | 11, PK_PM_PRESENT | 10,
		PK_PM_SWAPPED | 10, 0, PK_PM_PRESENT | 12,
	};

	CU_ASSERT_EQUAL(pk_count_shared_pfns(pm, 6), 2);
	pm[5] = PK_PM_PRESENT | 11;
	CU_ASSERT_EQUAL(pk_count_shared_pfns(pm, 6), 4);
	CU_ASSERT_EQUAL(pk_count_shared_pfns(pm, 1), 0);
}

/* kpageflags of runs of PFNs, read from a fake kpageflags file. */
static void kpageflags_runs(void)
{
	char path[] = "/tmp/pinkit-kpf-XXXXXX";
	uint64_t pm[5] = {
		PK_PM_PRESENT | 4, PK_PM_PRESENT | 5, PK_PM_PRESENT | 6,
		0, PK_PM_PRESENT | 2,
	};
	uint64_t flags[5], v;
	int fd = mkstemp(path), i;

	CU_ASSERT_FATAL(fd >= 0);
	unlink(path);
	for (i = 0; i < 8; i++) {
		v = 0x100 + (uint64_t)i;
		CU_ASSERT_EQUAL_FATAL(pwrite(fd, &v, 8, i * 8), 8);
	}
	CU_ASSERT_EQUAL(pk_kpageflags_read_many(fd, pm, 5, flags), 0);
	CU_ASSERT_EQUAL(flags[0], 0x104);
	CU_ASSERT_EQUAL(flags[1], 0x105);
	CU_ASSERT_EQUAL(flags[2], 0x106);
	CU_ASSERT_EQUAL(flags[3], 0);
	CU_ASSERT_EQUAL(flags[4], 0x102);
	/* past the end of the file is an error, not garbage */
	pm[0] = PK_PM_PRESENT | 100;
	CU_ASSERT_EQUAL(pk_kpageflags_read_many(fd, pm, 1, flags), -1);
	close(fd);
}

static const char smaps_text[] =
	"7f0000000000-7f0000200000 rw-p 00000000 00:00 0\n"
	"Size:               2048 kB\n"
	"AnonHugePages:         0 kB\n"
	"7f0000200000-7f0000400000 rw-p 00000000 00:00 0 \n"
	"Size:               2048 kB\n"
	"AnonHugePages:      2048 kB\n"
	"VmFlags: rd wr mr mw me ac hg\n"
	"7f0000400000-7f0000401000 r--p 00000000 08:01 42   /usr/lib/x.so\n"
	"AnonHugePages:         4 kB\n";

static long smaps_lookup(uintptr_t addr, const char *field)
{
	FILE *f = fmemopen((void *)smaps_text, sizeof(smaps_text) - 1, "r");
	long v;

	if (!f)
		return -2;
	v = pk_smaps_parse(f, addr, field);
	fclose(f);
	return v;
}

/* The field of the VMA that contains the address, not of another VMA. */
static void smaps_parse(void)
{
	CU_ASSERT_EQUAL(smaps_lookup(0x7f0000000000, "AnonHugePages"), 0);
	CU_ASSERT_EQUAL(smaps_lookup(0x7f00001fffff, "AnonHugePages"), 0);
	CU_ASSERT_EQUAL(smaps_lookup(0x7f0000200000, "AnonHugePages"), 2048);
	CU_ASSERT_EQUAL(smaps_lookup(0x7f0000400000, "AnonHugePages"), 4);
	CU_ASSERT_EQUAL(smaps_lookup(0x7f0000300000, "Size"), 2048);
	CU_ASSERT_EQUAL(smaps_lookup(0x7f0000300000, "Nonexistent"), -1);
	CU_ASSERT_EQUAL(smaps_lookup(0x1000, "AnonHugePages"), -1);
	/* "Anon" must not match "AnonHugePages" */
	CU_ASSERT_EQUAL(smaps_lookup(0x7f0000300000, "Anon"), -1);
}

static const char vmstat_a[] =
	"nr_free_pages 1000\nthp_split_pmd 3\npswpout 10\ncow_ksm 0\n";
static const char vmstat_b[] =
	"nr_free_pages 900\nthp_split_pmd 4\npswpout 26\ncow_ksm 0\n";

static int parse_text(const char *text, struct pk_vmstat *s)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	if (!f)
		return -1;
	ret = pk_vmstat_parse(f, s);
	fclose(f);
	return ret;
}

/* Only counters that moved are listed, with their signed delta. */
static void vmstat_delta(void)
{
	struct pk_vmstat a, b;
	char buf[256];

	CU_ASSERT_EQUAL_FATAL(parse_text(vmstat_a, &a), 0);
	CU_ASSERT_EQUAL_FATAL(parse_text(vmstat_b, &b), 0);
	CU_ASSERT_TRUE(a.have[PK_VM_THP_SPLIT_PMD]);
	CU_ASSERT_FALSE(a.have[PK_VM_PGMIGRATE_FAIL]);
	CU_ASSERT_EQUAL(a.v[PK_VM_PSWPOUT], 10);
	pk_vmstat_delta(&a, &b, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "thp_split_pmd +1 pswpout +16");
	pk_vmstat_delta(&b, &a, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "thp_split_pmd -1 pswpout -16");
	pk_vmstat_delta(&a, &a, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "");
}

/* The live /proc/self/pagemap: a touched page is present, an untouched one not. */
static void live_pagemap(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	uint64_t pm[2];
	struct pk_pme e;
	uint8_t *p;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ut_skip("/proc/self/pagemap unreadable: %s", strerror(errno));
		return;
	}
	p = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(p != MAP_FAILED);
	p[0] = 1;
	CU_ASSERT_EQUAL(pk_pagemap_read(fd, p, 2, (size_t)psz, pm), 0);
	pk_pme_decode(pm[0], &e);
	CU_ASSERT_TRUE(e.present);
	CU_ASSERT_TRUE(e.exclusive);
	pk_pme_decode(pm[1], &e);
	CU_ASSERT_FALSE(e.present);
	munmap(p, 2 * psz);
	close(fd);
}

int ut_register_pagemap(void)
{
	CU_pSuite s = CU_add_suite("pagemap", NULL, NULL);

	if (!s)
		return -1;
	UT_ADD(s, pme_present);
	UT_ADD(s, pme_swapped);
	UT_ADD(s, pme_bits);
	UT_ADD(s, kpf_describe);
	UT_ADD(s, shared_pfns);
	UT_ADD(s, kpageflags_runs);
	UT_ADD(s, smaps_parse);
	UT_ADD(s, vmstat_delta);
	UT_ADD(s, live_pagemap);
	return 0;
}
