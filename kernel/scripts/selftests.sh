#!/usr/bin/env bash
# selftests.sh TREE BUILD IMAGE - build the kernel selftests that the applied
# series list in their `selftests` file (one path under
# tools/testing/selftests/ per line, without .c), statically against the
# tree's own UAPI headers, and pack them as IMAGE.selftests.gz: a gzipped
# cpio with /kselftests/<name>, which the harness appends to the guest's
# initramfs.  Without such a list, IMAGE.selftests.gz is removed and
# IMAGE.selftests.none says that the image has none.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
tree=$1 build=$2 img=$3
out=$img.selftests.gz

tests=()
while read -r d; do
	[ -n "$d" ] && [ -f "$d/selftests" ] || continue
	while read -r t; do
		case $t in ''|'#'*) continue ;; esac
		[ -f "$tree/tools/testing/selftests/$t.c" ] ||
			die "$d/selftests names $t, but the tree has no tools/testing/selftests/$t.c"
		tests+=("$t")
	done < "$d/selftests"
done < "$tree/.pinkit-series-dirs"
rm -f "$out" "$img.selftests.none"
# no selftests in this series: say so, so that the harness expects none
[ ${#tests[@]} = 0 ] && { : > "$img.selftests.none"; exit 0; }

step_begin "building ${#tests[@]} kernel selftest(s): ${tests[*]}"
make -s -C "$tree" O="$build" ARCH=x86_64 headers >"$build/headers.log" 2>&1 ||
	{ cat "$build/headers.log" >&2; die "make headers failed in $build"; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/kselftests"
for t in "${tests[@]}"; do
	dir=$tree/tools/testing/selftests/$(dirname "$t")
	# mm tests that use the helpers link them, as selftests/mm/Makefile does.
	libs=()
	if grep -q '^#include "vm_util.h"' "$dir/$(basename "$t").c"; then
		for l in vm_util.c hugepage_settings.c thp_settings.c; do
			[ -f "$dir/$l" ] && libs+=("$dir/$l")
		done
	fi
	gcc -std=gnu11 -O2 -Wall -Werror -static -isystem "$build/usr/include" \
		-I "$dir/.." -I "$dir" -o "$root/kselftests/$(basename "$t")" "$dir/$(basename "$t").c" \
		"${libs[@]}" \
		>"$build/selftest-$(basename "$t").log" 2>&1 ||
		{ cat "$build/selftest-$(basename "$t").log" >&2; die "building selftest $t failed"; }
done
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
step_end
