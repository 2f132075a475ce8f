#!/usr/bin/env bash
# job.sh NAME BZIMAGE INITRD [ARGS...] - write $OUT/lava-NAME/: job.yaml,
# the LAVA job definition (tests/lava/job.py), and the artifacts it names:
# bzImage, ramdisk.cpio.gz (INITRD's contents, the kernel selftests of the
# series from BZIMAGE.selftests.gz, tests/lava/init.sh as /init, the test
# step /pinkit-lava.sh, the KTAP reader /ktap.sh and verdict.sh's console
# scan (/splat.ere, /splat-allow.ere), in one cpio archive,
# since LAVA appends its overlay to the first archive only), and the empty
# results and swap disks.  LAVA_URL: where a lab serves those files
# (default file:// of the directory, for lava-run here).  ARGS go to `pinkit
# run`, as make run's ARGS.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
[ $# -ge 3 ] || die "usage: job.sh NAME BZIMAGE INITRD [ARGS...]"
name=$1 kernel=$2 initrd=$3
shift 3
[ -f "$kernel" ] || die "the kernel image $kernel does not exist: build it (make kernel) or give KERNEL=bzImage"
[ -f "$initrd" ] || die "the initramfs $initrd does not exist: make initramfs"
kernel=$(realpath "$kernel") initrd=$(realpath "$initrd")
"$PINKIT_ROOT/scripts/deps.sh" lava
dir=${OUT:-$PINKIT_ROOT/out}/lava-$name
url=${LAVA_URL:-file://$dir/}
case $url in
http://*|https://*|file:///*) ;;
*)	die "LAVA_URL=$url: give the http(s):// URL of the directory a lab serves $dir's files from" ;;
esac
rm -rf "$dir"
mkdir -p "$dir"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# One archive: INITRD and the selftests unpacked, the LAVA pieces on top.
(cd "$root" && gzip -dc "$initrd" | cpio -idm --quiet) ||
	die "$initrd is not a gzipped cpio archive: make initramfs"
if [ -f "$kernel.selftests.gz" ]; then
	(cd "$root" && gzip -dc "$kernel.selftests.gz" | cpio -idm --quiet) ||
		die "$kernel.selftests.gz is not a gzipped cpio archive: rebuild the kernel"
fi
cp "$PINKIT_ROOT/tests/lava/init.sh" "$root/init"
cp "$PINKIT_ROOT/tests/lava/guest.sh" "$root/pinkit-lava.sh"
cp "$PINKIT_ROOT/tests/harness/ktap.sh" "$root/ktap.sh"
# The console scan of verdict.sh, for the guest's own dmesg: its pattern
# and its allowlist's expressions, taken from the harness, not copied.
sed -n "s/^splat='\(.*\)'\$/\1/p" "$PINKIT_ROOT/tests/harness/verdict.sh" > "$root/splat.ere"
[ -s "$root/splat.ere" ] || die "tests/harness/verdict.sh has no splat='...' line any more: update tests/lava/job.sh"
sed -n 's/^ere: //p' "$PINKIT_ROOT/tests/harness/console-allow.txt" > "$root/splat-allow.ere"
chmod 755 "$root/init" "$root/pinkit-lava.sh"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$dir/ramdisk.cpio.gz"
cp "$kernel" "$dir/bzImage"
truncate -s 16M "$dir/results.img"
truncate -s 128M "$dir/swap.img"

/usr/bin/python3 -B "$PINKIT_ROOT/tests/lava/job.py" "$name" "$dir" "$url" \
	"${TIMEOUT:-300}" "$@" > "$dir/job.yaml"
echo "$dir/job.yaml"
case $url in
file://*) echo "# for a LAVA lab: serve $dir's files, make lava LAVA_URL=https://their/url/, then:" ;;
*)	echo "# the lab serves $dir's files at $url:" ;;
esac
echo "lavacli -i IDENTITY jobs submit $dir/job.yaml"
