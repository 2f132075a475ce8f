# shellcheck shell=bash
# expect ok|fail NAME REGEX CMD... - the check the kit's self-test scripts
# are made of: CMD must exit 0 (ok) or non-zero (fail) and print REGEX
# either way; one KTAP result line per call.  The caller sets $work (a
# scratch directory) and the counters n, pass and fail.  Sourced.
expect()
{
	local want=$1 name=$2 re=$3 rc got
	shift 3
	n=$((n + 1))
	"$@" >"$work/out" 2>&1
	rc=$?
	got=fail
	[ $rc = 0 ] && got=ok
	if [ $got = "$want" ] && grep -Eq -- "$re" "$work/out"; then
		pass=$((pass + 1))
		echo "ok $n $name"
	else
		fail=$((fail + 1))
		echo "# exit status $rc; wanted $want and /$re/; output:"
		tail -n 15 "$work/out" | sed 's/^/#   /'
		echo "not ok $n $name"
	fi
}
