#!/usr/bin/env bash
# applies.sh SRC DIR... - do the series in DIRs apply, in order, to the
# kernel source SRC?  Nothing is built and SRC is not touched: the files the
# series touch are copied to a scratch tree and patched there.  Prints one
# line per series ("applies", "applies with offsets: ..." or "DOES NOT
# APPLY") and, for a patch that fails, the patch, the file and the hunk.  A
# hunk that needs fuzz (a context line changed) and a series without
# patches fail too.  Exit 0 when every series applies, 1 when one does not.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"

[ $# -ge 2 ] || die "usage: applies.sh SRC SERIES-DIR..."
src=$1
shift
[ -d "$src" ] || die "applies.sh: $src is not a directory"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bad=0
for dir in "$@"; do
	[ -f "$dir/series" ] || die "$dir/series does not exist"
	dir=$(cd "$dir" && pwd)
	rel=${dir#"$PINKIT_ROOT"/}
	patches=()
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		[ -f "$dir/$p" ] || die "$dir/series names $p, which does not exist"
		patches+=("$dir/$p")
	done < "$dir/series"
	if [ ${#patches[@]} = 0 ]; then
		bad=1
		echo "$rel: NO PATCHES: its series file names none; a series that applies nothing proves nothing"
		continue
	fi
	# Copy what this series touches and the scratch tree does not have yet
	# (an earlier series may have changed it already).
	files_of "${patches[@]}" | while read -r f; do
			[ -e "$work/$f" ] || [ ! -e "$src/$f" ] ||
				{ mkdir -p "$work/$(dirname "$f")"; cp "$src/$f" "$work/$f"; }
		done
	notes=() failed=
	for p in "${patches[@]}"; do
		if ! out=$(cd "$work" && patch -p1 -N --batch < "$p" 2>&1); then
			failed=$p
			break
		fi
		# Fuzz means a context line no longer matches: the build would
		# apply the patch, git am (make rebase) would not.
		if printf '%s\n' "$out" | grep -qE 'Hunk #[0-9]+ succeeded .* with fuzz'; then
			failed=$p
			break
		fi
		moved=$(printf '%s\n' "$out" | grep -cE 'Hunk #[0-9]+ succeeded' || true)
		[ "$moved" = 0 ] || notes+=("$(basename "$p") ($moved hunks)")
	done
	if [ -n "$failed" ]; then
		bad=1
		echo "$rel: DOES NOT APPLY: $(basename "$failed"):"
		printf '%s\n' "$out" | awk '/^(checking|patching) file/ { f = $3 }
			/^\|?\+\+\+ / { t = $2; sub(/^b\//, "", t) }
			/^No file to patch/ { print "  " t ": no such file in the source"; next }
			/Hunk #.*(FAILED|with fuzz)|Reversed|malformed|Only garbage/ {
				print "  " (f ? f : "?") ": " $0 }' | head -n 8
	elif [ ${#notes[@]} -gt 0 ]; then
		echo "$rel: applies with offsets: ${notes[*]}"
	else
		echo "$rel: applies (${#patches[@]} patches)"
	fi
done
exit $bad
