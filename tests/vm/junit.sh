#!/usr/bin/env bash
# junit.sh NAME KTAP - JUnit XML on stdout for one run: a testcase per KTAP
# result; the "# " lines before a "not ok" become its failure text.
set -eu
name=$1 ktap=$2
awk -v suite="$name" '
function esc(s) {
	gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
	gsub(/"/, "\\&quot;", s); return s
}
/^# / { diag = diag substr($0, 3) "\n"; next }
/^(not )?ok [0-9]+ / {
	bad = ($1 == "not"); n = bad ? $4 : $3; tests++
	line = "    <testcase classname=\"" esc(suite) "\" name=\"" esc(n) "\""
	if (bad) {
		failures++
		body[tests] = line ">\n      <failure message=\"" esc(n) " failed\">" \
			esc(diag) "</failure>\n    </testcase>"
	} else if ($0 ~ /# SKIP/) {
		skipped++; r = $0; sub(/.*# SKIP */, "", r)
		body[tests] = line ">\n      <skipped message=\"" esc(r) "\"/>\n    </testcase>"
	} else
		body[tests] = line "/>"
	diag = ""; next
}
{ diag = "" }
END {
	print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	printf "<testsuites>\n  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n",
		esc(suite), tests, failures, skipped
	for (i = 1; i <= tests; i++) print body[i]
	print "  </testsuite>\n</testsuites>"
}' "$ktap"
