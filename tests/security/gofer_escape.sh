#!/bin/sh
# gofer_escape.sh: the guest cannot reach host files outside its root and
# its -v mounts, and its writes land only where they should.
#
#   gofer_escape.sh CVISOR [PLATFORM...]
#
# A tiny root (busybox only, --root) and a -v mount holding symlinks that
# point outside it (relative "../outside/secret", absolute to the host
# path, and a chain through ".."), a :ro mount, and hostile names. The
# secret must never be printed; writes to / and /tmp must not reach the
# host; writes to the -v mount must, and the :ro one must refuse them.
# Below the host's /proc and /sys mounted with -v nothing may be read or
# even stat'ed (the mount points themselves are directories).
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
mkdir -p "$tmp/root/bin" "$tmp/root/etc" "$tmp/vol" "$tmp/outside" "$tmp/rovol"
cp "$BUSYBOX" "$tmp/root/bin/busybox"
echo TOPSECRET-$$ > "$tmp/outside/secret"
echo readonly > "$tmp/rovol/file"
ln -s ../outside/secret "$tmp/vol/rel"
ln -s "$tmp/outside/secret" "$tmp/vol/abs"
ln -s ../../../../../../../../"$tmp/outside/secret" "$tmp/vol/deep"
ln -s / "$tmp/vol/rootlink"
failed=0
for p in "$@"; do
	plat=
	[ "$p" = default ] || plat=--platform=$p
	out=$(timeout -k 5 60 "$CVISOR" run $plat --root "$tmp/root" \
		-v "$tmp/vol:/vol" -v "$tmp/rovol:/ro:ro" -- /bin/busybox sh -c '
		for l in rel abs deep; do /bin/busybox cat /vol/$l; done
		/bin/busybox cat /vol/rootlink/../outside/secret
		/bin/busybox cat /vol/../outside/secret /vol/../../outside/secret
		/bin/busybox ls /vol/rootlink/
		cd /vol && /bin/busybox cat ../../../outside/secret
		echo guest > /vol/written
		echo nope > /ro/x && echo "ro write succeeded"
		echo nope >> /ro/file && echo "ro append succeeded"
		/bin/busybox cat /ro/file
		echo overlay > /etc/created; /bin/busybox cat /etc/created
		echo t > /tmp/created-'$$'; /bin/busybox cat /tmp/created-'$$'
		exit 0' 2>&1)
	st=$?
	[ -n "${VERBOSE:-}" ] && echo "$out"
	case "$out" in
	*TOPSECRET*) echo "FAIL [$p]: the secret leaked:"; echo "$out"; failed=1 ;;
	esac
	case "$out" in
	*"succeeded"*) echo "FAIL [$p]: wrote to a read-only mount"; echo "$out"; failed=1 ;;
	esac
	case "$out" in
	*readonly*overlay*t*) ;;
	*) echo "FAIL [$p]: unexpected output (status $st):"; echo "$out"; failed=1 ;;
	esac
	if [ "$(cat "$tmp/vol/written" 2>/dev/null)" != guest ]; then
		echo "FAIL [$p]: the -v write did not reach the host"; failed=1
	fi
	rm -f "$tmp/vol/written"
	if [ -e "$tmp/root/etc/created" ] || [ -e "/tmp/created-$$" ] || [ -e "$tmp/rovol/x" ] ||
	   [ "$(cat "$tmp/rovol/file")" != readonly ]; then
		echo "FAIL [$p]: a guest write reached the host"; failed=1
	fi
	if [ "$st" -ne 0 ]; then
		echo "FAIL [$p]: status $st"; echo "$out"; failed=1
	fi
	# Host kernel file systems on -v mounts: the gofer serves their
	# mount points, nothing below them (one component, or several in
	# one walk).
	out=$(timeout -k 5 60 "$CVISOR" run $plat --root "$tmp/root" \
		-v /proc:/hp -v /sys:/hs -- /bin/busybox sh -c '
		for f in /hp/self/status /hp/1/environ /hp/self/root/etc/hostname \
			 /hs/kernel/hostname /hs/kernel/mm/../hostname; do
			/bin/busybox cat $f >/dev/null 2>&1 && echo "read $f"
			/bin/busybox stat $f >/dev/null 2>&1 && echo "stat $f"
		done
		/bin/busybox stat -c %F /hp
		exit 0' 2>&1)
	st=$?
	if [ "$st" -ne 0 ] || [ "$out" != directory ]; then
		echo "FAIL [$p]: below a host kernel file system (status $st):"; echo "$out"; failed=1
	fi
done
[ $failed -eq 0 ] && echo "gofer_escape: passed"
exit $failed
