// SPDX-License-Identifier: GPL-2.0
/*
 * userptr-test - what radeon's RADEON_GEM_USERPTR ioctl does on the
 * device at /dev/dri/card0 (or argv[1]): device id and acceleration state
 * from RADEON_INFO, the GTT size from GEM_INFO, a plain GTT BO, then
 * userptr BOs over anonymous memory with several flag sets, each reported
 * with the ioctl's return and errno.  A BO that was created is then
 * unmapped under the driver (munmap) to run its mmu notifier, and closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/radeon_drm.h>

#define NPAGES 16

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do {
		r = ioctl(fd, req, arg);
	} while (r < 0 && (errno == EINTR || errno == EAGAIN));
	return r < 0 ? -errno : 0;
}

static void gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };
	int r = xioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);

	printf("  GEM_CLOSE handle %u: %d (%s)\n", handle, r, strerror(-r));
}

static void info(int fd, uint32_t req, const char *name)
{
	uint32_t val = 0;
	struct drm_radeon_info i = {
		.request = req,
		.value = (uintptr_t)&val,
	};
	int r = xioctl(fd, DRM_IOCTL_RADEON_INFO, &i);

	printf("RADEON_INFO %s: r=%d (%s) value=0x%x\n", name, r,
	       strerror(-r), val);
}

static void userptr(int fd, uint32_t flags, const char *name)
{
	size_t len = NPAGES * 4096;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_radeon_gem_userptr u;
	struct drm_radeon_gem_busy b;
	int r;

	if (p == MAP_FAILED) {
		perror("mmap");
		return;
	}
	memset(p, 0x5a, len);
	memset(&u, 0, sizeof(u));
	u.addr = (uintptr_t)p;
	u.size = len;
	u.flags = flags;
	r = xioctl(fd, DRM_IOCTL_RADEON_GEM_USERPTR, &u);
	printf("GEM_USERPTR %s (flags 0x%x, %zu bytes): r=%d (%s) handle=%u\n",
	       name, flags, len, r, strerror(-r), u.handle);
	if (!r) {
		memset(&b, 0, sizeof(b));
		b.handle = u.handle;
		r = xioctl(fd, DRM_IOCTL_RADEON_GEM_BUSY, &b);
		printf("  GEM_BUSY: r=%d (%s) domain=0x%x\n", r, strerror(-r),
		       b.domain);
		/* the range goes away under the BO: its notifier runs */
		r = munmap(p, len);
		printf("  munmap under the BO: %d\n", r);
		fflush(stdout);
		gem_close(fd, u.handle);
		return;
	}
	munmap(p, len);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/dri/card0";
	struct drm_radeon_gem_info gi;
	struct drm_radeon_gem_create gc;
	char name[64] = "";
	struct drm_version v = {
		.name = name,
		.name_len = sizeof(name) - 1,
	};
	int fd, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		printf("open %s: %s\n", path, strerror(errno));
		return 1;
	}
	r = xioctl(fd, DRM_IOCTL_VERSION, &v);
	printf("%s: DRM_IOCTL_VERSION r=%d driver '%s' %d.%d.%d\n", path, r,
	       name, v.version_major, v.version_minor, v.version_patchlevel);

	info(fd, RADEON_INFO_DEVICE_ID, "DEVICE_ID");
	info(fd, RADEON_INFO_ACCEL_WORKING2, "ACCEL_WORKING2");

	memset(&gi, 0, sizeof(gi));
	r = xioctl(fd, DRM_IOCTL_RADEON_GEM_INFO, &gi);
	printf("GEM_INFO: r=%d (%s) gart_size=%llu vram_size=%llu vram_visible=%llu\n",
	       r, strerror(-r), (unsigned long long)gi.gart_size,
	       (unsigned long long)gi.vram_size,
	       (unsigned long long)gi.vram_visible);

	memset(&gc, 0, sizeof(gc));
	gc.size = 65536;
	gc.alignment = 4096;
	gc.initial_domain = RADEON_GEM_DOMAIN_GTT;
	r = xioctl(fd, DRM_IOCTL_RADEON_GEM_CREATE, &gc);
	printf("GEM_CREATE GTT 64 KiB: r=%d (%s) handle=%u\n", r, strerror(-r),
	       gc.handle);
	if (!r)
		gem_close(fd, gc.handle);

	/* writable userptr needs ANONONLY and REGISTER */
	userptr(fd, RADEON_GEM_USERPTR_ANONONLY | RADEON_GEM_USERPTR_REGISTER |
		RADEON_GEM_USERPTR_VALIDATE, "ANONONLY|REGISTER|VALIDATE");
	userptr(fd, RADEON_GEM_USERPTR_REGISTER | RADEON_GEM_USERPTR_VALIDATE,
		"REGISTER|VALIDATE");
	userptr(fd, RADEON_GEM_USERPTR_READONLY | RADEON_GEM_USERPTR_REGISTER |
		RADEON_GEM_USERPTR_VALIDATE, "READONLY|REGISTER|VALIDATE");
	userptr(fd, RADEON_GEM_USERPTR_ANONONLY | RADEON_GEM_USERPTR_REGISTER,
		"ANONONLY|REGISTER (no VALIDATE)");

	close(fd);
	printf("userptr-test done\n");
	return 0;
}
