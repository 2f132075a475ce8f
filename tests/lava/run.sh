#!/usr/bin/env bash
# run.sh check NAME - make lava-run's inputs, before anything is built or
# booted: the make run of NAME to compare with ($OUT/run-NAME/ktap), run
# with the same ARGS (RUN_ARGS: ARGS as make passes them to make run's
# guest), root (lava-run runs a job only as root), Debian's LAVA
# dispatcher (scripts/deps.sh lava lava-run installs it when missing) and
# its lava-run (LAVA_RUN: another one, for the self-test).
#
# run.sh run NAME - run $OUT/lava-NAME/job.yaml (make lava) with lava-run
# on a local qemu device: tests/lava/pinkit-qemu.jinja2 rendered for the job
# with LAVA's device-type templates (device.py, templates.sh) into
# device.yaml.  The job must boot the kernel make run booted (the image's
# sha256 against the run's build.info).  LAVA puts its overlay (the test
# shell and the definition) into the job's ramdisk, so its libguestfs
# overlay disk is never built.  The dispatcher's log goes to lava-run.log,
# its results to results.yaml and as KTAP to ktap (results.py); then the
# table per case group and the failed cases (ktap_table), LAVA's own
# errors, the comparison with make run's verdict case for case
# (compare.sh), and the last line "N passed, N failed, N skipped" over
# LAVA's cases, one more failure when the two differ.  Exit status 0 when
# nothing failed.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
. "$PINKIT_ROOT/tests/harness/ktap.sh"
. "$PINKIT_ROOT/tests/lava/compare.sh"
case $#:${1:-} in
2:check | 2:run) ;;
*)	die "usage: run.sh check|run NAME" ;;
esac
mode=$1 name=$2
out=${OUT:-$PINKIT_ROOT/out}
dir=$out/lava-$name run=$out/run-$name
lava_run=${LAVA_RUN:-lava-run}

if [ "$mode" = check ]; then
	[ -f "$run/ktap" ] || die "no make run of $name to compare with ($run/ktap is missing):" \
		"run make run with the same KVER/DEBUG/PATCHES, KERNEL and ARGS first"
	had=$(sed -n 's/^pinkit\.run=//p' "$run/guest-args" 2>/dev/null | head -n1)
	[ "$had" = "${RUN_ARGS:-}" ] || die "the make run of $name ran with ARGS='$had'," \
		"this make lava-run has ARGS='${RUN_ARGS:-}': give the same ARGS, or make run again"
	[ "$(id -u)" = 0 ] || die "lava-run runs a job only as root: run make lava-run as root (sudo)"
	"$PINKIT_ROOT/scripts/deps.sh" lava lava-run
	command -v "$lava_run" >/dev/null || die "$lava_run not found although lava-dispatcher is" \
		"installed: apt-get install --reinstall lava-dispatcher"
	exit 0
fi

[ -f "$dir/job.yaml" ] || die "$dir/job.yaml is missing: make lava first (same KVER/DEBUG)"
[ -f "$run/ktap" ] || die "no make run of $name to compare with ($run/ktap): make run first"
for f in bzImage ramdisk.cpio.gz results.img swap.img; do
	[ -f "$dir/$f" ] || die "$dir/$f is missing: make lava again"
done
# The job must boot the kernel the make run booted.
want=$(sed -n 's/^image_sha256=//p' "$run/build.info" 2>/dev/null)
got=$(sha256sum < "$dir/bzImage" | cut -d' ' -f1)
if [ -z "$want" ]; then
	note "$run/build.info records no image_sha256: cannot tell whether make run booted this kernel"
elif [ "$want" != "$got" ]; then
	die "the make run of $name booted another kernel (image sha256 ${want:0:16}..., this job's" \
		"${got:0:16}...): make run and make lava-run with the same KERNEL (or build)"
fi
templates=$("$PINKIT_ROOT/tests/lava/templates.sh")
/usr/bin/python3 -B "$PINKIT_ROOT/tests/lava/device.py" "$PINKIT_ROOT/tests/lava/pinkit-qemu.jinja2" \
	"$templates" "$dir/job.yaml" > "$dir/device.yaml"

rm -rf "$dir/lava-run" "$dir/lava-run.log" "$dir/results.yaml" "$dir/ktap"
cmd=("$lava_run" --job-id "$(date +%s)" --output-dir "$dir/lava-run"
	--device "$dir/device.yaml" "$dir/job.yaml")
step_begin "running $dir/job.yaml with lava-run (lava-dispatcher $(dpkg-query -W -f='${Version}' lava-dispatcher 2>/dev/null)) on a local qemu device, QEMU/TCG (log: $dir/lava-run.log)"
rc=0
# LAVA's own timeouts end the job (job.py: the test action's and the job's);
# this one only bounds a dispatcher that hangs.
timeout -k 60 $(( ${TIMEOUT:-1800} + 1800 )) "${cmd[@]}" > "$dir/lava-run.log" 2>&1 || rc=$?
step_end
[ $rc = 0 ] || note "lava-run exited with status $rc (log: $dir/lava-run.log)"
/usr/bin/python3 -B "$PINKIT_ROOT/tests/lava/results.py" log "$dir/lava-run.log" > "$dir/results.yaml"
/usr/bin/python3 -B "$PINKIT_ROOT/tests/lava/results.py" ktap "$dir/results.yaml" pinkit > "$dir/ktap" ||
	die "LAVA's results ($dir/results.yaml) are not readable (above)"
ktap_results "$dir/ktap" > "$dir/results"
ktap_table "$dir/ktap"
# LAVA's own errors (the job, the definition's run, an action)
awk '/^# / { d = d $0 "\n"; next } /^not ok [0-9]+ lava\// { printf "%s", d } { d = "" }' "$dir/ktap"
# shellcheck disable=SC2046 # three numbers
set -- $(ktap_counts "$dir/ktap")
p=$1 f=$2 s=$3
lava_compare "$run" "$dir/results" "LAVA's results ($dir/results.yaml)" || f=$((f + 1))
echo "$p passed, $f failed, $s skipped"
[ "$f" = 0 ]
