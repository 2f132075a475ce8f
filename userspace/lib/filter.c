// SPDX-License-Identifier: GPL-2.0
/*
 * --filter: shell globs separated by ',' or '|', '!' excludes.  A case is
 * matched by its name and by the other name of its direction (the RDMA name
 * of kind interface version 1, or the device-neutral one).
 */
#include <fnmatch.h>
#include <string.h>

#include "pinkit.h"

/* @filter against @name and, unless NULL, @alias (pk_case_match()). */
static bool match2(const char *filter, const char *name, const char *alias)
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
			bool hit = !fnmatch(glob, name, 0) ||
				   (alias && !fnmatch(glob, alias, 0));

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

bool pk_filter_match(const char *filter, const char *name)
{
	return match2(filter, name, NULL);
}

bool pk_case_match(const char *filter, const struct pk_case *c)
{
	const char *dir = strrchr(c->name, '/');
	char alias[PK_NAME_MAX * 2];

	if (!c->dir_alias || !dir)
		return match2(filter, c->name, NULL);
	/* the same name with the direction's other name as its last part */
	snprintf(alias, sizeof(alias), "%.*s/%s", (int)(dir - c->name),
		 c->name, c->dir_alias);
	return match2(filter, c->name, alias);
}
