// SPDX-License-Identifier: GPL-2.0
/*
 * hmm-mirror: lib/test_hmm's /dev/hmm_dmirror0 (CONFIG_TEST_HMM), a
 * software secondary MMU that mirrors the page tables with
 * hmm_range_fault() and holds no page reference.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pinkit.h"

#define HMM_DEV		"/dev/hmm_dmirror0"

/* lib/test_hmm_uapi.h */
struct hmm_cmd {
	uint64_t addr;
	uint64_t ptr;
	uint64_t npages;
	uint64_t cpages;
	uint64_t faults;
};

#define HMM_DMIRROR_READ	_IOWR('H', 0x00, struct hmm_cmd)
#define HMM_DMIRROR_WRITE	_IOWR('H', 0x01, struct hmm_cmd)

static int hmm_attach(struct pk_kind_dev *d)
{
	int *fd = malloc(sizeof(*fd));

	if (!fd) {
		snprintf(d->err, sizeof(d->err), "out of memory for the hmm state");
		return -1;
	}
	d->priv = fd;
	*fd = open(HMM_DEV, O_RDWR | O_CLOEXEC);
	if (*fd < 0) {
		int e = errno;

		snprintf(d->err, sizeof(d->err),
			 "cannot open %s: %s (kernel without CONFIG_TEST_HMM, lib/test_hmm)",
			 HMM_DEV, strerror(e));
		return e == ENOENT || e == ENODEV || e == ENXIO ? PK_KIND_SKIP : -1;
	}
	d->scratch = malloc(d->scratch_len);
	if (!d->scratch) {
		snprintf(d->err, sizeof(d->err), "out of memory for the hmm buffer");
		return -1;
	}
	return 0;
}

static int hmm_detach(struct pk_kind_dev *d)
{
	int *fd = d->priv;

	if (fd && *fd >= 0)
		close(*fd);
	free(fd);
	free(d->scratch);
	d->priv = NULL;
	d->scratch = NULL;
	return 0;
}

static int hmm_xfer(struct pk_kind_dev *d, unsigned long req, const char *name,
		    const struct pk_xfer *x, size_t n)
{
	int fd = *(int *)d->priv;
	size_t i;

	for (i = 0; i < n; i++) {
		struct hmm_cmd cmd = {
			.addr = (uintptr_t)d->addr + x[i].off,
			.ptr = (uintptr_t)d->scratch + x[i].loff,
			.npages = x[i].len / d->page,
		};

		if (ioctl(fd, req, &cmd)) {
			snprintf(d->err, sizeof(d->err),
				 "%s of %zu bytes at offset 0x%zx: %s", name,
				 x[i].len, x[i].off, strerror(errno));
			return -1;
		}
		if (cmd.cpages != cmd.npages) {
			snprintf(d->err, sizeof(d->err),
				 "%s at offset 0x%zx copied %llu of %llu pages",
				 name, x[i].off,
				 (unsigned long long)cmd.cpages,
				 (unsigned long long)cmd.npages);
			return -1;
		}
	}
	return 0;
}

static int hmm_read(struct pk_kind_dev *d, const struct pk_xfer *x, size_t n)
{
	return hmm_xfer(d, HMM_DMIRROR_READ, "HMM_DMIRROR_READ", x, n);
}

static int hmm_write(struct pk_kind_dev *d, const struct pk_xfer *x, size_t n)
{
	return hmm_xfer(d, HMM_DMIRROR_WRITE, "HMM_DMIRROR_WRITE", x, n);
}

const struct pk_kind_ops pk_kind_hmm_mirror = {
	PK_KIND_OPS_HEAD,
	.name = "hmm-mirror",
	/* HMM_DMIRROR_READ/WRITE move whole pages */
	.flags = PK_KF_NO_REF | PK_KF_WRITES | PK_KF_WHOLE_PAGES |
		 PK_KF_TEST_HOOK,
	.read_name = "an hmm_dmirror read",
	.write_name = "an hmm_dmirror write",
	.attach = hmm_attach,
	.detach = hmm_detach,
	.read = hmm_read,
	.write = hmm_write,
};
