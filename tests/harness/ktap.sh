# shellcheck shell=bash
# ktap.sh - the harness's one KTAP reader, and the JUnit writer built on it.
# Sourced, never run.  Every other script reads results through
# ktap_records; nothing else parses "ok N name" lines.

# ktap_records FILE... - one line per result, STATUS<TAB>NAME<TAB>TEXT:
# STATUS is pass, fail or skip; TEXT is the skip reason, or the "# " lines
# just before the result joined with a literal "\n".
ktap_records()
{
	awk '
	/^# / { d = d (d == "" ? "" : "\\n") substr($0, 3); next }
	/^(not )?ok [0-9]+ / {
		bad = ($1 == "not"); n = bad ? $4 : $3
		st = bad ? "fail" : ($0 ~ / # SKIP/ ? "skip" : "pass")
		t = d
		if (st == "skip") { t = $0; sub(/.* # SKIP */, "", t) }
		printf "%s\t%s\t%s\n", st, n, t
		d = ""; next
	}
	{ d = "" }' "$@"
}

# ktap_plan FILE - N of the plan line "1..N"; 0 when there is none.
ktap_plan()
{
	awk '/^1\.\.[0-9]+/ { p = substr($1, 4) + 0; exit } END { print p + 0 }' "$1"
}

# ktap_counts FILE - "PASS FAIL SKIP".
ktap_counts()
{
	ktap_records "$1" | awk -F'\t' '{ c[$1]++ }
		END { printf "%d %d %d\n", c["pass"], c["fail"], c["skip"] }'
}

# ktap_results FILE - "NAME RESULT" per case, RESULT pass, FAIL or skip,
# sorted by name for join(1).
ktap_results()
{
	ktap_records "$1" | awk -F'\t' '{ print $2, ($1 == "fail" ? "FAIL" : $1) }' |
		sort -k1,1
}

# ktap_table FILE - pass/fail/skip per case group (the name up to the first
# '/'), in order of appearance, then a "FAILED: name" line per failure.
ktap_table()
{
	ktap_records "$1" | awk -F'\t' '
	{
		g = $2; sub(/\/.*/, "", g)
		if (!(g in seen)) { seen[g] = 1; order[++k] = g }
		c[g, $1]++
		if ($1 == "fail") failed[++nf] = $2
	}
	END {
		printf "%-28s %6s %6s %6s\n", "group", "pass", "fail", "skip"
		for (i = 1; i <= k; i++)
			printf "%-28s %6d %6d %6d\n", order[i], c[order[i], "pass"],
				c[order[i], "fail"], c[order[i], "skip"]
		for (i = 1; i <= nf; i++) printf "FAILED: %s\n", failed[i]
	}'
}

# ktap_junit SUITE FILE - JUnit XML on stdout: a testcase per result, the
# "# " lines before a failure as its text, the reason of a skip.
ktap_junit()
{
	ktap_records "$2" | awk -F'\t' -v suite="$1" '
	function esc(s) {
		gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
		gsub(/"/, "\\&quot;", s); return s
	}
	{
		n++; line = "    <testcase classname=\"" esc(suite) "\" name=\"" esc($2) "\""
		if ($1 == "fail") {
			failures++; text = $3; gsub(/\\n/, "\n", text)
			body[n] = line ">\n      <failure message=\"" esc($2) " failed\">" \
				esc(text) "\n</failure>\n    </testcase>"
		} else if ($1 == "skip") {
			skipped++
			body[n] = line ">\n      <skipped message=\"" esc($3) "\"/>\n    </testcase>"
		} else
			body[n] = line "/>"
	}
	END {
		print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		printf "<testsuites>\n  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n",
			esc(suite), n, failures, skipped
		for (i = 1; i <= n; i++) print body[i]
		print "  </testsuite>\n</testsuites>"
	}'
}

# ktap_kselftest NAME FILE - a kernel selftest's own KTAP (descriptions with
# blanks) as cases kselftest/NAME/DESCRIPTION ("a: b c" becomes "a/b-c");
# a test that printed fewer results than its plan, or none, fails as
# NAME/incomplete.
ktap_kselftest()
{
	awk -v n="$1" '
	function name(d) { gsub(/: /, "/", d); gsub(/[^A-Za-z0-9_\/.-]+/, "-", d)
		sub(/-$/, "", d); return "kselftest/" n "/" d }
	/^1\.\.0 # SKIP/ { sub(/^1\.\.0 # SKIP */, ""); skipall = $0; next }
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
	/^# Totals|^# [0-9]+ skipped test/ { next }
	/^# / { print; next }
	/^(not )?ok [0-9]+ / {
		got++
		ok = ($1 == "ok"); d = $0; sub(/^(not )?ok [0-9]+ /, "", d)
		if (d ~ /^# SKIP /) {
			sub(/^# SKIP /, "", d); why = d
			if (match(d, / \([^()]*\)$/)) {
				why = substr(d, RSTART + 2, RLENGTH - 3); d = substr(d, 1, RSTART - 1)
			}
			printf "ok 0 %s # SKIP %s\n", name(d), why
		} else
			printf "%s 0 %s\n", ok ? "ok" : "not ok", name(d)
	}
	END {
		if (skipall != "") printf "ok 0 kselftest/%s # SKIP %s\n", n, skipall
		else if (plan == 0 || got != plan) {
			printf "# %s printed %d of %d results\n", n, got, plan
			printf "not ok 0 kselftest/%s/incomplete\n", n
		}
	}' "$2"
}
