# pinkit - the one entry point.  `make run` and `make check` are the two
# commands; see README.md for the options.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

KVER    ?= 7.3
OUT     ?= $(CURDIR)/out
ARGS    ?=
# A guest hangs when its console is silent for STALL seconds (a KASAN
# kernel runs several times slower); TIMEOUT bounds a whole boot.
STALL   ?= $(if $(filter kasan,$(DEBUG)),900,300)
TIMEOUT ?= $(if $(filter kasan,$(DEBUG)),5400,1800)
# The negative-control switch of the patched kernel (kernel/patches/*/): the
# suite runs a second time with it on and must see corruption.
CONTROL ?= $(if $(or $(KSRC),$(PATCHES),$(PATCHDIRS)),,legacy_cow)
export KVER KSRC PATCHES PATCHDIRS DEBUG OUT TIMEOUT STALL ACCEL PINKIT_CACHE JOBS CONTROL CMD KERNEL PANIC_ON CRASHES ROOT REBUILD
# make soak's length, make repeat's passes, make shell's kernel (below).
SECONDS ?= 60
N       ?= 20
STOCK   ?=
# make install's (below).
PREFIX  ?= /usr/local
# The 9p guest's root (make shell, exec, rdma-core): the host's / by
# default, ROOT=trixie or ROOT=sid a Debian root built once (make root).
ROOT    ?=
REBUILD ?=

# The front door: every variable above (and the harness's own: KSELFTESTS,
# TIMEOUT_REPEAT, ...) is checked while make reads this file, before any
# goal's package check, build, build lock or boot (scripts/check-inputs.sh).
# A bad value stops make here with exit status 2, having done nothing.
INPUTS := KVER KSRC PATCHES PATCHDIRS DEBUG TIMEOUT STALL ACCEL JOBS CONTROL CMD KERNEL \
	  PANIC_ON CRASHES SECONDS N STOCK ROOT REBUILD ARGS KSELFTESTS TIMEOUT_REPEAT \
	  TIMEOUT_RDMA_CORE PREFIX DESTDIR
ifneq ($(filter-out help clean,$(or $(MAKECMDGOALS),help)),)
ifneq ($(shell $(foreach v,$(INPUTS),in_$(v)='$(subst ','\'',$($(v)))') \
		scripts/check-inputs.sh $(MAKECMDGOALS) >&2 || echo bad),)
$(error bad input (above): nothing was done)
endif
endif

INITRD   := $(OUT)/initramfs-pinkit.gz
RUNNAME  := $(if $(KSRC),ksrc,$(KVER))$(if $(PATCHES),-$(PATCHES))$(if $(filter 1,$(DEBUG)),-debug)$(if $(filter kasan,$(DEBUG)),-kasan)
# ARGS reach the guest's /init in a file (tests/harness/boot.sh), as one
# line split at blanks there: quotes are dropped; single-quoted here for
# the shell.
GUESTARG := $(if $(ARGS),'pinkit.run=$(strip $(subst ",,$(subst ',,$(ARGS))))')

.PHONY: help deps shell exec rdma-core root run check soak repeat stock mm-selftests kernel userspace install initramfs unit selftest clean bench-loop bench bench-resetcost compare plain each-patch audit audit-test audit-tree watch rebase kcidb kcidb-test lava lava-run lava-test lava-local series

help:
	@echo "make run      build the patched kernel, boot it, run the suite, print the verdict"
	@echo "make check    host unit tests + harness self-tests + the suite in the VM"
	@echo "make stock    the same suite on Debian's prebuilt kernel of KVER"
	@echo "make shell    an interactive shell in a guest on the host's / (kit kernel, rxe0 up)"
	@echo "make exec CMD='...'  run a host command in that guest, its output and exit status"
	@echo "make rdma-core  rdma-core's own tests (pyverbs) on rxe0 in that guest"
	@echo "make root ROOT=trixie|sid  a Debian root for those three (ROOT=...), built once into the cache"
	@echo "make soak     CPU writers + device traffic + disturbances at once (SECONDS=60), then its legacy_cow control"
	@echo "make repeat   the suite N times in one boot (N=20), the cases whose verdict changed"
	@echo "make watch    does every series apply to the newest Debian source of its kernel (no build)"
	@echo "make rebase   rebase KVER's series onto the Debian source in the cache (git am)"
	@echo "make series   KVER's series for the lists, as you (git config user.name/email), checkpatch'ed, not sent"
	@echo "make bench-resetcost  what one tracking reset costs per page, stock KVER vs the kit's"
	@echo "make mm-selftests  the kernel's own mm selftests on the kit's kernel and on stock KVER, side by side"
	@echo "make kcidb    the KCIDB v5.3 document of the last make run, validated (not sent)"
	@echo "make lava     a LAVA job definition for KVER's kit kernel and initramfs"
	@echo "make lava-run that job run here by Debian's lava-run, its verdict compared with make run's"
	@echo "make audit    which mmu-notifier users keep FOLL_GET page references (KSRC=tree or DIR=driver-source)"
	@echo "make audit-test / audit-tree  the audit's own tests / the whole 7.3 tree against drivers/audit/expected-7.3.4.tsv"
	@echo "make install PREFIX=/usr/local [DESTDIR=dir]  pinkit, pinkit-kind.h and pinkit.pc for kind plugins (docs/plugins.md)"
	@echo "options: KVER=7.3|6.12|6.1 KSRC=tree PATCHES=none PATCHDIRS=dirs DEBUG=1 ARGS=... (README.md)"

# The Debian packages every step below needs; installed when missing.
deps:
	@scripts/deps.sh build vm

userspace: deps
	@$(MAKE) -s -C userspace

# make install PREFIX=/usr/local [DESTDIR=/staging/root]: the pinkit
# command, the kind interface header (PREFIX/include/pinkit/pinkit-kind.h),
# pinkit.pc for plugins built out of tree, the example plugin and its source
# (userspace/Makefile; docs/plugins.md).
install:
	@scripts/deps.sh build
	@$(MAKE) -s -C userspace install PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)'

# The guest image: busybox, /init, pinkit and the verbs userspace.
initramfs: userspace
	@tests/vm/initramfs.sh $(INITRD)

kernel:
	@kernel/scripts/build.sh >/dev/null

# make run: patched kernel -> QEMU -> rxe -> suite -> verdict.
# KERNEL=bzImage boots an image already built (its kernel selftests beside
# it: BZIMAGE.selftests.gz, or KSELFTESTS=archive|none).
run: initramfs
	@k=$${KERNEL:-$$(kernel/scripts/build.sh)}; \
	tests/harness/run.sh run-$(RUNNAME) "$$k" $(INITRD) $(GUESTARG)

# make shell / make exec CMD='...': the guest on the host's root filesystem
# (tests/guest/: the host's / read-only over 9p, a tmpfs overlay, rxe0 up;
# ROOT=trixie|sid: a Debian root of make root instead) on KVER's kit
# kernel; KERNEL=bzImage boots an image already built, STOCK=1 Debian's
# prebuilt kernel of KVER.  exec: CMD runs with bash -c in the current
# directory; make exits non-zero when it does (the exact status on the
# last line).
GUEST_KERNEL = m=; if [ "$(STOCK)" = 1 ]; then read -r k m _ < <(tests/guest/stock.sh $(KVER)); \
	else k=$${KERNEL:-$$(kernel/scripts/build.sh)}; fi
GUEST_NAME = $(if $(filter 1,$(STOCK)),stock-$(KVER),$(RUNNAME))$(if $(ROOT),-$(ROOT))
shell: deps
	@$(GUEST_KERNEL); tests/guest/run.sh shell "$$k" $(OUT)/shell-$(GUEST_NAME) $$m

exec: deps
	@$(GUEST_KERNEL); tests/guest/run.sh exec "$$k" $(OUT)/exec-$(GUEST_NAME) $$m || \
		{ rc=$$?; echo "pinkit: exit status $$rc" >&2; exit $$rc; }

# make rdma-core: rdma-core's own tests (Debian's python3-pyverbs) on rxe0
# in that guest, each test a KTAP result; a failure shows the stock
# kernel's result beside it.  KERNEL=bzImage boots an image already built;
# ROOT=trixie|sid runs that root's rdma-core (56, 65) instead of the
# host's (44).
rdma-core: deps
	@tests/guest/rdma-core-stage.sh

# make root ROOT=trixie|sid: that Debian root (tests/guest/root.sh), built
# with mmdebstrap into the cache unless it is there; REBUILD=1 builds it
# again.
root:
	@tests/guest/root.sh $(ROOT)

# make stock: Debian's prebuilt kernel of the same version, same suite.
stock: userspace
	@tests/vm/stock.sh $(KVER) $(GUESTARG)

# make mm-selftests: the kernel's own mm selftests (cow, gup_longterm,
# soft-dirty, pagemap_ioctl, uffd-unit-tests, KSM, migration, THP split,
# hmm-tests and the series' own: tests/vm/mm-selftests.list), built from
# the kit's tree, on the kit's kernel and on Debian's stock kernel of KVER;
# fails when one fails on the kit's kernel and not on stock.
mm-selftests: userspace
	@scripts/deps.sh mm-selftests
	@tests/vm/mm-selftests.sh $(KVER)

# make soak: `pinkit soak` for SECONDS in the guest (ARGS add options:
# --seed, --filter, --writers), then with CONTROL on for at most 60 s: it
# must report lost writes.  KERNEL=bzImage boots an image already built.
# The guest gets SECONDS plus time to boot, set up and run the control
# (more under KASAN, whose boot and control pass run several times slower).
SOAK_SLACK := $(if $(filter kasan,$(DEBUG)),1200,420)
soak: initramfs
	@k=$${KERNEL:-$$(kernel/scripts/build.sh)}; \
	TIMEOUT=$$(( $(SECONDS) + $(SOAK_SLACK) )) CONTROL_GROUPS=soak \
	tests/harness/run.sh soak-$(RUNNAME) "$$k" $(INITRD) pinkit.mode=soak \
		'pinkit.run=--seconds $(SECONDS) $(strip $(subst ",,$(subst ',,$(ARGS))))'

# make repeat: the suite N times in one boot; lists every case whose
# verdict changed between the passes.
repeat: initramfs
	@k=$${KERNEL:-$$(kernel/scripts/build.sh)}; \
	TIMEOUT=$${TIMEOUT_REPEAT:-$$(( $(N) * 60 + 300 ))} \
	tests/harness/repeat.sh repeat-$(RUNNAME) "$$k" $(INITRD) $(N) $(GUESTARG)

# The vendor's view: the bare binary with only --device rxe0 must give the
# verdicts `make run` gave (run it first).
plain: initramfs
	@k=$${KERNEL:-$$(kernel/scripts/build.sh)}; \
	tests/vm/plain.sh "$$k" $(INITRD) $(OUT)/run-$(RUNNAME)/results/ktap

# Build the kernel after every patch of the series, in order.
each-patch:
	@kernel/scripts/each.sh

# Following Debian's kernels (HACKING.md): make watch checks, without
# building, that every series applies to the newest linux-source Debian
# offers for its KVER (KVER= on the command line: one version; PATCHDIRS=
# other series) and
# names newer kernels; make rebase KVER=x rebases KVER's series onto the
# source in the cache with git am and writes the patches anew.
watch:
	@KVER='$(if $(filter command line,$(origin KVER)),$(KVER))' kernel/scripts/watch.sh

rebase:
	@kernel/scripts/rebase.sh

# make kcidb: the KCIDB v5.3 document of the last make run of the same
# KVER/DEBUG/PATCHES (out/run-<name>/kcidb.json), validated against the
# schema in tests/kcidb/; prints the kci-dev / curl line, sends nothing.
kcidb:
	@tests/kcidb/kcidb.sh $(OUT)/run-$(RUNNAME)

# make kcidb-test: the KCIDB writer and validator on crafted runs (no boot).
kcidb-test:
	@tests/kcidb/test.sh

# make lava: the LAVA job definition for KVER's kit kernel and the
# initramfs, with its artifacts, in out/lava-<name>/ (tests/lava/);
# KERNEL=bzImage uses an image already built, LAVA_URL where a lab serves
# the artifacts, ARGS as for make run.
LAVA_JOB = k=$${KERNEL:-$$(kernel/scripts/build.sh)}; \
	tests/lava/job.sh $(RUNNAME) "$$k" $(INITRD) $(ARGS)
lava: initramfs
	@$(LAVA_JOB)

# make lava-run: make lava's job run here by Debian's LAVA dispatcher
# (lava-run, a local qemu device under QEMU/TCG; tests/lava/run.sh), the
# verdict from LAVA's results, compared case for case with the make run of
# the same kernel, ARGS and flavour (run that first: its absence, other
# ARGS, or a missing dispatcher stop make before the build and the boot).
lava-run:
	@RUN_ARGS='$(strip $(subst ",,$(subst ',,$(ARGS))))' tests/lava/run.sh check $(RUNNAME)
	@$(MAKE) -s initramfs
	@$(LAVA_JOB) >/dev/null
	@tests/lava/run.sh run $(RUNNAME)

# make lava-local: boot the job's guest (make lava first) as LAVA would
# drive it, without LAVA, and compare its cases with make run's.
lava-local: deps
	@tests/lava/local.sh $(RUNNAME)

# make lava-test: the job generator and the guest's reporting, host only.
lava-test: initramfs
	@tests/lava/test.sh

unit: deps
	@$(MAKE) -s -C tests/unit check

selftest: initramfs
	@tests/selftest/run.sh

# make check: host unit tests, harness self-tests, the suite in the VM.
check: deps
	@tests/check.sh

clean:
	@$(MAKE) -s -C userspace clean
	@$(MAKE) -s -C tests/unit clean
	rm -rf $(OUT)

# Figures for the loop: warm run, run after a patch edit, boot; COLD=1 adds
# a run with an empty cache.
bench-loop:
	@tests/bench/loop.sh

# Figures for the core series' cost: one tracking reset (clear_refs,
# PAGEMAP_SCAN write-protect, async UFFDIO_WRITEPROTECT) per page of
# anonymous and memfd memory, on Debian's stock KVER and the kit's KVER side
# by side, plus RESETCOST_KERNELS (LABEL=bzImage ...), e.g. an older build.
RESETCOST_KERNELS ?=
bench-resetcost: deps
	@k=$$(kernel/scripts/build.sh) && \
	tests/bench/resetcost.sh stock=stock-$(KVER) kit=$$k $(RESETCOST_KERNELS)

# Figures for rxe ODP: perftest pinned vs --odp, side by side, in the guest
# on the host's root filesystem (tests/guest/), on each kit kernel of
# BENCH_KVERS (7.3: upstream ODP with the kit's fixes; 6.12: the kit's
# backport).  Then what fork() copies of partly
# pinned large folios on KVER's kernel (the suite's fork-copies cases,
# tests/bench/forkcopies.sh): pages copied, PMD splits, AnonHugePages,
# fork() latency pinned / unpinned side by side.
BENCH_KVERS ?= 7.3 6.12
bench: initramfs
	@args=(); for v in $(BENCH_KVERS); do \
		args+=("$$v=$$(KVER=$$v kernel/scripts/build.sh)"); \
	done; tests/bench/perftest.sh "$${args[@]}"; \
	k=$$(kernel/scripts/build.sh); \
	rc=0; CONTROL= tests/harness/run.sh bench-forkcopies-$(RUNNAME) "$$k" $(INITRD) \
		'pinkit.run=--filter fork-copies*' >$(OUT)/bench-forkcopies.log 2>&1 || rc=$$?; \
	tests/bench/forkcopies.sh $(OUT)/bench-forkcopies-$(RUNNAME)/ktap; \
	tail -n1 $(OUT)/bench-forkcopies.log; exit $$rc

# The proof table: stock Debian kernel / patched / patched + legacy_cow.
compare: userspace
	@tests/vm/compare.sh $(KVER)

# make audit: list the mmu-notifier users of a kernel tree (KSRC=tree), of a
# driver's source (DIR=dir-or-file) or, by default, of the pristine Debian
# source of KVER, and how they get pages; audit.sh exits 1 if one keeps
# FOLL_GET references (make then exits 2, as for any failed recipe).
# AUDIT_ARGS passes options (--only PATH, --engine text, --format tsv, ...).
audit:
	@scripts/deps.sh audit
	@DIR="$(DIR)" AUDIT_ARGS="$(AUDIT_ARGS)" drivers/audit/audit.sh

# make series: every series of KVER meant for a mailing list (a directory
# with a 0000-cover-letter.patch, and each group of the drivers'
# separate-* patches) with the submitter's identity (git config
# user.name/user.email, or SUBMITTER_NAME/SUBMITTER_EMAIL) in From:,
# Signed-off-by: and the cover letter, To:/Cc: from the kernel's
# get_maintainer.pl, each patch checked with checkpatch.pl --strict; into
# $(OUT)/series-KVER/, never sent (scripts/series.py).  Exits 1 on a
# checkpatch finding.
series:
	@KVER=$(KVER) OUT='$(OUT)/series-$(KVER)' scripts/series.py

# make audit-test: the audit on its fixtures, on radeon pristine/patched,
# its exit status and the ground-truth comparison on crafted rows (3-4 min
# on 2 cores); last line "N passed, N failed, N skipped".
audit-test:
	@scripts/deps.sh audit
	@drivers/audit/test.sh

# make audit-tree: the audit on the whole pristine 7.3 and 6.12 trees
# against drivers/audit/expected-7.3.4.tsv and expected-6.12.118.tsv row
# for row, DIR=arch/powerpc/kvm on 7.3, and KVM on 6.12 (minutes); a tree
# that is not there is a SKIP.
audit-tree:
	@scripts/deps.sh audit
	@drivers/audit/tree-test.sh
