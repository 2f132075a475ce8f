#!/usr/bin/env bash
# plugin-build.sh [DIR] - the vendor's path, host only: `make install`
# into a staging root, the example kind plugin built out of tree from its
# installed source against the installed header through pkg-config (C, and
# the header in a C++ unit), loaded by the installed pinkit; every family
# its flags allow must reach it (rows, fork-copies, soak; `list --kinds`
# and `list` agree), also when it declares PK_KF_PIN instead of
# PK_KF_NO_REF, and a version 1 plugin must be refused with a message that
# names the file and what to do.  One line per check; the last one
# "plugin-build: N checks passed" and exit 0, or the first failure's
# evidence and exit 1.  DIR (default: a new temporary one) holds it all.
set -u
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$PINKIT_ROOT"
work=${1:-}
if [ -z "$work" ]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
stage=$work/stage
n=0

fail() { echo "plugin-build: FAIL: $*"; exit 1; }
ok() { n=$((n + 1)); echo "ok: $*"; }

# has FILE LINE... - FILE has each LINE, whole
has()
{
	local f=$1 l
	shift
	for l; do
		grep -qxF -- "$l" "$f" || { sed 's/^/#   /' "$f" | head -60; fail "no line '$l' in $f"; }
	done
}

rm -rf "$stage" && mkdir -p "$work" || fail "cannot make $work"
env -u MAKEFLAGS -u MAKELEVEL make -s install PREFIX=/usr DESTDIR="$stage" >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log"; fail "make install PREFIX=/usr DESTDIR=$stage"; }
for f in usr/bin/pinkit usr/include/pinkit/pinkit-kind.h usr/lib/pkgconfig/pinkit.pc \
	 usr/lib/pinkit/procmem-kind.so usr/share/pinkit/examples/procmem-kind.c; do
	[ -f "$stage/$f" ] || fail "make install left no $f under DESTDIR=$stage"
done
ok "make install PREFIX=/usr DESTDIR=$stage installs pinkit, the header, pinkit.pc, the example"

export PKG_CONFIG_PATH=$stage/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage
cflags=$(pkg-config --cflags pinkit) || fail "pkg-config --cflags pinkit"
cflags=${cflags% }
[ "$cflags" = "-I$stage/usr/include/pinkit" ] ||
	fail "pkg-config --cflags pinkit gives '$cflags', not -I$stage/usr/include/pinkit"
abi=$(sed -n 's/^#define PK_KIND_ABI[[:space:]]*//p' "$stage/usr/include/pinkit/pinkit-kind.h")
[ "$(pkg-config --modversion pinkit)" = "$abi" ] || fail "pinkit.pc's Version is not PK_KIND_ABI ($abi)"
ok "pkg-config: $cflags, version $abi (the kind interface)"

# The vendor's build: the installed source, the installed header, nothing
# of the source tree (the object lands outside it).
src=$stage/usr/share/pinkit/examples/procmem-kind.c
cc=(cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fPIC -shared $cflags)
"${cc[@]}" -o "$work/procmem-kind.so" "$src" 2>"$work/cc.log" ||
	{ cat "$work/cc.log"; fail "the example does not build against the installed header"; }
! grep -q PK_KF_TEST_HOOK "$src" || fail "the example declares PK_KF_TEST_HOOK, which is pinkit's own"
ok "the example builds out of tree: ${cc[*]} $src"

# The header in C++: its extern "C" gives pinkit_kinds C linkage.
cat > "$work/cxx.cc" <<'EOF'
#include "pinkit-kind.h"

static int nop(struct pk_kind_dev *) { return 0; }
static int rd(struct pk_kind_dev *, const struct pk_xfer *, size_t) { return 0; }
static const struct pk_kind_ops cxx = { PK_KIND_OPS_HEAD, .name = "cxx",
	.flags = PK_KF_PIN, .read_name = "r", .write_name = "w", .check = nullptr,
	.attach = nop, .detach = nop, .read = rd, .write = nullptr,
	.atomic = nullptr };
static const struct pk_kind_ops *const kinds[] = { &cxx };

const struct pk_kind_ops *const *pinkit_kinds(unsigned int *n)
{
	*n = 1;
	return kinds;
}
EOF
c++ -std=c++20 -Wall -Wextra -Werror -fPIC -shared $cflags -o "$work/cxx.so" "$work/cxx.cc" 2>"$work/cxx.log" ||
	{ cat "$work/cxx.log"; fail "the header does not build as C++"; }
nm -D "$work/cxx.so" | grep -q ' T pinkit_kinds$' || fail "a C++ plugin exports a mangled pinkit_kinds"
"$stage/usr/bin/pinkit" list --kinds --kind-plugin "$work/cxx.so" | grep -qx 'kind cxx (.*): PK_KF_PIN' ||
	fail "pinkit does not load the C++ plugin"
ok "a C++ plugin builds against the header, exports pinkit_kinds unmangled and loads"

# The same device declaring it pins (PK_KF_PIN instead of PK_KF_NO_REF):
# the example's own ops, another name and flags; listed, never run.
cat > "$work/pins.c" <<EOF
#define pinkit_kinds example_kinds
#include "$src"
#undef pinkit_kinds

static struct pk_kind_ops pins;

const struct pk_kind_ops *const *pinkit_kinds(unsigned int *n)
{
	static const struct pk_kind_ops *const k[] = { &pins };

	pins = procmem;
	pins.name = "procmem-pins";
	pins.flags = (procmem.flags & ~PK_KF_NO_REF) | PK_KF_PIN;
	*n = 1;
	return k;
}
EOF
"${cc[@]}" -Wno-unused-function -o "$work/pins.so" "$work/pins.c" 2>"$work/cc.log" ||
	{ cat "$work/cc.log"; fail "the pinning variant does not build"; }

pinkit=$stage/usr/bin/pinkit
# kinds NAME SO - list --kinds for the kind NAME of SO into $work/NAME.kinds,
# its cases of `list` into $work/NAME.list; both must agree on the count.
kinds()
{
	local name=$1 so=$2 rows fc
	"$pinkit" list --kinds --kind-plugin "$so" > "$work/$name.kinds" 2>&1 ||
		{ cat "$work/$name.kinds"; fail "pinkit list --kinds --kind-plugin $so"; }
	sed -n "/^kind $name /,/^kind /p" "$work/$name.kinds" | sed '$!b;/^kind /d' > "$work/$name.kind"
	"$pinkit" list --kind-plugin "$so" --filter "*/$name/*" > "$work/$name.list" 2>&1 ||
		{ cat "$work/$name.list"; fail "pinkit list --kind-plugin $so --filter '*/$name/*'"; }
	rows=$(sed -n 's/^  rows \([0-9]*\):.*/\1/p' "$work/$name.kind")
	fc=$(sed -n 's/^  fork-copies \([0-9]*\).*/\1/p' "$work/$name.kind")
	[ -n "$rows" ] && [ -n "$fc" ] || { cat "$work/$name.kind"; fail "list --kinds has no rows or fork-copies line for $name"; }
	[ "$(grep -c "^fork-copies/" "$work/$name.list")" = "$fc" ] &&
		[ "$(grep -vc "^fork-copies/" "$work/$name.list")" = "$rows" ] ||
		fail "$name: list --kinds says $rows rows and $fc fork-copies cases, list gives $(wc -l < "$work/$name.list") cases"
	! grep -q rdma "$work/$name.list" || fail "$name: a plugin's case is named after an RDMA operation: $(grep -m1 rdma "$work/$name.list")"
}

kinds procmem-example "$work/procmem-kind.so"
has "$work/procmem-example.kind" "kind procmem-example ($work/procmem-kind.so): PK_KF_NO_REF|PK_KF_WRITES" \
	"  soak 6" "    row fork-parent-writes 10" "    row uffd-wp 8" "    row ksm-merge 2" \
	"    row munmap-pinned 0: needs PK_KF_PIN" \
	"  odp-xfer 0: needs PK_KF_VERBS: its cases register MRs of their own through pinkit's verbs vehicle, a pinned read-write one (PK_KF_PIN|PK_KF_WRITES) and an ODP one (PK_KF_NO_REF)"
grep -q '^  fork-copies 0: needs PK_KF_PIN: ' "$work/procmem-example.kind" || fail "procmem-example reaches fork-copies without PK_KF_PIN"
grep -qx 'none/anon-4k/procmem-example/dev-write-cpu-read' "$work/procmem-example.list" ||
	fail "no device-neutral case none/anon-4k/procmem-example/dev-write-cpu-read"
[ "$("$pinkit" list --kind-plugin "$work/procmem-kind.so" --filter 'none/anon-4k/procmem-example/rdma-write-cpu-read')" = \
	none/anon-4k/procmem-example/dev-write-cpu-read ] || fail "--filter does not take the old RDMA name of a plugin's direction"
ok "procmem-example (PK_KF_NO_REF|PK_KF_WRITES): $(sed -n 's/^  rows //p' "$work/procmem-example.kind"), soak 6, no fork-copies (needs PK_KF_PIN); old names filter"

kinds procmem-pins "$work/pins.so"
has "$work/procmem-pins.kind" "kind procmem-pins ($work/pins.so): PK_KF_PIN|PK_KF_WRITES" \
	"  fork-copies 12" "  soak 6" "    row fork-parent-writes 10" "    row munmap-pinned 2" \
	"    row pin-ends-clear-refs 5" "    row control-madv-dontneed 4" "    row ksm-merge 2"
ok "procmem-pins (PK_KF_PIN|PK_KF_WRITES): $(sed -n 's/^  rows //p' "$work/procmem-pins.kind"), fork-copies 12, soak 6"

# A plugin built against interface version 1 (abi 1 first, no size).
cat > "$work/v1.c" <<'EOF'
struct v1_ops { unsigned int abi; const char *name; unsigned int flags; };
static const struct v1_ops v1 = { 1, "old-gpu", 0 };
static const struct v1_ops *const kinds[] = { &v1 };
const struct v1_ops *const *pinkit_kinds(unsigned int *n) { *n = 1; return kinds; }
EOF
cc -fPIC -shared -o "$work/v1.so" "$work/v1.c" || fail "cannot build the version 1 plugin"
rc=0
"$pinkit" list --kind-plugin "$work/v1.so" > "$work/v1.out" 2>&1 || rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$work/v1.out")" = 1 ] &&
	grep -q "^pinkit: --kind-plugin $work/v1.so: a kind built against pinkit kind interface version 1, this pinkit has version $abi .*rebuild it against this pinkit's pinkit-kind.h (pkg-config --cflags pinkit)" "$work/v1.out" ||
	{ cat "$work/v1.out"; fail "a version 1 plugin: exit $rc, wanted 2 and one line naming the file, both versions and the rebuild"; }
ok "a version 1 plugin is refused: $(cat "$work/v1.out")"

echo "plugin-build: $n checks passed"
