// SPDX-License-Identifier: GPL-2.0
/*
 * --kind-plugin PATH.so: kinds built out of tree against
 * include/pinkit-kind.h, loaded with dlopen and registered like the
 * built-in ones.  The object stays loaded for the life of the process.
 */
#include <dlfcn.h>
#include <string.h>

#include "internal.h"

int pk_kind_plugin_load(const char *path, char *err, size_t len)
{
	const struct pk_kind_ops *const *kinds;
	char why[PK_MSG_MAX];
	unsigned int n = 0, i;
	pk_kinds_fn fn;
	void *h;

	/* a bare name would make dlopen search the library path */
	if (!strchr(path, '/')) {
		snprintf(err, len, "--kind-plugin %s: give a path (./%s), not a library name",
			 path, path);
		return -1;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, len, "--kind-plugin %s: %s", path, dlerror());
		return -1;
	}
	*(void **)&fn = dlsym(h, PK_KIND_SYMBOL);
	if (!fn) {
		snprintf(err, len,
			 "--kind-plugin %s exports no %s(): see include/pinkit-kind.h",
			 path, PK_KIND_SYMBOL);
		goto out_close;
	}
	kinds = fn(&n);
	if (!kinds || !n) {
		snprintf(err, len, "--kind-plugin %s: %s() returned no kinds",
			 path, PK_KIND_SYMBOL);
		goto out_close;
	}
	for (i = 0; i < n; i++) {
		if (pk_kind_register(kinds[i], why, sizeof(why))) {
			snprintf(err, len, "--kind-plugin %s: %s", path, why);
			/* kinds already registered point into the object */
			return -1;
		}
	}
	return 0;
out_close:
	dlclose(h);
	return -1;
}
