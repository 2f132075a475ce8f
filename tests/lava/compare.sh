# shellcheck shell=bash
# compare.sh - lava_compare, the case-for-case comparison of a LAVA guest's
# results with make run's, for make lava-local (local.sh) and make lava-run
# (run.sh).  Sourced after tests/harness/ktap.sh, never run.

# lava_compare RUN RESULTS WHAT - RESULTS ("NAME RESULT" per case, sorted,
# RESULT pass, FAIL or skip, as ktap_results prints them) against the
# verdict of the make run in directory RUN (RUN/ktap); WHAT names the LAVA
# side in the messages.  Prints "# the same N cases and verdicts as RUN",
# or the lines that differ; false when they differ.
lava_compare()
{
	local run=$1 res=$2 what=$3 rc=0 diff
	diff=$(mktemp)
	if diff <(ktap_results "$run/ktap") "$res" > "$diff"; then
		echo "# the same $(wc -l < "$res") cases and verdicts as $run"
	else
		echo "# make run ($run, <) and $what (>) differ:"
		sed 's/^/#   /' "$diff"
		rc=1
	fi
	rm -f "$diff"
	return $rc
}
