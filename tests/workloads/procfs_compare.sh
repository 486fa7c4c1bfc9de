#!/bin/sh
# procfs_compare.sh: real programs reading /proc and /sys in the sandbox,
# their output compared in shape with a native run: busybox ps (header as
# native, the sandbox's own processes listed), ls /proc/self (every name
# exists natively), status keys (a subset of native's, in native's order),
# stat (52 fields), nproc (equal), getconf _NPROCESSORS_ONLN (equal to
# nproc in the sandbox), python3's os.listdir('/proc/self/fd'), procps
# ps and top when installed; /proc/self/maps of a dynamic cat names the
# same files as natively (the program, ld.so, libc) and its program's
# lines have native's permissions and offsets.
#
#   procfs_compare.sh CVISOR [PLATFORM...]
#
# Exits 77 (skipped) without /bin/busybox, 1 if any check fails.
set -u

CVISOR=$1
shift
BUSYBOX=${BUSYBOX:-/bin/busybox}
LIMIT=${LIMIT:-60}
if [ ! -x "$BUSYBOX" ]; then
	echo "SKIP: $BUSYBOX not found (install busybox-static)"
	exit 77
fi
[ $# -eq 0 ] && set -- ptrace
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	printf 'ok   [%s] %s\n' "$p" "$1"
}
bad() {
	failed=$((failed + 1))
	printf 'FAIL [%s] %s\n' "$p" "$1"
	[ -f "$tmp/s.out" ] && sed 's/^/  | /' "$tmp/s.out" | head -n 30
	[ -f "$tmp/s.err" ] && sed 's/^/  ! /' "$tmp/s.err" | head -n 10
}
# sandbox CMD...: run in the sandbox on platform $p into $tmp/s.out.
sandbox() {
	timeout -k 5 "$LIMIT" "$CVISOR" run --platform="$p" -- "$@" </dev/null \
		>"$tmp/s.out" 2>"$tmp/s.err"
}

# Native references.
"$BUSYBOX" ps 2>/dev/null | head -n 1 >"$tmp/ps_header"
ls /proc/self/ >"$tmp/n_self"
cut -d: -f1 /proc/self/status >"$tmp/n_status_keys"
nproc >"$tmp/n_nproc"
# maps_files FILE: the files a maps listing names; maps_prog FILE: the
# permissions and offsets of /bin/cat's own lines.
maps_files() { awk '$6 ~ /^\// { print $6 }' "$1" | sort -u; }
maps_prog() { awk -v p="$(readlink -f /bin/cat)" '$6 == p { print $2, $3 }' "$1"; }
env -i LC_ALL=C /bin/cat /proc/self/maps >"$tmp/n_maps"

for p in "$@"; do
	# busybox ps: native header; our processes.
	sandbox "$BUSYBOX" sh -c "$BUSYBOX sleep 5 & $BUSYBOX ps; kill \$!"
	if [ "$(head -n 1 "$tmp/s.out")" = "$(cat "$tmp/ps_header")" ] &&
	   grep -q "^ *1 root .*sh -c" "$tmp/s.out" &&
	   grep -q "^ *[0-9]* root .*sleep 5" "$tmp/s.out" &&
	   grep -q "^ *[0-9]* root .*ps$" "$tmp/s.out"; then
		ok "busybox ps"
	else
		bad "busybox ps"
	fi

	# ls /proc/self: every name exists natively; the main ones are there.
	sandbox /bin/ls /proc/self/
	extra=$(grep -vxF -f "$tmp/n_self" "$tmp/s.out")
	if [ -z "$extra" ] && grep -qx status "$tmp/s.out" && grep -qx fd "$tmp/s.out" &&
	   grep -qx maps "$tmp/s.out" && grep -qx exe "$tmp/s.out"; then
		ok "ls /proc/self"
	else
		bad "ls /proc/self (not native: $extra)"
	fi

	# status keys: a subset of native's, in native's order.
	sandbox "$BUSYBOX" cut -d: -f1 /proc/self/status
	grep -xF -f "$tmp/s.out" "$tmp/n_status_keys" >"$tmp/n_common"
	if cmp -s "$tmp/n_common" "$tmp/s.out" && [ "$(wc -l <"$tmp/s.out")" -ge 40 ]; then
		ok "status keys"
	else
		bad "status keys (differ from native's order or set)"
	fi

	sandbox "$BUSYBOX" sh -c "$BUSYBOX cat /proc/self/stat | $BUSYBOX wc -w"
	if [ "$(cat "$tmp/s.out")" = 52 ]; then ok "stat has 52 fields"; else bad "stat fields"; fi

	sandbox /usr/bin/nproc
	if cmp -s "$tmp/s.out" "$tmp/n_nproc"; then ok "nproc"; else bad "nproc"; fi
	if [ -x /usr/bin/getconf ]; then
		sandbox /usr/bin/getconf _NPROCESSORS_ONLN
		if cmp -s "$tmp/s.out" "$tmp/n_nproc"; then ok "getconf"; else bad "getconf"; fi
	fi

	if [ -x /usr/bin/python3 ]; then
		sandbox /usr/bin/python3 -c "import os; print(sorted(os.listdir('/proc/self/fd'), key=int))"
		if [ "$(cat "$tmp/s.out")" = "['0', '1', '2', '3']" ]; then
			ok "python3 listdir /proc/self/fd"
		else
			bad "python3 listdir /proc/self/fd"
		fi
	fi

	sandbox /usr/bin/env -i LC_ALL=C /bin/cat /proc/self/maps
	if [ "$(maps_files "$tmp/s.out")" = "$(maps_files "$tmp/n_maps")" ] &&
	   [ "$(maps_prog "$tmp/s.out")" = "$(maps_prog "$tmp/n_maps")" ] &&
	   [ -n "$(maps_prog "$tmp/s.out")" ]; then
		ok "cat /proc/self/maps: files and offsets"
	else
		bad "cat /proc/self/maps: files and offsets"
	fi

	if [ -x /usr/bin/ps ]; then
		sandbox /bin/sh -c '/bin/sleep 5 & /usr/bin/ps -o pid=,ppid=,comm= -p $!; kill $!'
		if grep -q "^ *[0-9]* *1 sleep$" "$tmp/s.out"; then ok "procps ps"; else bad "procps ps"; fi
	fi
	if [ -x /usr/bin/top ]; then
		sandbox /usr/bin/top -bn1
		if [ $? -eq 0 ] && grep -q "^top - " "$tmp/s.out" && grep -q "^Tasks:" "$tmp/s.out"; then
			ok "top -bn1"
		else
			bad "top -bn1"
		fi
	fi
done

echo "procfs_compare: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
