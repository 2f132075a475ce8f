// SPDX-License-Identifier: GPL-2.0
/*
 * --kind-plugin PATH.so: kinds built out of tree against
 * include/pinkit-kind.h, loaded with dlopen and registered like the
 * built-in ones.  A plugin's kinds are registered all or none: when one is
 * refused, the ones before it are forgotten and the object is closed.  A
 * loaded object stays for the life of the process.
 */
#include <dlfcn.h>
#include <string.h>

#include "pinkit.h"

int pk_kind_plugin_load(const char *path, char *err, size_t len)
{
	const struct pk_kind_ops *const *kinds;
	size_t before = pk_kind_count();
	char why[PK_MSG_MAX * 2];
	unsigned int n = 0, i;
	pk_kinds_fn fn;
	void *h;

	/* a bare name would make dlopen search the library path */
	if (!strchr(path, '/')) {
		snprintf(err, len, "--kind-plugin %s: give a path (./%s), not a library name",
			 path, path);
		goto out;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		/* dlerror() names the file and the reason (errno's text) */
		snprintf(err, len, "--kind-plugin %s: cannot load it: %s", path,
			 dlerror());
		goto out;
	}
	*(void **)&fn = dlsym(h, PK_KIND_SYMBOL);
	if (!fn) {
		snprintf(err, len,
			 "--kind-plugin %s exports no %s(): a plugin defines it as include/pinkit-kind.h says",
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
		if (!kinds[i]) {
			snprintf(err, len, "--kind-plugin %s: %s() returned a NULL kind at index %u of %u",
				 path, PK_KIND_SYMBOL, i, n);
			goto out_forget;
		}
		if (pk_kind_register(kinds[i], path, why, sizeof(why))) {
			snprintf(err, len, "--kind-plugin %s: %s", path, why);
			goto out_forget;
		}
	}
	return 0;
out_forget:
	/* the kinds registered so far point into the object */
	pk_kind_truncate(before);
out_close:
	dlclose(h);
out:
	return -1;
}
