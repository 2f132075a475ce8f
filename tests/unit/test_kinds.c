// SPDX-License-Identifier: GPL-2.0
/*
 * The kind table and the vendor seam: what pk_kind_register() refuses,
 * and the example plugin loaded through dlopen as `pinkit --kind-plugin`
 * loads it.
 */
#include <string.h>

#include "unit.h"

static int nop_attach(struct pk_kind_dev *d)
{
	(void)d;
	return 0;
}

static int nop_read(struct pk_kind_dev *d, const struct pk_xfer *x, size_t n)
{
	(void)d;
	(void)x;
	(void)n;
	return 0;
}

#define BASE(n)	.name = (n), .read_name = "r", .write_name = "w", \
		.attach = nop_attach, .detach = nop_attach
#define GOOD(n)	BASE(n), .abi = PK_KIND_ABI, .read = nop_read

/* Each way a kind can be malformed is refused with the reason. */
static void register_refuses(void)
{
	static const struct pk_kind_ops old_abi = { BASE("x-old"), .abi = 99,
						     .read = nop_read };
	static const struct pk_kind_ops bad_name = { GOOD("X Y") };
	static const struct pk_kind_ops dup = { GOOD("pinned-rw") };
	static const struct pk_kind_ops no_read = { BASE("x-noread"),
						    .abi = PK_KIND_ABI };
	static const struct pk_kind_ops writes_no_op = {
		GOOD("x-writes"), .flags = PK_KF_WRITES };
	char err[PK_MSG_MAX];
	size_t n = pk_kind_count();

	CU_ASSERT_EQUAL(pk_kind_register(&old_abi, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "version 99, this pinkit has version 1"));
	CU_ASSERT_EQUAL(pk_kind_register(&bad_name, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "is not [a-z0-9-]+"));
	CU_ASSERT_EQUAL(pk_kind_register(&dup, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "already there"));
	CU_ASSERT_EQUAL(pk_kind_register(&no_read, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(pk_kind_register(&writes_no_op, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "PK_KF_WRITES must come with write()"));
	CU_ASSERT_EQUAL(pk_kind_count(), n);
}

/* Every built-in kind passes the checks a plugin's kind must pass. */
static void builtins_well_formed(void)
{
	size_t i;

	for (i = 0; i < pk_kind_count(); i++) {
		const struct pk_kind_ops *k = pk_kind_at(i);

		CU_ASSERT_EQUAL(k->abi, PK_KIND_ABI);
		CU_ASSERT_PTR_EQUAL(pk_kind_find(k->name), k);
		CU_ASSERT(!(k->flags & PK_KF_WRITES) == !k->write);
		CU_ASSERT(!(k->flags & PK_KF_ATOMIC) == !k->atomic);
		CU_ASSERT_FALSE((k->flags & PK_KF_PIN) && (k->flags & PK_KF_NO_REF));
	}
	CU_ASSERT_PTR_NOT_NULL(pk_kind_find("io-uring-fixed"));
	CU_ASSERT_PTR_NULL(pk_kind_find("no-such-kind"));
}

/*
 * The example plugin loads, adds its kind with its flags, and the rows
 * expand over it; loading it again is refused (names are unique), and a
 * missing file or a bare name says what is wrong.
 */
static void example_plugin_loads(void)
{
	const struct pk_kind_ops *k;
	char err[PK_MSG_MAX];
	size_t n0 = pk_expand(pk_rows, pk_nr_rows, NULL, 0);

	CU_ASSERT_EQUAL(pk_kind_plugin_load("./no-such.so", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no-such.so"));
	CU_ASSERT_EQUAL(pk_kind_plugin_load("procmem-kind.so", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "give a path"));
	if (pk_kind_plugin_load(PK_EXAMPLE_PLUGIN, err, sizeof(err))) {
		CU_FAIL("the example plugin does not load (see the # line)");
		fprintf(stderr, "# %s\n", err);
		return;
	}
	k = pk_kind_find("procmem-example");
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(k->flags, PK_KF_NO_REF | PK_KF_WRITES | PK_KF_TEST_HOOK);
	CU_ASSERT(pk_expand(pk_rows, pk_nr_rows, NULL, 0) > n0);
	CU_ASSERT_EQUAL(pk_kind_plugin_load(PK_EXAMPLE_PLUGIN, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "already there"));
}

int ut_register_kinds(void)
{
	CU_pSuite s = CU_add_suite("kinds", NULL, NULL);

	if (!s)
		return -1;
	UT_ADD(s, register_refuses);
	UT_ADD(s, builtins_well_formed);
	UT_ADD(s, example_plugin_loads);
	return 0;
}
