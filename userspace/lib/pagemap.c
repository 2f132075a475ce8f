// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/self/pagemap, /proc/kpageflags, /proc/self/smaps and /proc/vmstat:
 * what the kernel says about the pages under an MR.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pinkit.h"

void pk_pme_decode(uint64_t raw, struct pk_pme *e)
{
	e->present = raw & PK_PM_PRESENT;
	e->swapped = raw & PK_PM_SWAPPED;
	e->file = raw & PK_PM_FILE;
	e->exclusive = raw & PK_PM_EXCLUSIVE;
	e->uffd_wp = raw & PK_PM_UFFD_WP;
	e->soft_dirty = raw & PK_PM_SOFT_DIRTY;
	/* bits 0-54 are the swap type/offset when swapped, not a PFN */
	e->pfn = e->present ? (raw & PK_PM_PFN_MASK) : 0;
}

int pk_pagemap_read(int fd, const void *addr, size_t npages, size_t page_size,
		    uint64_t *out)
{
	off_t off = (off_t)((uintptr_t)addr / page_size * sizeof(uint64_t));
	size_t want = npages * sizeof(uint64_t), got = 0;

	while (got < want) {
		ssize_t n = pread(fd, (char *)out + got, want - got,
				  off + (off_t)got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

size_t pk_count_shared_pfns(const uint64_t *pm, size_t n)
{
	uint64_t *pfn = malloc(n * sizeof(*pfn));
	size_t i, m = 0, shared = 0;

	if (!pfn)
		return 0;
	for (i = 0; i < n; i++) {
		struct pk_pme e;

		pk_pme_decode(pm[i], &e);
		if (e.pfn)
			pfn[m++] = e.pfn;
	}
	qsort(pfn, m, sizeof(*pfn), cmp_u64);
	for (i = 0; i < m; i++)
		if ((i && pfn[i - 1] == pfn[i]) ||
		    (i + 1 < m && pfn[i + 1] == pfn[i]))
			shared++;
	free(pfn);
	return shared;
}

int pk_kpageflags_read_many(int fd, const uint64_t *pm, size_t n,
			    uint64_t *flags)
{
	size_t i = 0;

	memset(flags, 0, n * sizeof(*flags));
	while (i < n) {
		struct pk_pme e;
		size_t run = 1;
		ssize_t got;

		pk_pme_decode(pm[i], &e);
		if (!e.pfn) {
			i++;
			continue;
		}
		/* THPs and hugetlb pages are runs of consecutive PFNs */
		while (i + run < n) {
			struct pk_pme f;

			pk_pme_decode(pm[i + run], &f);
			if (f.pfn != e.pfn + run)
				break;
			run++;
		}
		got = pread(fd, flags + i, run * sizeof(*flags),
			    (off_t)(e.pfn * sizeof(uint64_t)));
		if (got != (ssize_t)(run * sizeof(*flags))) {
			if (got >= 0)
				errno = EIO;
			return -1;
		}
		i += run;
	}
	return 0;
}

char *pk_kpf_describe(uint64_t flags, char *buf, size_t len)
{
#define KPF(bit, name)	{ UINT64_C(1) << (bit), name }
	static const struct pk_flag_name names[] = {
		KPF(PK_KPF_ANON, "anon"),
		KPF(PK_KPF_SWAPBACKED, "swapbacked"),
		KPF(PK_KPF_SWAPCACHE, "swapcache"),
		KPF(PK_KPF_THP, "thp"),
		KPF(PK_KPF_HUGE, "huge"),
		KPF(PK_KPF_COMPOUND_HEAD, "head"),
		KPF(PK_KPF_COMPOUND_TAIL, "tail"),
		KPF(PK_KPF_KSM, "ksm"),
		KPF(PK_KPF_ZERO_PAGE, "zero"),
		KPF(PK_KPF_LRU, "lru"),
		KPF(PK_KPF_DIRTY, "dirty"),
		KPF(PK_KPF_NOPAGE, "nopage"),
	};
#undef KPF

	return pk_flag_names(flags, names, sizeof(names) / sizeof(names[0]),
			     "-", buf, len);
}

long pk_smaps_parse(FILE *f, uintptr_t addr, const char *field)
{
	char line[512];
	bool in_vma = false;
	size_t flen = strlen(field);

	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		char dash;

		/* a VMA header: "start-end perms offset dev inode path" */
		if (sscanf(line, "%lx%c%lx ", &start, &dash, &end) == 3 &&
		    dash == '-') {
			in_vma = addr >= start && addr < end;
			continue;
		}
		if (!in_vma)
			continue;
		if (!strncmp(line, field, flen) && line[flen] == ':')
			return strtol(line + flen + 1, NULL, 10);
	}
	return -1;
}

long pk_smaps_field_kb(const void *addr, const char *field)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	long v;

	if (!f)
		return -1;
	v = pk_smaps_parse(f, (uintptr_t)addr, field);
	fclose(f);
	return v;
}

static const char *const vmstat_names[PK_VM_NR] = {
	[PK_VM_THP_FAULT_ALLOC] = "thp_fault_alloc",
	[PK_VM_THP_SPLIT_PMD] = "thp_split_pmd",
	[PK_VM_THP_SPLIT_PAGE] = "thp_split_page",
	[PK_VM_THP_COLLAPSE_ALLOC] = "thp_collapse_alloc",
	[PK_VM_PGMIGRATE_SUCCESS] = "pgmigrate_success",
	[PK_VM_PGMIGRATE_FAIL] = "pgmigrate_fail",
	[PK_VM_PSWPOUT] = "pswpout",
	[PK_VM_PSWPIN] = "pswpin",
	[PK_VM_COW_KSM] = "cow_ksm",
	[PK_VM_COMPACT_STALL] = "compact_stall",
};

int pk_vmstat_parse(FILE *f, struct pk_vmstat *s)
{
	char name[64];
	long long val;

	memset(s, 0, sizeof(*s));
	while (fscanf(f, "%63s %lld", name, &val) == 2) {
		int i;

		for (i = 0; i < PK_VM_NR; i++) {
			if (strcmp(name, vmstat_names[i]))
				continue;
			s->v[i] = val;
			s->have[i] = true;
		}
	}
	return 0;
}

int pk_vmstat_read(struct pk_vmstat *s)
{
	FILE *f = fopen("/proc/vmstat", "re");
	int ret;

	if (!f) {
		memset(s, 0, sizeof(*s));
		return -1;
	}
	ret = pk_vmstat_parse(f, s);
	fclose(f);
	return ret;
}

char *pk_vmstat_delta(const struct pk_vmstat *before,
		      const struct pk_vmstat *after, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < PK_VM_NR; i++) {
		int64_t d;
		int n;

		if (!before->have[i] || !after->have[i])
			continue;
		d = after->v[i] - before->v[i];
		if (!d)
			continue;
		n = snprintf(buf + used, len - used, "%s%s %+" PRId64,
			     used ? " " : "", vmstat_names[i], d);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return buf;
}
