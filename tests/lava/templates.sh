#!/usr/bin/env bash
# templates.sh - print the directory of LAVA's device-type templates
# (base.jinja2, qemu.jinja2, ...) of the same version as the installed
# lava-common (and lava-dispatcher): Debian ships them in lava-server, the
# server's package, which the kit does not install; its .deb is downloaded
# once (apt-get download) and only that directory kept, in
# $PINKIT_CACHE/lava-server-VERSION/device-types.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
ver=$(dpkg-query -W -f='${Version}' lava-common 2>/dev/null) ||
	die "lava-common is not installed: scripts/deps.sh lava installs it"
dir=$PINKIT_CACHE/lava-server-$ver
if [ ! -f "$dir/device-types/qemu.jinja2" ]; then
	step_begin "downloading lava-server $ver for its device-type templates"
	rm -rf "$dir.new"
	mkdir -p "$dir.new/deb"
	get() { (cd "$dir.new/deb" && apt-get download -q "lava-server=$ver") >"$dir.new/download.log" 2>&1; }
	if ! get; then
		"$PINKIT_ROOT/scripts/deps.sh" --update
		get || die "apt-get download lava-server=$ver failed (see $dir.new/download.log)"
	fi
	dpkg-deb --fsys-tarfile "$dir.new"/deb/*.deb |
		tar -x -C "$dir.new" ./usr/share/lava-server/device-types ||
		die "lava-server $ver has no usr/share/lava-server/device-types"
	mv "$dir.new/usr/share/lava-server/device-types" "$dir.new/device-types"
	rm -rf "$dir.new/deb" "$dir.new/usr" "$dir.new/download.log" "$dir"
	mv "$dir.new" "$dir"
	step_end
fi
[ -f "$dir/device-types/base.jinja2" ] || die "$dir/device-types has no base.jinja2: remove $dir and try again"
echo "$dir/device-types"
