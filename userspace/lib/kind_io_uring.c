// SPDX-License-Identifier: GPL-2.0
/*
 * io-uring-fixed: the buffer registered with IORING_REGISTER_BUFFERS, which
 * pins it with FOLL_PIN | FOLL_LONGTERM (io_uring/rsrc.c), the long-term
 * pin every distribution kernel has without an RDMA device.
 *
 * The "device" moves data through the pinned pages, never through the page
 * tables: a read is an IORING_OP_WRITE_FIXED from the buffer into a memfd
 * and a pread of it into the scratch buffer; a write is a pwrite of the
 * scratch buffer into the memfd and an IORING_OP_READ_FIXED from it into
 * the buffer.  Raw system calls, so the guest needs no liburing.
 */
#include <errno.h>
#include <stdio.h>
#include <linux/io_uring.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "pinkit-kind.h"

#define RING_ENTRIES	8

struct ring {
	int fd;
	int file;		/* memfd the fixed reads and writes go through */
	void *sq_map, *cq_map;
	size_t sq_len, cq_len;
	struct io_uring_sqe *sqes;
	size_t sqes_len;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_cqe *cqes;
	bool registered;
};

static int ring_map(struct pk_kind_dev *d, struct ring *r,
		    const struct io_uring_params *p)
{
	r->sq_len = p->sq_off.array + p->sq_entries * sizeof(unsigned int);
	r->cq_len = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
	r->sqes_len = p->sq_entries * sizeof(struct io_uring_sqe);
	r->sq_map = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	r->cq_map = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sq_map == MAP_FAILED || r->cq_map == MAP_FAILED ||
	    r->sqes == MAP_FAILED) {
		snprintf(d->err, sizeof(d->err), "mmap of the io_uring rings: %s",
			 strerror(errno));
		return -1;
	}
	r->sq_tail = (unsigned int *)((char *)r->sq_map + p->sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)r->sq_map + p->sq_off.ring_mask);
	r->sq_array = (unsigned int *)((char *)r->sq_map + p->sq_off.array);
	r->cq_head = (unsigned int *)((char *)r->cq_map + p->cq_off.head);
	r->cq_tail = (unsigned int *)((char *)r->cq_map + p->cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)r->cq_map + p->cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)r->cq_map + p->cq_off.cqes);
	return 0;
}

static int uring_attach(struct pk_kind_dev *d)
{
	struct io_uring_params p;
	struct iovec iov = { .iov_base = d->addr, .iov_len = d->len };
	struct ring *r = calloc(1, sizeof(*r));
	int e;

	if (!r) {
		snprintf(d->err, sizeof(d->err), "out of memory for the io_uring state");
		return -1;
	}
	r->fd = r->file = -1;
	r->sq_map = r->cq_map = r->sqes = MAP_FAILED;
	d->priv = r;
	memset(&p, 0, sizeof(p));
	r->fd = (int)syscall(__NR_io_uring_setup, RING_ENTRIES, &p);
	if (r->fd < 0) {
		e = errno;
		if (e == ENOSYS) {
			snprintf(d->err, sizeof(d->err),
				 "io_uring_setup: %s: kernel without CONFIG_IO_URING",
				 strerror(e));
			return PK_KIND_SKIP;
		}
		if (e == EPERM) {
			snprintf(d->err, sizeof(d->err),
				 "io_uring_setup: %s: io_uring disabled (sysctl kernel.io_uring_disabled) or not permitted",
				 strerror(e));
			return PK_KIND_SKIP;
		}
		snprintf(d->err, sizeof(d->err), "io_uring_setup(%d entries): %s",
			 RING_ENTRIES, strerror(e));
		return -1;
	}
	if (ring_map(d, r, &p))
		return -1;
	r->file = memfd_create("pinkit-io-uring", MFD_CLOEXEC);
	if (r->file < 0 || ftruncate(r->file, (off_t)d->len)) {
		snprintf(d->err, sizeof(d->err),
			 "memfd for the io_uring transfers (%zu bytes): %s",
			 d->len, strerror(errno));
		return -1;
	}
	d->scratch = malloc(d->scratch_len);
	if (!d->scratch) {
		snprintf(d->err, sizeof(d->err), "out of memory for the io_uring scratch buffer");
		return -1;
	}
	/* FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE on the whole buffer */
	if (syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_BUFFERS,
		    &iov, 1)) {
		e = errno;
		snprintf(d->err, sizeof(d->err),
			 "IORING_REGISTER_BUFFERS (%zu bytes at %p): %s%s",
			 d->len, (void *)d->addr, strerror(e),
			 e == EOPNOTSUPP ? " (the kernel refuses a long-term pin of this memory)" :
			 e == ENOMEM ? " (RLIMIT_MEMLOCK too small?)" : "");
		return e == EOPNOTSUPP ? PK_KIND_SKIP : -1;
	}
	r->registered = true;
	return 0;
}

static int uring_detach(struct pk_kind_dev *d)
{
	struct ring *r = d->priv;
	int ret = 0;

	if (!r)
		return 0;
	if (r->registered &&
	    syscall(__NR_io_uring_register, r->fd, IORING_UNREGISTER_BUFFERS,
		    NULL, 0)) {
		snprintf(d->err, sizeof(d->err), "IORING_UNREGISTER_BUFFERS: %s",
			 strerror(errno));
		ret = -1;
	}
	if (r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sqes_len);
	if (r->cq_map != MAP_FAILED)
		munmap(r->cq_map, r->cq_len);
	if (r->sq_map != MAP_FAILED)
		munmap(r->sq_map, r->sq_len);
	if (r->file >= 0)
		close(r->file);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
	free(d->scratch);
	d->scratch = NULL;
	d->priv = NULL;
	return ret;
}

/*
 * One fixed-buffer operation: @len bytes between buffer[@off] and the
 * memfd at the same offset; waits for its completion.
 */
static int uring_fixed(struct pk_kind_dev *d, unsigned char op,
		       const char *name, size_t off, size_t len)
{
	struct ring *r = d->priv;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	unsigned int tail, head;
	long ret;

	tail = *r->sq_tail;
	sqe = &r->sqes[tail & *r->sq_mask];
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = op;
	sqe->fd = r->file;
	sqe->off = off;
	sqe->addr = (uintptr_t)d->addr + off;
	sqe->len = (uint32_t)len;
	sqe->buf_index = 0;
	r->sq_array[tail & *r->sq_mask] = tail & *r->sq_mask;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);

	do {
		ret = syscall(__NR_io_uring_enter, r->fd, 1, 1,
			      IORING_ENTER_GETEVENTS, NULL, 0);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		snprintf(d->err, sizeof(d->err), "io_uring_enter (%s): %s",
			 name, strerror(errno));
		return -1;
	}
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE)) {
		snprintf(d->err, sizeof(d->err),
			 "io_uring_enter (%s) returned without a completion",
			 name);
		return -1;
	}
	cqe = &r->cqes[head & *r->cq_mask];
	ret = cqe->res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	if (ret != (long)len) {
		snprintf(d->err, sizeof(d->err),
			 "%s of %zu bytes at offset 0x%zx: %s", name, len, off,
			 ret < 0 ? strerror((int)-ret) : "short transfer");
		d->status = ret < 0 ? (int)-ret : 0;
		return -1;
	}
	return 0;
}

static int uring_read(struct pk_kind_dev *d, const struct pk_xfer *x, size_t n)
{
	struct ring *r = d->priv;
	size_t i;

	for (i = 0; i < n; i++) {
		if (uring_fixed(d, IORING_OP_WRITE_FIXED, "IORING_OP_WRITE_FIXED",
				x[i].off, x[i].len))
			return -1;
		if (pread(r->file, d->scratch + x[i].loff, x[i].len,
			  (off_t)x[i].off) != (ssize_t)x[i].len) {
			snprintf(d->err, sizeof(d->err),
				 "pread of %zu bytes from the io_uring memfd: %s",
				 x[i].len, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int uring_write(struct pk_kind_dev *d, const struct pk_xfer *x, size_t n)
{
	struct ring *r = d->priv;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pwrite(r->file, d->scratch + x[i].loff, x[i].len,
			   (off_t)x[i].off) != (ssize_t)x[i].len) {
			snprintf(d->err, sizeof(d->err),
				 "pwrite of %zu bytes to the io_uring memfd: %s",
				 x[i].len, strerror(errno));
			return -1;
		}
		if (uring_fixed(d, IORING_OP_READ_FIXED, "IORING_OP_READ_FIXED",
				x[i].off, x[i].len))
			return -1;
	}
	return 0;
}

const struct pk_kind_ops pk_kind_io_uring = {
	PK_KIND_OPS_HEAD,
	.name = "io-uring-fixed",
	.flags = PK_KF_PIN | PK_KF_WRITES,
	.read_name = "an io_uring WRITE_FIXED out of the registered buffer",
	.write_name = "an io_uring READ_FIXED into the registered buffer",
	.attach = uring_attach,
	.detach = uring_detach,
	.read = uring_read,
	.write = uring_write,
};
