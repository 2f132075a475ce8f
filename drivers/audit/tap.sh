# shellcheck shell=bash
# The result lines of the audit's test scripts (test.sh, tree-test.sh):
# ok NAME, skp NAME WHY, nok NAME [DIAGNOSTIC...].  The caller sets the
# counters n, pass, fail and skip.  Sourced.
ok()   { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; }
skp()  { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n $1 # SKIP $2"; }
nok()
{
	local a
	n=$((n + 1)) fail=$((fail + 1))
	echo "not ok $n $1"
	shift
	for a in "$@"; do
		printf '%s\n' "$a" | sed 's/^/# /'
	done
}
