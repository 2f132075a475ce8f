#!/usr/bin/env bash
# check.sh - everything `make check` runs, stage by stage: host unit tests
# (unit), harness self-tests (selftest), the mmu-notifier audit on its
# fixtures (audit), the KCIDB writer and the LAVA job on crafted input
# (kcidb-test, lava-test, no boot), the suite in the VM on the patched
# mainline kernel (7.3) with the series' kernel selftests, the example
# kind plugin's pass and the
# legacy_cow control pass in the same boot (vm-7.3), that run's KCIDB
# document validated (kcidb-7.3), the bare `pinkit run
# --device rxe0` against that run's verdicts (plain-7.3), rdma-core's own
# tests on rxe0 in the guest on the host's / (rdma-core-7.3; a failure shows
# the stock kernel's result beside it) and on a Debian trixie root with its
# newer rdma-core (rdma-core-7.3-trixie; the root is built into the cache by
# its first run, tests/guest/root.sh), the suite on the patched 6.12
# (vm-6.12) and rdma-core's tests there (rdma-core-6.12), and 6.1 (vm-6.1),
# with a 60 s `pinkit soak` and its 60 s legacy_cow control on 7.3
# (soak-7.3) in between, and last the audit on the whole 7.3 and 6.12
# trees against its ground truth (audit-tree; last, so that the kernel
# stages have unpacked the sources it reads).  Each
# stage ends with "N passed, N failed, N skipped"; the last line here is
# their sum, after a table of every stage with its counts, exit status,
# time and kernel source.
# A stage that ends without that line counts as one failure.
# make check pins its own settings: what the caller's environment or make
# command line says about the runs (CONTROL, ARGS, PATCHES, KERNEL, ...)
# is dropped, never inherited by a stage, and named on stderr.
set -u
. "$(dirname "$0")/../scripts/lib.sh"
cd "$PINKIT_ROOT"
# NAME=its value in a plain `make check` (the Makefile exports some)
declare -A pinned=([CONTROL]=legacy_cow [KVER]=$DEFAULT_KVER [TIMEOUT]=1800 [STALL]=300)
for v in CONTROL_GROUPS ARGS PATCHES PATCHDIRS KSRC KERNEL KSELFTESTS DEBUG STOCK CMD \
	TIMEOUT_REPEAT TIMEOUT_RDMA_CORE N ALLOWLIST HARNESS_KTAP VERDICT_MODE SKIPS_DIR CRASHES PANIC_ON; do
	pinned[$v]=
done
for v in "${!pinned[@]}"; do
	[ -n "${!v+set}" ] || continue
	[ "${!v}" = "${pinned[$v]}" ] ||
		note "make check ignores $v=${!v} from its caller: it pins its own settings"
	unset "$v"
done
# make's command-line variables reach sub-makes through MAKEFLAGS
unset MAKEFLAGS MAKEOVERRIDES MFLAGS
log=$(mktemp)
trap 'rm -f "$log"' EXIT
tp=0 tf=0 ts=0 summary=()

stage()
{
	local name=$1 rc p f s line src t0=$SECONDS el
	shift
	printf '\n==== %s: %s\n' "$name" "$*"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	el=$((SECONDS - t0))
	printf '==== %s: done in %d s\n' "$name" "$el"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n1)
	if [ -n "$line" ]; then
		read -r p _ f _ s _ <<< "$line"
	else
		p=0 f=1 s=0
	fi
	[ $rc != 0 ] && [ "$f" = 0 ] && f=1
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
	# The kernel source a stage built from (kernel/scripts/tree.sh).
	src=$(sed -n 's/^pinkit: kernel source: //p' "$log" | tail -n1)
	summary+=("$(printf '%-22s %5d %5d %5d  exit %d  %5d s  %s' "$name" "$p" "$f" "$s" "$rc" \
		"$el" "$src")")
}

stage unit make -s unit
stage selftest make -s selftest
stage audit make -s audit-test
stage kcidb-test make -s kcidb-test
stage lava-test make -s lava-test
stage vm-7.3 make -s run KVER=7.3
stage kcidb-7.3 make -s kcidb KVER=7.3
stage plain-7.3 make -s plain KVER=7.3
stage rdma-core-7.3 make -s rdma-core KVER=7.3
stage rdma-core-7.3-trixie make -s rdma-core KVER=7.3 ROOT=trixie
stage vm-6.12 make -s run KVER=6.12
stage rdma-core-6.12 make -s rdma-core KVER=6.12
stage soak-7.3 make -s soak KVER=7.3 SECONDS=60
stage vm-6.1 make -s run KVER=6.1
stage audit-tree make -s audit-tree

printf '\n%-22s %5s %5s %5s  %-7s %7s  %s\n' stage pass fail skip status time "kernel source"
printf '%s\n' "${summary[@]}"
echo "$tp passed, $tf failed, $ts skipped"
[ $tf = 0 ]
