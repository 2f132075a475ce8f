#!/usr/bin/env bash
# check-inputs.sh GOAL... - check the make variables pinkit reads, before
# any work: the Makefile runs this while it reads its goals, so a bad value
# stops make before a package check, a build, the build lock or a boot.
# The Makefile passes each value in the environment as in_NAME (not NAME:
# bash's own SECONDS would hide make's).  Every bad one gets a line on
# stderr, "pinkit: error: VAR=value ...", naming what is accepted; exit 2
# if there was one.
set -u
. "$(dirname "$0")/lib.sh"
goals=" $* "
bad=0

# refuse MSG... - one bad value; the checks go on, so all are named at once.
refuse()
{
	printf 'pinkit: error: %s\n' "$*" >&2
	bad=1
}

# number VAR MIN MAX WHAT [required] - VAR, when set (always, if required),
# must be a whole number MIN..MAX; WHAT says what it counts.
number()
{
	local n=in_$1
	local v=${!n-}
	[ -z "$v" ] && [ "${5:-}" != required ] && return 0
	case $v in
	'' | *[!0-9]* | 0?*) ;;
	*)	[ ${#v} -le 9 ] && [ "$v" -ge "$2" ] && [ "$v" -le "$3" ] && return 0 ;;
	esac
	refuse "$1=$v: expected $4, a whole number $2..$3"
}

# Goals that read a kernel tree without building it accept one built in place.
ksrc_use=
case $goals in *" audit"*) ksrc_use=any ;; esac

# Each library check dies on its first complaint: run it in a subshell.
if [ -n "${in_KSRC:-}" ]; then
	(check_ksrc "$in_KSRC" $ksrc_use) || bad=1
else
	(check_kver "${in_KVER:-$DEFAULT_KVER}") || bad=1
fi
(check_patches "${in_PATCHES:-}") || bad=1
# shellcheck disable=SC2086 # PATCHDIRS is a blank-separated list
(check_patchdirs ${in_PATCHDIRS:-}) || bad=1
(check_debug "${in_DEBUG:-}") || bad=1
if [ "${in_PATCHES:-}" = none ] && [ -n "${in_PATCHDIRS:-}" ]; then
	refuse "PATCHES=none and PATCHDIRS=$in_PATCHDIRS contradict each other: give one"
fi

number SECONDS 1 86400 "the soak's length in seconds" required
number N 2 1000 "the number of passes of make repeat" required
number TIMEOUT 1 604800 "the seconds a whole boot may take"
number STALL 0 604800 "the seconds the guest's console may stay silent (0: no limit)"
number TIMEOUT_REPEAT 1 604800 "the seconds make repeat's boot may take"
number TIMEOUT_RDMA_CORE 1 604800 "the seconds rdma-core's tests may take"
number CRASHES 0 1000 "the kernel crashes to resume after (0: never resume)"
number JOBS 1 1024 "the kernel build's parallel jobs"

case ${in_STOCK:-} in
'' | 0 | 1) ;;
*)	refuse "STOCK=$in_STOCK: use STOCK=1 (Debian's prebuilt kernel of KVER) or no STOCK" ;;
esac
case ${in_PANIC_ON:-} in
'' | oops | none | oops,warn | warn,oops) ;;
*)	refuse "PANIC_ON=$in_PANIC_ON: use PANIC_ON=oops (the default), PANIC_ON=oops,warn or PANIC_ON=none" ;;
esac
case ${in_ACCEL:-} in
'' | kvm | tcg) ;;
*)	refuse "ACCEL=$in_ACCEL: use ACCEL=kvm or ACCEL=tcg, or no ACCEL (KVM when it works)" ;;
esac
case ${in_CONTROL:-} in
*[!a-z0-9_]*) refuse "CONTROL=$in_CONTROL: expected the name of a switch in /sys/kernel/debug" \
	"(CONTROL=legacy_cow), or CONTROL= for no control pass" ;;
esac
case ${in_ROOT:-} in
'' | trixie | sid) ;;
*)	refuse "ROOT=$in_ROOT: use ROOT=trixie (Debian 13, rdma-core 56) or ROOT=sid (rdma-core 65)," \
		"or no ROOT for the host's /" ;;
esac
case ${in_REBUILD:-} in
'' | 0 | 1) ;;
*)	refuse "REBUILD=$in_REBUILD: use REBUILD=1 (make root builds ROOT again) or no REBUILD" ;;
esac
if [ -n "${in_KERNEL:-}" ] && [ ! -f "$in_KERNEL" ]; then
	refuse "KERNEL=$in_KERNEL: no such file; give KERNEL= a bzImage, or no KERNEL to build one"
fi
case ${in_KSELFTESTS:-} in
'' | none) ;;
*)	[ -f "$in_KSELFTESTS" ] || refuse "KSELFTESTS=$in_KSELFTESTS: no such file; give an archive" \
		"(BZIMAGE.selftests.gz, which build.sh packs), or KSELFTESTS=none" ;;
esac

# The goals' own inputs.
case $goals in
*" exec "*)
	[ -n "${in_CMD:-}" ] || refuse "make exec: give the command: make exec CMD='ibv_devinfo -d rxe0 -v'" ;;
esac
case $goals in
*" install "*)
	# pinkit.pc names PREFIX; DESTDIR is a staging root in front of it
	case ${in_PREFIX:-} in
	/* ) [[ $in_PREFIX != *[[:space:]]* ]] ||
		refuse "PREFIX='$in_PREFIX': a path without blanks (pinkit.pc names it)" ;;
	*)	refuse "PREFIX='${in_PREFIX-}': give an absolute path, e.g. PREFIX=/usr/local" ;;
	esac
	case ${in_DESTDIR:-} in
	'' | /*) [[ ${in_DESTDIR:-} != *[[:space:]]* ]] ||
		refuse "DESTDIR='$in_DESTDIR': a path without blanks" ;;
	*)	refuse "DESTDIR=$in_DESTDIR: give an absolute path (a staging root), or no DESTDIR" ;;
	esac ;;
esac
case $goals in
*" root "*)
	[ -n "${in_ROOT:-}" ] || refuse "make root: name the root: make root ROOT=trixie (or ROOT=sid)" ;;
esac
# ROOT is the 9p guest's: a goal that boots another guest would ignore it.
if [ -n "${in_ROOT:-}" ]; then
	for g in $goals; do
		case $g in
		shell | exec | rdma-core | root) ;;
		*)	refuse "ROOT=$in_ROOT: make $g does not use a Debian root; only make shell," \
				"make exec, make rdma-core and make root take ROOT=" ;;
		esac
	done
fi
case $goals in
*" soak "*)
	# SECONDS bounds the soak and its boot's TIMEOUT: ARGS must not move it.
	if [[ " ${in_ARGS:-} " =~ [[:space:]]--(seconds|iterations)[=[:space:]] ]]; then
		refuse "ARGS='${in_ARGS:-}': make soak is bounded by SECONDS (its boot's timeout" \
			"follows it); drop --${BASH_REMATCH[1]} and give SECONDS=N"
	fi ;;
esac

[ $bad = 0 ] || exit 2
