#!/usr/bin/env bash
# root.sh NAME - a Debian NAME (trixie or sid) root filesystem for the 9p
# guest (run.sh with ROOT=NAME): the Essential set, the kit's guest
# set-up's tools and rdma-core's userspace with its tests, built once with
# mmdebstrap into $PINKIT_CACHE/root/NAME and reused; prints its path.
# The stamp beside it ($PINKIT_CACHE/root/NAME.stamp) names the suite,
# the mirror, the package list and the installed versions; the root is
# built again when it or its stamp is missing, when the list below
# changed, or when REBUILD=1.  rdma-core's tests (python3-pyverbs ships
# them gzipped under /usr/share/doc/rdma-core/tests) are unpacked in the
# root at /usr/local/share/pinkit/rdma-core-tests, with the upstream fixes
# of rdma-core-patches/ that this version lacks (again when they change).
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
name=${1:-}
case $name in
trixie | sid) ;;
*)	die "root.sh: root '$name': use trixie or sid" ;;
esac
# init.sh and setup.sh: bash, mount, util-linux (dmesg, mkswap, swapon,
# setsid), iproute2 (ip, rdma), hostname, busybox (reboot -f); stock
# kernels' modules: kmod; rdma-core's tests: python3-pyverbs (and its
# tests), ibverbs-providers (rxe), rdma-core; make exec: ibverbs-utils,
# perftest.
pkgs="bash mount util-linux iproute2 hostname busybox kmod procps rdma-core \
ibverbs-providers ibverbs-utils python3-pyverbs perftest"
dir=$PINKIT_CACHE/root/$name
stamp=$dir.stamp
mirror=$(system_mirror)
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

mkdir -p "$PINKIT_CACHE/root"
# One builder of this root at a time; a reader waits for the build.
exec 9>"$dir.lock"
flock 9

# tests_unpack - rdma-core's tests from the root's python3-pyverbs into
# the root, then each patch of rdma-core-patches/ that is not in them yet
# (upstream fixes of the tests, not of the kernel); the stamp's "tests:"
# line names the patches applied.
tests_unpack()
{
	local src=$dir/usr/share/doc/rdma-core/tests t=$dir/usr/local/share/pinkit/rdma-core-tests p applied=
	[ -f "$src/run_tests.py" ] || die "the $name root has no $src/run_tests.py: its python3-pyverbs" \
		"no longer ships rdma-core's tests there"
	rm -rf "$t"
	mkdir -p "$t"
	cp -a "$src/." "$t/"
	find "$t" -name '*.gz' -exec gunzip -f {} +
	for p in "$patches"/*.patch; do
		if patch -d "$t" -p2 -R --dry-run -s -f < "$p" >/dev/null 2>&1; then
			continue	# this rdma-core has it
		fi
		patch -d "$t" -p2 -s -f --no-backup-if-mismatch < "$p" >&2 ||
			die "$(basename "$p") does not apply to the rdma-core tests of the $name root;" \
				"refresh it or drop it from tests/guest/rdma-core-patches/"
		applied="$applied ${p##*/}"
	done
	sed -i '/^tests: /d' "$stamp"
	echo "tests: $(tests_key)${applied:+ applied:$applied}" >> "$stamp"
	note "rdma-core's tests unpacked into the $name root at ${t#"$dir"}" \
		"(upstream fixes applied:${applied:- none})"
}

# tests_key - what the unpacked tests depend on: the patches.
tests_key()
{
	hash_files "$patches"/*.patch
}

patches=$PINKIT_ROOT/tests/guest/rdma-core-patches
why=
if [ "${REBUILD:-}" = 1 ]; then
	why="REBUILD=1"
elif [ ! -f "$stamp" ] || [ ! -d "$dir" ]; then
	why="not built yet"
elif [ "$(sed -n 's/^packages: //p' "$stamp")" != "$pkgs" ]; then
	why="the kit's package list changed"
fi
if [ -z "$why" ]; then
	[ "$(sed -n 's/^tests: \([^ ]*\).*/\1/p' "$stamp")" = "$(tests_key)" ] || tests_unpack
	note "the Debian $name root: $dir, $(sed -n 's/^version: rdma-core /rdma-core /p' "$stamp"), built $(sed -n 's/^built: //p' "$stamp") (REBUILD=1 builds it again)"
	echo "$dir"
	exit 0
fi

"$PINKIT_ROOT/scripts/deps.sh" root keyring >&2
step_begin "building the Debian $name root in $dir with mmdebstrap ($why; $mirror)"
rm -rf "$dir.new"
log=$PINKIT_CACHE/root/$name.log
opts=(--aptopt='Acquire::Retries "3"')
# sid's Release file is valid for a week only: a mirror that has not
# synced since (a frozen one) is refused without this.  The signature is
# still checked.
[ "$name" = sid ] && opts+=(--aptopt='Acquire::Check-Valid-Until "false"')
if ! mmdebstrap --variant=essential --include="${pkgs// /,}" "${opts[@]}" \
	"$name" "$dir.new" "deb [signed-by=$keyring] $mirror $name main" >"$log" 2>&1; then
	tail -n 15 "$log" | sed 's/^/  | /' >&2
	rm -rf "$dir.new"
	die "mmdebstrap could not build the $name root (log: $log); check that $mirror" \
		"is reachable and carries $name, then make root ROOT=$name REBUILD=1"
fi
{
	echo "suite: $name"
	echo "mirror: $mirror"
	echo "packages: $pkgs"
	echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	# shellcheck disable=SC2086 # pkgs is a blank-separated list
	dpkg-query --admindir="$dir.new/var/lib/dpkg" -W -f='${Package} ${Version}\n' \
		$pkgs libc6 python3 linux-libc-dev 2>/dev/null | sed 's/^/version: /'
} > "$dir.new.stamp"
rm -rf "$dir" "$stamp"
mv "$dir.new" "$dir"
mv "$dir.new.stamp" "$stamp"
step_end
note "$name root: $(sed -n 's/^version: \(rdma-core\|python3\) /\1 /p' "$stamp" | paste -sd ' '), $(du -sh "$dir" | cut -f1)"
tests_unpack
echo "$dir"
