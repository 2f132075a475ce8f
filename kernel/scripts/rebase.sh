#!/usr/bin/env bash
# rebase.sh - rebase KVER's default series (or PATCHDIRS) onto the Debian
# source the cache holds now (`make rebase KVER=6.12`).
#
# The files the series touch are copied from the pristine source into a
# git repository ($PINKIT_CACHE/rebase/<ver>) and the patches are applied
# there with `git am --3way`, one series after the other.  When a patch
# does not apply, git stops on it: resolve the conflict in that repository,
# `git add` the files, `git am --continue`, and run `make rebase` again; it
# goes on with the next patch.  Once every patch is applied, each patch file
# is written anew from its commit (same file name, same "[PATCH n/m]"
# subject prefix) and each series file records the source version in its
# "# debian-source:" line.  Check the result with `git diff` and
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
git_=(git -C "$repo" -c user.name=pinkit -c user.email=pinkit@localhost)

# The patches in order, one "DIR/FILE" per line.
list=()
for d in "${dirs[@]}"; do
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		list+=("$d/$p")
	done < "$d/series"
done

if [ -d "$repo/.git/rebase-apply" ]; then
	die "a git am is still stopped in $repo: resolve the conflict there," \
		"'git add' the files and 'git am --continue' (or 'git am --abort' and" \
		"rm -rf $repo to start over), then run make rebase KVER=$ver again"
fi
if [ ! -f "$repo/.pinkit-rebase" ] || [ "$(cat "$repo/.pinkit-rebase")" != "$have" ]; then
	step_begin "copying the files the series touch from linux-source-$ver $have to $repo"
	rm -rf "$repo"
	mkdir -p "$repo"
	sed -n 's|^+++ b/||p; s|^--- a/||p' "${list[@]}" | sed 's/[[:space:]].*//' |
		grep -v '^/dev/null$' | sort -u | while read -r f; do
			[ ! -e "$src/$f" ] || (cd "$src" && cp --parents "$f" "$repo/")
		done
	"${git_[@]}" init -q
	"${git_[@]}" add -A
	"${git_[@]}" commit -q -m "linux-source-$ver $have (the files the series touch)"
	echo "$have" > "$repo/.pinkit-rebase"
	: > "$repo/.pinkit-applied"
	step_end
fi

# Apply what is not applied yet; a stopped git am leaves its patch last.
done_n=$(($("${git_[@]}" rev-list --count HEAD) - 1))
for ((i = done_n; i < ${#list[@]}; i++)); do
	p=${list[$i]}
	if ! "${git_[@]}" am -q --3way "$p" >"$repo/.pinkit-am.log" 2>&1; then
		sed 's/^/  | /' "$repo/.pinkit-am.log" >&2
		die "${p#"$PINKIT_ROOT"/} does not apply to linux-source-$ver $have" \
			"(series made for $(series_made_for "$(dirname "$p")")): git stopped on it in" \
			"$repo; resolve the conflict there, 'git add' the files, 'git am --continue'," \
			"then run make rebase KVER=$ver again"
	fi
done

# Every patch applied: write each patch file anew from its commit.
step_begin "writing ${#list[@]} patches rebased on linux-source-$ver $have"
mapfile -t commits < <("${git_[@]}" rev-list --reverse HEAD | tail -n +2)
[ ${#commits[@]} = ${#list[@]} ] ||
	die "$repo holds ${#commits[@]} commits for ${#list[@]} patches; rm -rf $repo and run again"
for i in "${!list[@]}"; do
	p=${list[$i]}
	prefix=$(sed -n 's/^Subject: \[\([^]]*\)\].*/\1/p' "$p" | head -n1)
	if [ -n "$prefix" ]; then
		"${git_[@]}" format-patch -q -1 --stdout --subject-prefix="$prefix" \
			"${commits[$i]}" > "$p.new"
	else
		"${git_[@]}" format-patch -q -1 --stdout -k "${commits[$i]}" > "$p.new"
	fi
	mv "$p.new" "$p"
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
