// SPDX-License-Identifier: GPL-2.0
/*
 * gup-longterm-ro: gup_test's long-term R/O pin (CONFIG_GUP_TEST, Linux
 * 6.6+), the kernel's own FOLL_PIN | FOLL_LONGTERM user without a device.
 * Reads go through the pinned pages (PIN_LONGTERM_TEST_READ); it cannot
 * write.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pinkit.h"

#define GUP_TEST	"/sys/kernel/debug/gup_test"

/* mm/gup_test.h (6.6+) */
struct pin_longterm_test {
	uint64_t addr;
	uint64_t size;
	uint32_t flags;
};

#define PIN_LONGTERM_TEST_START	_IOW('g', 7, struct pin_longterm_test)
#define PIN_LONGTERM_TEST_STOP	_IO('g', 8)
#define PIN_LONGTERM_TEST_READ	_IOW('g', 9, uint64_t)

struct gup_priv {
	int fd;
	bool pinned;
	uint8_t *copy;		/* PIN_LONGTERM_TEST_READ copies everything */
};

static int gup_attach(struct pk_kind_dev *d)
{
	struct pin_longterm_test pin = {
		.addr = (uintptr_t)d->addr,
		.size = d->len,
		.flags = 0,	/* R/O long-term pin */
	};
	struct gup_priv *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(d->err, sizeof(d->err), "out of memory for the gup_test state");
		return -1;
	}
	d->priv = p;
	p->fd = open(GUP_TEST, O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		int e = errno;

		snprintf(d->err, sizeof(d->err),
			 "cannot open %s: %s (kernel without CONFIG_GUP_TEST, or debugfs not mounted on /sys/kernel/debug)",
			 GUP_TEST, strerror(e));
		return e == ENOENT || e == ENODEV || e == ENXIO ? PK_KIND_SKIP : -1;
	}
	d->scratch = malloc(d->scratch_len);
	p->copy = malloc(d->len);
	if (!d->scratch || !p->copy) {
		snprintf(d->err, sizeof(d->err), "out of memory for the gup_test buffers");
		return -1;
	}
	if (ioctl(p->fd, PIN_LONGTERM_TEST_START, &pin)) {
		int e = errno;

		if (e == EINVAL || e == ENOTTY) {
			snprintf(d->err, sizeof(d->err),
				 "gup_test has no PIN_LONGTERM_TEST_START: %s (Linux 6.6+)",
				 strerror(e));
			return PK_KIND_SKIP;
		}
		snprintf(d->err, sizeof(d->err),
			 "PIN_LONGTERM_TEST_START (R/O long-term pin of %zu bytes): %s",
			 d->len, strerror(e));
		return -1;
	}
	p->pinned = true;
	return 0;
}

static int gup_detach(struct pk_kind_dev *d)
{
	struct gup_priv *p = d->priv;
	int ret = 0;

	if (!p)
		return 0;
	if (p->pinned && ioctl(p->fd, PIN_LONGTERM_TEST_STOP)) {
		snprintf(d->err, sizeof(d->err), "PIN_LONGTERM_TEST_STOP: %s",
			 strerror(errno));
		ret = -1;
	}
	if (p->fd >= 0)
		close(p->fd);
	free(p->copy);
	free(p);
	free(d->scratch);
	d->scratch = NULL;
	d->priv = NULL;
	return ret;
}

static int gup_read(struct pk_kind_dev *d, const struct pk_xfer *x, size_t n)
{
	struct gup_priv *p = d->priv;
	size_t i;

	/* the module copies every pinned page; keep the probes */
	if (ioctl(p->fd, PIN_LONGTERM_TEST_READ,
		  &(uint64_t){ (uintptr_t)p->copy })) {
		snprintf(d->err, sizeof(d->err), "PIN_LONGTERM_TEST_READ: %s",
			 strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		memcpy(d->scratch + x[i].loff, p->copy + x[i].off, x[i].len);
	return 0;
}

const struct pk_kind_ops pk_kind_gup_ro = {
	PK_KIND_OPS_HEAD,
	.name = "gup-longterm-ro",
	/* gup_test holds one pin for the whole system */
	.flags = PK_KF_PIN | PK_KF_ONE_ATTACH | PK_KF_TEST_HOOK,
	.read_name = "a read through the gup_test long-term pin",
	.write_name = "(none: a read-only pin)",
	.attach = gup_attach,
	.detach = gup_detach,
	.read = gup_read,
};
