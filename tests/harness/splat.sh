# shellcheck shell=bash
# splat.sh - what counts as a kernel splat on the guest's console: the
# pattern, the allowlist (ALLOWLIST, default console-allow.txt beside this
# file) and the scans.  Sourced (after scripts/lib.sh), never run; used by
# verdict.sh (the run's verdict) and crash.sh (which case a crash hit).

# Kernel splats: only printk text (after a [time] stamp, which may start
# mid-line when a message interrupts a line on the console), so the suite's
# own output cannot trip this.  The soft-lockup and hung-task detectors
# are on in Debian's stock kernels (make stock), not in the kit's.
splat='Kernel panic|BUG:|Oops|WARNING:|general protection fault|kernel BUG at|KASAN:|UBSAN:|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|INFO: task .* blocked|rcu_[a-z]+ (self-)?detected stall|printk messages dropped|soft lockup|hard LOCKUP|VM_BUG_ON|page dumped because'
# A message that matches but is not a splat is exempt only through an entry
# of the allowlist.
allow=${ALLOWLIST:-$(dirname "${BASH_SOURCE[0]}")/console-allow.txt}
[ -f "$allow" ] || die "the console allowlist $allow is missing"
allowed=$(awk '
	/^why: ./ { why = 1; next }
	/^ere: ./ { if (!why) { printf "line %d: an ere: without a why: line before it\n", NR > "/dev/stderr"; bad = 1 }
		why = 0; print substr($0, 6); next }
	/^[ \t]*$/ || /^#/ { next }
	{ printf "line %d: neither why:, ere:, # nor blank\n", NR > "/dev/stderr"; bad = 1 }
	END { exit bad }' "$allow") || die "the console allowlist $allow is malformed (see above): every entry is a why: line, then an ere: line"

# splat_lines CONSOLE - "LINE:TEXT" of every printk line that matches the
# splat pattern and no allowlist entry; false when there is none.
splat_lines()
{
	printf '%s\n' "$allowed" | awk -v splat="$splat" '
		FNR == NR { if ($0 != "") ere[++n] = $0; next }
		# printk says so on the console, before the next record, unstamped
		/\*\* [0-9]+ printk messages dropped \*\*/ { print FNR ":" $0; found = 1; next }
		match($0, /\[ *[0-9]+\.[0-9]+\] /) {
			m = substr($0, RSTART + RLENGTH)
			if (m !~ splat) next
			for (i = 1; i <= n; i++) if (m ~ ere[i]) next
			print FNR ":" $0; found = 1
		}
		END { exit !found }' - "$1"
}

# splat_scan CONSOLE - "LINE:TEXT" of the first splat line; false when
# there is none.
splat_scan()
{
	local l
	l=$(splat_lines "$1") || return 1
	printf '%s\n' "${l%%$'\n'*}"
}
