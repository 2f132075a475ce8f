# SPDX-License-Identifier: GPL-2.0
"""pinkit-audit - find mmu-notifier users that keep FOLL_GET page references.

A driver that mirrors process page tables through an mmu notifier (a
"secondary MMU") should hold no page reference while the pages are mapped:
hmm_range_fault() inside mmu_interval_read_begin()/read_retry(), or at most a
reference dropped right after the mapping is set up.  A FOLL_GET reference
(get_user_pages*()) kept for as long as the device maps the page makes every
write fault on it copy the page (COW), blocks migration, KSM and THP collapse,
and races with the notifier.

For every source file that registers an mmu notifier, the audit looks at the
files linked into the same object (the "unit", from the Kbuild makefile; the
directory when it does not say) for the calls that take page references and
follows each reference to where it ends:

  released on every path after the call      -> dropped  (dropped-foll-get)
  returned / written through an out parameter -> follow the callers
  handed to a helper of the unit              -> read the helper
  kept in an object that outlives the call    -> held     (held-foll-get)
  kept in a struct that only ever lives on the stack -> dropped (transient)
  pages argument NULL                          -> no reference (none)
  pin_user_pages*()                            -> foll-pin
  hmm_range_fault()                            -> hmm (no reference)

"Released on every path" is decided by Coccinelle (cocci/released.cocci)
when spatch is installed, by a conservative text rule otherwise (the rule
engine: --engine coccinelle|text).

Output (--format): a table (file, notifier API, page API, held/dropped,
verdict, and why), tsv (user, file:line, verdict, held; the ground-truth
format of expected-*.tsv) or json; --json FILE writes the JSON as well.
Exit status 1 when a held FOLL_GET reference is found, 2 on usage errors,
0 otherwise.

The package (drivers/audit/pinkit_audit/; drivers/audit/pinkit-audit is the
command): cli (the command line, main()), audit (the walker Audit and its
run(), made of files, units, engine, follow, stored and callers), tasks
(Task, Leaf), source (Src, Func), ctext (C text helpers), refs (what
carries a reference), release (release analysis on the text), kbuild
(units from the makefiles), apis (the kernel names), output (tsv, table).
"""
