#!/usr/bin/env bash
# loop.sh - figures for the build -> boot -> verdict loop (a benchmark, not
# a test: it prints numbers next to their targets and never fails on them).
#   warm   `make run` with nothing changed
#   edit   `make run` after one patch of the series changed (a copy of the
#          series with a line added to the first patch's message)
#   boot   QEMU start to power-off, from the warm run
#   cold   with COLD=1 only: `make run` with an empty cache (unpack, full
#          build without ccache hits); takes minutes
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$PINKIT_ROOT"
ver=${KVER:-$DEFAULT_KVER}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# timed NAME CMD... - run CMD quietly, record its wall time in seconds.
declare -A secs
timed()
{
	local name=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	"$@" >"$work/$name.log" 2>&1 || note "$name: the run failed (its figure still stands): $work/$name.log"
	t1=$(date +%s.%N)
	secs[$name]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
}

make -s run OUT="$work/out" CONTROL= ARGS="--filter smoke/*" >/dev/null 2>&1 || true
timed warm make -s run OUT="$work/out" CONTROL= ARGS="--filter smoke/*"
boot=$(sed -n 's/.*under QEMU.* done in \([0-9.]*\) s/\1/p' "$work/warm.log" | tail -n1)

dirs=()
for d in kernel drivers; do
	[ -f "$d/patches/$ver/series" ] || continue
	cp -r "$d/patches/$ver" "$work/$d"
	dirs+=("$work/$d")
done
first=$(grep -v '^#' "$work/kernel/series" | grep -m1 . || true)
if [ -n "$first" ]; then
	sed -i '0,/^---$/s//Benchmark edit.\n---/' "$work/kernel/$first"
	timed edit make -s run OUT="$work/out" CONTROL= PATCHDIRS="${dirs[*]}" ARGS="--filter smoke/*"
fi
if [ "${COLD:-0}" = 1 ]; then
	timed cold env PINKIT_CACHE="$work/cache" CCACHE_DIR="$work/ccache" \
		make -s run OUT="$work/out" CONTROL= ARGS="--filter smoke/*"
fi

printf '%-44s %10s %10s\n' figure seconds target
printf '%-44s %10.1f %10s\n' "make run, nothing changed" "${secs[warm]}" -
[ -n "${secs[edit]:-}" ] && printf '%-44s %10.1f %10s\n' "make run after editing patch 1" "${secs[edit]}" 90
[ -n "$first" ] || echo "(no patch in kernel/patches/$ver/series: edit figure not measured)"
printf '%-44s %10.1f %10s\n' "QEMU boot to verdict (TCG)" "${boot:-0}" 15
[ -n "${secs[cold]:-}" ] && printf '%-44s %10.1f %10s\n' "cold make run (empty cache)" "${secs[cold]}" 420
true
