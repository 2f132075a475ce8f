/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libpinkit: prove that device-pinned or device-mirrored memory (RDMA memory
 * regions) stays coherent with the CPU while the kernel write-protects,
 * copies, forks, swaps or migrates it.
 *
 * The library is split in host-testable pieces (pattern, pagemap decoding,
 * case table, filters, report writers, argument parsing) and the in-guest
 * pieces (verbs vehicle, backings, disturbances, case runner).
 */
#ifndef PINKIT_H
#define PINKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "pinkit-kind.h"

/*
 * pinkit's own flags beside the public ones of pinkit-kind.h: only
 * built-in kinds have them (pk_kind_register() refuses a plugin's kind
 * with one).
 */
enum {
	/*
	 * An RDMA MR through pinkit's verbs vehicle (kind_rdma.c): it has
	 * SEND/RECV, remote access errors and a hostile peer's requests.
	 */
	PK_KF_VERBS = 1 << 0,
	/*
	 * A kernel test hook (gup_test, test_hmm) rather than a device
	 * driver: the rows about driver-facing APIs leave it out.
	 */
	PK_KF_TEST_HOOK = 1 << 5,
};

/* The direction moves data through SEND/RECV (PK_KF_VERBS kinds). */
enum {
	PK_DIRF_MSG = 1 << 1,
};

_Static_assert(!((PK_KF_VERBS | PK_KF_TEST_HOOK) & PK_KF_ALL),
	       "pinkit's own kind flags overlap the public PK_KF_*");
_Static_assert(!(PK_DIRF_MSG & (PK_DIRF_DEV_WRITES | PK_DIRF_ATOMIC)),
	       "PK_DIRF_MSG overlaps the public PK_DIRF_*");

#define PK_NAME_MAX	160
#define PK_MSG_MAX	256
#define PK_DIAG_MAX	3072
#define PK_PLUGINS_MAX	8

/* ------------------------------------------------------------------ */
/* Results                                                            */
/* ------------------------------------------------------------------ */

enum pk_status {
	PK_PASS,
	PK_FAIL,
	PK_SKIP,
};

const char *pk_status_name(enum pk_status st);

/*
 * What a case reports.  It crosses a pipe from the forked child to the
 * parent, so it is a flat structure with no pointers and fits in PIPE_BUF.
 */
struct pk_result {
	uint32_t status;		/* enum pk_status */
	uint32_t diag_len;
	double seconds;
	char reason[PK_MSG_MAX];	/* skip reason or one-line failure */
	char diag[PK_DIAG_MAX];		/* '\n'-separated lines, no "# " */
};

void pk_result_init(struct pk_result *r);
/* Append one diagnostic line (printf-like); truncates, never overflows. */
void pk_diag(struct pk_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Mark failed (first failure wins the reason line) and add a diag line. */
void pk_fail(struct pk_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Mark skipped unless already failed. */
void pk_skip(struct pk_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ */
/* Patterns                                                           */
/* ------------------------------------------------------------------ */

/* Byte at absolute offset @off of the pattern named by @seed. */
uint8_t pk_pattern_byte(uint64_t seed, size_t off);
/* Fill @len bytes; byte i gets pk_pattern_byte(seed, base + i). */
void pk_pattern_fill(void *buf, size_t len, uint64_t seed, size_t base);
/*
 * Fill so that every page of @page_size bytes is identical (KSM can merge
 * them); byte i gets pk_pattern_byte(seed, i % page_size).
 */
void pk_pattern_fill_periodic(void *buf, size_t len, uint64_t seed,
			      size_t page_size);

struct pk_mismatch {
	size_t offset;		/* first differing offset */
	uint8_t expected;
	uint8_t got;
	size_t bytes;		/* number of differing bytes */
	size_t pages;		/* number of differing pages */
};

/*
 * Compare @got against @expect over @len bytes.  Returns 0 when equal, 1
 * when they differ (and fills @m, with pages counted in @page_size units).
 */
int pk_compare(const void *expect, const void *got, size_t len,
	       size_t page_size, struct pk_mismatch *m);

/* ------------------------------------------------------------------ */
/* pagemap, kpageflags, smaps, vmstat                                 */
/* ------------------------------------------------------------------ */

#define PK_PM_PFN_MASK		((UINT64_C(1) << 55) - 1)
#define PK_PM_SOFT_DIRTY	(UINT64_C(1) << 55)
#define PK_PM_EXCLUSIVE		(UINT64_C(1) << 56)
#define PK_PM_UFFD_WP		(UINT64_C(1) << 57)
#define PK_PM_FILE		(UINT64_C(1) << 61)
#define PK_PM_SWAPPED		(UINT64_C(1) << 62)
#define PK_PM_PRESENT		(UINT64_C(1) << 63)

struct pk_pme {
	bool present;
	bool swapped;
	bool file;		/* file page or shared anon */
	bool exclusive;		/* mapped exclusively */
	bool uffd_wp;
	bool soft_dirty;
	uint64_t pfn;		/* 0 when not present or hidden (no CAP_SYS_ADMIN) */
};

void pk_pme_decode(uint64_t raw, struct pk_pme *e);
/* Read @npages entries for the pages starting at @addr. */
int pk_pagemap_read(int fd, const void *addr, size_t npages, size_t page_size,
		    uint64_t *out);

/* kpageflags bit numbers (include/uapi/linux/kernel-page-flags.h) */
enum {
	PK_KPF_LOCKED = 0,
	PK_KPF_DIRTY = 4,
	PK_KPF_LRU = 5,
	PK_KPF_ANON = 12,
	PK_KPF_SWAPCACHE = 13,
	PK_KPF_SWAPBACKED = 14,
	PK_KPF_COMPOUND_HEAD = 15,
	PK_KPF_COMPOUND_TAIL = 16,
	PK_KPF_HUGE = 17,
	PK_KPF_NOPAGE = 20,
	PK_KPF_KSM = 21,
	PK_KPF_THP = 22,
	PK_KPF_ZERO_PAGE = 24,
};

static inline bool pk_kpf_test(uint64_t flags, unsigned int bit)
{
	return flags & (UINT64_C(1) << bit);
}

/*
 * How many of the @n entries map a PFN that another entry maps too (KSM
 * merged pages, the zero page).  Needs visible PFNs.  The kpageflags KSM
 * bit cannot tell: Linux 6.12 sets it on every anonymous page.
 */
size_t pk_count_shared_pfns(const uint64_t *pm, size_t n);

/*
 * kpageflags for the PFNs of @n pagemap entries (0 where not present),
 * one read per run of consecutive PFNs.
 */
int pk_kpageflags_read_many(int fd, const uint64_t *pm, size_t n,
			    uint64_t *flags);
/* Render the interesting flags as "anon|thp|head"; returns @buf. */
char *pk_kpf_describe(uint64_t flags, char *buf, size_t len);

/*
 * smaps: value in kB of @field (e.g. "AnonHugePages") of the VMA that
 * contains @addr.  Returns -1 if no such VMA or field.
 */
long pk_smaps_parse(FILE *f, uintptr_t addr, const char *field);
long pk_smaps_field_kb(const void *addr, const char *field);

/* The /proc/vmstat counters a case may care about. */
enum pk_vmstat_item {
	PK_VM_THP_FAULT_ALLOC,
	PK_VM_THP_SPLIT_PMD,
	PK_VM_THP_SPLIT_PAGE,
	PK_VM_THP_COLLAPSE_ALLOC,
	PK_VM_PGMIGRATE_SUCCESS,
	PK_VM_PGMIGRATE_FAIL,
	PK_VM_PSWPOUT,
	PK_VM_PSWPIN,
	PK_VM_COW_KSM,
	PK_VM_COMPACT_STALL,
	PK_VM_NR,
};

struct pk_vmstat {
	int64_t v[PK_VM_NR];
	bool have[PK_VM_NR];
};

int pk_vmstat_parse(FILE *f, struct pk_vmstat *s);
int pk_vmstat_read(struct pk_vmstat *s);
/* "thp_split_pmd +1 pswpout +16"; empty string when nothing moved. */
char *pk_vmstat_delta(const struct pk_vmstat *before,
		      const struct pk_vmstat *after, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Case table                                                         */
/* ------------------------------------------------------------------ */

/*
 * The four dimensions of a case, each a const table in a file of its own:
 * kinds (kinds.c, the ops of pinkit-kind.h), backings (backings.c),
 * directions (directions.c) and disturbances (disturbances.c).  The rows
 * (rows.c) multiply them.
 */
enum pk_backing {
	PK_BACK_ANON_4K,	/* private anon, 4 KiB pages, THP disabled */
	PK_BACK_ANON_THP,	/* private anon, PMD-mapped THP */
	PK_BACK_ANON_THP_PTE,	/* private anon, THP mapped by PTEs */
	PK_BACK_ANON_MTHP,	/* private anon, 64 KiB mTHP (6.8+) */
	PK_BACK_HUGETLB_2M,	/* MAP_HUGETLB 2 MiB */
	PK_BACK_MEMFD_SHARED,	/* memfd (shmem) MAP_SHARED */
	PK_BACK_TMPFS_PRIVATE,	/* tmpfs file, MAP_PRIVATE */
	PK_BACK_ZERO,		/* private anon never touched before reg */
	PK_BACK_KSM,		/* private anon merged by KSM before reg */
	PK_BACK_MEMFD_READ,	/* memfd MAP_SHARED, never written: read faults */
	PK_BACK_NR,
};

enum pk_dir {
	PK_DIR_CPU_WRITE_RDMA_READ,
	PK_DIR_RDMA_WRITE_CPU_READ,
	PK_DIR_INTERLEAVED,
	PK_DIR_FETCH_ADD,
	PK_DIR_CPU_WRITE_SEND,	/* the MR is the SEND source (lkey) */
	PK_DIR_RECV_CPU_READ,	/* the MR is the RECV buffer (lkey) */
	/* what a remote peer may send (hostile.c); the row "hostile" only */
	PK_DIR_HOSTILE_WRAP,		/* address + length past 2^64 */
	PK_DIR_HOSTILE_PAST_END,	/* a range crossing the MR's end */
	PK_DIR_HOSTILE_BEFORE_START,	/* ... or its start */
	PK_DIR_HOSTILE_BAD_RKEY,	/* an R_Key that is wrong */
	PK_DIR_HOSTILE_DEREG_RKEY,	/* ... of a deregistered MR */
	PK_DIR_HOSTILE_OTHER_PD,	/* ... of an MR in another PD */
	PK_DIR_HOSTILE_ATOMIC_MISALIGNED,
	PK_DIR_HOSTILE_ZERO_LEN,
	PK_DIR_HOSTILE_MAX_LEN,		/* the port's max_msg_sz */
	PK_DIR_HOSTILE_RESET_AFTER_ERROR, /* reset at once after the error */
	PK_DIR_NR,
};

#define PK_DIR_HOSTILE_FIRST	PK_DIR_HOSTILE_WRAP

enum pk_disturb {
	PK_DIST_NONE,
	PK_DIST_CLEAR_REFS,
	PK_DIST_CLEAR_REFS_TWICE,
	PK_DIST_FORK_PARENT_WRITES,
	PK_DIST_FORK_CHILD_WRITES,
	PK_DIST_FORK_CHILD_EXITS,
	PK_DIST_MPROTECT,
	PK_DIST_UFFD_WP,
	PK_DIST_PAGEMAP_SCAN,
	PK_DIST_UFFD_RWP,	/* uffd-rwp protect; the device writes first */
	PK_DIST_KSM_MERGE,
	PK_DIST_PAGEOUT,
	PK_DIST_MIGRATE,
	PK_DIST_COMPACT,
	PK_DIST_THP_SPLIT,
	PK_DIST_COLLAPSE,
	PK_DIST_MREMAP,
	PK_DIST_MUNMAP,		/* munmap the upper half under the MR */
	PK_DIST_MUNMAP_REMAP,	/* ... and mmap MAP_FIXED new contents there */
	PK_DIST_MADV_DONTNEED,
	/* pinned, reset, device writes, the pin ends, read, reset again */
	PK_DIST_PIN_ENDS_CLEAR_REFS,
	PK_DIST_PIN_ENDS_PAGEMAP_SCAN,
	PK_DIST_PIN_ENDS_UFFD_RWP,
	PK_DIST_NR,
};

#define PK_BIT(x)	(1u << (x))

struct pk_tc;
struct pk_buf;

/* Backings: the memory a device is attached to. */
enum {
	PK_BF_ALL_DIRS = 1 << 0,	/* every direction, not only the plain two */
	PK_BF_NO_SOFT_DIRTY = 1 << 1,	/* no per-page soft-dirty (hugetlb) */
	PK_BF_NO_TWIN = 1 << 2,		/* a twin would merge with it (KSM) */
	PK_BF_ONE_PAGE = 1 << 3,	/* one huge page: half cannot be unmapped */
	/*
	 * What it tests is the state before the CPU's first write (the zero
	 * page, KSM, a private file mapping, read faults); the soak, which
	 * writes every page first, has no case on it.
	 */
	PK_BF_UNWRITTEN = 1 << 4,
};

/*
 * The anonymous THP a backing is made of, and how it is mapped.
 * fork-copies takes every backing with one (a folio of @thp_len).
 */
enum pk_thp {
	PK_THP_NONE,
	PK_THP_PMD,			/* a PMD-mapped THP */
	PK_THP_PTE,			/* a THP mapped by PTEs */
	PK_THP_MTHP,			/* a multi-size THP (64 KiB) */
};

/*
 * A backing.  The families take backings by these properties, never by
 * name: a row by its bitmask of them, the soak every one without
 * PK_BF_UNWRITTEN, fork-copies every one with a THP.
 */
struct pk_backing_desc {
	const char *name;
	size_t len;
	unsigned int flags;		/* PK_BF_* */
	uint64_t uffd_features;		/* what uffd-wp needs beyond anon memory */
	enum pk_thp thp;
	size_t thp_len;			/* one THP folio; 0 without */
	/* 0 done, 1 skipped, -1 failed (reason in t->r) */
	int (*create)(struct pk_tc *t, struct pk_buf *b);
};

/* The built-in table (backings.c); read it through pk_backing(). */
extern const struct pk_backing_desc pk_backings[PK_BACK_NR];
/* The backings the families expand over: PK_BACK_NR unless a test swaps. */
size_t pk_backing_count(void);
const struct pk_backing_desc *pk_backing(enum pk_backing b);
/*
 * For tests only: expand over @table's @n entries (at most 32, so a row's
 * bitmask names them) instead of pk_backings; NULL, 0 restores it.
 */
void pk_backings_use(const struct pk_backing_desc *table, size_t n);

/* Directions: the round that moves data once the memory is disturbed. */
struct pk_dir_desc {
	const char *name;		/* device-neutral: "dev-write-cpu-read" */
	unsigned int flags;		/* PK_DIRF_* (pinkit-kind.h) */
	bool plain;			/* runs on every backing */
	int (*round)(struct pk_tc *t);	/* 0, or -1 when it could not run */
	/*
	 * The RDMA name of kind interface version 1 ("rdma-write-cpu-read"),
	 * which the built-in kinds' cases keep for one more release; NULL:
	 * the same as @name.  --filter takes either for every case.
	 */
	const char *v1_name;
};

extern const struct pk_dir_desc pk_dirs[PK_DIR_NR];

/* Disturbances: what the kernel does to the memory under the device. */
enum {
	/* soft-dirty precision is checked right after it (clear_refs) */
	PK_DF_CLEAR_REFS = 1 << 0,
	/*
	 * unmaps the upper half: not on a one-page backing, and a kind
	 * without page references must report the hole by a remote access
	 * error, which only verbs have
	 */
	PK_DF_HALF_UNMAP = 1 << 1,
};

struct pk_disturb_desc {
	const char *name;		/* "clear_refs 4", used in messages */
	unsigned int rounds;		/* disturbance + direction rounds */
	unsigned int flags;		/* PK_DF_* */
	unsigned int kind_needs;	/* PK_KF_* a kind must have */
	/* 0 done, 1 skipped, -1 failed (reason in t->r) */
	int (*begin)(struct pk_tc *t);
	int (*end)(struct pk_tc *t);	/* after the round; may be NULL */
};

extern const struct pk_disturb_desc pk_disturbs[PK_DIST_NR];

/* Kinds: the built-in table (kinds.c) and the ones plugins add. */
size_t pk_kind_count(void);
const struct pk_kind_ops *pk_kind_at(size_t i);
const struct pk_kind_ops *pk_kind_find(const char *name);
/* Is @k one of pinkit's own kinds (not a plugin's)? */
bool pk_kind_is_builtin(const struct pk_kind_ops *k);
/* "built-in", or the plugin file @k came from. */
const char *pk_kind_origin(const struct pk_kind_ops *k);
/*
 * Add a plugin's kind, from the file @from, after checking its version,
 * size, name, flags and operations; -1 with the reason in @err.
 */
int pk_kind_register(const struct pk_kind_ops *k, const char *from, char *err,
		     size_t len);
/* Forget the kinds registered after the first @count (a failed plugin). */
void pk_kind_truncate(size_t count);
/* "PK_KF_PIN|PK_KF_WRITES" ("none" for 0) into @buf; returns @buf. */
char *pk_kind_flags_str(unsigned int flags, char *buf, size_t len);
/* dlopen @path and register the kinds it exports; -1 with @err. */
int pk_kind_plugin_load(const char *path, char *err, size_t len);

/* Row flags: which observables a row asserts beyond coherence. */
enum {
	/* The row is a control: it passes only when the checker sees a break. */
	PK_ROW_CONTROL = 1 << 0,
	/* Assert no page under the MR was copied (PFN unchanged). */
	PK_ROW_NOCOPY = 1 << 1,
	/* Assert soft-dirty precision for MRs that hold no page references. */
	PK_ROW_PRECISION = 1 << 2,
	/* Assert that what a page reference would block happened (ODP). */
	PK_ROW_NOREF = 1 << 3,
};

struct pk_row {
	const char *name;	/* first component of the case name */
	const char *invariant;	/* the sentence the row asserts */
	enum pk_disturb disturb;
	/* the kinds it applies to: all PK_KF_* of @kind_has, none of @kind_lacks */
	unsigned int kind_has;
	unsigned int kind_lacks;
	unsigned int backings;	/* PK_BIT(enum pk_backing) */
	unsigned int dirs;	/* PK_BIT(enum pk_dir) */
	unsigned int flags;
};

struct pk_case {
	char name[PK_NAME_MAX];
	const struct pk_row *row;
	const struct pk_kind_ops *kind;
	enum pk_backing backing;
	enum pk_dir dir;
	/* the direction's other name, which --filter takes too; NULL: none */
	const char *dir_alias;
	unsigned int xfer;	/* odp-xfer case (odp_xfer.c), 0: a row case */
	unsigned int fork_copies; /* fork-copies case (fork_copies.c), 0: not */
};

const char *pk_backing_name(enum pk_backing b);
/* The device-neutral name of @d; pk_case_dir_name() is a case's. */
const char *pk_dir_name(enum pk_dir d);
/*
 * The direction part of the name of a case of kind @k: the device-neutral
 * name, or for a built-in kind the name of interface version 1 where @d
 * has one (rows.c).
 */
const char *pk_case_dir_name(const struct pk_kind_ops *k, enum pk_dir d);
const char *pk_disturb_name(enum pk_disturb d);

/*
 * Does the case move its data through SEND/RECV (the MR under test is the
 * SEND source or the RECV buffer) instead of RDMA READ/WRITE?
 */
bool pk_dir_is_msg(enum pk_dir d);

/* Is the combination meaningful (e.g. a read-only MR cannot be written)? */
bool pk_combo_valid(const struct pk_kind_ops *k, enum pk_backing b,
		    enum pk_dir d, enum pk_disturb dist);
/* Does @row apply to kind @k? */
bool pk_row_has_kind(const struct pk_row *row, const struct pk_kind_ops *k);

/* The suite's table (rows.c). */
extern const struct pk_row pk_rows[];
extern const size_t pk_nr_rows;

/*
 * Expand @rows over every registered kind into @out (capacity @max, may be
 * NULL to count).  Returns the number of cases the table expands to.
 */
size_t pk_expand(const struct pk_row *rows, size_t nr_rows,
		 struct pk_case *out, size_t max);
/*
 * The odp-xfer cases (transfer geometry, iova != address, requests outside
 * the MR; odp_xfer.c) into @out like pk_expand(); pk_case_run() runs them.
 */
struct pk_env;
size_t pk_odp_xfer_expand(struct pk_case *out, size_t max);
void pk_odp_xfer_run(const struct pk_case *c, const struct pk_env *env,
		      struct pk_result *r);
/*
 * The fork-copies cases (what fork() copies of a partly pinned large
 * folio; fork_copies.c) into @out like pk_expand(); pk_case_run() runs
 * them.  They report their figures in a "figure: " diagnostic line.
 */
size_t pk_fork_copies_expand(struct pk_case *out, size_t max);
void pk_fork_copies_run(const struct pk_case *c, const struct pk_env *env,
			struct pk_result *r);

/*
 * A family of cases: the rows, odp-xfer, fork-copies, the soak.  Each
 * selects kinds by PK_KF_* flags alone, so a kind reaches every family
 * its flags allow (`pinkit list --kinds` shows which, and why not).
 */
struct pk_family {
	const char *name;	/* the first part of its case names */
	const char *what;	/* one line: what its cases prove */
	unsigned int kind_has;	/* PK_KF_* a kind needs, every one */
	unsigned int kind_lacks; /* PK_KF_* that keep a kind out */
	const char *why;	/* why those flags, for list --kinds */
	/* its cases into @out like pk_expand(); the count */
	size_t (*expand)(struct pk_case *out, size_t max);
};

/* Has kind @k all of @has and none of @lacks? */
static inline bool pk_kind_fits(const struct pk_kind_ops *k, unsigned int has,
				unsigned int lacks)
{
	return (k->flags & has) == has && !(k->flags & lacks);
}

static inline bool pk_family_has_kind(const struct pk_family *f,
				      const struct pk_kind_ops *k)
{
	return pk_kind_fits(k, f->kind_has, f->kind_lacks);
}

/* rows.c, odp_xfer.c, fork_copies.c, soak.c */
extern const struct pk_family pk_family_rows, pk_family_odp_xfer,
	pk_family_fork_copies, pk_family_soak;

/*
 * The cases of the families `pinkit run` runs (rows, odp-xfer,
 * fork-copies; families.c), in that order, into @out like pk_expand().
 */
size_t pk_expand_run(struct pk_case *out, size_t max);

/*
 * `pinkit list --kinds` (families.c): every kind, its flags, the cases it
 * has in each family and row, and for each it is left out of the flag
 * that keeps it out.  Returns -1 out of memory (errno set).
 */
int pk_kinds_report(FILE *f);

/* ------------------------------------------------------------------ */
/* Filter                                                             */
/* ------------------------------------------------------------------ */

/*
 * @filter is a list of shell globs separated by ',' or '|' (the latter
 * survives command lines that split on commas); a glob starting with
 * '!' excludes.  A name is selected when it matches at least one include
 * glob (or there is none) and no exclude glob.  NULL or "" selects all.
 */
bool pk_filter_match(const char *filter, const char *name);
/*
 * Is case @c selected?  Its name and, where its direction has another
 * name (c->dir_alias), that name too: an include glob may match either,
 * an exclude glob that matches either leaves it out.
 */
bool pk_case_match(const char *filter, const struct pk_case *c);

/* ------------------------------------------------------------------ */
/* Reports                                                            */
/* ------------------------------------------------------------------ */

/* A flag (one bit or several) and its name, for pk_flag_names(). */
struct pk_flag_name {
	uint64_t mask;
	const char *name;
};

/*
 * The names of @names whose mask @flags has, '|'-separated and cut at the
 * last whole name that fits in @len; @none when there is none.  Returns @buf.
 */
char *pk_flag_names(uint64_t flags, const struct pk_flag_name *names,
		    size_t n, const char *none, char *buf, size_t len);

struct pk_report_entry {
	const char *name;
	const char *group;
	const struct pk_result *res;
};

void pk_ktap_header(FILE *f, size_t total);
/*
 * The diagnostic lines of a failed case, or of every case with @verbose;
 * lines that start with "figure: " (measurements) are always printed.
 */
void pk_ktap_result(FILE *f, size_t number, const char *name,
		    const struct pk_result *r, bool verbose);
void pk_xml_escape(FILE *f, const char *s);
void pk_json_escape(FILE *f, const char *s);
int pk_junit_write(FILE *f, const char *suite, const struct pk_report_entry *e,
		   size_t n);
int pk_json_write(FILE *f, const struct pk_report_entry *e, size_t n,
		  double seconds);
void pk_table_write(FILE *f, const struct pk_report_entry *e, size_t n);
void pk_summary_write(FILE *f, const struct pk_report_entry *e, size_t n);
void pk_count(const struct pk_report_entry *e, size_t n, size_t *pass,
	      size_t *fail, size_t *skip);

/* ------------------------------------------------------------------ */
/* Command line                                                       */
/* ------------------------------------------------------------------ */

enum pk_cmd {
	PK_CMD_NONE,
	PK_CMD_LIST,
	PK_CMD_RUN,
	PK_CMD_SOAK,
	PK_CMD_HELP,
};

struct pk_opts {
	enum pk_cmd cmd;
	const char *filter;
	const char *device;	/* NULL: first device */
	int gid;		/* -1: auto */
	unsigned int iterations;
	const char *junit;
	bool json;
	bool verbose;
	unsigned int timeout;	/* per case, seconds */
	const char *plugins[PK_PLUGINS_MAX];	/* --kind-plugin PATH.so */
	unsigned int nplugins;
	bool kinds;		/* list --kinds */
	/* soak */
	uint64_t seed;
	bool have_seed;		/* --seed given; else drawn and printed */
	bool have_iterations;	/* --iterations given: bound by count */
	unsigned int seconds;	/* --seconds, the whole soak */
	bool have_seconds;	/* --seconds given: never with --iterations */
	unsigned int writers;	/* --writers, 0: one per CPU */
};

/* Returns 0 on success, -1 with a message in @err on bad arguments. */
int pk_parse_args(int argc, char *const argv[], struct pk_opts *o, char *err,
		  size_t errlen);
void pk_usage(FILE *f, const char *prog);
/* "list", "run", "soak", "help"; "" for PK_CMD_NONE. */
const char *pk_cmd_name(enum pk_cmd cmd);

/* ------------------------------------------------------------------ */
/* Verbs vehicle                                                      */
/* ------------------------------------------------------------------ */

struct pk_dev_info {
	char name[64];
	uint8_t port;
	int gid_index;		/* -1: no GRH (InfiniBand LID addressing) */
	char gid_str[64];
	bool ethernet;
	uint16_t lid;
	int active_mtu;		/* enum ibv_mtu */
	bool odp;		/* RC ODP for read, write and atomics */
	char odp_why[PK_MSG_MAX];
	uint32_t odp_rc_caps;	/* odp_caps.per_transport_caps.rc_odp_caps */
	bool atomics;
	/*
	 * Soft-RoCE (rxe, vendor_id 0xffffff): the kernel driver whose
	 * answers some rows hold to exactly (which errno, what happens after
	 * a refusal); on other devices the same facts are only reported.
	 */
	bool rxe;
	/*
	 * The struct ibv_device of the probe.  pk_dev_probe keeps its device
	 * list for the life of the process, so forked case processes open
	 * the device without rescanning sysfs.
	 */
	void *ibdev;
};

/*
 * Open @want (or the first device), pick the port and GID, read the ODP
 * capabilities, close again.  Returns 0, or -1 with a message that names
 * the thing and the fix.
 */
int pk_dev_probe(const char *want, int gid, struct pk_dev_info *info,
		 char *err, size_t errlen);

struct ibv_context;
struct ibv_pd;
struct ibv_cq;
struct ibv_qp;
struct ibv_mr;
struct ibv_comp_channel;

struct pk_vehicle {
	struct pk_dev_info info;
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_comp_channel *chan;
	struct ibv_cq *cq;
	struct ibv_qp *qp[2];	/* qp[0] requester, qp[1] responder */
	uint8_t gid_raw[16];
	uint32_t psn;
	bool broken;		/* an error completion: reconnect first */
	int wc_status;		/* enum ibv_wc_status of the last failed
				 * operation's error completion, -1 if it
				 * failed without one (timeout, post error) */
	uint8_t *scratch;	/* local buffer the requester uses */
	size_t scratch_len;
	struct ibv_mr *scratch_mr;
	int timeout_ms;
};

int pk_vehicle_open(struct pk_vehicle *v, const struct pk_dev_info *info,
		    size_t scratch_len, char *err, size_t errlen);
void pk_vehicle_close(struct pk_vehicle *v);
int pk_vehicle_reconnect(struct pk_vehicle *v, char *err, size_t errlen);
/*
 * Both QPs to RESET, qp[order[0]] first, and check that both are in RESET
 * then (a driver must not move a QP out of RESET by itself).
 */
int pk_vehicle_reset(struct pk_vehicle *v, const int order[2], char *err,
		     size_t errlen);

/* RDMA READ of MR[off..] into scratch[loff..] for each transfer. */
int pk_rdma_read(struct pk_vehicle *v, struct ibv_mr *mr,
		 const struct pk_xfer *x, size_t n, char *err, size_t errlen);
/* RDMA WRITE of scratch[loff..] into MR[off..] for each transfer. */
int pk_rdma_write(struct pk_vehicle *v, struct ibv_mr *mr,
		  const struct pk_xfer *x, size_t n, char *err, size_t errlen);
/*
 * SEND of MR[off..] from the requester, one message per transfer, each
 * received by the responder into scratch[loff..].
 */
int pk_rdma_send(struct pk_vehicle *v, struct ibv_mr *mr,
		 const struct pk_xfer *x, size_t n, char *err, size_t errlen);
/*
 * SEND of scratch[loff..] from the requester, received by the responder
 * into MR[off..], one message per transfer.
 */
int pk_rdma_recv(struct pk_vehicle *v, struct ibv_mr *mr,
		 const struct pk_xfer *x, size_t n, char *err, size_t errlen);
/* Fetch-and-add @add at MR[off]; the old value lands in *@old. */
int pk_rdma_fadd(struct pk_vehicle *v, struct ibv_mr *mr, size_t off,
		 uint64_t add, uint64_t *old, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Running                                                            */
/* ------------------------------------------------------------------ */

struct pk_env {
	struct pk_dev_info dev;
	unsigned int iterations;
	unsigned int timeout;
	bool verbose;
};

/* The opaque handle of pinkit-kind.h (pk_kind_dev.host) is the pk_env. */
static inline const struct pk_host *pk_host_of(const struct pk_env *env)
{
	return (const struct pk_host *)(const void *)env;
}

static inline const struct pk_env *pk_host_env(const struct pk_host *h)
{
	return (const struct pk_env *)(const void *)h;
}

/*
 * Start an attachment of @k in @env asking @dir_flags (kinds.c): size,
 * ops, host, the operation names, no status.  The caller sets the buffer
 * (addr, len, page) and scratch_len.
 */
void pk_kind_dev_init(struct pk_kind_dev *d, const struct pk_kind_ops *k,
		      const struct pk_env *env, unsigned int dir_flags);
/*
 * The kind's check() of what d->dir_flags ask, if it has one: 0 it can,
 * 1 it cannot (skipped in @r with its reason), -1 check() failed (in @r).
 */
int pk_kind_check(struct pk_kind_dev *d, struct pk_result *r);

/* Run one case in the calling process (the forked child). */
void pk_case_run(const struct pk_case *c, const struct pk_env *env,
		 struct pk_result *r);

/*
 * Case hook for pk_suite_run() and pk_fork_run(): the guest suite uses
 * pk_case_fork() / pk_case_run(), host unit tests their own.
 */
typedef void (*pk_case_fn)(const struct pk_case *c, const struct pk_env *env,
			   struct pk_result *r);

/*
 * Fork, run @fn in the child, collect its result through a pipe.  A child
 * killed by a signal or running past env->timeout * iterations seconds is
 * a failure that names the signal or the timeout.
 */
void pk_fork_run(const struct pk_case *c, const struct pk_env *env,
		 struct pk_result *r, pk_case_fn fn);
/* pk_fork_run() with pk_case_run(). */
void pk_case_fork(const struct pk_case *c, const struct pk_env *env,
		  struct pk_result *r);


/*
 * Run @cases in order with @fn; with @ktap, print each result's KTAP line
 * to @out as it completes (the caller prints the header).  Results land
 * in @res (n entries).
 */
void pk_suite_run(const struct pk_case *cases, size_t n,
		  const struct pk_env *env, pk_case_fn fn, FILE *out,
		  bool ktap, struct pk_result *res);

double pk_now(void);

#endif /* PINKIT_H */
