#!/usr/bin/env bash
# initramfs.sh OUT [BINARY...] - pack busybox, /init (tests/harness/init.sh),
# pinkit, the example kind plugin, ibv_devinfo, the given binaries, the rxe
# verbs provider and iproute2's rdma, with their
# shared-library closure,
# into a gzipped cpio archive OUT.  EXTRA_ROOT=DIR adds DIR's contents (the
# modules of a stock kernel).
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
out=$1
shift

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,results,lib64}

cp /bin/busybox "$root/bin/busybox"
ldd /bin/busybox >/dev/null 2>&1 &&
	die "/bin/busybox is not the static build; apt-get install busybox-static"
cp "$PINKIT_ROOT/tests/harness/init.sh" "$root/init"
cp "$PINKIT_ROOT/tests/harness/setup.sh" "$root/setup.sh"
chmod 755 "$root/init"

provider=$(ls /usr/lib/x86_64-linux-gnu/libibverbs/librxe-rdmav*.so 2>/dev/null | head -n1)
[ -n "$provider" ] || die "the rxe verbs provider is missing; apt-get install ibverbs-providers"
[ -f /etc/libibverbs.d/rxe.driver ] ||
	die "/etc/libibverbs.d/rxe.driver is missing; apt-get install ibverbs-providers"

# install_bin SRC DEST - SRC at DEST in the image, with every library ldd names.
install_bin()
{
	local lib
	[ -e "$1" ] || die "$1 does not exist (build it first)"
	mkdir -p "$root$(dirname "$2")"
	cp -L "$1" "$root$2"
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

install_bin /usr/bin/rdma /usr/bin/rdma
# the example out-of-tree kind, for the plugin pass of a full run
install_bin "$PINKIT_ROOT/userspace/build/examples/procmem-kind.so" /usr/lib/pinkit/procmem-kind.so
install_bin "$provider" "$provider"
for b in "$PINKIT_ROOT/userspace/build/pinkit" /usr/bin/ibv_devinfo "$@"; do
	install_bin "$b" "/usr/bin/$(basename "$b")"
done
mkdir -p "$root/etc/libibverbs.d"
cp /etc/libibverbs.d/rxe.driver "$root/etc/libibverbs.d/"

[ -n "${EXTRA_ROOT:-}" ] && cp -a "$EXTRA_ROOT/." "$root/"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
