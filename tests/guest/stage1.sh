#!/bin/busybox sh
# /init of the small first-stage initramfs (tests/guest/initramfs.sh) of the
# guest on the host's root filesystem: load the modules a stock kernel
# needs, mount the host's / read-only over virtio-9p (tag hostroot), put a
# tmpfs overlay on top, mount the run's shared directory (tag pinkitout) at
# /run/pinkit in it (and, on a Debian root of root.sh, the kit's tree, tag
# pinkitsrc, at its host path), and hand over to the guest init named in that
# directory's file "init" (tests/guest/init.sh, on the host's filesystem).
/bin/busybox --install -s /bin
export PATH=/bin

fail()
{
	echo "PINKIT-SETUP-FAILED $*"
	reboot -f
}

mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev
if [ -f /lib/modules/pinkit.order ]; then
	while read -r m; do
		insmod "$m" || fail "insmod $m"
	done < /lib/modules/pinkit.order
fi
p9=trans=virtio,version=9p2000.L,msize=262144
mkdir -p /lower /rw /newroot /share
# The host does not change its files under a guest run: cache them.
mount -t 9p -o "ro,$p9,cache=loose" hostroot /lower || fail "9p mount of the host's /"
mount -t 9p -o "$p9" pinkitout /share || fail "9p mount of the run's directory"
mount -t tmpfs -o mode=755 tmpfs /rw && mkdir /rw/upper /rw/work &&
	mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
	fail "overlayfs of tmpfs on the host's /"
# A root other than the host's: the kit's tree at its host path (the file
# "src" names it), where init.sh and the scripts it runs are.
if [ -f /share/src ]; then
	src=$(cat /share/src)
	mkdir -p "/newroot$src" &&
		mount -t 9p -o "ro,$p9,cache=loose" pinkitsrc "/newroot$src" ||
		fail "9p mount of the kit's tree at $src"
fi
mkdir -p /newroot/run/pinkit
mount --move /share /newroot/run/pinkit
init=$(cat /newroot/run/pinkit/init)
umount /proc
exec switch_root /newroot "$init"
