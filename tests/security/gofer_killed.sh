#!/bin/sh
# gofer_killed.sh: killing the gofer while the guest runs gives the guest
# EIO for files it has not opened yet; the sentry keeps running and the
# guest's exit status comes back.
#
#   gofer_killed.sh CVISOR [PLATFORM...]
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
mkdir -p "$tmp/root/bin" "$tmp/root/data"
cp "$BUSYBOX" "$tmp/root/bin/busybox"
echo later > "$tmp/root/data/later"
failed=0
for p in "$@"; do
	plat=
	[ "$p" = default ] || plat=--platform=$p
	# The guest sleeps while the gofer is killed, then reads a file the
	# gofer was never asked for (its binary is already open: exec works).
	timeout -k 5 60 "$CVISOR" run $plat --root "$tmp/root" -- /bin/busybox sh -c '
		echo started
		/bin/busybox sleep 4
		/bin/busybox cat /data/later
		echo "cat status $?"
		exit 42' >"$tmp/out" 2>&1 &
	launcher=$!
	# Find the gofer: "cvisor gofer FD ro:$tmp/root", a grandchild.
	gofer=
	for i in $(seq 50); do
		for f in $(grep -lsa -- "ro:$tmp/root" /proc/[0-9]*/cmdline); do
			c=${f%/cmdline}
			cmd=$(tr '\0' ' ' 2>/dev/null < $f) 2>/dev/null
			case "$cmd" in
			"cvisor gofer "*" ro:$tmp/root ")
				# Ours: its parent (cvisor run) is the child of timeout.
				pp=$(awk '/^PPid:/ { print $2 }' $c/status 2>/dev/null)
				ppp=$(awk '/^PPid:/ { print $2 }' /proc/$pp/status 2>/dev/null)
				[ "$ppp" = "$launcher" ] && gofer=${c#/proc/} ;;
			esac
		done
		[ -n "$gofer" ] && break
		sleep 0.1
	done
	if [ -z "$gofer" ]; then
		echo "FAIL [$p]: no gofer process found"
		failed=1
		wait $launcher
		continue
	fi
	# Kill it once the guest runs (it then sleeps 4 s before the cat).
	for i in $(seq 300); do
		grep -q started "$tmp/out" 2>/dev/null && break
		sleep 0.1
	done
	[ -n "${VERBOSE:-}" ] && echo "gofer $gofer: $(tr '\0' ' ' < /proc/$gofer/cmdline)"
	kill -KILL "$gofer"
	wait $launcher
	st=$?
	if [ $st -ne 42 ]; then
		echo "FAIL [$p]: status $st, want 42"; failed=1
	fi
	if ! grep -q "cat status 1" "$tmp/out" || grep -q "^later" "$tmp/out"; then
		echo "FAIL [$p]: the guest did not get an error"; failed=1
	fi
	if ! grep -q "Input/output error" "$tmp/out"; then
		echo "FAIL [$p]: no EIO"; failed=1
	fi
	[ $failed -ne 0 ] && cat "$tmp/out"
done
[ $failed -eq 0 ] && echo "gofer_killed: passed"
exit $failed
