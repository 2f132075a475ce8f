# shellcheck shell=bash
# console-ktap.sh - the suite's KTAP as the guest streamed it to the
# console.  The guest's /init (init.sh) tees every pass to the serial
# console between markers, PINKIT-<TAG>-START [ID] ... PINKIT-<TAG>-END
# [ID] rc=N (TAG: SUITE, REPEAT, PLUGIN, KSELFTEST, CONTROL), so what ran
# before a crash or a hang is on the console even when the results disk
# was never written.  Sourced, never run.

# console_section CONSOLE TAG [ID] - the lines of the last section TAG (ID)
# as "LINE<TAB>TEXT", kernel messages ("[ time] ...") left out; the END
# marker is the last line when the section ended.  False when the section
# never started.
console_section()
{
	awk -v tag="$2" -v id="${3-}" '
	BEGIN {
		s = "^PINKIT-" tag "-START" (id != "" ? " " id "$" : "( |$)")
		e = "^PINKIT-" tag "-END" (id != "" ? " " id : "") " rc="
	}
	$0 ~ s { n = 0; in_s = 1; found = 1; next }
	!in_s || /^\[ *[0-9]+\.[0-9]+\] / { next }
	{ l[++n] = FNR "\t" $0 }
	$0 ~ e { in_s = 0 }
	END { for (i = 1; i <= n; i++) print l[i]; exit !found }' "$1"
}

# console_ktap CONSOLE TAG [ID] - the section's text as the guest's KTAP
# file holds it (no END marker).
console_ktap()
{
	console_section "$@" | cut -f2- | grep -v '^PINKIT-' || true
}

# console_rc CONSOLE TAG [ID] - the exit status the END marker of the
# section reports; false when the section did not end.
console_rc()
{
	console_section "$@" | cut -f2- | sed -n 's/^PINKIT-[A-Z]*-END .*rc=\([0-9]*\)$/\1/p' |
		grep .
}
