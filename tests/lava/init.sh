#!/bin/busybox sh
# shellcheck shell=dash
# /init of the LAVA guest (the job's ramdisk, tests/lava/job.sh): the kit's
# guest set-up (tests/harness/setup.sh: rxe0 on eth0, hugetlb pages, swap on
# /dev/vdb; a failure leaves /pinkit-setup-failed), then a shell on the console for LAVA's test shell, whose
# prompt the job's boot action waits for.  The suite runs from the test
# action (/pinkit-lava.sh), not from here.
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin:/sbin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/hugepages && mount -t hugetlbfs hugetlbfs /dev/hugepages 2>/dev/null
echo "PINKIT-BOOTED $(uname -r)"
. /setup.sh
pinkit_setup /dev/vdb || : > /pinkit-setup-failed
export PS1='pinkit-lava:# '
exec setsid cttyhack sh
