// SPDX-License-Identifier: GPL-2.0
/*
 * fork-copies: what fork() costs when part of a large anonymous folio is
 * pinned (issue 13).  fork() must give the child a copy of every page the
 * parent may have pinned; the pin count is kept per folio, so a stock
 * kernel copies every page of a partly pinned THP and splits its PMD.
 *
 *   fork-copies/<backing>/<kind>/<pins>
 *
 *   backing  every backing made of anonymous THPs (its .thp in
 *            backings.c; one folio of its .thp_len): anon-thp
 *            (PMD-mapped THP), anon-thp-pte (the THP mapped by PTEs),
 *            anon-mthp-64k (a 64 KiB mTHP)
 *   kind     every kind that holds FOLL_PIN | FOLL_LONGTERM references
 *            (PK_KF_PIN): pinned-rw, pinned-ro (RDMA MRs),
 *            gup-longterm-ro, io-uring-fixed, a plugin's pinning device
 *   pins     pin-1 (one page), pin-4 (four pages spread over the folio,
 *            one attachment each; not for a kind with PK_KF_ONE_ATTACH,
 *            gup_test), pin-4-adjacent (four neighbouring pages, one
 *            attachment), pin-all (every page of the folio)
 *
 * The verdict is correctness only and holds on every kernel: no pinned
 * page is shared with the child, and the parent still maps the page it
 * pinned.  How much fork() copied is a figure, not a verdict (a stock
 * kernel copies the whole folio and is still correct); the series of
 * kernel/patches/<ver>-fork asserts its bound in its own kernel selftest,
 * fork_pinned, which only a kernel with that series carries.  Each case
 * prints one line
 *
 *   figure: fork-copies copied=C/N split_pmd=S ahp_kb=B->A fork_ms=P/U
 *
 * (pages with another PFN in the child of N, thp_split_pmd during the
 * fork, the parent's AnonHugePages for the range before and after, the
 * fastest of five fork()s with the pins and of five with an unpinned
 * twin of the same shape in the same process), which `make bench` and
 * `make compare` collect.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE	14
#endif

#define FC_FORKS	5	/* timed forks per variant; the fastest counts */
#define FC_PLACES_MAX	4	/* attachments of one case */

static const struct fc_pins {
	const char *name;
	unsigned int pages;		/* pinned pages; 0: all */
	unsigned int places;		/* attachments they are spread over */
} fc_pins[] = {
	{ "pin-1", 1, 1 },
	{ "pin-4", 4, 4 },
	{ "pin-4-adjacent", 4, 1 },
	{ "pin-all", 0, 1 },
};

#define NR(a)		(sizeof(a) / sizeof((a)[0]))
/* c->fork_copies: the fc_pins index + 1 (backing and kind are the case's) */
#define FC_ID(p)	((p) + 1)

static const struct pk_row fc_row = {
	.name = "fork-copies",
	.invariant = "fork() never shares a page that may be pinned with the child, and the parent keeps the page it pinned",
	.disturb = PK_DIST_NONE,
};

/* The backings made of anonymous THPs, each a folio of b->thp_len. */
static bool fc_takes(const struct pk_backing_desc *b)
{
	return b->thp != PK_THP_NONE;
}

/* How many attachments of kind @k a case may hold at once. */
static unsigned int places_max(const struct pk_kind_ops *k)
{
	return k->flags & PK_KF_ONE_ATTACH ? 1 : FC_PLACES_MAX;
}

size_t pk_fork_copies_expand(struct pk_case *out, size_t max)
{
	const struct pk_family *fam = &pk_family_fork_copies;
	size_t n = 0, b, k, p;

	for (b = 0; b < pk_backing_count(); b++)
		for (k = 0; k < pk_kind_count(); k++) {
			const struct pk_kind_ops *ops = pk_kind_at(k);

			if (!fc_takes(pk_backing(b)) ||
			    !pk_family_has_kind(fam, ops))
				continue;
			for (p = 0; p < NR(fc_pins); p++) {
				struct pk_case *c;

				if (fc_pins[p].places > places_max(ops))
					continue;
				if (out && n < max) {
					c = &out[n];
					memset(c, 0, sizeof(*c));
					c->row = &fc_row;
					c->kind = ops;
					c->backing = b;
					c->fork_copies = FC_ID(p);
					snprintf(c->name, sizeof(c->name),
						 "fork-copies/%s/%s/%s",
						 pk_backing_name(b), ops->name,
						 fc_pins[p].name);
				}
				n++;
			}
		}
	return n;
}

const struct pk_family pk_family_fork_copies = {
	.name = "fork-copies",
	.what = "what fork() copies of a partly pinned large folio; never a pinned page shared with the child",
	.kind_has = PK_KF_PIN,
	.why = "only a pin makes fork() copy a page",
	.expand = pk_fork_copies_expand,
};

/* The state of one fork-copies case. */
struct fc {
	struct pk_result *r;
	const struct pk_backing_desc *back;
	const struct fc_pins *pins;
	size_t page, npages;
	int pm_fd;
	uint8_t *pinned_buf, *twin;	/* the folio under the pins, its twin */
	void *map[2];
	size_t map_len;
	struct pk_kind_dev kd[FC_PLACES_MAX];
	unsigned int nattached;
	bool *is_pinned;		/* per page */
	uint64_t *pm_before, *pm_parent, *pm_child;
	char mthp_old[32];
};

static int mthp_write(const char *val, struct pk_result *r)
{
	char err[PK_ERR_MAX];

	if (pk_write_file(PK_MTHP_64K, val, err, sizeof(err))) {
		pk_fail(r, "%s", err);
		return -1;
	}
	return 0;
}

/* Is every page of [addr, addr + len) in a large folio (kpageflags THP)? */
static int all_thp(struct fc *f, uint8_t *addr, size_t *nthp)
{
	uint64_t *kpf = calloc(f->npages, sizeof(*kpf));
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	size_t i;
	int ret = -1;

	*nthp = 0;
	if (!kpf || fd < 0)
		goto out;
	if (pk_pagemap_read(f->pm_fd, addr, f->npages, f->page, f->pm_child) ||
	    pk_kpageflags_read_many(fd, f->pm_child, f->npages, kpf))
		goto out;
	for (i = 0; i < f->npages; i++)
		*nthp += pk_kpf_test(kpf[i], PK_KPF_THP);
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(kpf);
	return ret;
}

/* Map one folio of the backing's shape at @i, faulted in and checked. */
static int fc_map(struct fc *f, int i, uint8_t **out)
{
	size_t len = f->back->thp_len, nthp;
	uintptr_t a;
	long kb;

	f->map[i] = mmap(NULL, f->map_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->map[i] == MAP_FAILED) {
		f->map[i] = NULL;
		pk_fail(f->r, "mmap of %zu anonymous bytes: %s", f->map_len,
			strerror(errno));
		return -1;
	}
	a = ((uintptr_t)f->map[i] + len - 1) & ~(uintptr_t)(len - 1);
	*out = (uint8_t *)a;
	if (f->back->thp != PK_THP_MTHP &&
	    madvise(*out, len, MADV_HUGEPAGE)) {
		pk_skip(f->r, "madvise(MADV_HUGEPAGE): %s (kernel without CONFIG_TRANSPARENT_HUGEPAGE?)",
			strerror(errno));
		return 1;
	}
	memset(*out, 0x5a + i, len);
	switch (f->back->thp) {
	case PK_THP_PMD:
	case PK_THP_PTE:
		kb = pk_smaps_field_kb(*out, "AnonHugePages");
		if (kb < 2048) {
			pk_skip(f->r, "no PMD-mapped THP after a MADV_HUGEPAGE fault (smaps AnonHugePages %ld kB)",
				kb);
			return 1;
		}
		if (f->back->thp == PK_THP_PMD)
			break;
		/* PTE-map the THP: change one subpage's protection and back */
		if (mprotect(*out + f->page, f->page, PROT_READ) ||
		    mprotect(*out + f->page, f->page, PROT_READ | PROT_WRITE)) {
			pk_fail(f->r, "mprotect to PTE-map the THP: %s",
				strerror(errno));
			return -1;
		}
		if (pk_smaps_field_kb(*out, "AnonHugePages") != 0) {
			pk_skip(f->r, "the THP stayed PMD-mapped after a partial mprotect");
			return 1;
		}
		break;
	case PK_THP_MTHP:
	case PK_THP_NONE:	/* fork-copies takes no such backing */
		break;
	}
	if (all_thp(f, *out, &nthp)) {
		pk_skip(f->r, "cannot verify the folio: /proc/kpageflags unreadable (needs root)");
		return 1;
	}
	if (nthp != f->npages) {
		pk_skip(f->r, "no %s: %zu of %zu pages are in a large folio after the fault (kpageflags THP)",
			f->back->name, nthp, f->npages);
		return 1;
	}
	return 0;
}

/* First pinned page of attachment @j of @places, @per pages each. */
static size_t place_start(const struct fc *f, unsigned int j,
			  unsigned int places, size_t per)
{
	size_t stride = f->npages / places;

	/* the middle of each stride: away from the folio's edges */
	return j * stride + (stride - per) / 2;
}

static int fc_attach(struct fc *f, const struct pk_case *c,
		     const struct pk_env *env)
{
	unsigned int places = f->pins->places, j;
	size_t per = f->pins->pages ? f->pins->pages / places : f->npages, i;

	for (j = 0; j < places; j++) {
		struct pk_kind_dev *d = &f->kd[j];
		size_t first = place_start(f, j, places, per);
		int ret;

		pk_kind_dev_init(d, c->kind, env, 0);
		d->addr = f->pinned_buf + first * f->page;
		d->len = per * f->page;
		d->page = f->page;
		d->scratch_len = f->page + 4096;
		if (pk_kind_check(d, f->r))
			return -1;
		ret = c->kind->attach(d);
		f->nattached = j + 1;
		if (ret == PK_KIND_SKIP) {
			pk_skip(f->r, "%s", d->err);
			return -1;
		}
		if (ret) {
			pk_fail(f->r, "%s: attaching pages %zu-%zu: %s",
				c->kind->name, first, first + per - 1, d->err);
			return -1;
		}
		for (i = first; i < first + per; i++)
			f->is_pinned[i] = true;
	}
	return 0;
}

static void fc_detach(struct fc *f)
{
	unsigned int j;

	for (j = 0; j < f->nattached; j++)
		if (f->kd[j].ops->detach(&f->kd[j]))
			pk_fail(f->r, "%s: detaching: %s", f->kd[j].ops->name,
				f->kd[j].err);
	f->nattached = 0;
}

/*
 * fork() once and time it in the parent.  The child waits until the
 * parent closes @hold[1]; *pid is the child.  Returns the seconds, < 0
 * with the failure recorded.
 */
static double timed_fork(struct fc *f, pid_t *pid, int *hold_w)
{
	int hold[2];
	double t0, t;
	char ch;

	if (pipe2(hold, O_CLOEXEC)) {
		pk_fail(f->r, "pipe2 for the fork child: %s", strerror(errno));
		return -1;
	}
	t0 = pk_now();
	*pid = fork();
	t = pk_now() - t0;
	if (*pid < 0) {
		pk_fail(f->r, "fork: %s", strerror(errno));
		close(hold[0]);
		close(hold[1]);
		return -1;
	}
	if (!*pid) {
		close(hold[1]);
		/* wait for the parent to read our pagemap; EOF ends us */
		while (read(hold[0], &ch, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(hold[0]);
	*hold_w = hold[1];
	return t;
}

static void end_child(struct fc *f, pid_t pid, int hold_w)
{
	int st;

	close(hold_w);
	if (waitpid(pid, &st, 0) < 0)
		pk_fail(f->r, "waitpid for the fork child %d: %s", (int)pid,
			strerror(errno));
	else if (!WIFEXITED(st) || WEXITSTATUS(st))
		pk_fail(f->r, "the fork child did not exit cleanly (status 0x%x)",
			st);
}

/* Read the child's pagemap of the pinned folio into f->pm_child. */
static int child_pagemap(struct fc *f, pid_t pid)
{
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pk_fail(f->r, "open %s: %s", path, strerror(errno));
		return -1;
	}
	ret = pk_pagemap_read(fd, f->pinned_buf, f->npages, f->page,
			      f->pm_child);
	if (ret)
		pk_fail(f->r, "reading %s: %s", path, strerror(errno));
	close(fd);
	return ret;
}

/* The pinned and the copied pages as ranges, for a failure's evidence. */
static void diag_copied(struct fc *f, size_t copied)
{
	char pin[256] = "", cop[256] = "";
	size_t i, j, pl = 0, cl = 0;

	for (i = 0; i < f->npages; i = j) {
		bool c = (f->pm_parent[i] & PK_PM_PFN_MASK) !=
			 (f->pm_child[i] & PK_PM_PFN_MASK);

		for (j = i + 1; j < f->npages &&
		     ((f->pm_parent[j] & PK_PM_PFN_MASK) !=
		      (f->pm_child[j] & PK_PM_PFN_MASK)) == c; j++)
			;
		if (c && cl < sizeof(cop))
			cl += (size_t)snprintf(cop + cl, sizeof(cop) - cl,
					       " %zu-%zu", i, j - 1);
	}
	for (i = 0; i < f->npages; i = j) {
		for (j = i + 1; j < f->npages &&
		     f->is_pinned[j] == f->is_pinned[i]; j++)
			;
		if (f->is_pinned[i] && pl < sizeof(pin))
			pl += (size_t)snprintf(pin + pl, sizeof(pin) - pl,
					       " %zu-%zu", i, j - 1);
	}
	pk_diag(f->r, "pinned pages:%s; fork copied %zu of %zu pages:%s",
		pin, copied, f->npages, cl ? cop : " none");
}

/* What the first fork with the pins did; the verdict of the case. */
static void judge(struct fc *f, size_t *copied)
{
	size_t i, shared_pinned = 0, moved = 0, first_bad = 0;

	*copied = 0;
	for (i = 0; i < f->npages; i++) {
		uint64_t p = f->pm_parent[i] & PK_PM_PFN_MASK;
		uint64_t c = f->pm_child[i] & PK_PM_PFN_MASK;
		uint64_t b = f->pm_before[i] & PK_PM_PFN_MASK;

		if (!(f->pm_parent[i] & PK_PM_PRESENT) ||
		    !(f->pm_child[i] & PK_PM_PRESENT)) {
			pk_fail(f->r, "page %zu is not present in the %s after fork",
				i, f->pm_parent[i] & PK_PM_PRESENT ? "child" : "parent");
			return;
		}
		*copied += p != c;
		if (!f->is_pinned[i])
			continue;
		if (p == c && !shared_pinned++)
			first_bad = i;
		if (p != b && !moved++ && !shared_pinned)
			first_bad = i;
	}
	if (shared_pinned || moved)
		diag_copied(f, *copied);
	if (shared_pinned)
		pk_fail(f->r, "%zu pinned page(s) shared with the child after fork (first: page %zu, pfn 0x%" PRIx64 "): the parent's next write would leave the device on the child's page",
			shared_pinned, first_bad,
			f->pm_parent[first_bad] & PK_PM_PFN_MASK);
	if (moved)
		pk_fail(f->r, "%zu pinned page(s) moved in the parent during fork (first: page %zu, pfn 0x%" PRIx64 " -> 0x%" PRIx64 "): the device no longer sees the parent's memory",
			moved, first_bad,
			f->pm_before[first_bad] & PK_PM_PFN_MASK,
			f->pm_parent[first_bad] & PK_PM_PFN_MASK);
}

static void fc_measure(struct fc *f)
{
	struct pk_vmstat v0, v1;
	double best_pin = 1e9, best_unpin = 1e9, t;
	long kb0 = -1, kb1 = -1;
	size_t copied = 0;
	int i, hold_w;
	pid_t pid;

	/* the twin, unpinned: forked while the pinned folio is not */
	if (madvise(f->pinned_buf, f->back->thp_len, MADV_DONTFORK)) {
		pk_fail(f->r, "madvise(MADV_DONTFORK) of the pinned folio: %s",
			strerror(errno));
		return;
	}
	for (i = 0; i < FC_FORKS; i++) {
		t = timed_fork(f, &pid, &hold_w);
		if (t < 0)
			return;
		end_child(f, pid, hold_w);
		if (t < best_unpin)
			best_unpin = t;
	}
	if (madvise(f->pinned_buf, f->back->thp_len, MADV_DOFORK) ||
	    madvise(f->twin, f->back->thp_len, MADV_DONTFORK)) {
		pk_fail(f->r, "madvise(MADV_DOFORK / MADV_DONTFORK): %s",
			strerror(errno));
		return;
	}
	for (i = 0; i < FC_FORKS && f->r->status != PK_FAIL; i++) {
		if (!i) {
			kb0 = pk_smaps_field_kb(f->pinned_buf, "AnonHugePages");
			if (pk_vmstat_read(&v0) ||
			    pk_pagemap_read(f->pm_fd, f->pinned_buf, f->npages,
					    f->page, f->pm_before)) {
				pk_fail(f->r, "reading /proc/vmstat or pagemap: %s",
					strerror(errno));
				return;
			}
		}
		t = timed_fork(f, &pid, &hold_w);
		if (t < 0)
			return;
		if (!i) {
			if (pk_vmstat_read(&v1) ||
			    pk_pagemap_read(f->pm_fd, f->pinned_buf, f->npages,
					    f->page, f->pm_parent))
				pk_fail(f->r, "reading /proc/vmstat or pagemap: %s",
					strerror(errno));
			else if (!child_pagemap(f, pid))
				judge(f, &copied);
			kb1 = pk_smaps_field_kb(f->pinned_buf, "AnonHugePages");
		}
		end_child(f, pid, hold_w);
		if (t < best_pin)
			best_pin = t;
	}
	if (f->r->status == PK_FAIL)
		return;
	pk_diag(f->r, "figure: fork-copies copied=%zu/%zu split_pmd=%lld ahp_kb=%ld->%ld fork_ms=%.2f/%.2f",
		copied, f->npages,
		v0.have[PK_VM_THP_SPLIT_PMD] && v1.have[PK_VM_THP_SPLIT_PMD] ?
		(long long)(v1.v[PK_VM_THP_SPLIT_PMD] - v0.v[PK_VM_THP_SPLIT_PMD]) : -1LL,
		f->back->thp == PK_THP_MTHP ? 0 : kb0,
		f->back->thp == PK_THP_MTHP ? 0 : kb1,
		best_pin * 1e3, best_unpin * 1e3);
}

void pk_fork_copies_run(const struct pk_case *c, const struct pk_env *env,
			struct pk_result *r)
{
	size_t p = c->fork_copies - 1;
	bool mthp_set = false;
	char err[PK_ERR_MAX];
	struct fc f;
	uint64_t probe = 0;
	int ret;

	memset(&f, 0, sizeof(f));
	f.r = r;
	f.back = pk_backing(c->backing);
	f.pins = &fc_pins[p];
	f.page = (size_t)sysconf(_SC_PAGESIZE);
	f.npages = f.back->thp_len / f.page;
	f.map_len = 2 * f.back->thp_len;
	f.pm_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (f.pm_fd < 0) {
		pk_fail(r, "cannot open /proc/self/pagemap: %s (is /proc mounted?)",
			strerror(errno));
		return;
	}
	f.is_pinned = calloc(f.npages, sizeof(*f.is_pinned));
	f.pm_before = calloc(f.npages, sizeof(uint64_t));
	f.pm_parent = calloc(f.npages, sizeof(uint64_t));
	f.pm_child = calloc(f.npages, sizeof(uint64_t));
	if (!f.is_pinned || !f.pm_before || !f.pm_parent || !f.pm_child) {
		pk_fail(r, "out of memory for %zu pagemap entries", f.npages);
		goto out;
	}
	if (pk_pagemap_read(f.pm_fd, &probe, 1, f.page, f.pm_child) ||
	    !(f.pm_child[0] & PK_PM_PFN_MASK)) {
		pk_skip(r, "/proc/self/pagemap hides PFNs (needs CAP_SYS_ADMIN): cannot tell copied pages");
		goto out;
	}
	if (f.back->thp == PK_THP_MTHP) {
		ret = pk_mthp_set("always", f.mthp_old, sizeof(f.mthp_old),
				  err, sizeof(err));
		if (ret > 0)
			pk_skip(r, "%s", err);
		else if (ret < 0)
			pk_fail(r, "%s", err);
		if (ret)
			goto out;
		mthp_set = true;
	}
	if (fc_map(&f, 0, &f.pinned_buf) || fc_map(&f, 1, &f.twin))
		goto out;
	if (mthp_set) {
		mthp_set = false;
		if (mthp_write(f.mthp_old, r))
			goto out;
	}
	if (fc_attach(&f, c, env))
		goto out_detach;
	fc_measure(&f);
out_detach:
	fc_detach(&f);
out:
	if (mthp_set)
		mthp_write(f.mthp_old, r);
	if (f.map[0])
		munmap(f.map[0], f.map_len);
	if (f.map[1])
		munmap(f.map[1], f.map_len);
	free(f.is_pinned);
	free(f.pm_before);
	free(f.pm_parent);
	free(f.pm_child);
	close(f.pm_fd);
}
