// SPDX-License-Identifier: GPL-2.0
/*
 * pinkit soak: CPU writers, device traffic and a disturber at the same
 * time over one backing attached to one kind (a "combo").
 *
 * Integrity: the buffer is cut in 64-byte chunks; every 4 KiB page is cut
 * in stripes, one per owner: CPU writer thread i owns stripe i, the device
 * the last one.  Only a chunk's owner writes it, always the next sequence
 * number, as eight equal words (tag << 48 | seq) where the tag is the
 * chunk's index.  Per chunk, @writing is raised before a write and
 * @committed after it, so a reader knows the range a chunk may hold:
 * [committed before the read, writing after it].  Below it is a lost or
 * stale write, above it a write from nowhere, a wrong tag a misplaced one;
 * words that disagree while the owner was idle are corruption, while it
 * wrote a torn read (counted, not an error).  The device's stripe starts
 * with a one-word counter it moves by fetch-and-add where the kind has one.
 *
 * The disturber does what the suite's disturbances do (pk_disturbs[]
 * names them), concurrently and in an order and at times drawn from the
 * seed; the same seed replays the same schedule.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "pinkit-soak.h"

#ifndef MPOL_MF_MOVE
#define MPOL_MF_MOVE	(1 << 1)
#endif

#define CHUNK		64u
#define WORDS		(CHUNK / 8)
#define SPAGE		4096u
#define CPP		(SPAGE / CHUNK)		/* chunks per page */
#define WRITERS_MAX	8
#define HISTORY		8
#define SEQ_MASK	((UINT64_C(1) << 48) - 1)
#define KSM_DIR		"/sys/kernel/mm/ksm/"
#define SPLIT_DEBUGFS	"/sys/kernel/debug/split_huge_pages"

enum dev_op { OP_WRITE, OP_READ, OP_ATOMIC, OP_SEND, OP_RECV, OP_NR };

static const char *const op_name[OP_NR] = {
	"write", "read", "atomic", "send", "recv",
};

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t rng_below(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

struct hist {
	double t;
	enum pk_disturb d;
	char what[64];
};

struct soak {
	const struct pk_soak_opts *o;
	struct pk_tc t;
	uint8_t *base;
	size_t len, npages, nchunks;
	unsigned int nwriters, ncpu;
	_Atomic uint64_t *committed, *writing;
	pthread_rwlock_t layout;	/* write-held while the VA moves */
	atomic_bool stop;
	double t0, deadline;
	bool have_atomic, have_msg, shared, thp;
	bool dev_writes;		/* the device owns a stripe it writes */
	void *spare;			/* a reservation mremap parks in */
	size_t spare_len;
	uint8_t *park;			/* 2 MiB-aligned, inside @spare */
	size_t gran;			/* what a range is made of: a page,
					 * or the whole buffer (hugetlb) */
	/* figures */
	atomic_ullong cpu_writes, cpu_checked, torn;
	atomic_ullong dev_ops[OP_NR], dev_checked;
	unsigned long dist[PK_DIST_NR], refused[PK_DIST_NR];
	double dist_secs[PK_DIST_NR];	/* time spent in each kind */
	char unavailable[PK_DIST_NR][PK_MSG_MAX];
	/* the first failure */
	pthread_mutex_t lock;
	struct hist hist[HISTORY];
	unsigned long nhist;
	bool failed, corrupt;
	char fail_msg[PK_MSG_MAX];
	char fail_detail[PK_DIAG_MAX / 2];
	size_t fail_off;
};

static unsigned int owner_of(const struct soak *s, size_t chunk)
{
	return (unsigned int)((chunk % CPP) * (s->nwriters + 1) / CPP);
}

/* first chunk of @owner's stripe in page @p, and how many it has */
static size_t stripe(const struct soak *s, size_t p, unsigned int owner,
		     size_t *n)
{
	size_t lo = (owner * CPP + s->nwriters) / (s->nwriters + 1);
	size_t hi = ((owner + 1) * CPP + s->nwriters) / (s->nwriters + 1);

	/* the ceiling keeps owner_of() and stripe() in agreement */
	*n = hi - lo;
	return p * CPP + lo;
}

static bool is_counter(const struct soak *s, size_t chunk)
{
	size_t n;

	return s->have_atomic &&
	       chunk == stripe(s, chunk / CPP, s->nwriters, &n);
}

static uint64_t rec(size_t chunk, uint64_t seq)
{
	return ((uint64_t)(chunk & 0xffff) << 48) | (seq & SEQ_MASK);
}

static void pfn_line(struct soak *s, size_t off, char *buf, size_t len)
{
	uint64_t pm = 0, kpf = 0;
	struct pk_pme e;
	char fl[96];

	if (pk_pagemap_read(s->t.pm_fd, s->base + off, 1, SPAGE, &pm)) {
		snprintf(buf, len, "pagemap unreadable: %s", strerror(errno));
		return;
	}
	pk_pme_decode(pm, &e);
	if (s->t.kpf_fd >= 0 && e.pfn)
		pk_kpageflags_read_many(s->t.kpf_fd, &pm, 1, &kpf);
	fl[0] = '\0';
	if (kpf)
		pk_kpf_describe(kpf, fl, sizeof(fl));
	snprintf(buf, len, "the CPU maps PFN 0x%" PRIx64 "%s (%s%s%s%s)",
		 e.pfn, e.pfn ? "" : " (hidden without CAP_SYS_ADMIN, or not present)",
		 e.present ? "present" : e.swapped ? "swapped" : "not present",
		 e.exclusive ? ", exclusive" : "", fl[0] ? ", " : "", fl);
}

/*
 * Record the first failure; later ones only stop the run.  @corrupt: a
 * data comparison found other bytes (the harness's only evidence of
 * corruption), as opposed to an operation that failed.
 */
static const char *label(enum pk_disturb d);

static void soak_fail(struct soak *s, bool corrupt, size_t off,
		      const char *detail, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void soak_fail(struct soak *s, bool corrupt, size_t off,
		      const char *detail, const char *fmt, ...)
{
	char pfn[160];
	va_list ap;
	size_t used;
	unsigned long i, first;

	atomic_store(&s->stop, true);
	pthread_mutex_lock(&s->lock);
	if (s->failed) {
		pthread_mutex_unlock(&s->lock);
		return;
	}
	s->failed = true;
	s->corrupt = corrupt;
	s->fail_off = off;
	va_start(ap, fmt);
	vsnprintf(s->fail_msg, sizeof(s->fail_msg), fmt, ap);
	va_end(ap);
	pfn_line(s, off & ~(size_t)(SPAGE - 1), pfn, sizeof(pfn));
	used = (size_t)snprintf(s->fail_detail, sizeof(s->fail_detail),
				"%s\nseed 0x%" PRIx64 ", at +%.3f s; page %zu: %s\nlast disturbances before it:",
				detail ? detail : "", s->o->seed,
				pk_now() - s->t0, off / SPAGE, pfn);
	first = s->nhist > HISTORY ? s->nhist - HISTORY : 0;
	for (i = first; i < s->nhist && used < sizeof(s->fail_detail); i++) {
		const struct hist *h = &s->hist[i % HISTORY];

		used += (size_t)snprintf(s->fail_detail + used,
					 sizeof(s->fail_detail) - used,
					 "\n  #%lu +%.3f s %s%s%s", i + 1, h->t - s->t0,
					 label(h->d), h->what[0] ? ": " : "",
					 h->what);
	}
	if (!s->nhist && used < sizeof(s->fail_detail))
		snprintf(s->fail_detail + used, sizeof(s->fail_detail) - used,
			 " none yet");
	pthread_mutex_unlock(&s->lock);
}

/*
 * Check chunk @c as read into @w: @lo is its @committed before the read,
 * @hi its @writing after.  Returns 0 good (or torn while written), -1 a
 * failure was recorded.  @who names the reader.
 */
static int check_chunk(struct soak *s, size_t c, const uint64_t *w,
		       uint64_t lo, uint64_t hi, const char *who)
{
	uint64_t v = w[0], seq = v & SEQ_MASK;
	unsigned int own = owner_of(s, c);
	char d[200];
	unsigned int i;

	/* the counter is one word, moved by fetch-and-add only */
	for (i = 1; i < WORDS && !is_counter(s, c); i++) {
		if (w[i] == v)
			continue;
		if (hi != lo) {
			atomic_fetch_add(&s->torn, 1);
			return 0;
		}
		snprintf(d, sizeof(d),
			 "chunk %zu (owner %s%u): word 0 0x%016" PRIx64 ", word %u 0x%016" PRIx64 "; the owner was not writing",
			 c, own == s->nwriters ? "device " : "cpu ", own, v, i,
			 w[i]);
		soak_fail(s, true, c * CHUNK + i * 8, d,
			  "%s: torn chunk at offset 0x%zx while its owner was idle",
			  who, c * CHUNK + i * 8);
		return -1;
	}
	if (v >> 48 != (c & 0xffff)) {
		snprintf(d, sizeof(d),
			 "chunk %zu: expected tag 0x%04zx seq %" PRIu64 "..%" PRIu64 ", found 0x%016" PRIx64 " (tag of chunk ~%" PRIu64 ")",
			 c, c & 0xffff, lo, hi, v, v >> 48);
		soak_fail(s, true, c * CHUNK, d,
			  "%s: misplaced write at offset 0x%zx: the chunk holds another chunk's record",
			  who, c * CHUNK);
		return -1;
	}
	if (seq >= lo && seq <= hi)
		return 0;
	snprintf(d, sizeof(d),
		 "slot: chunk %zu at offset 0x%zx, owner %s%u; expected seq %" PRIu64 "..%" PRIu64 ", found %" PRIu64 " (0x%016" PRIx64 ")",
		 c, c * CHUNK, own == s->nwriters ? "device " : "cpu ", own,
		 lo, hi, seq, v);
	soak_fail(s, true, c * CHUNK, d,
		  seq < lo ? "%s: lost write at offset 0x%zx: the %s's seq %" PRIu64 " reads as %" PRIu64 :
			     "%s: write from nowhere at offset 0x%zx: the %s's seq %" PRIu64 " reads as %" PRIu64,
		  who, c * CHUNK, own == s->nwriters ? "device" : "CPU", lo,
		  seq);
	return -1;
}

/* Check page @p as read into @buf against @lo (committed before). */
static int check_page(struct soak *s, size_t p, const uint8_t *buf,
		      const uint64_t *lo, const char *who)
{
	size_t i, c = p * CPP;

	atomic_thread_fence(memory_order_seq_cst);
	for (i = 0; i < CPP; i++) {
		uint64_t hi = atomic_load(&s->writing[c + i]);

		if (check_chunk(s, c + i, (const uint64_t *)(buf + i * CHUNK),
				lo[i], hi, who))
			return -1;
	}
	return 0;
}

static void snap_committed(struct soak *s, size_t p, uint64_t *lo)
{
	size_t i;

	for (i = 0; i < CPP; i++)
		lo[i] = atomic_load(&s->committed[p * CPP + i]);
	atomic_thread_fence(memory_order_seq_cst);
}

static void pin_cpu(unsigned int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* best effort: without it the threads still run concurrently */
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* ---------------------------------------------------------------- */
/* CPU writers                                                       */

/*
 * The writers never block: at the default weight they take as much CPU
 * as the disturber and the device thread, whose work (fork, compaction,
 * a KSM scan, the rxe tasks) then runs at half speed on a slow (debug,
 * KASAN, TCG) kernel and the soak sees fewer disturbances.  A lower
 * weight keeps them running concurrently on every CPU, taking what the
 * other threads leave.
 */
#define WRITER_NICE 5

struct writer {
	struct soak *s;
	unsigned int id;
	pthread_t th;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct soak *s = w->s;
	struct rng r = { s->o->seed ^ (UINT64_C(0x57a1) * (w->id + 1)) };
	uint64_t lo[CPP];
	uint8_t copy[SPAGE];
	char who[32];

	snprintf(who, sizeof(who), "CPU writer %u", w->id);
	pin_cpu(w->id % s->ncpu);
	/* raising one's own nice value is never refused */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WRITER_NICE);
	while (!atomic_load(&s->stop)) {
		size_t p = rng_below(&r, s->npages), n, c0, i;
		volatile uint64_t *m;

		pthread_rwlock_rdlock(&s->layout);
		c0 = stripe(s, p, w->id, &n);
		for (i = 0; i < n; i++) {
			uint64_t seq = atomic_load(&s->committed[c0 + i]) + 1;
			unsigned int k;

			atomic_store(&s->writing[c0 + i], seq);
			m = (volatile uint64_t *)(s->base + (c0 + i) * CHUNK);
			for (k = 0; k < WORDS; k++)
				m[k] = rec(c0 + i, seq);
			atomic_store(&s->committed[c0 + i], seq);
		}
		atomic_fetch_add(&s->cpu_writes, n);
		snap_committed(s, p, lo);
		memcpy(copy, s->base + p * SPAGE, SPAGE);
		if (!check_page(s, p, copy, lo, who))
			atomic_fetch_add(&s->cpu_checked, CPP);
		pthread_rwlock_unlock(&s->layout);
	}
	return NULL;
}

/* ---------------------------------------------------------------- */
/* The device                                                        */

struct device {
	struct soak *s;
	pthread_t th;
};

static int dev_call(struct soak *s, enum dev_op op, struct pk_xfer *x,
		    size_t off, uint64_t *old)
{
	struct pk_kind_dev *d = &s->t.kd;
	int ret;

	d->dir_flags = (op == OP_SEND || op == OP_RECV) ? PK_DIRF_MSG : 0;
	switch (op) {
	case OP_READ:
	case OP_SEND:
		ret = d->ops->read(d, x, 1);
		break;
	case OP_ATOMIC:
		d->dir_flags = PK_DIRF_ATOMIC;
		ret = d->ops->atomic(d, off, 1, old);
		break;
	default:
		ret = d->ops->write(d, x, 1);
		break;
	}
	if (ret)
		soak_fail(s, false, off, NULL,
			  "device %s (%s) at offset 0x%zx failed: %s",
			  op_name[op], d->ops->name, off, d->err);
	return ret;
}

static void dev_write(struct soak *s, size_t p, bool msg)
{
	size_t n, c0 = stripe(s, p, s->nwriters, &n), i, k;
	uint8_t *sc = s->t.kd.scratch + SPAGE;
	uint64_t seq[CPP], lo[CPP];
	struct pk_xfer x;

	if (s->have_atomic) {
		c0++;
		n--;
	}
	for (i = 0; i < n; i++) {
		seq[i] = atomic_load(&s->committed[c0 + i]) + 1;
		atomic_store(&s->writing[c0 + i], seq[i]);
		for (k = 0; k < WORDS; k++)
			((uint64_t *)(sc + i * CHUNK))[k] = rec(c0 + i, seq[i]);
	}
	x.off = c0 * CHUNK;
	x.len = n * CHUNK;
	x.loff = SPAGE;
	if (dev_call(s, msg ? OP_RECV : OP_WRITE, &x, x.off, NULL))
		return;
	for (i = 0; i < n; i++)
		atomic_store(&s->committed[c0 + i], seq[i]);
	atomic_fetch_add(&s->dev_ops[msg ? OP_RECV : OP_WRITE], 1);
	/* the CPU reads what the device just wrote: a lost write shows now */
	snap_committed(s, p, lo);
	memcpy(sc, s->base + p * SPAGE, SPAGE);
	check_page(s, p, sc, lo, msg ? "CPU read after a device RECV" :
		   "CPU read after a device WRITE");
}

static void dev_read(struct soak *s, size_t p, bool msg)
{
	uint64_t lo[CPP];
	struct pk_xfer x = { p * SPAGE, SPAGE, 0 };

	snap_committed(s, p, lo);
	if (dev_call(s, msg ? OP_SEND : OP_READ, &x, x.off, NULL))
		return;
	atomic_fetch_add(&s->dev_ops[msg ? OP_SEND : OP_READ], 1);
	if (!check_page(s, p, s->t.kd.scratch, lo,
			msg ? "device SEND out of the buffer" : "device READ"))
		atomic_fetch_add(&s->dev_checked, CPP);
}

static void dev_atomic(struct soak *s, size_t p)
{
	size_t n, c = stripe(s, p, s->nwriters, &n);
	uint64_t seq = atomic_load(&s->committed[c]), old = 0;
	char d[160];

	atomic_store(&s->writing[c], seq + 1);
	if (dev_call(s, OP_ATOMIC, NULL, c * CHUNK, &old))
		return;
	atomic_store(&s->committed[c], seq + 1);
	atomic_fetch_add(&s->dev_ops[OP_ATOMIC], 1);
	if (old == rec(c, seq)) {
		atomic_fetch_add(&s->dev_checked, 1);
		return;
	}
	snprintf(d, sizeof(d),
		 "slot: counter chunk %zu at offset 0x%zx, owner device; expected 0x%016" PRIx64 ", the fetch-and-add returned 0x%016" PRIx64,
		 c, c * CHUNK, rec(c, seq), old);
	soak_fail(s, true, c * CHUNK, d,
		  "device atomic: lost update at offset 0x%zx: expected seq %" PRIu64 ", found %" PRIu64,
		  c * CHUNK, seq, old & SEQ_MASK);
}

static void *device_main(void *arg)
{
	struct device *dv = arg;
	struct soak *s = dv->s;
	struct rng r = { s->o->seed ^ UINT64_C(0xde71ce) };

	pin_cpu(s->nwriters % s->ncpu);
	while (!atomic_load(&s->stop)) {
		size_t p = rng_below(&r, s->npages);
		unsigned int pick = (unsigned int)rng_below(&r, 8);

		pthread_rwlock_rdlock(&s->layout);
		if (pick < 3 && s->dev_writes)
			dev_write(s, p, false);
		else if (pick == 3 && s->dev_writes && s->have_msg)
			dev_write(s, p, true);
		else if (pick == 4 && s->have_atomic)
			dev_atomic(s, p);
		else if (pick == 5 && s->have_msg)
			dev_read(s, p, true);
		else
			dev_read(s, p, false);
		pthread_rwlock_unlock(&s->layout);
	}
	return NULL;
}

/* ---------------------------------------------------------------- */
/* The disturber                                                     */

/* 0 done, 1 refused as documented, 2 unavailable (why in @why), -1 error */
typedef int (*dist_fn)(struct soak *s, struct rng *r, char *why, size_t len);

static void range_of(struct soak *s, struct rng *r, size_t *off, size_t *len)
{
	size_t units = s->len / s->gran, a = rng_below(r, units);
	size_t n = 1 + rng_below(r, units - a);

	*off = a * s->gran;
	*len = n * s->gran;
}

static int d_clear_refs(struct soak *s, struct rng *r, char *why, size_t len)
{
	(void)s;
	(void)r;
	return pk_write_file("/proc/self/clear_refs", "4", why, len) ? 2 : 0;
}

static int d_mprotect(struct soak *s, struct rng *r, char *why, size_t len)
{
	size_t off, n;

	/* flip PROT_EXEC: the PTEs change, writes stay allowed */
	range_of(s, r, &off, &n);
	if (mprotect(s->base + off, n, PROT_READ | PROT_WRITE | PROT_EXEC) ||
	    mprotect(s->base + off, n, PROT_READ | PROT_WRITE)) {
		snprintf(why, len, "mprotect(0x%zx+0x%zx): %s", off, n,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* uffd-wp with UFFD_FEATURE_WP_ASYNC: writers never block on a handler. */
static int uffd_open(struct soak *s, char *why, size_t len)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		snprintf(why, len, "userfaultfd: %s (CONFIG_USERFAULTFD, vm.unprivileged_userfaultfd)",
			 strerror(errno));
		return -1;
	}
	api.features = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED |
		       s->t.b.desc->uffd_features;
	if (ioctl(fd, UFFDIO_API, &api)) {
		snprintf(why, len, "UFFDIO_API with WP_ASYNC (Linux 6.7) and 0x%" PRIx64 ": %s",
			 (uint64_t)s->t.b.desc->uffd_features, strerror(errno));
		close(fd);
		return -1;
	}
	reg.range.start = (uintptr_t)s->base;
	reg.range.len = s->len;
	reg.mode = UFFDIO_REGISTER_MODE_WP;
	if (ioctl(fd, UFFDIO_REGISTER, &reg)) {
		snprintf(why, len, "UFFDIO_REGISTER (WP) of the %s buffer: %s",
			 s->t.b.desc->name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void uffd_close(struct soak *s, int fd)
{
	struct uffdio_range rg = { (uintptr_t)s->base, s->len };

	ioctl(fd, UFFDIO_UNREGISTER, &rg);
	close(fd);
}

static void nap(struct rng *r, unsigned int max_us)
{
	struct timespec ts = { 0, (long)rng_below(r, max_us + 1) * 1000 };

	nanosleep(&ts, NULL);
}

static int d_uffd_wp(struct soak *s, struct rng *r, char *why, size_t len)
{
	struct uffdio_writeprotect wp;
	int fd = uffd_open(s, why, len), ret = 0;
	size_t off, n;

	if (fd < 0)
		return 2;
	range_of(s, r, &off, &n);
	wp.range.start = (uintptr_t)s->base + off;
	wp.range.len = n;
	wp.mode = UFFDIO_WRITEPROTECT_MODE_WP;
	if (ioctl(fd, UFFDIO_WRITEPROTECT, &wp)) {
		snprintf(why, len, "UFFDIO_WRITEPROTECT on: %s", strerror(errno));
		ret = -1;
	} else {
		nap(r, 500);
		wp.mode = 0;
		if (ioctl(fd, UFFDIO_WRITEPROTECT, &wp)) {
			snprintf(why, len, "UFFDIO_WRITEPROTECT off: %s",
				 strerror(errno));
			ret = -1;
		}
	}
	uffd_close(s, fd);
	return ret;
}

static int d_pagemap_scan(struct soak *s, struct rng *r, char *why, size_t len)
{
	struct pm_scan_arg a;
	int fd = uffd_open(s, why, len), ret = 0, i;

	if (fd < 0)
		return 2;
	for (i = 0; i < 2 && !ret; i++) {
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC;
		a.start = (uintptr_t)s->base;
		a.end = (uintptr_t)s->base + s->len;
		a.category_mask = PAGE_IS_WRITTEN;
		a.return_mask = PAGE_IS_WRITTEN;
		if (ioctl(s->t.pm_fd, PAGEMAP_SCAN, &a) < 0) {
			snprintf(why, len, "PAGEMAP_SCAN write-protecting reset (Linux 6.7): %s",
				 strerror(errno));
			ret = errno == ENOTTY || errno == EINVAL ? 2 : -1;
		}
		nap(r, 500);
	}
	uffd_close(s, fd);
	return ret;
}

/* A child that writes its private copy (or only exits), concurrently. */
static int do_fork(struct soak *s, struct rng *r, char *why, size_t len,
		   bool child_writes)
{
	size_t p = rng_below(r, s->npages), i;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* never the parent's data: a shared mapping is left alone */
		if (child_writes && !s->shared)
			for (i = 0; i < 4 * CPP && p * SPAGE + i * CHUNK < s->len; i++)
				memset(s->base + p * SPAGE + i * CHUNK, 0xc5, CHUNK);
		_exit(0);
	}
	nap(r, 1000);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		snprintf(why, len, "the fork child did not exit cleanly (status 0x%x)",
			 status);
		return -1;
	}
	return 0;
}

static int d_fork_writes(struct soak *s, struct rng *r, char *why, size_t len)
{
	return do_fork(s, r, why, len, true);
}

static int d_fork_exits(struct soak *s, struct rng *r, char *why, size_t len)
{
	return do_fork(s, r, why, len, false);
}

static long ksm_long(const char *name)
{
	char path[96], buf[32];

	snprintf(path, sizeof(path), KSM_DIR "%s", name);
	return pk_read_file(path, buf, sizeof(buf)) ? -1 : atol(buf);
}

static int d_ksm(struct soak *s, struct rng *r, char *why, size_t len)
{
	static const char *const knob[3] = {
		KSM_DIR "run", KSM_DIR "pages_to_scan", KSM_DIR "sleep_millisecs",
	};
	static const char *const want[3] = { "1", "10000", "0" };
	char old[3][32], err[PK_ERR_MAX];
	long scans = ksm_long("full_scans");
	double until = pk_now() + 0.3;
	int i, ret = 0;

	(void)r;
	if (scans < 0) {
		snprintf(why, len, "no " KSM_DIR " (kernel without CONFIG_KSM)");
		return 2;
	}
	if (madvise(s->base, s->len, MADV_MERGEABLE)) {
		snprintf(why, len, "madvise(MADV_MERGEABLE) on %s: %s",
			 s->t.b.desc->name, strerror(errno));
		return 2;
	}
	for (i = 0; i < 3; i++) {
		if (pk_read_file(knob[i], old[i], sizeof(old[i])))
			old[i][0] = '\0';
		pk_write_file(knob[i], want[i], err, sizeof(err));
	}
	while (ksm_long("full_scans") < scans + 1 && pk_now() < until)
		usleep(2000);
	for (i = 2; i >= 0; i--)
		if (old[i][0])
			pk_write_file(knob[i], old[i], err, sizeof(err));
	if (madvise(s->base, s->len, MADV_UNMERGEABLE)) {
		snprintf(why, len, "madvise(MADV_UNMERGEABLE): %s",
			 strerror(errno));
		ret = -1;
	}
	return ret;
}

static int d_pageout(struct soak *s, struct rng *r, char *why, size_t len)
{
	size_t off, n;

	range_of(s, r, &off, &n);
	if (madvise(s->base + off, n, MADV_PAGEOUT)) {
		snprintf(why, len, "madvise(MADV_PAGEOUT) on %s: %s",
			 s->t.b.desc->name, strerror(errno));
		return 2;
	}
	return 0;
}

static int d_migrate(struct soak *s, struct rng *r, char *why, size_t len)
{
	void *pages[8];
	int nodes[8], status[8], i, n = 1 + (int)rng_below(r, 8), moved = 0;

	for (i = 0; i < n; i++)
		pages[i] = s->base + rng_below(r, s->npages) * SPAGE;
	if (syscall(SYS_move_pages, 0, n, pages, NULL, status, 0)) {
		snprintf(why, len, "move_pages (query): %s", strerror(errno));
		return 2;
	}
	for (i = 0; i < n; i++)
		nodes[i] = status[i] == 1 ? 0 : 1;
	if (syscall(SYS_move_pages, 0, n, pages, nodes, status,
		    MPOL_MF_MOVE) < 0) {
		snprintf(why, len, "move_pages to the other node: %s (one NUMA node?)",
			 strerror(errno));
		return errno == ENODEV || errno == EINVAL ? 2 : -1;
	}
	for (i = 0; i < n; i++)
		moved += status[i] >= 0;
	return moved ? 0 : 1;
}

static int d_compact(struct soak *s, struct rng *r, char *why, size_t len)
{
	(void)s;
	(void)r;
	return pk_write_file("/proc/sys/vm/compact_memory", "1", why, len) ?
	       2 : 0;
}

static int d_thp_split(struct soak *s, struct rng *r, char *why, size_t len)
{
	char cmd[96];

	(void)r;
	if (!s->thp) {
		snprintf(why, len, "the %s backing has no THP to split",
			 s->t.b.desc->name);
		return 2;
	}
	snprintf(cmd, sizeof(cmd), "%d,0x%lx,0x%lx", (int)getpid(),
		 (unsigned long)s->base, (unsigned long)(s->base + s->len));
	return pk_write_file(SPLIT_DEBUGFS, cmd, why, len) ? 2 : 0;
}

static int d_collapse(struct soak *s, struct rng *r, char *why, size_t len)
{
	(void)r;
	if (!s->thp) {
		snprintf(why, len, "the %s backing has no THP to collapse",
			 s->t.b.desc->name);
		return 2;
	}
	if (!madvise(s->base, s->len, MADV_COLLAPSE))
		return 0;
	if (errno == EINVAL && !s->dist[PK_DIST_COLLAPSE]) {
		snprintf(why, len, "madvise(MADV_COLLAPSE): %s (Linux 6.1+)",
			 strerror(errno));
		return 2;
	}
	/* pinned pages are not collapsed: EAGAIN, ENOMEM, EINVAL */
	return 1;
}

/* Move the buffer away and back; writers and the device wait. */
static int d_mremap(struct soak *s, struct rng *r, char *why, size_t len)
{
	void *a, *b;
	int ret = 0;

	(void)r;
	pthread_rwlock_wrlock(&s->layout);
	a = mremap(s->base, s->len, s->len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   s->park);
	if (a == MAP_FAILED) {
		snprintf(why, len, "mremap of the %s buffer away: %s",
			 s->t.b.desc->name, strerror(errno));
		ret = -1;
		goto out;
	}
	b = mremap(a, s->len, s->len, MREMAP_MAYMOVE | MREMAP_FIXED, s->base);
	if (b == MAP_FAILED) {
		/* the buffer is gone from its place: nothing can go on */
		snprintf(why, len, "mremap of the %s buffer back: %s",
			 s->t.b.desc->name, strerror(errno));
		atomic_store(&s->stop, true);
		ret = -1;
	}
	/* the spare's reservation went with the first move: take it again */
	if (mmap(s->spare, s->spare_len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1,
		 0) == MAP_FAILED && !ret) {
		snprintf(why, len, "re-reserving the mremap spare: %s",
			 strerror(errno));
		ret = -1;
	}
out:
	pthread_rwlock_unlock(&s->layout);
	return ret;
}

/*
 * The suite's disturbances (pk_disturbs[]) as the soak does them, with
 * writers and the device running.  Not here: munmap, munmap + MAP_FIXED
 * and MADV_DONTNEED take the memory away from its owners (the rows of the
 * suite cover them), and "fork, parent writes" is every fork here.
 */
static const struct {
	enum pk_disturb d;
	const char *label;	/* how the soak does it, in its figures */
	dist_fn fn;
} soak_dists[] = {
	{ PK_DIST_CLEAR_REFS, "clear_refs", d_clear_refs },
	{ PK_DIST_UFFD_WP, "uffd-wp on/off", d_uffd_wp },
	{ PK_DIST_PAGEMAP_SCAN, "PAGEMAP_SCAN reset", d_pagemap_scan },
	{ PK_DIST_MPROTECT, "mprotect +x/-x", d_mprotect },
	{ PK_DIST_FORK_CHILD_WRITES, "fork, child writes", d_fork_writes },
	{ PK_DIST_FORK_CHILD_EXITS, "fork, child exits", d_fork_exits },
	{ PK_DIST_KSM_MERGE, "KSM scan", d_ksm },
	{ PK_DIST_PAGEOUT, "MADV_PAGEOUT", d_pageout },
	{ PK_DIST_MIGRATE, "move_pages", d_migrate },
	{ PK_DIST_COMPACT, "compaction", d_compact },
	{ PK_DIST_THP_SPLIT, "THP split (debugfs)", d_thp_split },
	{ PK_DIST_COLLAPSE, "MADV_COLLAPSE", d_collapse },
	{ PK_DIST_MREMAP, "mremap away and back", d_mremap },
};

#define NR_SOAK_DISTS	(sizeof(soak_dists) / sizeof(soak_dists[0]))

static const char *label(enum pk_disturb d)
{
	size_t i;

	for (i = 0; i < NR_SOAK_DISTS; i++)
		if (soak_dists[i].d == d)
			return soak_dists[i].label;
	return pk_disturb_name(d);
}

static void disturber(struct soak *s, struct pk_result *res)
{
	struct rng r = { s->o->seed };
	bool off[NR_SOAK_DISTS] = { false };
	unsigned long done = 0;
	size_t avail = NR_SOAK_DISTS;

	while (!atomic_load(&s->stop) && avail) {
		size_t i = rng_below(&r, NR_SOAK_DISTS);
		enum pk_disturb d = soak_dists[i].d;
		char why[PK_MSG_MAX] = "";
		struct hist *h;
		double t;
		int ret;

		if (pk_now() >= s->deadline ||
		    (s->o->iterations && done >= s->o->iterations))
			break;
		/* the draw happens even for a kind that is off: same schedule */
		if (off[i])
			continue;
		nap(&r, 2000);
		pthread_mutex_lock(&s->lock);
		h = &s->hist[s->nhist % HISTORY];
		h->t = t = pk_now();
		h->d = d;
		h->what[0] = '\0';
		s->nhist++;
		pthread_mutex_unlock(&s->lock);
		ret = soak_dists[i].fn(s, &r, why, sizeof(why));
		s->dist_secs[d] += pk_now() - t;
		if (ret == 2) {
			off[i] = true;
			avail--;
			snprintf(s->unavailable[d], sizeof(s->unavailable[d]),
				 "%s", why);
			pthread_mutex_lock(&s->lock);
			snprintf(h->what, sizeof(h->what), "unavailable");
			pthread_mutex_unlock(&s->lock);
			continue;
		}
		if (ret < 0) {
			soak_fail(s, false, 0, NULL, "disturbance %s failed: %s",
				  label(d), why);
			break;
		}
		if (ret == 1) {
			s->refused[d]++;
			pthread_mutex_lock(&s->lock);
			snprintf(h->what, sizeof(h->what), "refused");
			pthread_mutex_unlock(&s->lock);
		}
		s->dist[d]++;
		done++;
	}
	if (!avail)
		pk_diag(res, "no disturbance is available on this backing");
}

/* ---------------------------------------------------------------- */
/* One combo                                                          */

static int setup(struct soak *s, const struct pk_case *c, struct pk_result *r)
{
	size_t i, k;
	int ret;

	s->t.c = c;
	s->t.r = r;
	s->t.b.fd = -1;
	s->t.twin.fd = -1;
	s->t.page = SPAGE;
	s->t.b.desc = pk_backing(c->backing);
	s->t.b.len = s->t.b.desc->len;
	s->t.npages = s->t.b.len / SPAGE;
	s->len = s->t.b.len;
	s->npages = s->t.npages;
	s->nchunks = s->npages * CPP;
	s->committed = calloc(s->nchunks, sizeof(*s->committed));
	s->writing = calloc(s->nchunks, sizeof(*s->writing));
	s->t.expect = malloc(s->len);
	if (!s->committed || !s->writing || !s->t.expect ||
	    pk_probes_init(&s->t)) {
		pk_fail(r, "out of memory for %zu chunks of state", s->nchunks);
		return -1;
	}
	for (i = 0; i < s->nchunks; i++)
		for (k = 0; k < WORDS; k++)
			((uint64_t *)s->t.expect)[i * WORDS + k] = rec(i, 0);
	ret = s->t.b.desc->create(&s->t, &s->t.b);
	if (ret)
		return ret;
	s->base = s->t.b.addr;
	s->shared = s->t.b.shared;
	s->thp = s->t.b.desc->thp != PK_THP_NONE;
	memcpy(s->base, s->t.expect, s->len);
	s->gran = s->t.b.desc->flags & PK_BF_ONE_PAGE ? s->len : SPAGE;
	/* a 2 MiB-aligned parking place for mremap (hugetlb needs it) */
	s->spare_len = s->len + (2u << 20);
	s->spare = mmap(NULL, s->spare_len, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (s->spare == MAP_FAILED) {
		s->spare = NULL;
		pk_fail(r, "reserving %zu bytes for mremap: %s", s->spare_len,
			strerror(errno));
		return -1;
	}
	s->park = (uint8_t *)(((uintptr_t)s->spare + (2u << 20) - 1) &
			      ~(uintptr_t)((2u << 20) - 1));
	return 0;
}

static int attach(struct soak *s, const struct pk_case *c,
		  const struct pk_env *env, struct pk_result *r)
{
	struct pk_kind_dev *d = &s->t.kd;
	int ret;

	pk_kind_dev_init(d, c->kind, env, 0);
	d->page = SPAGE;
	ret = pk_kind_check(d, r);
	if (ret)
		return ret;
	if (c->kind->check) {
		d->dir_flags = PK_DIRF_ATOMIC;
		s->have_atomic = c->kind->atomic && !c->kind->check(d);
		d->dir_flags = PK_DIRF_MSG | PK_DIRF_DEV_WRITES;
		s->have_msg = (c->kind->flags & PK_KF_VERBS) &&
			      !c->kind->check(d);
	} else {
		s->have_atomic = c->kind->atomic;
	}
	/*
	 * A device that moves whole pages (PK_KF_WHOLE_PAGES: test_hmm)
	 * would write the CPU's stripes with its own, so it only reads.
	 */
	s->dev_writes = c->kind->write &&
			!(c->kind->flags & PK_KF_WHOLE_PAGES);
	if (c->kind->write && !s->dev_writes)
		pk_diag(r, "%s moves whole pages: the device reads, the CPU writes",
			c->kind->name);
	d->addr = s->base;
	d->len = s->len;
	d->scratch_len = 2 * SPAGE;
	d->dir_flags = 0;
	ret = d->ops->attach(d);
	if (ret == PK_KIND_SKIP)
		pk_skip(r, "%s", d->err);
	else if (ret)
		pk_fail(r, "%s: attaching to %s: %s", d->ops->name,
			s->t.b.desc->name, d->err);
	return ret;
}

static void figures(struct soak *s, struct pk_result *r, double secs,
		    struct pk_soak_totals *tot)
{
	char line[PK_MSG_MAX * 2];
	unsigned long nd = 0;
	size_t used = 0, i;
	uint64_t ops = 0;

	for (i = 0; i < PK_DIST_NR; i++) {
		if (!s->dist[i])
			continue;
		nd += s->dist[i];
		tot->dist[i] += s->dist[i];
		tot->dist_secs[i] += s->dist_secs[i];
		used += (size_t)snprintf(line + used, used < sizeof(line) ?
					 sizeof(line) - used : 0,
					 "%s%s %lu", used ? ", " : "",
					 label((enum pk_disturb)i),
					 s->dist[i]);
		if (s->refused[i] && used < sizeof(line))
			used += (size_t)snprintf(line + used, sizeof(line) - used,
						 " (%lu refused)", s->refused[i]);
		if (used >= sizeof(line))
			break;
	}
	pk_diag(r, "disturbances: %lu (%s)", nd, nd ? line : "none");
	for (i = 0; i < OP_NR; i++) {
		tot->dev_ops += atomic_load(&s->dev_ops[i]);
		ops += atomic_load(&s->dev_ops[i]);
	}
	tot->disturbances += nd;
	tot->cpu_writes += atomic_load(&s->cpu_writes);
	tot->cpu_checked += atomic_load(&s->cpu_checked);
	tot->dev_checked += atomic_load(&s->dev_checked);
	tot->seconds += secs;
	tot->corrupt += s->corrupt;
	pk_diag(r, "CPU: %u writers (nice %d), %llu chunk writes, %llu chunk reads verified; device: %" PRIu64 " ops (write %llu, read %llu, atomic %llu, send %llu, recv %llu), %llu chunks verified; %llu torn reads while written",
		s->nwriters, WRITER_NICE, atomic_load(&s->cpu_writes),
		atomic_load(&s->cpu_checked), ops,
		atomic_load(&s->dev_ops[OP_WRITE]),
		atomic_load(&s->dev_ops[OP_READ]),
		atomic_load(&s->dev_ops[OP_ATOMIC]),
		atomic_load(&s->dev_ops[OP_SEND]),
		atomic_load(&s->dev_ops[OP_RECV]),
		atomic_load(&s->dev_checked), atomic_load(&s->torn));
	pk_diag(r, "%.1f s: %.0f disturbances/s, %.0f CPU writes/s, %.0f device ops/s",
		secs, nd / secs, atomic_load(&s->cpu_writes) / secs, ops / secs);
	for (i = 0; i < PK_DIST_NR; i++)
		if (s->unavailable[i][0])
			pk_diag(r, "not here: %s: %s",
				label((enum pk_disturb)i),
				s->unavailable[i]);
}

void pk_soak_combo(const struct pk_case *c, const struct pk_env *env,
		   const struct pk_soak_opts *o, double seconds,
		   struct pk_result *r, struct pk_soak_totals *tot)
{
	struct writer w[WRITERS_MAX];
	struct device dv;
	struct soak *s;
	unsigned int i, started = 0;
	bool dev_started = false;
	double t_end;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s) {
		pk_fail(r, "out of memory for the soak state");
		return;
	}
	s->o = o;
	s->t.pm_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	s->t.kpf_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	s->ncpu = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	if (!s->ncpu)
		s->ncpu = 1;
	s->nwriters = o->writers ? o->writers : (s->ncpu < 2 ? 2 : s->ncpu);
	if (s->nwriters > WRITERS_MAX)
		s->nwriters = WRITERS_MAX;
	pthread_mutex_init(&s->lock, NULL);
	{
		pthread_rwlockattr_t a;

		pthread_rwlockattr_init(&a);
		/* mremap must not starve behind the readers */
		pthread_rwlockattr_setkind_np(&a,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&s->layout, &a);
		pthread_rwlockattr_destroy(&a);
	}
	if (s->t.pm_fd < 0) {
		pk_fail(r, "cannot open /proc/self/pagemap: %s (is /proc mounted?)",
			strerror(errno));
		goto out_free;
	}
	ret = setup(s, c, r);
	if (ret)
		goto out_buf;
	ret = attach(s, c, env, r);
	if (ret)
		goto out_detach;

	s->t0 = pk_now();
	s->deadline = s->t0 + seconds;
	for (i = 0; i < s->nwriters; i++) {
		w[i].s = s;
		w[i].id = i;
		if (pthread_create(&w[i].th, NULL, writer_main, &w[i])) {
			pk_fail(r, "pthread_create for CPU writer %u failed", i);
			goto out_stop;
		}
		started++;
	}
	dv.s = s;
	if (pthread_create(&dv.th, NULL, device_main, &dv)) {
		pk_fail(r, "pthread_create for the device thread failed");
		goto out_stop;
	}
	dev_started = true;
	disturber(s, r);
out_stop:
	atomic_store(&s->stop, true);
	for (i = 0; i < started; i++)
		pthread_join(w[i].th, NULL);
	if (dev_started)
		pthread_join(dv.th, NULL);
	t_end = pk_now();
	if (s->failed) {
		char *line, *save = NULL;

		pk_fail(r, "%s", s->fail_msg);
		for (line = strtok_r(s->fail_detail, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			pk_diag(r, "%s", line);
		if (s->corrupt)
			pk_diag(r, "first-diff: offset=0x%zx", s->fail_off);
	}
	if (started)
		figures(s, r, t_end - s->t0, tot);
out_detach:
	if (s->t.kd.ops && s->t.kd.ops->detach(&s->t.kd))
		pk_fail(r, "%s: detaching: %s", s->t.kd.ops->name, s->t.kd.err);
out_buf:
	if (s->spare)
		munmap(s->spare, s->spare_len);
	pk_buf_destroy(&s->t.b);
	free(s->t.expect);
	free(s->t.probe);
	free(s->committed);
	free(s->writing);
	if (s->t.kpf_fd >= 0)
		close(s->t.kpf_fd);
	if (s->t.pm_fd >= 0)
		close(s->t.pm_fd);
out_free:
	pthread_rwlock_destroy(&s->layout);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/*
 * Does the soak cover backing @b in pass @pass?  Every backing that is
 * still what it is once the CPU has written it (not PK_BF_UNWRITTEN): the
 * soak writes every page first.  The ones of many pages come first, the
 * one-page ones (PK_BF_ONE_PAGE, whose disturbances act on the whole
 * buffer) after them.
 */
static bool soak_takes(const struct pk_backing_desc *b, unsigned int pass)
{
	return !(b->flags & PK_BF_UNWRITTEN) &&
	       !(b->flags & PK_BF_ONE_PAGE) == !pass;
}

/* Backing @b's cases, from @n on; the count after them. */
static size_t expand_backing(enum pk_backing b, struct pk_case *out,
			     size_t max, size_t n)
{
	size_t k;

	for (k = 0; k < pk_kind_count(); k++) {
		const struct pk_kind_ops *ops = pk_kind_at(k);
		struct pk_case *c;

		if (!pk_family_has_kind(&pk_family_soak, ops))
			continue;
		if (out && n < max) {
			c = &out[n];
			memset(c, 0, sizeof(*c));
			c->kind = ops;
			c->backing = b;
			snprintf(c->name, sizeof(c->name), "soak/%s/%s",
				 pk_backing_name(b), ops->name);
		}
		n++;
	}
	return n;
}

size_t pk_soak_expand(struct pk_case *out, size_t max)
{
	unsigned int pass, b;
	size_t n = 0;

	for (pass = 0; pass < 2; pass++)
		for (b = 0; b < pk_backing_count(); b++)
			if (soak_takes(pk_backing(b), pass))
				n = expand_backing(b, out, max, n);
	return n;
}

/*
 * Every kind: the device reads, and writes its own stripe where it can
 * (PK_KF_WRITES without PK_KF_WHOLE_PAGES), with fetch-and-add where it
 * has one (PK_KF_ATOMIC).
 */
const struct pk_family pk_family_soak = {
	.name = "soak",
	.what = "CPU writers, device traffic and every disturbance at once (pinkit soak)",
	.why = "every kind reads; what else the device does follows its flags",
	.expand = pk_soak_expand,
};

void pk_soak_totals_write(FILE *f, const struct pk_soak_totals *t)
{
	size_t i;

	fprintf(f, "# soak totals: %lu disturbances in %.1f s (%.1f/s) with traffic:",
		t->disturbances, t->seconds,
		t->seconds > 0 ? t->disturbances / t->seconds : 0.0);
	for (i = 0; i < NR_SOAK_DISTS; i++)
		fprintf(f, "%s %s %lu", i ? ";" : "", soak_dists[i].label,
			t->dist[soak_dists[i].d]);
	/* where the disturber's time went: what bounds the rate above */
	fprintf(f, "\n# soak totals: mean time per disturbance:");
	for (i = 0; i < NR_SOAK_DISTS; i++) {
		enum pk_disturb d = soak_dists[i].d;

		if (t->dist[d])
			fprintf(f, "%s %s %.1f ms", i ? ";" : "",
				soak_dists[i].label,
				t->dist_secs[d] * 1000 / t->dist[d]);
	}
	fprintf(f, "\n# soak totals: CPU %llu chunk writes, %llu chunk reads verified; device %llu ops (%.0f/s), %llu chunks verified; %lu lost, stale or misplaced writes\n",
		t->cpu_writes, t->cpu_checked, t->dev_ops,
		t->seconds > 0 ? t->dev_ops / t->seconds : 0.0, t->dev_checked,
		t->corrupt);
	fflush(f);
}
