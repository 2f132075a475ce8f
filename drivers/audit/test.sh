#!/usr/bin/env bash
# test.sh - what `make audit-test` runs: the audit on its fixtures (one small
# C file per verdict, each stating what it expects in "expect:" and "exit:"
# lines) with both rule engines (Coccinelle, text); on radeon from the
# pristine Debian 7.3, 6.12 and 6.1 sources (must be flagged) and with
# drivers/patches/<ver> applied (must be clean); the exit status of audit.sh
# and make audit; and tsv-compare, the ground-truth comparison of `make
# audit-tree`, on crafted rows (a removed or changed row must fail).  The
# whole-tree comparisons are tree-test.sh (`make audit-tree`).  Prints one
# "ok"/"not ok" line per case and ends with "N passed, N failed, N skipped";
# exit status non-zero on any failure.
set -u
. "$(dirname "$0")/../../scripts/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
audit=$here/pinkit-audit
work=$(mktemp -d "${TMPDIR:-/tmp}/pinkit-audit-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0 fail=0 skip=0 n=0

. "$here/tap.sh"

# result NAME WHY [DETAIL...] - ok when WHY is empty, else not ok with WHY
# and the details.
result()
{
	if [ -z "$2" ]; then
		ok "$1"
	else
		nok "$@"
	fi
}

# check JSON RULE... - python checks on an audit JSON file; prints the
# failed rules, exit status 1 if any.  Rules:
#   row VERDICT HELD FUNCTION [FILE-SUFFIX]   such a row exists
#   norow VERDICT [FILE-PREFIX]                no row with that verdict there
#   only-held FUNCTION...                      held-foll-get rows are exactly
#                                              in these functions
#   rows N                                     exactly N rows
check()
{
	python3 - "$@" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
rows = doc['rows']
bad = []
args = sys.argv[2:]
i = 0
while i < len(args):
    r = args[i].split()
    i += 1
    if r[0] == 'row':
        v, h, fn = r[1], r[2], r[3]
        suf = r[4] if len(r) > 4 else ''
        if not any(x['verdict'] == v and x['held_dropped'] == h and
                   (x['function'] or '-') == fn and x['file'].endswith(suf)
                   for x in rows):
            bad.append('no row "%s %s %s%s"' % (v, h, fn,
                       ' in *' + suf if suf else ''))
    elif r[0] == 'norow':
        pre = r[2] if len(r) > 2 else ''
        hit = [x for x in rows if x['verdict'] == r[1] and
               x['file'].startswith(pre)]
        for x in hit:
            bad.append('unexpected %s row: %s:%s %s(): %s' % (
                r[1], x['file'], x['line'], x['function'], x['why']))
    elif r[0] == 'rows':
        if len(rows) != int(r[1]):
            bad.append('%d rows, expected %s (one per acquisition site)' %
                       (len(rows), r[1]))
    elif r[0] == 'only-held':
        want = set(r[1:])
        got = {x['function'] for x in rows if x['verdict'] == 'held-foll-get'}
        if got != want:
            bad.append('held-foll-get in %s, expected %s' %
                       (sorted(got), sorted(want)))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
}

# run_audit NAME JSON ARGS... - run the audit, keep its output in $work.
run_audit()
{
	local name=$1 json=$2
	shift 2
	"$audit" "$@" --json "$json" > "$work/$name.out" 2>&1
}

# --- fixtures ----------------------------------------------------------
fixture_case()
{
	local f=$1 mode=$2 base want rc rules=() why v h fn
	base=$(basename "$f" .c)
	while read -r v h fn; do
		rules+=("row $v $h ${fn:--}")
	done < <(sed -n 's/^ \* expect: *//p' "$f")
	rules+=("only-held $(sed -n 's/^ \* expect: *held-foll-get held \([A-Za-z_0-9]*\).*/\1/p' "$f" | tr '\n' ' ')")
	want=$(sed -n 's/^ \* rows: *\([0-9]*\).*/\1/p' "$f")
	[ -n "$want" ] && rules+=("rows $want")
	want=$(sed -n 's/^ \* exit: *\([0-9]*\).*/\1/p' "$f")
	local opt=()
	[ "$mode" = text ] && opt=(--engine text)
	run_audit "$base-$mode" "$work/$base-$mode.json" --dir "$f" "${opt[@]}"
	rc=$?
	why=$(check "$work/$base-$mode.json" "${rules[@]}" 2>&1)
	if [ "$rc" != "$want" ]; then
		why="exit status $rc, expected $want${why:+; $why}"
	fi
	result "fixture/$mode/$base" "$why" "audit output:" \
		"$(sed 's/^/  /' "$work/$base-$mode.out")"
}

if command -v spatch >/dev/null; then
	for f in "$here"/fixtures/*.c; do
		fixture_case "$f" coccinelle
	done
else
	for f in "$here"/fixtures/*.c; do
		skp "fixture/coccinelle/$(basename "$f" .c)" "spatch not installed"
	done
fi
for f in "$here"/fixtures/*.c; do
	fixture_case "$f" text
done

# --- radeon from the Debian 6.12 source, pristine and patched -----------
src612=$("$here/audit.sh" --pristine 6.12 2>"$work/pristine.err") || src612=

# radeon_copy VER SRC DEST PATCH... - copy drivers/gpu/drm/radeon of SRC to
# DEST and apply the patches (each only touches files it names).
radeon_copy()
{
	local src=$2 dest=$3 p f
	shift 3
	mkdir -p "$dest/drivers/gpu/drm"
	cp -a "$src/drivers/gpu/drm/radeon" "$dest/drivers/gpu/drm/"
	for p in "$@"; do
		while read -r f; do
			[ -e "$dest/$f" ] || { mkdir -p "$dest/$(dirname "$f")"; cp -a "$src/$f" "$dest/$f"; }
		done < <(sed -n 's|^+++ b/||p' "$p")
		patch -s -p1 -d "$dest" < "$p" || return 1
	done
}

# radeon_patches DIR - the patches of DIR/series that touch radeon.
radeon_patches()
{
	local dir=$1 l
	[ -f "$dir/series" ] || return 0
	while read -r l; do
		case $l in ''|'#'*) continue ;; esac
		grep -q '^+++ b/drivers/gpu/drm/radeon/' "$dir/$l" && echo "$dir/$l"
	done < "$dir/series"
}

# The 7.3 source: the unpacked copy in the cache when it is there
# (kernel/scripts/tree.sh and `make audit KVER=7.3` share it); else it is
# fetched the way the kit does.
src73=$PINKIT_CACHE/src/linux-source-7.3
[ -f "$src73/.pinkit-unpacked" ] ||
	src73=$("$here/audit.sh" --pristine 7.3 2>"$work/pristine73.err") || src73=

for ver in 7.3 6.12 6.1; do
	if [ "$ver" = 7.3 ]; then
		src=$src73
	elif [ "$ver" = 6.12 ]; then
		src=$src612
	else
		src=$PINKIT_CACHE/src/linux-source-6.1
		[ -f "$src/.pinkit-unpacked" ] || src=
	fi
	if [ -z "$src" ]; then
		reason="no unpacked Debian linux-source-$ver"
		[ "$ver" = 6.12 ] && reason="$reason ($(tail -n1 "$work/pristine.err"))"
		[ "$ver" = 7.3 ] && reason="$reason ($(tail -n1 "$work/pristine73.err"))"
		skp "radeon-$ver/pristine-flagged" "$reason"
		skp "radeon-$ver/patched-clean" "$reason"
		continue
	fi
	radeon_copy "$ver" "$src" "$work/r$ver-pristine"
	run_audit "radeon-$ver-pristine" "$work/r$ver-p.json" \
		--dir "$work/r$ver-pristine/drivers/gpu/drm/radeon"
	rc=$?
	why=$(check "$work/r$ver-p.json" \
		"row held-foll-get held radeon_ttm_tt_pin_userptr radeon_ttm.c")
	[ $rc = 1 ] || why="exit status $rc, expected 1${why:+; $why}"
	result "radeon-$ver/pristine-flagged" "$why" \
		"$(sed 's/^/  /' "$work/radeon-$ver-pristine.out")"

	mapfile -t patches < <(radeon_patches "$PINKIT_ROOT/drivers/patches/$ver")
	if [ ${#patches[@]} = 0 ]; then
		nok "radeon-$ver/patched-clean" "no radeon patch in drivers/patches/$ver/series"
		continue
	fi
	if ! radeon_copy "$ver" "$src" "$work/r$ver-patched" "${patches[@]}" \
			> "$work/patch-$ver.log" 2>&1; then
		nok "radeon-$ver/patched-clean" "drivers/patches/$ver/series does" \
			"not apply to linux-source-$ver:" "$(cat "$work/patch-$ver.log")"
		continue
	fi
	run_audit "radeon-$ver-patched" "$work/r$ver-x.json" \
		--dir "$work/r$ver-patched/drivers/gpu/drm/radeon"
	rc=$?
	# the page lookup: radeon_ttm_tt_get_user_pages() in the amdgpu-scheme
	# patches (7.3, 6.12), radeon_ttm_tt_map_userptr() in 6.1's older ones
	fn=radeon_ttm_tt_get_user_pages
	[ "$ver" = 6.1 ] && fn=radeon_ttm_tt_map_userptr
	why=$(check "$work/r$ver-x.json" "norow held-foll-get" \
		"row hmm no-ref $fn radeon_ttm.c")
	[ $rc = 0 ] || why="exit status $rc, expected 0${why:+; $why}"
	result "radeon-$ver/patched-clean" "$why" \
		"$(sed 's/^/  /' "$work/radeon-$ver-patched.out")"
done

# --- exit status of audit.sh and make audit ------------------------------
why=
# make audit: make turns the script's 1 into its own 2 (documented)
make -s -C "$PINKIT_ROOT" audit DIR="$here/fixtures/held_get.c" \
	OUT="$work/out" > "$work/make-audit.out" 2>&1
rc=$?
[ $rc = 2 ] || why="make audit on a held fixture exited $rc, expected 2"
DIR="$here/fixtures/held_get.c" OUT="$work/out" "$here/audit.sh" \
	> "$work/audit-sh.out" 2>&1
rc=$?
[ $rc = 1 ] || why="${why:+$why; }audit.sh on a held fixture exited $rc, expected 1"
result "exit-status" "$why" "$(cat "$work/make-audit.out" "$work/audit-sh.out")"

# --- the ground-truth comparison can fail ----------------------------------
# tsv-compare on expected-7.3.4.tsv itself (what `make audit-tree` compares
# the 7.3 tree's rows against): agreeing rows pass; one expected row
# removed, one verdict changed, or a malformed row must fail, naming it.
gt=$here/expected-7.3.4.tsv
grep -v '^#' "$gt" | grep . | cut -f1-4 > "$work/gt-actual.tsv"
"$here/tsv-compare" "$gt" "$work/gt-actual.tsv" > "$work/cmp-same.out" 2>&1
rc=$?
result "ground-truth-compare/agree" \
	"$([ $rc = 0 ] || echo "exit status $rc on identical rows, expected 0")" \
	"$(cat "$work/cmp-same.out")"

row=$(grep -m1 'vsie.c:[0-9]*	held-foll-get' "$gt" | cut -f1-4)
grep -vF "$row" "$gt" > "$work/gt-minus-one.tsv"
"$here/tsv-compare" "$work/gt-minus-one.tsv" "$work/gt-actual.tsv" \
	> "$work/cmp-minus.out" 2>&1
rc=$?
why=
[ -n "$row" ] || why="no vsie held-foll-get row in $gt"
[ $rc = 1 ] || why="${why:+$why; }exit status $rc with one expected row removed, expected 1"
grep -qF "extra: $row" "$work/cmp-minus.out" ||
	why="${why:+$why; }the removed row is not reported as extra"
result "ground-truth-compare/row-removed-fails" "$why" "$(cat "$work/cmp-minus.out")"

awk -F'\t' 'BEGIN { OFS = "\t" } /radeon_ttm.c/ { $3 = "dropped-foll-get"; $4 = "dropped" } { print }' \
	"$work/gt-actual.tsv" > "$work/gt-changed.tsv"
"$here/tsv-compare" "$gt" "$work/gt-changed.tsv" > "$work/cmp-changed.out" 2>&1
rc=$?
why=
[ $rc = 1 ] || why="exit status $rc with radeon's verdict changed, expected 1"
grep -q '^changed: .*radeon_ttm.c:[0-9]*: expected held-foll-get held, got dropped-foll-get dropped' \
	"$work/cmp-changed.out" || why="${why:+$why; }the changed row is not reported"
result "ground-truth-compare/row-changed-fails" "$why" "$(cat "$work/cmp-changed.out")"

printf 'virt/kvm\tvirt/kvm/kvm_main.c\theld-foll-get\theld\n' > "$work/bad.tsv"
"$here/tsv-compare" "$work/bad.tsv" "$work/gt-actual.tsv" > "$work/cmp-bad.out" 2>&1
rc=$?
why=
[ $rc = 2 ] || why="exit status $rc on a row without a line number, expected 2"
grep -q 'bad.tsv:1: want' "$work/cmp-bad.out" || why="${why:+$why; }no error naming bad.tsv:1"
result "ground-truth-compare/malformed-rejected" "$why" "$(cat "$work/cmp-bad.out")"

echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
