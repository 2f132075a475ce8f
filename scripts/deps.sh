#!/usr/bin/env bash
# deps.sh GROUP... - make sure the Debian packages a pinkit step needs are
# installed; install the missing ones with apt-get (through sudo when not
# root), or print the exact command and stop when that is impossible.
#
# Groups: build (userspace + unit tests), kernel (kernel build), vm (guest
# and QEMU), root (the guest's Debian roots: mmdebstrap, patch), src-6.12 /
# src-6.1 (Debian kernel source of the system's suite; 7.3 comes through
# debian-newer.sh), keyring, audit, bench, mm-selftests (the static
# libnuma and liburing the kernel's mm selftests link),
# rdma-core (rdma-core's own tests: python3-pyverbs), sparse, kcidb
# (KCIDB documents: python3-jsonschema, python3-rfc3987 for its uri
# format), lava (LAVA job files: python3-yaml, lava-common's job schema,
# python3-jinja2 for the device dictionary), lava-run (make lava-run only:
# Debian's LAVA dispatcher, lava-run, some 130 packages with libguestfs).
# `deps.sh --update` only refreshes apt's package lists.
set -eu
. "$(dirname "$0")/lib.sh"

pkgs_for()
{
	case $1 in
	build)	echo gcc make libc6-dev pkg-config libibverbs-dev libcunit1-dev ;;
	kernel)	echo gcc make flex bison bc libelf-dev libssl-dev ccache \
		     xz-utils perl python3 cpio kmod rsync ;;
	vm)	echo qemu-system-x86 busybox-static rdma-core ibverbs-providers \
		     ibverbs-utils iproute2 cpio gzip kmod xz-utils ;;
	keyring) echo debian-archive-keyring ;;
	src-*)	check_kver "${1#src-}"; echo "linux-source-${1#src-}" ;;
	audit)	echo coccinelle python3 ;;
	bench)	echo perftest ;;
	mm-selftests) echo libnuma-dev liburing-dev ;;
	root)	echo mmdebstrap patch ;;
	rdma-core) echo python3-pyverbs ;;
	sparse)	echo sparse ;;
	kcidb)	echo python3 python3-jsonschema python3-rfc3987 ;;
	lava)	echo python3 python3-yaml python3-jinja2 lava-common ;;
	lava-run) echo lava-dispatcher qemu-system-x86 ;;
	*)	die "deps.sh: unknown group '$1'" ;;
	esac
}

update=0
[ "${1:-}" = --update ] && { update=1; shift; }
want=
for g in "$@"; do
	want="$want $(pkgs_for "$g")"
done
# PINKIT_EXTRA_PKGS lets the self-test ask for a package that cannot exist.
want="$want ${PINKIT_EXTRA_PKGS:-}"

missing=
for p in $want; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && [ $update = 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
	sudo=
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	sudo=sudo
else
	die "missing Debian packages:$missing; run:" \
		"sudo apt-get update && sudo apt-get install -y$missing"
fi

step_begin "installing${missing:- nothing (apt-get update only)}"
export DEBIAN_FRONTEND=noninteractive
stamp=$PINKIT_CACHE/apt-updated
mkdir -p "$PINKIT_CACHE"
if [ $update = 1 ] || [ -z "$(find "$stamp" -mmin -600 2>/dev/null)" ]; then
	$sudo apt-get update -qq >&2 || note "apt-get update failed; trying the install anyway"
	touch "$stamp"
fi
[ -z "$missing" ] && { step_end; exit 0; }
# shellcheck disable=SC2086
if ! $sudo apt-get install -y -qq --no-install-recommends $missing >&2; then
	die "could not install:$missing; install them by hand:" \
		"${sudo:+sudo }apt-get update && ${sudo:+sudo }apt-get install -y$missing"
fi
step_end
