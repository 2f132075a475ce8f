# shellcheck shell=bash
# Common helpers for pinkit's orchestration scripts: errors, timed steps,
# the cache location and the kernel version table.  Sourced, never run.

PINKIT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PINKIT_CACHE=${PINKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pinkit}
SUPPORTED_KVERS="6.12 6.1"

# die MSG... - print "pinkit: error: MSG" on stderr and exit 1.
die()
{
	printf 'pinkit: error: %s\n' "$*" >&2
	exit 1
}

note()
{
	printf 'pinkit: %s\n' "$*" >&2
}

# step_begin WHAT / step_end - announce a long step and report its duration.
step_begin()
{
	_step_what=$1
	_step_t0=$(date +%s.%N)
	printf 'pinkit: %s ...\n' "$_step_what" >&2
}

step_end()
{
	local t1
	t1=$(date +%s.%N)
	awk -v w="$_step_what" -v a="$_step_t0" -v b="$t1" \
		'BEGIN { printf "pinkit: %s done in %.1f s\n", w, b - a }' >&2
}

# check_kver VER - fail with the supported list unless VER is one of them.
check_kver()
{
	local v
	for v in $SUPPORTED_KVERS; do
		[ "$1" = "$v" ] && return 0
	done
	die "KVER=$1 is not supported: use KVER=6.12 (default) or KVER=6.1," \
		"or KSRC=/path/to/a/kernel/tree for any other kernel source"
}

# hash_files FILE... - one sha256 over the names and contents of FILEs.
hash_files()
{
	local f
	for f in "$@"; do
		printf '%s\n' "$(basename "$f")"
		cat "$f"
	done | sha256sum | cut -c1-16
}
