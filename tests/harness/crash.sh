#!/usr/bin/env bash
# crash.sh BOOTDIR - after one boot of the guest (boot.sh), keep every
# result it streamed and charge a crash to the case it hit.
#
# 1. When the guest wrote no results disk (it crashed, hung or stopped),
#    BOOTDIR/results/ is rebuilt from the console: each pass's KTAP up to
#    the crash (console-ktap.sh), its exit status when the pass ended, and
#    a file from-console listing the passes read there.
# 2. The case that was running when the first kernel splat was printed (the
#    first result after it), and the case that was running when the boot
#    ended inside a pass (the one after the last result, in the order
#    `pinkit list` gives for the pass's filter), get the result
#    "not ok N CASE # kernel crashed: FIRST-SPLAT-LINE", the splat's text
#    as its diagnostics.  BOOTDIR/crash gets "TAG<TAB>CASE<TAB>REASON" per
#    crash (CASE "?" when the case cannot be named).
# 3. BOOTDIR/main says where the main pass stands: "ended", "none" (it never
#    started), "boot" (the kernel crashed before any pass: BOOTDIR/crash
#    gets "BOOT<TAB>?<TAB>REASON"), "crashed" or "lost" (crashed in a case
#    it cannot name);
#    BOOTDIR/main-done lists the main pass's cases
#    that have a result, the crashed one included, for a resumed boot.
#
# Needs BOOTDIR/console.txt and BOOTDIR/args (the guest arguments, one a
# line, as boot.sh writes them); BOOTDIR/error is the boot's own failure.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
. "$(dirname "$0")/ktap.sh"
. "$(dirname "$0")/splat.sh"
. "$(dirname "$0")/console-ktap.sh"
dir=$1
con=$dir/console.txt res=$dir/results
[ -f "$con" ] || die "$con is missing: crash.sh reads a boot's console (tests/harness/boot.sh)"
[ -f "$dir/args" ] || die "$dir/args is missing: boot.sh writes the guest arguments there"
pinkit=${PINKIT_HOST_BIN:-$PINKIT_ROOT/userspace/build/pinkit}
rm -f "$dir/crash" "$dir/main" "$dir/main-done"

# arg KEY - the value of guest argument KEY (the last one given).
arg()
{
	sed -n "s/^$1=//p" "$dir/args" | tail -n1
}

# run_filter - the --filter of pinkit.run (split at blanks, as init.sh does).
run_filter()
{
	local f='' a next=''
	set -f
	# shellcheck disable=SC2046
	set -- $(arg pinkit.run)
	set +f
	for a in "$@"; do
		if [ -n "$next" ]; then
			f=$a next=
			continue
		fi
		case $a in
		--filter) next=1 ;;
		--filter=*) f=${a#--filter=} ;;
		--kind-plugin | --kind-plugin=*) return 1 ;;	# a plugin the host lacks
		esac
	done
	printf '%s\n' "$f"
}

# case_list TAG [ID] - the cases of that pass in the order the guest runs
# them (the host's pinkit is the one packed into the guest); false when
# the order is not known (soak, kernel selftests, a foreign plugin).
case_list()
{
	local f skip
	[ -x "$pinkit" ] || return 1
	[ "$(arg pinkit.mode)" != soak ] || return 1
	case $1 in
	SUITE | REPEAT | CONTROL)
		f=
		[ "$(arg pinkit.plain)" = 1 ] || f=$(run_filter) || return 1
		skip=$(arg pinkit.skip)
		[ "$1" != SUITE ] || [ -z "$skip" ] || f=${f:+$f|}$skip
		"$pinkit" list ${f:+--filter "$f"} ;;
	PLUGIN)
		"$pinkit" list --kind-plugin "$(dirname "$pinkit")/examples/procmem-kind.so" \
			--filter '*/procmem-example/*' ;;
	*)	return 1 ;;
	esac
}

# ktap_file TAG [ID] - where results/ keeps that pass's KTAP.
ktap_file()
{
	case $1 in
	SUITE)		echo "$res/ktap" ;;
	REPEAT)		echo "$res/repeat/$2/ktap" ;;
	PLUGIN)		echo "$res/plugin/ktap" ;;
	CONTROL)	echo "$res/control/ktap" ;;
	KSELFTEST)	echo "$res/kselftest/$2.ktap" ;;
	esac
}

# The passes of this boot, in console order: "LINE TAG [ID]".
sections=$(awk '/^PINKIT-[A-Z]+-START( |$)/ {
		t = $1; sub(/^PINKIT-/, "", t); sub(/-START$/, "", t)
		id = (t == "REPEAT" || t == "KSELFTEST") ? " " $2 : ""
		print FNR, t id }' "$con")

# 1. No results disk: the passes as the console has them.
if [ ! -d "$res" ] && [ -n "$sections" ]; then
	mkdir -p "$res"
	arg pinkit.run > "$res/run-args"
	while read -r _ tag id; do
		f=$(ktap_file "$tag" "$id")
		mkdir -p "$(dirname "$f")"
		console_ktap "$con" "$tag" ${id:+"$id"} > "$f"
		if rc=$(console_rc "$con" "$tag" ${id:+"$id"}); then
			case $tag in
			KSELFTEST)	echo "$rc" > "$res/kselftest/$id.rc" ;;
			*)		echo "$rc" > "$(dirname "$f")/rc" ;;
			esac
		fi
		echo "$tag${id:+ $id}" >> "$res/from-console"
	done <<< "$sections"
	# A full run that got as far as the plugin pass says why it has none
	# only at the end: a boot that ended earlier did not get there.
	[ -d "$res/plugin" ] || echo "the boot ended before the plugin pass" > "$res/plugin-skipped"
fi

splats=$(splat_lines "$con" || true)

# splat_text LINE - the kernel messages from console line LINE on (at
# most 30), each as a KTAP diagnostic.
splat_text()
{
	sed -n "$1,\$p" "$con" | grep -E '^\[ *[0-9]+\.[0-9]+\] ' | head -n 30 | sed 's/^/# /'
}

# first_splat_after LINE - "LINE:TEXT" of the first splat after console
# line LINE; false when there is none.
first_splat_after()
{
	[ -n "$splats" ] || return 1
	printf '%s\n' "$splats" | awk -F: -v l="$1" '$1 > l { print; found = 1; exit } END { exit !found }'
}

# attribute FILE NAME REASON DIAG-FILE - NAME's result in FILE becomes
# "not ok N NAME # kernel crashed: REASON" after the DIAG-FILE lines (its
# own diagnostics kept); a case without a result gets one at the end.
attribute()
{
	local f=$1 name=$2 reason=$3 diag=$4 tmp rc=0
	tmp=$(mktemp)
	awk -v name="$name" -v reason="$reason" -v diag="$diag" '
	function crashed(n) {
		while ((getline l < diag) > 0) print l
		printf "not ok %d %s # kernel crashed: %s\n", n, name, reason
		done = 1
	}
	/^(not )?ok [0-9]+ / {
		k = ($1 == "not") ? $3 : $2
		if (!done && (($1 == "not") ? $4 : $3) == name) {
			turned = ($1 == "ok"); crashed(k); next
		}
		last = k
	}
	{ print }
	END { if (!done) crashed(last + 1); exit turned ? 3 : 0 }' "$f" > "$tmp" || rc=$?
	cat "$tmp" > "$f"
	rm -f "$tmp"
	# A pass the suite ended with status 0 now has a failed case: its
	# status says so, and why.
	if [ "${rc:-0}" = 3 ] && [ "$(cat "$(dirname "$f")/rc" 2>/dev/null)" = 0 ]; then
		echo 1 > "$(dirname "$f")/rc"
		echo "the suite exited 0; 1 since $name, which it reported as passed, is charged with a kernel crash" \
			> "$(dirname "$f")/rc-why"
	fi
}

# charge TAG ID NAME REASON SPLAT-LINE - record the crash and the case's result.
charge()
{
	local tag=$1 id=$2 name=$3 reason=$4 line=$5 diag
	printf '%s\t%s\t%s\n' "$tag${id:+ $id}" "$name" "$reason" >> "$dir/crash"
	[ "$name" != "?" ] || return 0
	diag=$(mktemp)
	if [ -n "$line" ]; then
		splat_text "$line" > "$diag"
	else
		echo "# $reason" > "$diag"
	fi
	attribute "$(ktap_file "$tag" "$id")" "$name" "$reason" "$diag"
	rm -f "$diag"
}

first=${splats%%$'\n'*}
fs=${first%%:*}
ft=$(echo "${first#*:}" | sed 's/^\[[^]]*\] //')
main=none
nsec=$(printf '%s\n' "$sections" | grep -c . || true)
i=0
while read -r start tag id <&3; do
	[ -n "$start" ] || continue
	i=$((i + 1))
	sec=$(console_section "$con" "$tag" ${id:+"$id"})
	ended=0
	printf '%s\n' "$sec" | tail -n1 | cut -f2- | grep -q "^PINKIT-$tag-END" && ended=1
	endline=$(printf '%s\n' "$sec" | tail -n1 | cut -f1)
	[ "$ended" = 1 ] || endline=999999999
	# the next section's start bounds this one's span on the console
	if [ "$i" -lt "$nsec" ]; then
		next=$(printf '%s\n' "$sections" | sed -n "$((i + 1))p" | cut -d' ' -f1)
		[ "$next" -gt "$endline" ] || endline=$next
	fi
	results=$(printf '%s\n' "$sec" | awk -F'\t' '$2 ~ /^(not )?ok [0-9]+ / {
			split($2, w, " "); print $1, (w[1] == "not" ? w[4] : w[3]) }')
	picked=
	# (a) the first splat of the boot hit the case whose result follows it
	if [ -n "$first" ] && [ "$fs" -gt "$start" ] && [ "$fs" -le "$endline" ]; then
		picked=$(printf '%s\n' "$results" | awk -v l="$fs" '$1 > l { print $2; exit }')
		# a kernel selftest's results are descriptions, not case names
		[ "$tag" != KSELFTEST ] || [ -z "$picked" ] || picked='?'
		[ -n "$picked" ] && charge "$tag" "$id" "$picked" "$ft" "$fs"
	fi
	# (b) the boot ended inside this pass: the case after the last result
	if [ "$ended" = 0 ]; then
		names=$(printf '%s\n' "$results" | awk 'NF { print $2 }')
		k=$(printf '%s\n' "$names" | grep -c . || true)
		run='?'
		if list=$(case_list "$tag" "$id" 2>/dev/null) &&
			[ "$(printf '%s\n' "$list" | head -n "$k")" = "$names" ]; then
			run=$(printf '%s\n' "$list" | sed -n "$((k + 1))p")
			[ -n "$run" ] || run='?'
		fi
		last=$(printf '%s\n' "$results" | tail -n1 | cut -d' ' -f1)
		if [ "$run" = "$picked" ] && [ -n "$picked" ]; then
			:
		elif s=$(first_splat_after "${last:-$start}"); then
			charge "$tag" "$id" "$run" "$(echo "${s#*:}" | sed 's/^\[[^]]*\] //')" "${s%%:*}"
		else
			charge "$tag" "$id" "$run" \
				"no kernel message; $(cat "$dir/error" 2>/dev/null || echo 'the boot ended')" ""
		fi
		if [ "$tag" = SUITE ]; then
			main=crashed
			[ "$run" != "?" ] || main=lost
			{ [ -z "$names" ] || printf '%s\n' "$names"; [ "$run" = "?" ] || echo "$run"; } > "$dir/main-done"
		fi
	elif [ "$tag" = SUITE ]; then
		main=ended
	fi
done 3<<< "$sections"
# A kernel that oopsed before any pass began (seen with Debian's stock
# kernel under TCG: an int3 oops in the scheduler 0.9 s into a boot that
# run.sh had started to resume after a case's crash): no case to charge,
# so the crash is the boot's.  run.sh boots again, as after a case's.
if [ -z "$sections" ] && [ -n "$first" ]; then
	charge BOOT "" "?" "$ft" "$fs"
	main=boot
fi
echo "$main" > "$dir/main"
if [ -f "$dir/crash" ]; then
	while IFS=$'\t' read -r tag name reason; do
		if [ "$tag" = BOOT ]; then
			note "kernel crashed while booting, before any pass: $reason"
		else
			note "kernel crashed in the $tag pass, in case $name: $reason"
		fi
	done < "$dir/crash"
fi
exit 0
