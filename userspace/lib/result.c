// SPDX-License-Identifier: GPL-2.0
/* Case results and their diagnostic lines. */
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "pinkit.h"

const char *pk_status_name(enum pk_status st)
{
	switch (st) {
	case PK_PASS:
		return "pass";
	case PK_FAIL:
		return "fail";
	case PK_SKIP:
		return "skip";
	}
	return "?";
}

void pk_result_init(struct pk_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = PK_PASS;
}

static void vdiag(struct pk_result *r, const char *fmt, va_list ap)
{
	size_t room = sizeof(r->diag) - r->diag_len;
	int n;

	if (room < 2)
		return;
	n = vsnprintf(r->diag + r->diag_len, room - 1, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= room - 1) {
		/* truncated: mark it so a reader knows */
		n = (int)room - 2;
		if (n >= 3)
			memcpy(r->diag + r->diag_len + n - 3, "...", 3);
	}
	r->diag_len += (uint32_t)n;
	r->diag[r->diag_len++] = '\n';
	r->diag[r->diag_len] = '\0';
}

void pk_diag(struct pk_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(r, fmt, ap);
	va_end(ap);
}

void pk_fail(struct pk_result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->status != PK_FAIL) {
		va_start(ap, fmt);
		vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
		va_end(ap);
	}
	r->status = PK_FAIL;
	va_start(ap, fmt);
	vdiag(r, fmt, ap);
	va_end(ap);
}

void pk_skip(struct pk_result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->status == PK_FAIL)
		return;
	r->status = PK_SKIP;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

double pk_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
