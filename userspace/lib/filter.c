// SPDX-License-Identifier: GPL-2.0
/* --filter: shell globs separated by ',' or '|', '!' excludes. */
#include <fnmatch.h>
#include <string.h>

#include "pinkit.h"

bool pk_filter_match(const char *filter, const char *name)
{
	bool have_include = false, included = false;
	const char *p = filter;

	if (!filter || !*filter)
		return true;
	while (*p) {
		const char *end = strpbrk(p, ",|");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char glob[PK_NAME_MAX * 2];
		bool exclude = false;

		if (len && *p == '!') {
			exclude = true;
			p++;
			len--;
		}
		if (len >= sizeof(glob))
			len = sizeof(glob) - 1;
		memcpy(glob, p, len);
		glob[len] = '\0';
		/* '*' also matches '/', so "fork*" selects every fork row */
		if (len) {
			bool hit = !fnmatch(glob, name, 0);

			if (exclude && hit)
				return false;
			if (!exclude) {
				have_include = true;
				included |= hit;
			}
		}
		if (!end)
			break;
		p = end + 1;
	}
	return have_include ? included : true;
}
