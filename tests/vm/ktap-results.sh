#!/usr/bin/env bash
# ktap-results.sh KTAP - "case result" per line (pass, FAIL or skip), sorted
# by case name for join(1).
set -eu
awk '/^ok [0-9]+ / { print $3, ($0 ~ /# SKIP/ ? "skip" : "pass") }
     /^not ok [0-9]+ / { print $4, "FAIL" }' "$1" | sort -k1,1
