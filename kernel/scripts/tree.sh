#!/usr/bin/env bash
# tree.sh - prepare the patched kernel source tree and print its path.
#
# Env: KVER (7.3|6.12|6.1) or KSRC (any kernel tree); PATCHES=none skips the
# series; PATCHDIRS="dir..." applies these series directories instead of
# kernel/patches/<ver>, kernel/patches/<ver>-fork (the fork() copies
# series, on the versions in FORK_DEFAULT_KVERS of scripts/lib.sh) and
# drivers/patches/<ver>.  The pristine source is
# unpacked once into the cache (a KSRC tree is copied, and copied again when
# any of its files changes); the patched tree lives at a fixed path per
# source so ccache keeps hitting.  A changed
# series is never applied on top of an already patched tree: every file the
# previous series touched is first restored from the pristine copy (with a
# fresh mtime, so make rebuilds it), then the new series is applied.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"

tree_version()
{
	local v p
	v=$(sed -n 's/^VERSION = //p' "$1/Makefile" | head -n1)
	p=$(sed -n 's/^PATCHLEVEL = //p' "$1/Makefile" | head -n1)
	echo "$v.$p"
}

check_patches "${PATCHES:-}"
if [ -n "${KSRC:-}" ]; then
	check_ksrc "$KSRC"
	pristine=$(cd "$KSRC" && pwd)
	ver=$(tree_version "$pristine")
	name=ksrc-$(echo "$pristine" | sha256sum | cut -c1-12)
else
	ver=${KVER:-$DEFAULT_KVER}
	pristine=$(pristine_source "$ver")
	name=$ver
fi

# The series directories: PATCHDIRS when given, else kernel/ (the core
# series, then the fork() copies series on top of it) then drivers/.
if [ "${PATCHES:-}" = none ]; then
	dirs=()
elif [ -n "${PATCHDIRS:-}" ]; then
	read -r -a dirs <<< "$PATCHDIRS"
	check_patchdirs "${dirs[@]}"
	# Absolute: the patches are applied from inside the tree.
	for i in "${!dirs[@]}"; do
		dirs[$i]=$(cd "${dirs[$i]}" && pwd)
	done
else
	dirs=()
	while read -r d; do
		[ -n "$d" ] && dirs+=("$PINKIT_ROOT/$d")
	done < <(default_series_dirs "$ver")
	[ ${#dirs[@]} -gt 0 ] || note "pinkit has no patch series for linux-$ver; building it unpatched"
fi

series_files()
{
	local dir p
	for dir in "${dirs[@]}"; do
		[ -f "$dir/series" ] || die "$dir/series does not exist"
		while read -r p; do
			case $p in ''|'#'*) continue ;; esac
			[ -f "$dir/$p" ] || die "$dir/series names $p, which does not exist"
			echo "$dir/$p"
		done < "$dir/series"
	done
}

list=$(series_files) || exit 1
patches=()
[ -n "$list" ] && mapfile -t patches <<< "$list"

tree=$PINKIT_CACHE/tree/$name${PATCHES:+-$PATCHES}
# The state names the source and the series by content, not by path: the
# same series from another checkout of pinkit leaves the tree alone.
want=$( { echo "$pristine"; for d in "${dirs[@]}"; do echo "${d#"$PINKIT_ROOT"/}"; done; } |
	sha256sum | cut -c1-16)
[ ${#patches[@]} -gt 0 ] && want=$want-$(hash_files "${patches[@]}")

# A series made on another Debian source than the one about to be patched
# says so first, in one line per series.
have=
[ -n "${KSRC:-}" ] || have=$(source_version "$pristine")
if [ -n "$have" ]; then
	note "kernel source: linux-source-$ver $have (Debian)"
else
	note "kernel source: $pristine (linux-$ver)"
fi
if [ -n "$have" ]; then
	for d in "${dirs[@]}"; do
		made=$(series_made_for "$d")
		[ -z "$made" ] || [ "$made" = "$have" ] ||
			note "${d#"$PINKIT_ROOT"/}: series made for $made, Debian now ships $have"
	done
fi

# A tree made from another version of the source is copied afresh: files
# no series touches differ between the versions too.  (A tree from before
# the version was recorded is judged by the kernel version in its top
# Makefile, which no series touches.)
if [ -f "$tree/.pinkit-touched" ] && [ -n "$have" ]; then
	made=$(cat "$tree/.pinkit-source-version" 2>/dev/null || true)
	if [ -z "$made" ] && cmp -s <(head -n 6 "$tree/Makefile") <(head -n 6 "$pristine/Makefile"); then
		made=$have
		echo "$have" > "$tree/.pinkit-source-version"
	fi
	if [ "$made" != "$have" ]; then
		note "the patched tree was made from ${made:-another version of the source}:" \
			"copying linux-source-$ver $have afresh"
		rm -f "$tree/.pinkit-touched" "$tree/.pinkit-state"
	fi
fi

# A KSRC tree that changed since it was copied is copied afresh.
if [ -n "${KSRC:-}" ] && [ -f "$tree/.pinkit-touched" ] &&
   [ -n "$(find "$pristine" -path "$pristine/.git" -prune -o -type f \
		-newer "$tree/.pinkit-copied" -print -quit 2>/dev/null)" ]; then
	note "$KSRC changed since it was copied: copying it again"
	rm -f "$tree/.pinkit-touched" "$tree/.pinkit-state"
fi

if [ -f "$tree/.pinkit-state" ] && [ "$(cat "$tree/.pinkit-state")" = "$want" ]; then
	printf '%s\n' "${dirs[@]}" > "$tree/.pinkit-series-dirs"
	echo "$tree"
	exit 0
fi

if [ ! -f "$tree/.pinkit-touched" ]; then
	# No record of what was patched: start from a full pristine copy.
	step_begin "copying $pristine to $tree"
	rm -rf "$tree"
	# Objects built from an older tree could look newer than the pristine
	# mtimes of the copy: drop the build directories of this tree.
	rm -rf "$PINKIT_CACHE/build/$(basename "$tree")"-*
	mkdir -p "$(dirname "$tree")"
	rm -rf "$tree.tmp"
	mkdir -p "$tree.tmp"
	touch "$tree.tmp/.pinkit-copied"
	tar -C "$pristine" --exclude=./.git -cf - . | tar -C "$tree.tmp" -xf -
	rm -f "$tree.tmp/.pinkit-unpacked"
	: > "$tree.tmp/.pinkit-touched"
	mv "$tree.tmp" "$tree"
	step_end
else
	step_begin "restoring files touched by the previous series"
	# Keep them, mtimes and all: a file the new series leaves as it was
	# gets its old mtime back below, so make does not rebuild its users.
	rm -rf "$tree/.pinkit-prev"
	mkdir -p "$tree/.pinkit-prev"
	(cd "$tree" && grep -v '^$' .pinkit-touched | while read -r f; do
		[ -e "$f" ] && cp -p --parents "$f" .pinkit-prev/; done)
	while read -r f; do
		[ -n "$f" ] || continue
		rm -f "$tree/$f"
		if [ -e "$pristine/$f" ]; then
			cp "$pristine/$f" "$tree/$f"	# new mtime: make rebuilds it
		fi
	done < "$tree/.pinkit-touched"
	: > "$tree/.pinkit-touched"
	step_end
fi
rm -f "$tree/.pinkit-state"

# Record what the new series will touch before touching it, so that an
# interrupted or failed apply is undone on the next run.
files_of "${patches[@]}" > "$tree/.pinkit-touched"

if [ ${#patches[@]} -gt 0 ]; then
	step_begin "applying ${#patches[@]} patches"
	for p in "${patches[@]}"; do
		rel=${p#"$PINKIT_ROOT"/}
		if ! out=$(cd "$tree" && patch -p1 -N --batch --dry-run < "$p" 2>&1); then
			bad=$(echo "$out" | awk '/^(checking|patching) file/ { f = $3 }
				/Hunk #.*FAILED|can.t find file|Reversed|malformed|Only garbage/ {
					sub(/\.$/, ""); print (f ? f : "?") ": " $0 }' |
				head -n 8 | paste -sd ';' | sed 's/;/; /g')
			printf '%s\n' "$out" | sed 's/^/  | /' >&2
			made=$(series_made_for "$(dirname "$p")")
			if [ -n "$have" ]; then
				die "$rel does not apply to linux-source-$ver $have" \
					"(the series was made for ${made:-an unrecorded version}):" \
					"${bad:-see the patch output above}." \
					"Rebase it: make rebase KVER=$ver (HACKING.md, \"Following Debian's" \
					"kernels\"), or build with PATCHES=none"
			fi
			die "$rel does not apply to linux-$ver ($pristine):" \
				"${bad:-see the patch output above}." \
				"Rebase the patch onto this source, or build with PATCHES=none"
		fi
		(cd "$tree" && patch -p1 -N --batch --quiet < "$p") >&2
	done
	step_end
fi
# Files that came out as the previous series left them keep their mtime.
if [ -d "$tree/.pinkit-prev" ]; then
	(cd "$tree/.pinkit-prev" && find . -type f | while read -r f; do
		if cmp -s "$f" "../$f"; then touch -r "$f" "../$f"; fi; done)
	rm -rf "$tree/.pinkit-prev"
fi
printf '%s\n' "${dirs[@]}" > "$tree/.pinkit-series-dirs"
echo "$have" > "$tree/.pinkit-source-version"
echo "$want" > "$tree/.pinkit-state"
echo "$tree"
