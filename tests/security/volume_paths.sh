#!/bin/sh
# volume_paths.sh: host changes in the middle of paths a -v mount has
# cached, several components deep (the sentry walks and revalidates a
# whole path in one gofer request). A guest shell reads files through
# deep paths (so every directory on them is cached), tells the host;
# the host replaces a middle directory by another (rename), removes one,
# turns one into a file, swaps one for a symlink to a directory outside
# the volume and puts a new tree where nothing was; the guest must see
# exactly that, and never the outside directory's file.
#
#   volume_paths.sh CVISOR [PLATFORM...]
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
a:one
b:two
c:three
d:four
after
a:one-replaced
b:gone
c:notdir
d:gone
e:new-tree
e2:new-tree
EOT

for p in "$@"; do
	plat=
	[ "$p" = default ] || plat=--platform=$p
	vol="$tmp/vol-$p"
	out="$tmp/outside-$p"
	mkdir -p "$vol/a/x/y" "$vol/b/x/y" "$vol/c/x/y" "$vol/d/x/y" "$out/x/y"
	echo a:one >"$vol/a/x/y/f"
	echo b:two >"$vol/b/x/y/f"
	echo c:three >"$vol/c/x/y/f"
	echo d:four >"$vol/d/x/y/f"
	echo OUTSIDE >"$out/x/y/f"
	timeout -k 5 120 "$CVISOR" run $plat --root "$tmp/root" -v "$vol:/vol" -- \
		/bin/busybox sh -c '
		B=/bin/busybox
		echo before
		for d in a b c d; do $B cat /vol/$d/x/y/f; done
		$B cat /vol/e/x/y/f 2>/dev/null
		echo >/vol/ready
		while [ ! -e /vol/go ]; do $B usleep 10000; done
		echo after
		$B cat /vol/a/x/y/f
		$B cat /vol/b/x/y/f 2>/dev/null || echo b:gone
		$B cat /vol/c/x/y/f 2>/dev/null || { [ -f /vol/c ] && echo c:notdir; }
		$B cat /vol/d/x/y/f 2>/dev/null || echo d:gone
		$B cat /vol/e/x/y/f
		cd /vol/e/x && $B cat y/f | $B sed s/e:/e2:/
		' >"$tmp/out" 2>&1 &
	pid=$!
	if await "$vol/ready"; then
		mkdir -p "$vol/a.new/x/y"
		echo a:one-replaced >"$vol/a.new/x/y/f"
		mv "$vol/a" "$vol/a.old"
		mv "$vol/a.new" "$vol/a"			# another directory
		rm -r "$vol/b/x"				# gone mid-path
		rm -r "$vol/c"
		echo c >"$vol/c"				# a file now
		mv "$vol/d" "$vol/d.old"
		ln -s "$out" "$vol/d"			# a link out: the guest's /
		mkdir -p "$vol/e/x/y"
		echo e:new-tree >"$vol/e/x/y/f"
		touch "$vol/go"
	fi
	wait $pid
	st=$?
	if [ $st -ne 0 ] || ! cmp -s "$tmp/expected" "$tmp/out"; then
		failed=$((failed + 1))
		echo "FAIL [$p] status $st"
		diff -u "$tmp/expected" "$tmp/out" | sed 's/^/  | /'
	else
		echo "ok [$p] host changes mid-path seen"
	fi
done
[ $failed -eq 0 ]
