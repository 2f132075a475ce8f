// SPDX-License-Identifier: GPL-2.0
/*
 * The toolkit of a case: the probe pages data moves through, what the CPU
 * and the device must see there (@expect), the checks that compare the two
 * views and record a break, and small helpers for /proc and /sys.
 *
 * It sits below the backings, kinds, directions and disturbances: it calls
 * none of them, and reaches the device only through t->kd.ops.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define KSM_SYSFS	"/sys/kernel/mm/ksm"

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

/* "after clear_refs 4", or "undisturbed" for the rows without one. */
const char *pk_when(const struct pk_tc *t)
{
	static char buf[80];

	if (t->c->row->disturb == PK_DIST_NONE)
		return "undisturbed";
	snprintf(buf, sizeof(buf), "after %s", t->dist->name);
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
int pk_probes_init(struct pk_tc *t)
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
	size_t i;

	pk_set_expect(t, seed);
	pk_copy_probes(t, t->b.addr, t->expect);
	for (i = 0; t->cpu_wrote && i < t->nprobe; i++)
		t->cpu_wrote[t->probe[i]] = 1;
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

	memset(t->kd.scratch, 0xa5, t->nprobe * t->page);
	if (t->kd.ops->read(&t->kd, x, n)) {
		pk_fail(t->r, "%s: %s", when, t->kd.err);
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
	if (pk_compare_probes(t, t->kd.scratch, true, &m))
		pk_break(t, what, &m);
	return 0;
}

void pk_check_cpu(struct pk_tc *t, const char *what)
{
	struct pk_mismatch m;

	if (pk_compare_probes(t, t->b.addr, false, &m))
		pk_break(t, what, &m);
}

int pk_device_write_probes(struct pk_tc *t, const uint8_t *sel)
{
	struct pk_xfer x[PK_PROBES_MAX];
	size_t n = pk_probe_xfers(t, sel, x), i;

	for (i = 0; i < t->nprobe; i++) {
		if (sel && !sel[i])
			continue;
		memcpy(t->kd.scratch + i * t->page,
		       t->expect + t->probe[i] * t->page, t->page);
		t->dev_wrote[t->probe[i]] = 1;
	}
	if (t->kd.ops->write(&t->kd, x, n)) {
		pk_fail(t->r, "%s: %s", pk_when(t), t->kd.err);
		return -1;
	}
	return 0;
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

size_t pk_count_merged(struct pk_tc *t)
{
	uint64_t *pm = calloc(t->npages, sizeof(*pm));
	size_t n = 0;

	if (pm && !pk_pagemap_snapshot(t, pm))
		n = pk_count_shared_pfns(pm, t->npages);
	free(pm);
	return n;
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
