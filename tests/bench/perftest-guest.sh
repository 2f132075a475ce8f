#!/bin/sh
# perftest-guest.sh - runs inside the guest (tests/bench/perftest.sh): perftest's
# ib_write_bw and ib_read_bw over rxe0 loopback, pinned and --odp, warm
# (many 64 KiB messages) and first touch (5 messages of 8 MiB into fresh
# memory, so ODP faults every page in).  One line per run on stdout:
#   <test> <pinned|odp> <warm|first> <MB/s average>
dev=rxe0 gid=1 addr=10.0.2.15

# bw TEST MODE KIND SIZE ITERS
bw()
{
	opt=
	[ "$2" = odp ] && opt=--odp
	"ib_$1_bw" -d $dev -x $gid -F -s "$4" -n "$5" $opt >/tmp/srv.log 2>&1 &
	srv=$!
	sleep 1
	if "ib_$1_bw" -d $dev -x $gid -F -s "$4" -n "$5" $opt $addr >/tmp/cli.log 2>&1; then
		# the result row: bytes iterations BW-peak BW-average MsgRate
		mbs=$(awk -v s="$4" '$1 == s && NF >= 5 { print $4 }' /tmp/cli.log | tail -n1)
	else
		mbs=error
		sed 's/^/# /' /tmp/cli.log
	fi
	wait $srv
	echo "$1 $2 $3 ${mbs:-unparsed}"
}

for t in write read; do
	for m in pinned odp; do
		bw $t $m warm 65536 1000
		bw $t $m first 8388608 5
	done
done
