#!/usr/bin/env bash
# stock-kernel.sh VER - download and unpack Debian's prebuilt kernel of VER
# (linux-image-VER*-amd64-unsigned, or from 7.x linux-binary-unsigned-VER*
# with linux-modules-VER*, the newest the suite has) once into the cache,
# and print "ROOT KVER KERNEL": the unpacked packages, the kernel release
# and its image.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
ver=$1
check_kver "$ver"
suite=$(kver_suite "$ver")
vre=${ver//./\\.}
case $ver in
6.1)	pat="^linux-image-$vre\\.0-[0-9]+-amd64-unsigned\$" ;;
7.*)	pat="^linux-binary-unsigned-$vre\\.[0-9]+\\+deb[0-9]+-amd64\$" ;;
*)	pat="^linux-image-$vre\\.[0-9]+\\+deb[0-9]+-amd64-unsigned\$" ;;
esac
# newest - the newest package of the suite whose name matches $pat.
newest()
{
	if [ "$suite" = system ]; then
		apt-cache search --names-only "$pat" | awk '{ print $1 }' | sort -V | tail -n1
	else
		"$PINKIT_ROOT/scripts/debian-newer.sh" "$suite" search "$pat" | tail -n1
	fi
}
pkg=$(newest)
if [ -z "$pkg" ] && [ "$suite" = system ]; then
	"$PINKIT_ROOT/scripts/deps.sh" --update
	pkg=$(newest)
fi
[ -n "$pkg" ] || die "Debian ${suite/system/bookworm} carries no prebuilt linux-$ver (no package" \
	"matches $pat); run 'make stock' with a KVER it carries ($SUPPORTED_KVERS)," \
	"or boot your own build of linux-$ver with 'make run KSRC=... PATCHES=none'"
# From 7.x the image and its modules are two packages of the same ABI name.
pkgs=("$pkg")
case $pkg in
linux-binary-unsigned-*) pkgs+=("linux-modules-${pkg#linux-binary-unsigned-}") ;;
esac

root=$PINKIT_CACHE/stock/$pkg
if [ ! -f "$root/.pinkit-done" ]; then
	step_begin "downloading and unpacking ${pkgs[*]}"
	rm -rf "$root"
	mkdir -p "$root/deb"
	if [ "$suite" = system ]; then
		(cd "$root/deb" && apt-get download -q "${pkgs[@]}" >"$root/download.log" 2>&1) ||
			die "apt-get download ${pkgs[*]} failed (see $root/download.log)"
	else
		"$PINKIT_ROOT/scripts/debian-newer.sh" "$suite" download "$root/deb" "${pkgs[@]}"
	fi
	for d in "$root"/deb/*.deb; do
		dpkg-deb -x "$d" "$root"
	done
	rm -rf "$root/deb"
	# usrmerged packages: modprobe -d looks in ROOT/lib/modules.
	[ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
	touch "$root/.pinkit-done"
	step_end
fi
kver=$(ls "$root/lib/modules" | head -n1)
kernel=$root/boot/vmlinuz-$kver
[ -f "$kernel" ] || kernel=$root/lib/modules/$kver/vmlinuz.unsigned
[ -f "$kernel" ] || die "$pkg has neither /boot/vmlinuz-$kver nor" \
	"/usr/lib/modules/$kver/vmlinuz.unsigned"
[ -f "$root/lib/modules/$kver/modules.dep" ] || depmod -b "$root" "$kver"
echo "$root $kver $kernel"
