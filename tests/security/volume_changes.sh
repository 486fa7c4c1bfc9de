#!/bin/sh
# volume_changes.sh: a -v mount sees the host's changes, as a shared bind
# mount on Linux would. A guest shell first looks at the files (so the
# sentry has them cached), then tells the host (a file in the volume);
# the host creates, removes, rewrites in place, replaces by rename and
# makes a directory, then tells the guest; the guest must see all of it.
#
#   volume_changes.sh CVISOR [PLATFORM...]
#
# Exits 77 when /bin/busybox (static) is missing.
set -u
CVISOR=$1
shift
[ $# -eq 0 ] && set -- default
BUSYBOX=${BUSYBOX:-/bin/busybox}
if [ ! -x "$BUSYBOX" ] || ! file -L "$BUSYBOX" 2>/dev/null | grep -q static; then
	echo "SKIP: no static $BUSYBOX"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/root/bin"
cp "$BUSYBOX" "$tmp/root/bin/busybox"
failed=0

# Wait (up to 60 s) for a file to appear.
await() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 1200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -e "$1" ]
}

cat >"$tmp/expected" <<'EOT'
before
data:original
old:old
repl:repl-1
size:14
data old repl
after
new:created-on-host
old:gone
data:rewritten-in-place-longer
size:31
repl:repl-2
data go new newdir repl
newdir:dir
EOT

for p in "$@"; do
	plat=
	[ "$p" = default ] || plat=--platform=$p
	vol="$tmp/vol-$p"
	mkdir "$vol"
	echo data:original >"$vol/data"
	echo old:old >"$vol/old"
	echo repl:repl-1 >"$vol/repl"
	timeout -k 5 120 "$CVISOR" run $plat --root "$tmp/root" -v "$vol:/vol" -- \
		/bin/busybox sh -c '
		B=/bin/busybox
		cd /vol
		echo before
		$B cat data old repl
		echo size:$($B stat -c %s data)
		echo $($B ls)
		echo >ready
		while [ ! -e /vol/go ]; do $B usleep 10000; done
		$B rm ready
		echo after
		$B cat new
		[ -e old ] && echo old:still-there || echo old:gone
		$B cat data
		echo size:$($B stat -c %s data)
		$B cat repl
		echo $($B ls)
		[ -d newdir ] && echo newdir:dir || echo newdir:missing
		' >"$tmp/out" 2>&1 &
	pid=$!
	if await "$vol/ready"; then
		echo new:created-on-host >"$vol/new"
		rm "$vol/old"
		echo data:rewritten-in-place-longer >"$vol/data"	# same inode
		echo repl:repl-2 >"$vol/repl.tmp"
		mv "$vol/repl.tmp" "$vol/repl"			# another inode
		mkdir "$vol/newdir"
		touch "$vol/go"
	fi
	wait $pid
	st=$?
	if [ $st -ne 0 ] || ! cmp -s "$tmp/expected" "$tmp/out"; then
		failed=$((failed + 1))
		echo "FAIL [$p] status $st"
		diff -u "$tmp/expected" "$tmp/out" | sed 's/^/  | /'
	else
		echo "ok [$p] host changes seen"
	fi
done
[ $failed -eq 0 ]
