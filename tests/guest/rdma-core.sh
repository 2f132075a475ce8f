#!/usr/bin/env bash
# rdma-core.sh NAME KERNEL [MODULES-DIR] - rdma-core's own tests (Debian's
# python3-pyverbs ships them gzipped under /usr/share/doc/rdma-core/tests)
# on rxe0 in the guest on the host's root filesystem (run.sh; with
# ROOT=trixie|sid on that Debian root and its rdma-core, root.sh), one KTAP
# result per test (rdma_ktap.py: rdma-core's skip reasons kept), into
# $OUT/NAME as verdict.sh reads a run (results/, console.txt, error);
# rdma-core-verdict.sh decides it.  The guest's time limit is
# TIMEOUT_RDMA_CORE (default 1800 s).  Exit: the tests' exit status, 124 or
# 125 when the guest did not finish or its set-up failed.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
name=$1 kernel=$2 mods=${3:-}
out=${OUT:-$PINKIT_ROOT/out}/$name
if [ -n "${ROOT:-}" ]; then
	# The Debian root has its rdma-core's tests unpacked (root.sh).
	"$PINKIT_ROOT/scripts/deps.sh" vm
	ROOT_DIR=$("$(dirname "$0")/root.sh" "$ROOT")
	export ROOT_DIR
	ver=$(sed -n 's/^version: python3-pyverbs //p' "$PINKIT_CACHE/root/$ROOT.stamp")
	tests=/usr/local/share/pinkit/rdma-core-tests
	where="the Debian $ROOT root"
else
	"$PINKIT_ROOT/scripts/deps.sh" vm rdma-core
	# The tests, unpacked once per package version into the cache, where
	# the guest sees them read-only through 9p.
	ver=$(dpkg-query -W -f='${Version}' python3-pyverbs)
	tests=$PINKIT_CACHE/rdma-core-tests/$ver
	where="the host's /"
	if [ ! -f "$tests/.pinkit-done" ]; then
		src=/usr/share/doc/rdma-core/tests
		[ -f "$src/run_tests.py" ] || die "$src/run_tests.py is missing; apt-get install --reinstall python3-pyverbs"
		rm -rf "$tests"
		mkdir -p "$tests"
		cp -a "$src/." "$tests/"
		find "$tests" -name '*.gz' -exec gunzip -f {} +
		touch "$tests/.pinkit-done"
	fi
fi

rm -rf "$out"
mkdir -p "$out/results"
step_begin "rdma-core $ver tests on $(basename "$kernel") in the guest on $where"
set +e
# shellcheck disable=SC2016 # expanded in the guest
CMD="set -o pipefail; /usr/bin/python3 -B $PINKIT_ROOT/tests/guest/rdma_ktap.py $tests --dev rxe0 \
	2>/run/pinkit/stderr | tee /run/pinkit/ktap" \
	TIMEOUT=${TIMEOUT_RDMA_CORE:-1800} "$(dirname "$0")/run.sh" exec "$kernel" "$out" $mods
rc=$?
set -e
step_end
share=$out/share
cat "$out/console.log" "$share/dmesg" 2>/dev/null | tr -d '\r' > "$out/console.txt"
if [ -f "$share/ktap" ]; then
	cp "$share/ktap" "$out/results/ktap"
	echo "$rc" > "$out/results/rc"
	cp "$share/stderr" "$out/results/stderr" 2>/dev/null || true
	cp "$share/kernel" "$out/results/kernel" 2>/dev/null || true
fi
case $rc in
124)	echo "no verdict: the guest timed out or died before the tests ended (console: $out/console.txt)" > "$out/error" ;;
125)	echo "the guest set-up failed (console: $out/console.txt)" > "$out/error" ;;
esac
echo "rdma-core's tests are not the kit's suite: no plugin pass" > "$out/results/plugin-skipped"
# The root names the expected skips (rdma-core-verdict.sh).
echo "${ROOT:-host}" > "$out/results/root"

exit "$rc"
