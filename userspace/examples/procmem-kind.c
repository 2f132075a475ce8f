// SPDX-License-Identifier: GPL-2.0
/*
 * procmem-example: a pinkit kind built out of tree, as a vendor would build
 * theirs.  It needs only include/pinkit-kind.h and libc.
 *
 * The "device" is /proc/self/mem: a read or write there goes through
 * get_user_pages() with FOLL_FORCE and drops its page references before
 * the system call returns, like a secondary MMU that faults pages in on
 * demand and holds no reference in between.  So it follows the page tables
 * wherever the kernel moves or copies the pages, and it must not stop
 * migration, KSM or reclaim (PK_KF_NO_REF).
 *
 *   cc -shared -fPIC $(pkg-config --cflags pinkit) -o procmem-kind.so \
 *	procmem-kind.c
 *   pinkit run --kind-plugin ./procmem-kind.so --filter '*procmem-example*'
 *
 * (pkg-config finds pinkit.pc after `make install PREFIX=...`; in the
 * source tree -I userspace/include does the same.)
 *
 * A vendor's kind does the same with its driver: attach() registers the
 * buffer with the device (ibv_reg_mr, a GPU userptr ioctl, ...), read()
 * and write() make the device DMA between the buffer and its own memory,
 * and the scratch buffer is where pinkit puts and finds the bytes.  Its
 * flags say what the device is and can do; every family of cases picks
 * kinds by them alone (include/pinkit-kind.h documents each):
 *
 *   pinkit list --kinds --kind-plugin ./procmem-kind.so
 *
 * names the rows, fork-copies and soak cases the kind gets and, for the
 * others, the flag that keeps it out.  A device that pins the buffer
 * (FOLL_LONGTERM) declares PK_KF_PIN instead of PK_KF_NO_REF and so gets
 * the fork rows and fork-copies too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pinkit-kind.h"

struct procmem {
	int fd;
};

static int procmem_attach(struct pk_kind_dev *d)
{
	struct procmem *p = malloc(sizeof(*p));

	if (!p) {
		snprintf(d->err, sizeof(d->err), "out of memory for the procmem state");
		return -1;
	}
	d->priv = p;
	p->fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		int e = errno;

		snprintf(d->err, sizeof(d->err),
			 "cannot open /proc/self/mem: %s (is /proc mounted?)",
			 strerror(e));
		return e == ENOENT ? PK_KIND_SKIP : -1;
	}
	d->scratch = malloc(d->scratch_len);
	if (!d->scratch) {
		snprintf(d->err, sizeof(d->err), "out of memory for %zu scratch bytes",
			 d->scratch_len);
		return -1;
	}
	return 0;
}

static int procmem_detach(struct pk_kind_dev *d)
{
	struct procmem *p = d->priv;

	if (p && p->fd >= 0)
		close(p->fd);
	free(p);
	free(d->scratch);
	d->priv = NULL;
	d->scratch = NULL;
	return 0;
}

/* One transfer through /proc/self/mem at the buffer's address. */
static int procmem_io(struct pk_kind_dev *d, bool write,
		      const struct pk_xfer *x, size_t n)
{
	struct procmem *p = d->priv;
	size_t i;

	for (i = 0; i < n; i++) {
		off_t at = (off_t)(uintptr_t)(d->addr + x[i].off);
		ssize_t got = write ?
			pwrite(p->fd, d->scratch + x[i].loff, x[i].len, at) :
			pread(p->fd, d->scratch + x[i].loff, x[i].len, at);

		if (got != (ssize_t)x[i].len) {
			snprintf(d->err, sizeof(d->err),
				 "%s of %zu bytes at buffer offset 0x%zx through /proc/self/mem: %s",
				 write ? "pwrite" : "pread", x[i].len, x[i].off,
				 got < 0 ? strerror(errno) : "short transfer");
			return -1;
		}
	}
	return 0;
}

static int procmem_read(struct pk_kind_dev *d, const struct pk_xfer *x,
			size_t n)
{
	return procmem_io(d, false, x, n);
}

static int procmem_write(struct pk_kind_dev *d, const struct pk_xfer *x,
			 size_t n)
{
	return procmem_io(d, true, x, n);
}

static const struct pk_kind_ops procmem = {
	PK_KIND_OPS_HEAD,
	.name = "procmem-example",
	/* no page reference between transfers; it writes; no atomics */
	.flags = PK_KF_NO_REF | PK_KF_WRITES,
	.read_name = "a pread of /proc/self/mem",
	.write_name = "a pwrite of /proc/self/mem",
	.attach = procmem_attach,
	.detach = procmem_detach,
	.read = procmem_read,
	.write = procmem_write,
};

static const struct pk_kind_ops *const kinds[] = { &procmem };

const struct pk_kind_ops *const *pinkit_kinds(unsigned int *n)
{
	*n = sizeof(kinds) / sizeof(kinds[0]);
	return kinds;
}
