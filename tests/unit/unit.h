/* SPDX-License-Identifier: GPL-2.0 */
/* Host unit tests of libpinkit: shared declarations. */
#ifndef PINKIT_UNIT_H
#define PINKIT_UNIT_H

#include <CUnit/CUnit.h>

#include "pinkit.h"

/*
 * CUnit 2.1 has no skip: a test calls ut_skip() and returns; the complete
 * handler reports it as "ok N name # SKIP reason".
 */
void ut_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Each file registers its suite. */
int ut_register_pattern(void);
int ut_register_pagemap(void);
int ut_register_cases(void);
int ut_register_filter(void);
int ut_register_report(void);
int ut_register_args(void);
int ut_register_runner(void);
int ut_register_layers(void);
int ut_register_toolkit(void);
int ut_register_kinds(void);
int ut_register_backings(void);

/* Run @fn(f) against an in-memory stream; the text is returned (free it). */
char *ut_capture(void (*fn)(FILE *f, void *arg), void *arg);

#define UT_ADD(suite, fn)						\
	do {								\
		if (!CU_add_test(suite, #fn, fn))			\
			return -1;					\
	} while (0)

#endif
