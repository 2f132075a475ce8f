#!/usr/bin/env bash
# config.sh TREE BUILD FRAGMENT... - x86_64 tinyconfig + FRAGMENTs through
# the kernel's merge_config.sh, then check every requested symbol took.
# BUILD/.config is only replaced when the result differs, so an unchanged
# configuration keeps make's and ccache's work; with the same tree and the
# same fragments the whole step is skipped.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
tree=$1 build=$2
shift 2

mkdir -p "$build"
stamp=$(cat "$tree/.pinkit-state" 2>/dev/null; hash_files "$@")
if [ -f "$build/.config" ] && [ "$(cat "$build/.pinkit-config" 2>/dev/null)" = "$stamp" ]; then
	exit 0	# same tree, same fragments: the checked .config stands
fi
rm -f "$build/.pinkit-config"
tmp=$build/.pinkit-config.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
step_begin "configuring $(basename "$build") (tinyconfig + $(printf '%s ' "${@#"$PINKIT_ROOT"/}"))"
make -s -C "$tree" O="$tmp" ARCH=x86_64 tinyconfig >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log" >&2; die "make tinyconfig failed in $tree"; }
"$tree/scripts/kconfig/merge_config.sh" -m -O "$tmp" "$tmp/.config" "$@" \
	>>"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; die "merge_config.sh failed"; }
make -s -C "$tree" O="$tmp" ARCH=x86_64 olddefconfig >>"$tmp/log" 2>&1 ||
	{ cat "$tmp/log" >&2; die "make olddefconfig failed"; }

# Every "CONFIG_X=v" must be in the result as is; every "# CONFIG_X is not
# set" must not be enabled.
bad=$(cat "$@" | awk -v cfg="$tmp/.config" '
	BEGIN { while ((getline l < cfg) > 0) {
		if (l ~ /^CONFIG_/) { split(l, kv, "="); have[kv[1]] = substr(l, length(kv[1]) + 2) }
	} }
	/^CONFIG_[A-Za-z0-9_]+=/ { split($0, kv, "="); v = substr($0, length(kv[1]) + 2)
		if (have[kv[1]] != v) print kv[1] "=" v " (got " (kv[1] in have ? have[kv[1]] : "unset") ")" }
	/^# CONFIG_[A-Za-z0-9_]+ is not set/ { if ($2 in have) print $2 " off (got " have[$2] ")" }')
if [ -n "$bad" ]; then
	printf '%s\n' "$bad" | sed 's/^/  /' >&2
	die "these requested kernel config symbols did not take (a missing" \
		"dependency, or the symbol does not exist in this kernel);" \
		"fix Kconfig.snippet or kernel/config/*.snippet"
fi

if cmp -s "$tmp/.config" "$build/.config"; then
	note "configuration unchanged"
else
	cp "$tmp/.config" "$build/.config"
fi
rm -rf "$tmp"
echo "$stamp" > "$build/.pinkit-config"
step_end
