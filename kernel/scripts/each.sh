#!/usr/bin/env bash
# each.sh - build the kernel after every patch of the series, in order
# (the series directories tree.sh applies by default: kernel/patches/<ver>/,
# kernel/patches/<ver>-fork/ where it is a default, then
# drivers/patches/<ver>/): the tree must build
# at each step.  Prints one line per patch with the compiler warnings of
# that incremental build; exit 1 at the first that fails.  FIRST=N starts
# at the N-th patch (the series of the first N patches), for a run that
# goes on where an earlier one stopped; LAST=N stops after the N-th.
set -u
. "$(dirname "$0")/../../scripts/lib.sh"
ver=${KVER:-$DEFAULT_KVER}
check_kver "$ver"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

all=()
for sd in $(default_series_dirs "$ver"); do
	s=$PINKIT_ROOT/$sd/series
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		all+=("$sd/$p")
	done < "$s"
done

# Every "config SYMBOL" line of the pristine Kconfig files, once.
src=$(pristine_source "$ver")
kconfigs=$work/kconfigs
find "$src" -name 'Kconfig*' -exec grep -h '^config ' {} + | sed 's/[[:space:]]*$//' | sort -u > "$kconfigs"

first=${FIRST:-1}
case $first in
''|*[!0-9]*|0) die "FIRST=$first: give the number of the first patch to build (1 to ${#all[@]})" ;;
esac
[ "$first" -le ${#all[@]} ] || die "FIRST=$first: the series of linux-$ver has only ${#all[@]} patches"
last=${LAST:-${#all[@]}}
case $last in
''|*[!0-9]*|0) die "LAST=$last: give the number of the last patch to build ($first to ${#all[@]})" ;;
esac
[ "$last" -ge "$first" ] && [ "$last" -le ${#all[@]} ] ||
	die "LAST=$last: give a number from FIRST=$first to ${#all[@]}"
n=0 rc=0 built=none
for p in "${all[@]}"; do
	n=$((n + 1))
	[ "$n" -lt "$first" ] && continue
	[ "$n" -gt "$last" ] && break
	# A series of the first n patches, kernel and drivers kept apart so that
	# each directory's config.snippet comes along.
	rm -rf "$work/kernel" "$work/drivers"
	mkdir -p "$work/kernel" "$work/drivers"
	for q in "${all[@]:0:n}"; do
		d=${q%%/*}
		cp "$PINKIT_ROOT/$q" "$work/$d/"
		basename "$q" >> "$work/$d/series"
	done
	# A config.snippet line whose symbol no patch so far has added (and
	# the pristine Kconfig lacks) waits for the patch that adds it.
	# Every series directory of the group brings its own (<ver>-kit:
	# the switches of kit-only patches).
	for d in kernel drivers; do
		[ -f "$work/$d/series" ] || continue
		cat "$PINKIT_ROOT/$d/patches/$ver"/config.snippet \
			"$PINKIT_ROOT/$d/patches/$ver"-*/config.snippet 2>/dev/null |
		while IFS= read -r l; do
			sym=$(echo "$l" | sed -n 's/^\(# \)\{0,1\}CONFIG_\([A-Za-z0-9_]*\).*/\2/p')
			if [ -n "$sym" ] && ! grep -qsx "config $sym" "$kconfigs" &&
			   ! (cd "$PINKIT_ROOT" && grep -qx "+config $sym" "${all[@]:0:n}"); then
				continue
			fi
			echo "$l"
		done > "$work/$d/config.snippet"
	done
	dirs=
	for d in kernel drivers; do [ -f "$work/$d/series" ] && dirs="$dirs $work/$d"; done
	t0=$(date +%s)
	if PATCHDIRS=${dirs# } "$(dirname "$0")/build.sh" >"$work/log" 2>&1; then
		w=$(grep -c 'warning:' "$work/log")
		grep 'warning:' "$work/log" | sed 's/^ */# /'
		printf 'ok %d %s (%d s, %d compiler warnings)\n' "$n" "$p" $(($(date +%s) - t0)) "$w"
		built=$n
	else
		tail -n 25 "$work/log" | sed 's/^/# /'
		printf 'not ok %d %s\n' "$n" "$p"
		rc=1
		break
	fi
done
echo "# linux-$ver: built after patches $first to $built of ${#all[@]}"
exit $rc
