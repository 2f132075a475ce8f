#!/usr/bin/env bash
# rebase.sh - rebase KVER's default series (or PATCHDIRS) onto the Debian
# source the cache holds now (`make rebase KVER=6.12`).
#
# The files the series touch are copied from the pristine source into a
# git repository ($PINKIT_CACHE/rebase/<ver>) and the patches are applied
# there with `git am -k`, one series after the other.  When a patch does
# not apply, git stops on it and the hunks that apply are put in place, the
# others beside them as .rej files: apply those by hand, `git add` the
# files, `git am --continue`, and run `make rebase` again; it goes on with
# the next patch.  Once every patch is applied, each patch file is written
# anew from its commit (same file name and subject, notes below "---"
# kept; a patch that did not change keeps its file) and each series file
# records the source version in its "# debian-source:" line.  Check the result with `git diff` and
# `make each-patch`.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"

ver=${KVER:-$DEFAULT_KVER}
check_kver "$ver"
if [ -n "${PATCHDIRS:-}" ]; then
	read -r -a dirs <<< "$PATCHDIRS"
else
	mapfile -t dirs < <(default_series_dirs "$ver")
fi
for i in "${!dirs[@]}"; do
	[ -f "${dirs[$i]}/series" ] || [ -f "$PINKIT_ROOT/${dirs[$i]}/series" ] ||
		die "PATCHDIRS names ${dirs[$i]}, which has no series file"
	[ -f "${dirs[$i]}/series" ] || dirs[$i]=$PINKIT_ROOT/${dirs[$i]}
	dirs[$i]=$(cd "${dirs[$i]}" && pwd)
done
src=$(pristine_source "$ver")
have=$(source_version "$src")
repo=$PINKIT_CACHE/rebase/$ver
git_=(git -C "$repo")

# The patches in order, one "DIR/FILE" per line.
list=()
for d in "${dirs[@]}"; do
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		list+=("$d/$p")
	done < "$d/series"
done

[ ${#list[@]} -gt 0 ] || die "the series of linux-$ver name no patch: nothing to rebase"
# The repository belongs to one source version and one list of patches
# (their names, order and contents): anything else starts afresh.
key=$( { echo "$have"; hash_files "${list[@]}"; printf '%s\n' "${list[@]}"; } | sha256sum | cut -c1-16)

if [ -d "$repo/.git/rebase-apply" ]; then
	die "a git am is still stopped in $repo: resolve the conflict there," \
		"'git add' the files and 'git am --continue' (or 'git am --abort' and" \
		"rm -rf $repo to start over), then run make rebase KVER=$ver again"
fi
if [ "$(cat "$repo/.git/pinkit-key" 2>/dev/null)" != "$key" ]; then
	step_begin "copying the files the series touch from linux-source-$ver $have to $repo"
	rm -rf "$repo"
	mkdir -p "$repo"
	files_of "${list[@]}" | while read -r f; do
			[ ! -e "$src/$f" ] || (cd "$src" && cp --parents "$f" "$repo/")
		done
	"${git_[@]}" init -q
	"${git_[@]}" config user.name pinkit
	"${git_[@]}" config user.email pinkit@localhost
	printf '%s\n' '*.rej' '*.orig' >> "$repo/.git/info/exclude"
	"${git_[@]}" add -A
	"${git_[@]}" commit -q -m "linux-source-$ver $have (the files the series touch)"
	echo "$key" > "$repo/.git/pinkit-key"
	step_end
fi

# Apply what is not applied yet; a stopped git am leaves its patch last.
done_n=$(($("${git_[@]}" rev-list --count HEAD) - 1))
for ((i = done_n; i < ${#list[@]}; i++)); do
	p=${list[$i]}
	if ! "${git_[@]}" am -q -k "$p" >"$repo/.git/pinkit-am.log" 2>&1; then
		# git has only the new source's blobs, so no 3-way merge: put
		# what applies in place and the rest beside it as .rej files.
		"${git_[@]}" apply --reject .git/rebase-apply/patch >/dev/null 2>&1 || true
		sed 's/^/  | /' "$repo/.git/pinkit-am.log" >&2
		made=$(series_made_for "$(dirname "$p")")
		die "${p#"$PINKIT_ROOT"/} does not apply to linux-source-$ver $have" \
			"(the series was made for ${made:-an unrecorded version}). In $repo the hunks" \
			"that apply are in place and the others are in:" \
			"$(cd "$repo" && find . -name '*.rej' | sed 's|^\./||' | paste -sd ' ')." \
			"Apply those by hand, delete the .rej files, 'git add' every file the patch" \
			"touches, 'git am --continue', then run make rebase KVER=$ver again"
	fi
done

# Every patch applied: write each patch file anew from its commit.
step_begin "writing ${#list[@]} patches rebased on linux-source-$ver $have"
mapfile -t commits < <("${git_[@]}" rev-list --reverse HEAD | tail -n +2)
[ ${#commits[@]} = ${#list[@]} ] ||
	die "$repo holds ${#commits[@]} commits for ${#list[@]} patches; rm -rf $repo and run again"
[ -z "$("${git_[@]}" status --porcelain)" ] ||
	die "$repo has changes no commit holds ($("${git_[@]}" status --porcelain |
		head -n 3 | paste -sd ' ')): commit or drop them, then run make rebase again"
for i in "${!list[@]}"; do
	p=${list[$i]}
	"${git_[@]}" format-patch -q -1 -k --stdout "${commits[$i]}" > "$p.new"
	# The commit must touch the files the patch touched.
	if ! cmp -s <(grep '^+++ ' "$p" | sort) <(grep '^+++ ' "$p.new" | sort); then
		rm -f "$p.new"
		die "the commit for ${p#"$PINKIT_ROOT"/} in $repo touches other files than the" \
			"patch did (a file not added, or one added by mistake): fix it there" \
			"(git commit --amend) and run make rebase again"
	fi
	# Notes between "---" and the diffstat are not part of a commit:
	# carry them over from the old file.
	awk 'NR == FNR { if (!seen && $0 == "---") { seen = 1; next }
			if (seen == 1 && $0 ~ /^ .*\| +[0-9]+/) seen = 2
			if (seen == 1) notes = notes $0 "\n"; next }
		{ print } !done && $0 == "---" { printf "%s", notes; done = 1 }' \
		"$p" "$p.new" > "$p.tmp"
	mv "$p.tmp" "$p.new"
	# Unchanged but for commit and blob ids: keep the file as it was.
	if cmp -s <(grep -Ev '^(From [0-9a-f]{40} |index [0-9a-f]+\.\.)' "$p") \
		  <(grep -Ev '^(From [0-9a-f]{40} |index [0-9a-f]+\.\.)' "$p.new"); then
		rm -f "$p.new"
	else
		mv "$p.new" "$p"
	fi
done
for d in "${dirs[@]}"; do
	if grep -q '^# debian-source:' "$d/series"; then
		sed -i "s/^# debian-source:.*/# debian-source: $have/" "$d/series"
	else
		sed -i "1i # debian-source: $have" "$d/series"
	fi
done
step_end
note "the series now record linux-source-$ver $have; review with git diff, then make each-patch KVER=$ver"
