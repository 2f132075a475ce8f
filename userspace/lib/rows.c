// SPDX-License-Identifier: GPL-2.0
/*
 * The case table.  One row per invariant, each with a comment stating it;
 * helpers multiply a row over MR kinds x backings x directions.  A case
 * name is "<row>/<backing>/<kind>/<direction>".
 *
 * The kernel decides every verdict: there is no list of expected failures.
 * A row's observables (coherence always; soft-dirty honesty whenever the
 * device wrote; copies, precision and no-reference checks by row flag) hold
 * for every kind and backing the row expands to, or the case fails.
 * "No copies" is judged against a twin buffer with the same history and
 * no device, so the kernel's own copying never counts against a device.
 */
#include <string.h>

#include "pinkit.h"

/* Backings that get every direction; the others get the plain ones. */
#define CORE_BACKINGS	(PK_BIT(PK_BACK_ANON_4K) | PK_BIT(PK_BACK_ANON_THP) | \
			 PK_BIT(PK_BACK_ANON_THP_PTE) | \
			 PK_BIT(PK_BACK_MEMFD_SHARED) | \
			 PK_BIT(PK_BACK_TMPFS_PRIVATE))
#define PLAIN_DIRS	(PK_BIT(PK_DIR_CPU_WRITE_RDMA_READ) | \
			 PK_BIT(PK_DIR_RDMA_WRITE_CPU_READ))

bool pk_combo_valid(const struct pk_kind_ops *k, enum pk_backing b,
		    enum pk_dir d, enum pk_disturb dist)
{
	const struct pk_disturb_desc *ds = &pk_disturbs[dist];
	unsigned int df = pk_dirs[d].flags, bf = pk_backing(b)->flags;

	/*
	 * A read-only MR and the gup_test pin can only be read by the
	 * device; SEND/RECV are verbs; atomics need a device that has them.
	 */
	if ((df & PK_DIRF_DEV_WRITES) && !(k->flags & PK_KF_WRITES))
		return false;
	if ((df & PK_DIRF_ATOMIC) && !(k->flags & PK_KF_ATOMIC))
		return false;
	if ((df & PK_DIRF_MSG) && !(k->flags & PK_KF_VERBS))
		return false;
	if ((k->flags & ds->kind_needs) != ds->kind_needs)
		return false;
	/*
	 * munmap of half the buffer: half a 2 MiB hugetlb page cannot be
	 * unmapped, and without page references the verdict on the hole is
	 * an RDMA completion.
	 */
	if ((ds->flags & PK_DF_HALF_UNMAP) &&
	    ((bf & PK_BF_ONE_PAGE) ||
	     ((k->flags & PK_KF_NO_REF) && !(k->flags & PK_KF_VERBS))))
		return false;
	/* interleaving, atomics and SEND/RECV run on the core backings */
	if (!(bf & PK_BF_ALL_DIRS) && !pk_dirs[d].plain)
		return false;
	return true;
}

bool pk_row_has_kind(const struct pk_row *row, const struct pk_kind_ops *k)
{
	return pk_kind_fits(k, row->kind_has, row->kind_lacks);
}

const char *pk_case_dir_name(const struct pk_kind_ops *k, enum pk_dir d)
{
	if (d < PK_DIR_NR && pk_dirs[d].v1_name && pk_kind_is_builtin(k))
		return pk_dirs[d].v1_name;
	return pk_dir_name(d);
}

/* The name of @d a case of @k does not carry, NULL if it has one only. */
static const char *dir_alias(const struct pk_kind_ops *k, enum pk_dir d)
{
	if (!pk_dirs[d].v1_name)
		return NULL;
	return pk_kind_is_builtin(k) ? pk_dirs[d].name : pk_dirs[d].v1_name;
}

/*
 * Kinds by what they are (PK_KF_*, include/pinkit-kind.h): every kind, the
 * device kinds (not the kernel's test hooks gup_test and test_hmm), the
 * ones that write, the ones that pin.
 */
#define ALL_KINDS	0, 0
#define DEVICE_KINDS	0, PK_KF_TEST_HOOK
#define WRITABLE_KINDS	PK_KF_WRITES, PK_KF_TEST_HOOK
#define PINNED_KINDS	PK_KF_PIN, PK_KF_TEST_HOOK
#define ANY_PIN_KINDS	PK_KF_PIN, 0
/* the RDMA kinds without page references (ODP): munmap has them fail */
#define ODP_KINDS	PK_KF_VERBS | PK_KF_NO_REF, 0
/* the RDMA MR that pins and writes: pinned-rw */
#define SMOKE_KINDS	PK_KF_VERBS | PK_KF_PIN | PK_KF_WRITES, 0
/* the kinds that pin and write: pinned-rw, io-uring-fixed */
#define PIN_WRITE_KINDS	PK_KF_PIN | PK_KF_WRITES, 0
/* anon 4 KiB, THP PMD- and PTE-mapped, memfd (shmem) */
#define PIN_ENDS_BACKINGS (PK_BIT(PK_BACK_ANON_4K) | PK_BIT(PK_BACK_ANON_THP) | \
			   PK_BIT(PK_BACK_ANON_THP_PTE) | \
			   PK_BIT(PK_BACK_MEMFD_SHARED))
/* every backing, one added to backings.c too */
#define ALL_BACKINGS	(~0u)
#define ANON_BACKINGS	(PK_BIT(PK_BACK_ANON_4K) | PK_BIT(PK_BACK_ANON_THP) | \
			 PK_BIT(PK_BACK_ANON_THP_PTE))
#define THP_BACKINGS	(PK_BIT(PK_BACK_ANON_THP) | \
			 PK_BIT(PK_BACK_ANON_THP_PTE) | \
			 PK_BIT(PK_BACK_ANON_MTHP))
/* the directions that move data; not a hostile peer's requests */
#define ALL_DIRS	(PK_BIT(PK_DIR_HOSTILE_FIRST) - 1)
#define HOSTILE_DIRS	((1u << PK_DIR_NR) - PK_BIT(PK_DIR_HOSTILE_FIRST))
/* SEND out of the MR and RECV into it (lkey, the MR is local to a QP) */
#define MSG_DIRS	(PK_BIT(PK_DIR_CPU_WRITE_SEND) | \
			 PK_BIT(PK_DIR_RECV_CPU_READ))
/* one operation each against the unmapped range: READ, WRITE, atomic */
#define MUNMAP_DIRS	(PLAIN_DIRS | PK_BIT(PK_DIR_FETCH_ADD))
#define MUNMAP_BACKINGS	(PK_BIT(PK_BACK_ANON_4K) | PK_BIT(PK_BACK_ANON_THP) | \
			 PK_BIT(PK_BACK_MEMFD_SHARED))

const struct pk_row pk_rows[] = {
	/*
	 * Smoke: bytes the CPU wrote into a 4K anon buffer are what an RDMA
	 * READ of its pinned MR returns.  If this fails nothing else means
	 * anything.
	 */
	{ "smoke", "CPU writes are what an RDMA READ of the MR returns",
	  PK_DIST_NONE, SMOKE_KINDS, PK_BIT(PK_BACK_ANON_4K),
	  PK_BIT(PK_DIR_CPU_WRITE_RDMA_READ), 0 },
	/*
	 * Undisturbed: the CPU and the device see the same bytes in both
	 * directions, for every MR kind and backing, through RDMA READ/WRITE,
	 * atomics and SEND/RECV.
	 */
	{ "none", "without disturbance CPU and device see the same bytes",
	  PK_DIST_NONE, ALL_KINDS, ALL_BACKINGS, ALL_DIRS, 0 },
	/*
	 * clear_refs 4 write-protects and soft-dirty-cleans the mapping.  The
	 * MR must stay coherent, the next CPU write must not copy any page,
	 * a page the device wrote (RDMA WRITE, atomic, RECV) or the CPU wrote
	 * after the reset must read soft-dirty (memfd-read-faulted: pages a
	 * read fault mapped writable and clean, which a pin does not fault
	 * in again), and an MR that holds no page reference must read clean
	 * until someone writes: a device read (RDMA READ, or SEND in the
	 * SEND/RECV directions) leaves it clean.
	 */
	{ "clear-refs", "after clear_refs: coherent, no copies, device writes read soft-dirty",
	  PK_DIST_CLEAR_REFS, ALL_KINDS, ALL_BACKINGS, ALL_DIRS,
	  PK_ROW_NOCOPY | PK_ROW_PRECISION },
	/*
	 * Twice: the second clear_refs sees the state the first left behind
	 * (e.g. a PMD already write-protected).  Same invariants.
	 */
	{ "clear-refs-twice", "after two clear_refs rounds: coherent, no copies, honest soft-dirty",
	  PK_DIST_CLEAR_REFS_TWICE, WRITABLE_KINDS, ANON_BACKINGS, PLAIN_DIRS,
	  PK_ROW_NOCOPY | PK_ROW_PRECISION },
	/*
	 * fork while a child keeps a COW mapping; the parent writes.  The
	 * parent's CPU view and the MR stay one, for RDMA READ/WRITE and for
	 * SEND out of / RECV into the MR.
	 */
	{ "fork-parent-writes", "after fork the parent's writes reach the MR and device writes reach the parent",
	  PK_DIST_FORK_PARENT_WRITES, DEVICE_KINDS, CORE_BACKINGS,
	  PLAIN_DIRS | MSG_DIRS, 0 },
	/*
	 * fork; the child writes its copy.  The child's writes never show up
	 * in the parent's private memory or its MR (a shared mapping shows
	 * them in both), and the parent stays coherent afterwards.
	 */
	{ "fork-child-writes", "a child's writes never leak into the parent's private memory or MR",
	  PK_DIST_FORK_CHILD_WRITES, DEVICE_KINDS, CORE_BACKINGS, PLAIN_DIRS, 0 },
	/*
	 * fork; the child exits before anyone writes.  The parent stays
	 * coherent, and its next write copies no page because of the device
	 * (what the kernel does to the same memory without it is the bar).
	 */
	{ "fork-child-exits-first", "after the child exits the parent's write reuses its pages",
	  PK_DIST_FORK_CHILD_EXITS, ALL_KINDS, ANON_BACKINGS, PLAIN_DIRS,
	  PK_ROW_NOCOPY },
	/*
	 * mprotect read-only then read-write: coherent, and the device makes
	 * the kernel copy no page it would not copy without it.
	 */
	{ "mprotect-ro-rw", "after mprotect RO->RW: coherent, no copies",
	  PK_DIST_MPROTECT, ALL_KINDS, CORE_BACKINGS, PLAIN_DIRS,
	  PK_ROW_NOCOPY },
	/* uffd write-protect then resolve: the MR stays coherent. */
	{ "uffd-wp", "after UFFDIO_WRITEPROTECT and resolve the MR stays coherent",
	  PK_DIST_UFFD_WP, DEVICE_KINDS,
	  ANON_BACKINGS | PK_BIT(PK_BACK_MEMFD_SHARED), PLAIN_DIRS, 0 },
	/*
	 * PAGEMAP_SCAN write tracking (uffd-wp async): after the scan resets
	 * tracking, a page the device wrote must be reported written.
	 */
	{ "pagemap-scan", "PAGEMAP_SCAN reports every page the device wrote as written",
	  PK_DIST_PAGEMAP_SCAN, DEVICE_KINDS, ANON_BACKINGS, PLAIN_DIRS, 0 },
	/*
	 * uffd-rwp access tracking (async): after UFFDIO_RWPROTECT, a page
	 * the device wrote must be reported PAGE_IS_ACCESSED.
	 */
	{ "uffd-rwp", "PAGEMAP_SCAN reports every page the device wrote after UFFDIO_RWPROTECT as accessed",
	  PK_DIST_UFFD_RWP, DEVICE_KINDS, ANON_BACKINGS, PLAIN_DIRS, 0 },
	/*
	 * The pin's whole life (disturbances.c, pin_life_begin()): pinned,
	 * the tracking state reset, the device writes every probe page, the
	 * pin ends (the MR deregistered, the fixed buffer unregistered).  A
	 * checkpointer reads now: each page the device wrote must read
	 * soft-dirty / PAGE_IS_WRITTEN / PAGE_IS_ACCESSED.  A second reset
	 * then finds nothing pinned and must leave every page clean (no
	 * sticky false positive), and the same pages pinned again are
	 * coherent.  hugetlb has no per-page soft-dirty, so clear_refs
	 * cannot apply there.
	 */
	{ "pin-ends-clear-refs", "a device write while pinned reads soft-dirty after the pin ends, clean after the next clear_refs",
	  PK_DIST_PIN_ENDS_CLEAR_REFS, PIN_WRITE_KINDS,
	  PIN_ENDS_BACKINGS | PK_BIT(PK_BACK_MEMFD_READ),
	  PK_BIT(PK_DIR_RDMA_WRITE_CPU_READ), 0 },
	{ "pin-ends-pagemap-scan", "a device write while pinned reads PAGE_IS_WRITTEN after the pin ends, unwritten after the next reset",
	  PK_DIST_PIN_ENDS_PAGEMAP_SCAN, PIN_WRITE_KINDS,
	  PIN_ENDS_BACKINGS | PK_BIT(PK_BACK_HUGETLB_2M),
	  PK_BIT(PK_DIR_RDMA_WRITE_CPU_READ), 0 },
	{ "pin-ends-uffd-rwp", "a device write while pinned reads PAGE_IS_ACCESSED after the pin ends, unaccessed after the next UFFDIO_RWPROTECT",
	  PK_DIST_PIN_ENDS_UFFD_RWP, PIN_WRITE_KINDS,
	  PIN_ENDS_BACKINGS | PK_BIT(PK_BACK_HUGETLB_2M),
	  PK_BIT(PK_DIR_RDMA_WRITE_CPU_READ), 0 },
	/*
	 * KSM scans identical pages under the MR.  Coherence holds; an MR
	 * without page references does not stop the merge.
	 */
	{ "ksm-merge", "KSM never merges a page away from under a coherent MR",
	  PK_DIST_KSM_MERGE, ALL_KINDS, PK_BIT(PK_BACK_ANON_4K), PLAIN_DIRS,
	  PK_ROW_NOREF },
	/*
	 * MADV_PAGEOUT: coherence holds; an MR without page references does
	 * not stop reclaim.
	 */
	{ "pageout", "MADV_PAGEOUT keeps the MR coherent",
	  PK_DIST_PAGEOUT, ALL_KINDS,
	  PK_BIT(PK_BACK_ANON_4K) | PK_BIT(PK_BACK_MEMFD_SHARED), PLAIN_DIRS,
	  PK_ROW_NOREF },
	/*
	 * move_pages to another node: coherence holds; an MR without page
	 * references does not stop migration.
	 */
	{ "migrate", "move_pages keeps the MR coherent",
	  PK_DIST_MIGRATE, ALL_KINDS,
	  PK_BIT(PK_BACK_ANON_4K) | PK_BIT(PK_BACK_ANON_THP), PLAIN_DIRS,
	  PK_ROW_NOREF },
	/* Whole-system compaction moves movable pages: coherence holds. */
	{ "compact", "compaction keeps the MR coherent",
	  PK_DIST_COMPACT, WRITABLE_KINDS, PK_BIT(PK_BACK_ANON_4K),
	  PK_BIT(PK_DIR_CPU_WRITE_RDMA_READ), 0 },
	/* Splitting the PMD of a registered THP keeps the MR coherent. */
	{ "thp-split", "a PMD split under the MR keeps it coherent",
	  PK_DIST_THP_SPLIT, ALL_KINDS,
	  PK_BIT(PK_BACK_ANON_THP) | PK_BIT(PK_BACK_ANON_MTHP), PLAIN_DIRS, 0 },
	/* MADV_COLLAPSE of a PTE-mapped THP under the MR keeps it coherent. */
	{ "collapse", "MADV_COLLAPSE under the MR keeps it coherent",
	  PK_DIST_COLLAPSE, DEVICE_KINDS, PK_BIT(PK_BACK_ANON_THP_PTE),
	  PLAIN_DIRS, 0 },
	/* mremap away and back: the pages travel, the MR stays coherent. */
	{ "mremap", "mremap of the registered range keeps it coherent",
	  PK_DIST_MREMAP, DEVICE_KINDS,
	  PK_BIT(PK_BACK_ANON_4K) | PK_BIT(PK_BACK_ANON_THP), PLAIN_DIRS, 0 },
	/*
	 * munmap of the upper half under a live ODP MR: it holds no page
	 * reference, so the unmapped pages are gone for the device as well.
	 * An RDMA READ, RDMA WRITE or FETCH_AND_ADD at the unmapped half
	 * ends in an error completion IBV_WC_REM_ACCESS_ERR (not success,
	 * not a hang); after the QPs are reconnected the mapped half stays
	 * coherent in the same direction.
	 */
	{ "munmap", "an access to the unmapped part of an ODP MR ends in IBV_WC_REM_ACCESS_ERR, the mapped part stays coherent",
	  PK_DIST_MUNMAP, ODP_KINDS, MUNMAP_BACKINGS, MUNMAP_DIRS,
	  0 },
	/*
	 * munmap, then a new anonymous mapping at the same address with new
	 * contents: the ODP MR follows the mapping, so an RDMA READ returns
	 * the new contents (never the freed pages) and the MR is coherent
	 * with the new pages in every direction.
	 */
	{ "munmap-remap", "after munmap and mmap MAP_FIXED the ODP MR reads and writes the new pages",
	  PK_DIST_MUNMAP_REMAP, ODP_KINDS, MUNMAP_BACKINGS,
	  MUNMAP_DIRS, 0 },
	/*
	 * A pinned MR holds references on its pages: munmap removes the
	 * mapping, not the pages, so an RDMA READ of the unmapped half keeps
	 * returning the bytes from before munmap (and the mapped half stays
	 * coherent).
	 */
	{ "munmap-pinned", "a pinned MR keeps reading the bytes from before munmap",
	  PK_DIST_MUNMAP, PINNED_KINDS,
	  PK_BIT(PK_BACK_ANON_4K) | PK_BIT(PK_BACK_ANON_THP),
	  PK_BIT(PK_DIR_CPU_WRITE_RDMA_READ), 0 },
	/*
	 * Control: MADV_DONTNEED after registration gives the CPU new pages
	 * while a pinned MR keeps the old ones.  The checker must see the
	 * break; if it does not, it is blind and the case fails.
	 */
	{ "control-madv-dontneed", "the checker sees the break MADV_DONTNEED makes",
	  PK_DIST_MADV_DONTNEED, ANY_PIN_KINDS,
	  PK_BIT(PK_BACK_ANON_4K) | PK_BIT(PK_BACK_ANON_THP), PLAIN_DIRS,
	  PK_ROW_CONTROL },
	/*
	 * A hostile peer (hostile.c): a request out of the MR (wrapping past
	 * 2^64, crossing its end or start, longer than it), with a wrong,
	 * stale or foreign R_Key, a misaligned atomic or zero bytes, on
	 * pinned and ODP MRs, ends in the completion the IBTA documents,
	 * never in another one or a hang, moves no byte, and the QPs recover.
	 */
	{ "hostile", "a remote peer's bad requests end in their documented completion, move no byte, and the QPs recover",
	  PK_DIST_NONE, PK_KF_VERBS | PK_KF_WRITES, 0,
	  PK_BIT(PK_BACK_ANON_4K) | PK_BIT(PK_BACK_ANON_THP), HOSTILE_DIRS, 0 },
};

const size_t pk_nr_rows = sizeof(pk_rows) / sizeof(pk_rows[0]);

size_t pk_expand(const struct pk_row *rows, size_t nr_rows,
		 struct pk_case *out, size_t max)
{
	size_t count = 0, r, k;

	for (r = 0; r < nr_rows; r++) {
		const struct pk_row *row = &rows[r];
		unsigned int b, d;

		for (b = 0; b < pk_backing_count(); b++) {
			if (!(row->backings & PK_BIT(b)))
				continue;
			for (k = 0; k < pk_kind_count(); k++) {
				const struct pk_kind_ops *kind = pk_kind_at(k);

				if (!pk_row_has_kind(row, kind))
					continue;
				for (d = 0; d < PK_DIR_NR; d++) {
					struct pk_case *c;

					if (!(row->dirs & PK_BIT(d)))
						continue;
					if (!pk_combo_valid(kind, b, d,
							    row->disturb))
						continue;
					if (out && count < max) {
						c = &out[count];
						c->row = row;
						c->kind = kind;
						c->backing = b;
						c->dir = d;
						c->dir_alias = dir_alias(kind, d);
						c->xfer = 0;
						c->fork_copies = 0;
						snprintf(c->name, sizeof(c->name),
							 "%s/%s/%s/%s",
							 row->name,
							 pk_backing_name(b),
							 kind->name,
							 pk_case_dir_name(kind, d));
					}
					count++;
				}
			}
		}
	}
	return count;
}

static size_t rows_expand(struct pk_case *out, size_t max)
{
	return pk_expand(pk_rows, pk_nr_rows, out, max);
}

/* Each row selects its own kinds (kind_has, kind_lacks above). */
const struct pk_family pk_family_rows = {
	.name = "rows",
	.what = "one invariant per row, under one disturbance, over backings and directions",
	.why = "each row names its own flags",
	.expand = rows_expand,
};
