#!/bin/sh
# symlink_swap.sh: a host process keeps swapping symlinks in a -v
# directory between a target inside the volume and targets outside it
# (relative "../outside/...", the absolute host path), while the guest
# reads and writes through them in a loop. Symlinks resolve in the
# sandbox's own namespace, so the secret beside the volume must never be
# printed and the file outside must never change.
#
#   symlink_swap.sh CVISOR [PLATFORM...]
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
swapper=
trap '[ -n "$swapper" ] && kill $swapper 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/root/bin" "$tmp/vol/sub" "$tmp/outside"
cp "$BUSYBOX" "$tmp/root/bin/busybox"
secret=TOPSECRET-$$
echo "$secret" >"$tmp/outside/secret"
cp "$tmp/outside/secret" "$tmp/secret.orig"
echo inside >"$tmp/vol/inside"
echo inside >"$tmp/vol/sub/secret"
ln -s inside "$tmp/vol/link"
ln -s sub "$tmp/vol/dirlink"
failed=0

swap() {	# swap NAME TARGET: replace the link atomically
	ln -sfn "$2" "$tmp/vol/.$1.new" && mv -T "$tmp/vol/.$1.new" "$tmp/vol/$1"
}

for p in "$@"; do
	plat=
	[ "$p" = default ] || plat=--platform=$p
	(
		while :; do
			swap link ../outside/secret
			swap dirlink ../outside
			swap link inside
			swap link "$tmp/outside/secret"
			swap dirlink "$tmp/outside"
			swap dirlink sub
			sleep 0.002
		done
	) &
	swapper=$!
	timeout -k 5 240 "$CVISOR" run $plat --root "$tmp/root" -v "$tmp/vol:/vol" -- \
		/bin/busybox sh -c '
		B=/bin/busybox
		i=0
		while [ $i -lt 60 ]; do
			$B cat /vol/link /vol/dirlink/secret 2>/dev/null
			echo written >/vol/link 2>/dev/null
			echo written >/vol/dirlink/secret 2>/dev/null
			echo written >>/vol/dirlink/secret 2>/dev/null
			i=$((i + 1))
		done
		echo done' >"$tmp/out" 2>&1
	st=$?
	kill $swapper 2>/dev/null
	wait $swapper 2>/dev/null
	swapper=
	if grep -q "$secret" "$tmp/out"; then
		failed=$((failed + 1))
		echo "FAIL [$p] the guest read the secret outside the volume"
	elif ! cmp -s "$tmp/outside/secret" "$tmp/secret.orig" || [ -n "$(ls "$tmp/outside" | grep -v '^secret$')" ]; then
		failed=$((failed + 1))
		echo "FAIL [$p] the guest changed files outside the volume"
		ls -la "$tmp/outside" | sed 's/^/  | /'
	elif [ $st -ne 0 ] || [ "$(tail -n 1 "$tmp/out")" != done ]; then
		failed=$((failed + 1))
		echo "FAIL [$p] status $st"
		tail -n 5 "$tmp/out" | sed 's/^/  | /'
	else
		echo "ok [$p] $(grep -c . "$tmp/out") lines, nothing from outside"
	fi
	# Put the links back for the next platform.
	swap link inside
	swap dirlink sub
done
[ $failed -eq 0 ]
