# shellcheck shell=sh
# setup.sh - the guest set-up both guests share: the busybox initramfs
# (/init, tests/harness/init.sh, packs this file as /setup.sh) and the guest
# on the host's root filesystem (tests/guest/init.sh).  Sourced by a POSIX
# shell inside the guest, never run.

# pinkit_setup SWAPDEV - load the modules /lib/modules/pinkit.order lists
# (a stock kernel; the kit kernel has everything built in), bring up lo and
# eth0 (10.0.2.15/24, QEMU's user network), add soft-RoCE rxe0 on eth0,
# reserve 32 hugetlb pages and swap on SWAPDEV when it is a block device.
# On a failure: prints "PINKIT-SETUP-FAILED WHAT" and returns 1.
pinkit_setup()
{
	if [ -f /lib/modules/pinkit.order ]; then
		while read -r m; do
			insmod "$m" || { echo "PINKIT-SETUP-FAILED insmod $m"; return 1; }
		done < /lib/modules/pinkit.order
	fi
	ip link set lo up
	{ ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up; } ||
		{ echo "PINKIT-SETUP-FAILED eth0"; return 1; }
	rdma link add rxe0 type rxe netdev eth0 ||
		{ echo "PINKIT-SETUP-FAILED rxe"; return 1; }
	# Resources some backings and disturbances need: hugetlb pages and swap.
	echo 32 > /proc/sys/vm/nr_hugepages 2>/dev/null
	if [ -b "$1" ]; then
		mkswap "$1" >/dev/null && swapon "$1"
	fi
	return 0
}

# shmem_thp_advise / shmem_thp_restore - shmem THP on request (advise) while
# the kernel selftests run, as run_vmtests.sh sets up: pin_tracking's
# memfd-thp case needs a PMD-mapped shmem THP.  The suite's own backings
# never ask; restore puts back the setting advise found.  SHMEM_ENABLED
# moves the sysfs file (the LAVA guest's host-side self-test).
shmem_thp_advise()
{
	pinkit_shm=${SHMEM_ENABLED:-/sys/kernel/mm/transparent_hugepage/shmem_enabled}
	pinkit_old_shm=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$pinkit_shm" 2>/dev/null)
	[ -z "$pinkit_old_shm" ] || echo advise > "$pinkit_shm"
}
shmem_thp_restore()
{
	[ -z "$pinkit_old_shm" ] || echo "$pinkit_old_shm" > "$pinkit_shm"
}

# control_filter GROUP... - the --filter of the control pass of a run
# without one: only the cases of the groups the verdict judges, "G/*|...".
control_filter()
{
	printf '%s/*|' "$@" | sed 's/|$//'
}
