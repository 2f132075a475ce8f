# shellcheck shell=bash
# verdict-checks.sh - the checks verdict.sh holds a suite pass to beyond
# its plan: the cases by name, the runner's closing line, the soak's
# figures.  Sourced by verdict.sh after ktap.sh, never run; each check
# appends its complaints to the caller's errors[].

# few LIST - at most the first 5 words of LIST, "..." after them.
few()
{
	awk '{ for (i = 1; i <= NF; i++) if (++n <= 5) s = s (n > 1 ? ", " : "") $i }
		END { printf "%s%s", s, (n > 5 ? ", ..." : "") }' <<< "$1"
}

# names_check DIR LABEL MODE - the pass's results by name: every case of
# DIR/expected (the guest's `pinkit list` with the pass's arguments)
# exactly once, no other.  A soak (MODE soak) has no list: once each, and
# all of them soak/...
names_check()
{
	local dir=$1 label=$2 mode=$3 exp missing dup unknown
	exp=$dir/expected
	if [ "$mode" = soak ]; then
		exp=/dev/null
	elif [ -f "$dir/expected.err" ]; then
		errors+=("no verdict: the guest could not list the cases of the $label: $(head -n1 "$dir/expected.err")")
		return
	elif [ ! -s "$exp" ]; then
		errors+=("no verdict: the guest wrote no list of the cases the $label must report ($exp)")
		return
	fi
	# "missing|duplicate|unknown NAME" per offending name
	ktap_records "$dir/ktap" | cut -f2 > "$dir/names-got"
	awk -v soak="$([ "$mode" = soak ] && echo 1)" -v ef="$exp" '
		BEGIN { while ((getline l < ef) > 0) if (l != "") want[l] = 1 }
		{ if (++got[$0] == 2) print "duplicate", $0
		  if (got[$0] == 1 && !($0 in want) && !(soak && $0 ~ /^soak\//)) print "unknown", $0 }
		END { for (n in want) if (!(n in got)) print "missing", n }' "$dir/names-got" > "$dir/names-check" ||
		{ errors+=("no verdict: the names of the $label's cases could not be checked"); return; }
	missing=$(awk '$1 == "missing" { print $2 }' "$dir/names-check")
	dup=$(awk '$1 == "duplicate" { print $2 }' "$dir/names-check")
	unknown=$(awk '$1 == "unknown" { print $2 }' "$dir/names-check")
	[ -z "$missing" ] || errors+=("the $label did not report $(wc -l <<< "$missing") of its cases ($(few "$missing")): the runner left them out")
	[ -z "$dup" ] || errors+=("the $label reported $(wc -l <<< "$dup") cases more than once ($(few "$dup"))")
	[ -z "$unknown" ] || errors+=("the $label reported $(wc -l <<< "$unknown") cases it was not asked to run ($(few "$unknown"))")
}

# closing_check DIR LABEL - the runner's last line, "N passed, N failed, N
# skipped", is there and agrees with the results: a pass cut short after
# its last result has none.
closing_check()
{
	local dir=$1 label=$2 last p f s
	last=$(grep -v '^[[:space:]]*$' "$dir/ktap" | tail -n1)
	if ! [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
		errors+=("no verdict: the $label ended without the runner's closing line \"N passed, N failed, N skipped\"")
		return
	fi
	read -r p f s < <(ktap_counts "$dir/ktap")
	# A case the harness charged with a kernel crash (crash.sh) may have
	# passed in the runner's count: then only the total must agree.
	if grep -Eq '^not ok [0-9]+ [^ ]+ # kernel crashed:' "$dir/ktap"; then
		[ $((BASH_REMATCH[1] + BASH_REMATCH[2] + BASH_REMATCH[3])) = $((p + f + s)) ] ||
			errors+=("the $label's closing line says \"$last\" but it has $((p + f + s)) results")
	else
		[ "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}" = "$p $f $s" ] ||
			errors+=("the $label's closing line says \"$last\" but its results are $p passed, $f failed, $s skipped")
	fi
}

# soak_check DIR LABEL SECONDS - a soak that proved something: in every
# case that ran, disturbances and device operations; and cases that lasted
# at least 0.9 x SECONDS in all.
soak_check()
{
	local dir=$1 label=$2 secs=$3 idle t
	idle=$(ktap_records "$dir/ktap" | awk -F'\t' '$1 != "skip" {
		d = "\\n" $3
		if (d !~ /\\ndisturbances: [1-9]/ || d !~ /device: [1-9][0-9]* ops/) print $2 }')
	[ -z "$idle" ] || errors+=("the $label's cases $(few "$idle") ran without a disturbance or without a device operation: they proved nothing")
	t=$(sed -n 's/^# soak totals: [0-9]* disturbances in \([0-9.]*\) s .*/\1/p' "$dir/ktap" | tail -n1)
	if [ -z "$t" ]; then
		errors+=("no verdict: the $label printed no \"# soak totals:\" line")
	elif ! awk -v t="$t" -v s="$secs" 'BEGIN { exit !(t >= 0.9 * s) }'; then
		errors+=("the $label's cases lasted $t s in all, less than 0.9 x SECONDS=$secs")
	fi
}

# soak_seconds GUEST-ARGS-FILE - the --seconds the host gave the soak (60
# when none).
soak_seconds()
{
	sed -n 's/^pinkit\.run=//p' "$1" 2>/dev/null | tr ' ' '\n' |
		awk 'p { s = $0; p = 0 } /^--seconds$/ { p = 1 } /^--seconds=/ { s = substr($0, 11) }
			END { print (s == "" ? 60 : s) + 0 }'
}

# skips_key RELEASE - the name of the expected-skip list of a kernel:
# kit-VER (the kit's build: no local version) or stock-VER (Debian's,
# "+deb" in its release), VER being major.minor.
skips_key()
{
	local ver
	ver=$(sed -n 's/^\([0-9]\{1,\}\.[0-9]\{1,\}\).*/\1/p' <<< "$1")
	[ -n "$ver" ] || return 1
	case $1 in
	*+deb*)	echo "stock-$ver" ;;
	*)	echo "kit-$ver" ;;
	esac
}

# skips_check LIST KTAP... - every skip in KTAP... (results NAME # SKIP
# REASON) must be on LIST, the expected skips of this kernel: "why: "
# lines, each followed by entries "CASE-GLOB<TAB>REASON-GLOB" (globs: *
# any string, also across /).  One complaint for the skips it does not
# account for; none when nothing skipped.
skips_check()
{
	local list=$1 bad n
	shift
	bad=$(cat "$@" 2>/dev/null | ktap_records /dev/stdin | awk -F'\t' '$1 == "skip" && !seen[$2 "\t" $3]++ { print $2 "\t" $3 }')
	[ -n "$bad" ] || return 0
	if [ ! -f "$list" ]; then
		n=$(wc -l <<< "$bad")
		errors+=("$n skips and no list of the skips expected on this kernel ($list): write it from a run's skip lines, each entry with its why:")
		return
	fi
	bad=$(awk -F'\t' '
		function re(g) { gsub(/[][\\.^$+?(){}|\/]/, "\\\\&", g); gsub(/\*/, ".*", g); return "^" g "$" }
		FNR == NR {
			if ($0 ~ /^why: ./) { why = 1; next }
			if ($0 ~ /^#/ || $0 ~ /^[ \t]*$/) next
			if (!why || NF != 2) { printf "%s line %d: expected CASE-GLOB<TAB>REASON-GLOB after a why: line\n", FILENAME, FNR > "/dev/stderr"; err = 1; next }
			c[++n] = re($1); r[n] = re($2); next
		}
		{ for (i = 1; i <= n; i++) if ($1 ~ c[i] && $2 ~ r[i]) next; print $1 " (" $2 ")" }
		END { exit err }' "$list" - <<< "$bad") ||
		{ errors+=("the expected-skip list $list is malformed (see above)"); return; }
	[ -z "$bad" ] || errors+=("$(wc -l <<< "$bad") skips not on the expected-skip list $list: $(few "$(sed 's/ .*//' <<< "$bad")"); first: $(head -n1 <<< "$bad")")
}
