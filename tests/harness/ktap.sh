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

# boots_first_ktap OUTDIR N - the main-pass KTAP of the first of the boots
# OUTDIR/boot-1 .. boot-N that has one (a boot that crashed while booting
# has none); nothing when none has.
boots_first_ktap()
{
	local k
	for k in $(seq 1 "$2"); do
		[ ! -f "$1/boot-$k/results/ktap" ] || { echo "$1/boot-$k/results/ktap"; return 0; }
	done
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

# ktap_kselftest NAME FILE [RC] - a kernel selftest's own KTAP
# (descriptions with blanks) as cases kselftest/NAME/DESCRIPTION ("a: b c"
# becomes "a/b-c"); "# SKIP" anywhere after the description (kselftest.h
# puts it first, kselftest_harness.h after the name) makes a skip; nested
# subtests (indented) become kselftest/NAME/PARENT/SUB.  Fails as
# NAME/incomplete a test (or subtest) that printed fewer results than its
# plan, or none; as NAME/bail-out one that said "Bail out!"; as
# NAME/exit-status one whose exit status RC is neither 0 (4: skipped) nor,
# with a failed result, 1.
ktap_kselftest()
{
	awk -v n="$1" -v rc="${3-}" '
	function name(d) { gsub(/: /, "/", d); gsub(/[^A-Za-z0-9_\/.-]+/, "-", d)
		sub(/-$/, "", d); return d }
	function emit(lvl, line) { if (lvl) buf[lvl] = buf[lvl] line "\n"; else print line }
	{
		lvl = 0
		while (match($0, /^(  |    |\t)/) && $0 ~ /^[ \t]+((not )?ok [0-9]+|1\.\.[0-9]+|KTAP|# )/) {
			$0 = substr($0, RLENGTH + 1); lvl++
		}
	}
	/^KTAP version/ { if (lvl) { plan[lvl] = -1; got[lvl] = 0 } next }
	/Bail out!/ { bail = $0; next }
	/^1\.\.0 # SKIP/ { if (!lvl) { sub(/^1\.\.0 # SKIP */, ""); skipall = $0 } next }
	/^1\.\.[0-9]+/ { plan[lvl] = substr($1, 4) + 0; got[lvl] = 0; next }
	/^# Totals|^# [0-9]+ skipped test/ { next }
	/^# / { emit(lvl, $0); next }
	/^(not )?ok [0-9]+/ {
		got[lvl]++
		ok = ($1 == "ok"); d = $0; sub(/^(not )?ok [0-9]+ ?/, "", d)
		why = ""; skip = 0
		if (d ~ /^# SKIP( |$)/) {
			sub(/^# SKIP */, "", d); why = d; skip = 1
			# the reason in a trailing "(...)", one nested "(...)" allowed;
			# not a size, which is part of a name ("... with THP (16 kB)")
			if (match(d, / \(([^()]|\([^()]*\))*\)$/) &&
			    substr(d, RSTART) !~ /^ \([0-9]+ [kMG]B\)$/) {
				why = substr(d, RSTART + 2, RLENGTH - 3); d = substr(d, 1, RSTART - 1)
			}
		} else if (match(d, / # SKIP( |$)/)) {
			why = substr(d, RSTART + RLENGTH); sub(/^ +/, "", why); d = substr(d, 1, RSTART - 1); skip = 1
		} else
			sub(/ # .*/, "", d)
		d = name(d)
		if (!ok) failed = 1
		line = (skip ? "ok 0 " : ok ? "ok 0 " : "not ok 0 ") "kselftest/" n "/" d (skip ? " # SKIP " why : "")
		# this result closes the subtests printed just before it, one level in
		if (buf[lvl + 1] != "" || plan[lvl + 1] != "") {
			k = split(buf[lvl + 1], sub_, "\n")
			for (i = 1; i <= k; i++) {
				if (sub_[i] == "") continue
				s = sub_[i]
				if (s ~ /^(not )?ok 0 kselftest\//) sub("kselftest/" n "/", "kselftest/" n "/" d "/", s)
				emit(lvl, s)
			}
			if (plan[lvl + 1] > 0 && got[lvl + 1] != plan[lvl + 1]) {
				emit(lvl, sprintf("# %s/%s printed %d of %d subtest results", n, d, got[lvl + 1], plan[lvl + 1]))
				emit(lvl, sprintf("not ok 0 kselftest/%s/%s/incomplete", n, d))
			}
			delete buf[lvl + 1]; delete plan[lvl + 1]; delete got[lvl + 1]
		}
		emit(lvl, line)
	}
	END {
		if (skipall != "") printf "ok 0 kselftest/%s # SKIP %s\n", n, skipall
		else if (plan[0] == 0 || got[0] != plan[0]) {
			printf "# %s printed %d of %d results\n", n, got[0], plan[0]
			printf "not ok 0 kselftest/%s/incomplete\n", n
		}
		if (bail != "") {
			printf "# %s: %s\n", n, bail
			printf "not ok 0 kselftest/%s/bail-out\n", n
		}
		if (rc != "" && rc !~ /^[0-9]+$/) {
			printf "# %s left no exit status\n", n
			printf "not ok 0 kselftest/%s/exit-status\n", n
		} else if (rc != "" && rc != 0 && rc != 4 && !(rc == 1 && failed)) {
			printf "# %s exited with status %s%s\n", n, rc,
				(rc >= 128 ? " (killed by signal " (rc - 128) ")" : rc == 1 ? ", KSFT_FAIL, without a failed result" : "")
			printf "not ok 0 kselftest/%s/exit-status\n", n
		}
	}' "$2"
}
