#!/usr/bin/env bash
# selftests.sh TREE BUILD IMAGE - build the kernel selftests that the applied
# series list in their `selftests` file (one path under
# tools/testing/selftests/ per line, without .c), statically against the
# tree's own UAPI headers, and pack them as IMAGE.selftests.gz: a gzipped
# cpio with /kselftests/<name>, which the harness appends to the guest's
# initramfs.  Without such a list, IMAGE.selftests.gz is removed and
# IMAGE.selftests.none says that the image has none.
# selftests.sh --list FILE TREE BUILD ARCHIVE - the same for the tests FILE
# names (the kernel's own, tests/vm/mm-selftests.list), into ARCHIVE.  The
# series' tests are the kit's code and build with -Werror; the kernel's
# own build as its Makefile builds them, with the warnings it allows.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
list=
if [ "${1:-}" = --list ]; then
	list=$2
	shift 2
	[ -f "$list" ] || die "no selftest list $list"
fi
tree=$1 build=$2 img=$3
if [ -n "$list" ]; then
	out=$img extra_cflags=-D_GNU_SOURCE=	# as tools/testing/selftests/lib.mk
else
	out=$img.selftests.gz extra_cflags=-Werror
fi

tests=()
# add_tests FILE - the names FILE lists, each checked against the tree.
add_tests()
{
	local t
	while read -r t; do
		case $t in ''|'#'*) continue ;; esac
		[ -f "$tree/tools/testing/selftests/$t.c" ] ||
			die "$1 names $t, but the tree has no tools/testing/selftests/$t.c"
		tests+=("$t")
	done < "$1"
}
if [ -n "$list" ]; then
	add_tests "$list"
	rm -f "$out"
	[ ${#tests[@]} -gt 0 ] || die "$list names no selftest"
else
	while read -r d; do
		[ -n "$d" ] && [ -f "$d/selftests" ] && add_tests "$d/selftests"
	done < "$tree/.pinkit-series-dirs"
	rm -f "$out" "$img.selftests.none"
	# no selftests in this series: say so, so that the harness expects none
	[ ${#tests[@]} = 0 ] && { : > "$img.selftests.none"; exit 0; }
fi

step_begin "building ${#tests[@]} kernel selftest(s): ${tests[*]}"
make -s -C "$tree" O="$build" ARCH=x86_64 headers >"$build/headers.log" 2>&1 ||
	{ cat "$build/headers.log" >&2; die "make headers failed in $build"; }
root=$(mktemp -d)
trap 'rm -rf "$root" "$root.gen"' EXIT
mkdir -p "$root/kselftests"
# cow and gup_longterm test io_uring pins when liburing is there, as
# tools/testing/selftests/mm/check_config.sh decides for the kernel's build.
gen=$root.gen
mkdir -p "$gen"
uring=
if [ -f /usr/lib/x86_64-linux-gnu/liburing.a ]; then
	echo '#define LOCAL_CONFIG_HAVE_LIBURING 1' > "$gen/local_config.h_gen"
	uring=-luring
else
	echo '// no liburing: the io_uring cases skip' > "$gen/local_config.h_gen"
fi
for t in "${tests[@]}"; do
	dir=$tree/tools/testing/selftests/$(dirname "$t")
	n=$(basename "$t")
	# mm tests link the helpers, as selftests/mm/Makefile does for every
	# test (the series' own only when they use them); a few need more
	# (that Makefile's per-target prerequisites and LDLIBS).
	srcs=() libs=(-lrt -lpthread -lm)
	if [ "$(basename "$dir")" = mm ] &&
		{ [ -n "$list" ] || grep -q '^#include "vm_util.h"' "$dir/$n.c"; }; then
		for l in vm_util.c hugepage_settings.c thp_settings.c; do
			[ -f "$dir/$l" ] && srcs+=("$dir/$l")
		done
	fi
	case $n in
	uffd-stress | uffd-unit-tests | uffd-wp-mremap) srcs+=("$dir/uffd-common.c") ;;
	ksm_tests | migration | rmap) libs+=(-lnuma) ;;
	cow | gup_longterm) [ -z "$uring" ] || libs+=("$uring") ;;
	esac
	# shellcheck disable=SC2086 # extra_cflags is one flag, unquoted
	gcc -std=gnu11 -O2 -Wall $extra_cflags -static -isystem "$build/usr/include" \
		-I "$gen" -I "$dir/.." -I "$dir" -idirafter "$tree" -o "$root/kselftests/$n" \
		"$dir/$n.c" "${srcs[@]}" "${libs[@]}" \
		>"$build/selftest-$n.log" 2>&1 ||
		{ cat "$build/selftest-$n.log" >&2; die "building selftest $t failed"; }
done
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
step_end
