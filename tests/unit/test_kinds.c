// SPDX-License-Identifier: GPL-2.0
/*
 * The kind table and the vendor seam: what pk_kind_register() refuses,
 * the example plugin loaded through dlopen as `pinkit --kind-plugin`
 * loads it, and a new kind reaching every family its flags allow.
 */
#include <stdlib.h>
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

static int nop_atomic(struct pk_kind_dev *d, size_t off, uint64_t add,
		      uint64_t *old)
{
	(void)d;
	(void)off;
	(void)add;
	*old = 0;
	return 0;
}

#define BASE(n)	.name = (n), .read_name = "r", .write_name = "w", \
		.attach = nop_attach, .detach = nop_attach
#define GOOD(n)	PK_KIND_OPS_HEAD, BASE(n), .read = nop_read

/* register @k and expect a refusal that says @why */
#define REFUSED(k, why)							\
	do {								\
		CU_ASSERT_EQUAL(pk_kind_register(&(k), "./x.so", err,	\
						 sizeof(err)), -1);	\
		if (!strstr(err, (why))) {				\
			fprintf(stderr, "# %s\n", err);			\
			CU_FAIL("not the reason " why);			\
		}							\
	} while (0)

/* Each way a kind can be malformed is refused with the reason. */
static void register_refuses(void)
{
	static const struct pk_kind_ops v1 = { BASE("x-v1"), .abi = 1,
					       .read = nop_read };
	static const struct pk_kind_ops other_abi = { BASE("x-old"),
						      .abi = 99,
						      .read = nop_read };
	static const struct pk_kind_ops small = {
		BASE("x-small"), .abi = PK_KIND_ABI, .size = 16,
		.read = nop_read };
	static const struct pk_kind_ops bad_name = { GOOD("X Y") };
	static const struct pk_kind_ops dup = { GOOD("pinned-rw") };
	static const struct pk_kind_ops no_read = { PK_KIND_OPS_HEAD,
						    BASE("x-noread") };
	static const struct pk_kind_ops writes_no_op = {
		GOOD("x-writes"), .flags = PK_KF_WRITES };
	static const struct pk_kind_ops test_hook = {
		GOOD("x-hook"), .flags = PK_KF_TEST_HOOK };
	static const struct pk_kind_ops verbs = {
		GOOD("x-verbs"), .flags = PK_KF_VERBS | PK_KF_PIN };
	static const struct pk_kind_ops pin_noref = {
		GOOD("x-both"), .flags = PK_KF_PIN | PK_KF_NO_REF };
	char err[PK_MSG_MAX * 2];
	size_t n = pk_kind_count();

	REFUSED(v1, "interface version 1, this pinkit has version 2");
	REFUSED(v1, "PK_KIND_OPS_HEAD");
	REFUSED(other_abi, "version 99, this pinkit has version 2");
	REFUSED(small, "is 16 bytes");
	REFUSED(bad_name, "is not [a-z0-9-]+");
	REFUSED(dup, "already there (built-in)");
	REFUSED(no_read, "lacks attach, detach, read");
	REFUSED(writes_no_op, "PK_KF_WRITES must come with write()");
	REFUSED(test_hook, "declares PK_KF_TEST_HOOK, which no plugin may");
	REFUSED(verbs, "declares PK_KF_VERBS, which no plugin may");
	REFUSED(pin_noref, "both PK_KF_PIN and PK_KF_NO_REF");
	CU_ASSERT_EQUAL(pk_kind_count(), n);
}

/* Every built-in kind passes the checks a plugin's kind must pass. */
static void builtins_well_formed(void)
{
	size_t i;

	for (i = 0; i < pk_kind_count(); i++) {
		const struct pk_kind_ops *k = pk_kind_at(i);

		CU_ASSERT_EQUAL(k->abi, PK_KIND_ABI);
		CU_ASSERT_EQUAL(k->size, sizeof(struct pk_kind_ops));
		CU_ASSERT_PTR_EQUAL(pk_kind_find(k->name), k);
		CU_ASSERT(!(k->flags & PK_KF_WRITES) == !k->write);
		CU_ASSERT(!(k->flags & PK_KF_ATOMIC) == !k->atomic);
		CU_ASSERT_FALSE((k->flags & PK_KF_PIN) && (k->flags & PK_KF_NO_REF));
		CU_ASSERT_TRUE(pk_kind_is_builtin(k));
		CU_ASSERT_STRING_EQUAL(pk_kind_origin(k), "built-in");
	}
	CU_ASSERT_PTR_NOT_NULL(pk_kind_find("io-uring-fixed"));
	CU_ASSERT_PTR_NULL(pk_kind_find("no-such-kind"));
}

/* The cases of family @f that kind @k has, into a new array. */
static struct pk_case *cases_of(const struct pk_family *f,
				const struct pk_kind_ops *k, size_t *n)
{
	size_t all = f->expand(NULL, 0), i;
	struct pk_case *c = calloc(all ? all : 1, sizeof(*c));

	*n = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	f->expand(c, all);
	for (i = 0; i < all; i++)
		if (c[i].kind == k)
			c[(*n)++] = c[i];
	return c;
}

/* The same case in both arrays: row, backing, direction, fork-copies id. */
static bool same_cases(const struct pk_case *a, size_t na,
		       const struct pk_case *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].row != b[i].row || a[i].backing != b[i].backing ||
		    a[i].dir != b[i].dir ||
		    a[i].fork_copies != b[i].fork_copies)
			return false;
	return true;
}

static const struct pk_family *const families[] = {
	&pk_family_rows, &pk_family_odp_xfer, &pk_family_fork_copies,
	&pk_family_soak,
};

#define NR_FAMILIES	(sizeof(families) / sizeof(families[0]))

static void add_or_fail(const struct pk_kind_ops *k)
{
	char err[PK_MSG_MAX * 2];

	if (pk_kind_register(k, "./fake.so", err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		CU_FAIL_FATAL("a well-formed kind was refused");
	}
}

/*
 * A new kind entry reaches every family its flags allow, and only those:
 * a plugin's kind with io-uring-fixed's flags (PK_KF_PIN | PK_KF_WRITES,
 * none of pinkit's own) gets the very cases io-uring-fixed gets in every
 * family, fork-copies and the soak among them, under device-neutral
 * direction names; one that pins one range at a time loses pin-4; one
 * without PK_KF_PIN reaches neither fork-copies nor the pin rows.
 */
static void new_kind_reaches_its_families(void)
{
	static const struct pk_kind_ops pins = {
		GOOD("fake-gpu-pins"), .flags = PK_KF_PIN | PK_KF_WRITES,
		.write = nop_read };
	static const struct pk_kind_ops one = {
		GOOD("fake-one-attach"), .flags = PK_KF_PIN | PK_KF_ONE_ATTACH };
	static const struct pk_kind_ops noref = {
		GOOD("fake-mirror"),
		.flags = PK_KF_NO_REF | PK_KF_WRITES | PK_KF_ATOMIC,
		.write = nop_read, .atomic = nop_atomic };
	const struct pk_kind_ops *uring = pk_kind_find("io-uring-fixed");
	size_t before = pk_kind_count(), f, na, nb, i;
	struct pk_case *a, *b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(uring);
	add_or_fail(&pins);
	add_or_fail(&one);
	add_or_fail(&noref);
	for (f = 0; f < NR_FAMILIES; f++) {
		a = cases_of(families[f], &pins, &na);
		b = cases_of(families[f], uring, &nb);
		if (!same_cases(a, na, b, nb)) {
			fprintf(stderr, "# %s: %zu cases for the new kind, %zu for io-uring-fixed\n",
				families[f]->name, na, nb);
			CU_FAIL("a kind with io-uring-fixed's flags gets other cases");
		}
		/* the odp-xfer family takes pinkit's RDMA kinds only */
		CU_ASSERT_EQUAL(na > 0, families[f] != &pk_family_odp_xfer);
		for (i = 0; i < na; i++)
			CU_ASSERT_PTR_NULL(strstr(a[i].name, "rdma"));
		free(a);
		free(b);
	}
	/* the families by count: 3 backings x 4 pins, 6 soak backings */
	a = cases_of(&pk_family_fork_copies, &pins, &na);
	CU_ASSERT_EQUAL(na, 12);
	free(a);
	a = cases_of(&pk_family_fork_copies, &one, &na);
	CU_ASSERT_EQUAL(na, 9);
	for (i = 0; i < na; i++) {
		size_t len = strlen(a[i].name);

		CU_ASSERT(len < 6 || strcmp(a[i].name + len - 6, "/pin-4"));
	}
	free(a);
	a = cases_of(&pk_family_soak, &pins, &na);
	CU_ASSERT_EQUAL(na, 6);
	CU_ASSERT_STRING_EQUAL(a[0].name, "soak/anon-4k/fake-gpu-pins");
	free(a);
	a = cases_of(&pk_family_fork_copies, &noref, &na);
	CU_ASSERT_EQUAL(na, 0);
	free(a);
	/* rows: every row whose flags a kind has, and no other */
	a = cases_of(&pk_family_rows, &noref, &na);
	for (i = 0; i < na; i++) {
		CU_ASSERT_TRUE(pk_row_has_kind(a[i].row, &noref));
		CU_ASSERT_FALSE(a[i].row->kind_has & PK_KF_PIN);
	}
	CU_ASSERT(na > 0);
	free(a);
	a = cases_of(&pk_family_rows, &pins, &na);
	for (i = 0; i < na && strcmp(a[i].row->name, "fork-parent-writes"); i++)
		;
	CU_ASSERT(i < na);
	free(a);
	pk_kind_truncate(before);
	CU_ASSERT_EQUAL(pk_kind_count(), before);
	CU_ASSERT_PTR_NULL(pk_kind_find("fake-gpu-pins"));
}

static void report_kinds(FILE *f, void *arg)
{
	(void)arg;
	CU_ASSERT_EQUAL(pk_kinds_report(f), 0);
}

/* list --kinds: a line per kind, family and row; with a 0, the reason. */
static void kinds_report_says_why(void)
{
	static const char *const want[] = {
		"\nkind io-uring-fixed (built-in): PK_KF_PIN|PK_KF_WRITES\n",
		"\n  fork-copies 12\n",		/* pinned-rw */
		"\n  fork-copies 9\n",		/* gup-longterm-ro */
		"\n  fork-copies 0: needs PK_KF_PIN: ",	/* odp */
		"\n  soak 6\n",
		"\n    row hostile 0: needs PK_KF_VERBS\n",
		"\n    row collapse 0: not for a kind with PK_KF_TEST_HOOK\n",
		"\n    row uffd-rwp 0: its disturbance (UFFDIO_RWPROTECT, device writes) needs PK_KF_WRITES\n",
	};
	char *s = ut_capture(report_kinds, NULL);
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!strstr(s, want[i])) {
			fprintf(stderr, "# no '%s' in list --kinds\n", want[i]);
			CU_FAIL("list --kinds lacks a line (see the # line)");
		}
	}
	free(s);
}

/*
 * The example plugin loads, adds its kind with its flags, and the rows
 * expand over it under device-neutral direction names, which --filter
 * also finds by the old RDMA names; loading it again is refused (names
 * are unique), and a missing file or a bare name says what is wrong.
 */
static void example_plugin_loads(void)
{
	const struct pk_kind_ops *k;
	char err[PK_MSG_MAX * 4];
	size_t n0 = pk_expand(pk_rows, pk_nr_rows, NULL, 0), n, i, rdma = 0;
	size_t before = pk_kind_count();
	struct pk_case *c;

	CU_ASSERT_EQUAL(pk_kind_plugin_load("./no-such.so", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no-such.so: cannot load it: "));
	CU_ASSERT_EQUAL(pk_kind_plugin_load("procmem-kind.so", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "give a path"));
	if (pk_kind_plugin_load(PK_EXAMPLE_PLUGIN, err, sizeof(err))) {
		CU_FAIL("the example plugin does not load (see the # line)");
		fprintf(stderr, "# %s\n", err);
		return;
	}
	k = pk_kind_find("procmem-example");
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(k->flags, PK_KF_NO_REF | PK_KF_WRITES);
	CU_ASSERT_STRING_EQUAL(pk_kind_origin(k), PK_EXAMPLE_PLUGIN);
	CU_ASSERT_FALSE(pk_kind_is_builtin(k));
	n = pk_expand(pk_rows, pk_nr_rows, NULL, 0);
	CU_ASSERT(n > n0);
	c = calloc(n, sizeof(*c));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	pk_expand(pk_rows, pk_nr_rows, c, n);
	for (i = 0; i < n; i++) {
		if (c[i].kind != k)
			continue;
		CU_ASSERT_PTR_NULL(strstr(c[i].name, "rdma"));
		rdma += pk_case_match("*/rdma-write-cpu-read", &c[i]);
		if (!strcmp(c[i].name, "none/anon-4k/procmem-example/dev-write-cpu-read")) {
			CU_ASSERT_TRUE(pk_case_match("none/anon-4k/procmem-example/rdma-write-cpu-read", &c[i]));
			CU_ASSERT_FALSE(pk_case_match("*,!*/rdma-write-cpu-read", &c[i]));
		}
	}
	CU_ASSERT(rdma > 0);
	free(c);
	CU_ASSERT_EQUAL(pk_kind_plugin_load(PK_EXAMPLE_PLUGIN, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "already there"));
	CU_ASSERT_EQUAL(pk_kind_count(), before + 1);
}

int ut_register_kinds(void)
{
	CU_pSuite s = CU_add_suite("kinds", NULL, NULL);

	if (!s)
		return -1;
	UT_ADD(s, register_refuses);
	UT_ADD(s, builtins_well_formed);
	UT_ADD(s, new_kind_reaches_its_families);
	UT_ADD(s, kinds_report_says_why);
	UT_ADD(s, example_plugin_loads);
	return 0;
}
