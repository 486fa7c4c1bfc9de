#!/bin/sh
# busybox_compare.sh: busybox applets, and shell pipelines of them, run
# natively and in the sandbox; their stdout and exit status must be
# identical.
#
#   busybox_compare.sh CVISOR [PLATFORM...]
#
# CVISOR is the cvisor binary; each PLATFORM (e.g. ptrace) is passed as
# --platform=PLATFORM to `cvisor run`; with none, cvisor's default is used.
# The busybox binary is $BUSYBOX (default /bin/busybox, Debian's
# busybox-static); exits 77 (skipped) when it is missing. Exits 1 if any
# comparison fails, after running them all.
set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 CVISOR [PLATFORM...]" >&2
	exit 2
fi
CVISOR=$1
shift
BUSYBOX=${BUSYBOX:-/bin/busybox}
LIMIT=${LIMIT:-30}

if [ ! -x "$BUSYBOX" ]; then
	echo "SKIP: $BUSYBOX not found (install busybox-static)"
	exit 77
fi
if [ ! -x "$CVISOR" ]; then
	echo "FAIL: $CVISOR is not an executable file (not built?)"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
ulimit -c 0 2>/dev/null

if [ $# -eq 0 ]; then
	set -- default
fi
platforms="$*"

passed=0
failed=0

# native ARGS...: runs busybox ARGS natively into $tmp/n.out, status $nst.
native() {
	timeout -k 5 "$LIMIT" "$BUSYBOX" "$@" </dev/null >"$tmp/n.out" 2>"$tmp/n.err"
	nst=$?
}

# sandbox PLATFORM ARGS...: the same in the sandbox into $tmp/s.out, $sst.
sandbox() {
	p=$1
	shift
	if [ "$p" = default ]; then
		timeout -k 5 "$LIMIT" "$CVISOR" run -- "$BUSYBOX" "$@" \
			</dev/null >"$tmp/s.out" 2>"$tmp/s.err"
	else
		timeout -k 5 "$LIMIT" "$CVISOR" run --platform="$p" -- "$BUSYBOX" "$@" \
			</dev/null >"$tmp/s.out" 2>"$tmp/s.err"
	fi
	sst=$?
}

fail() {
	failed=$((failed + 1))
	printf 'FAIL [%s] busybox %s: %s\n' "$1" "$2" "$3"
	echo "  --- stdout: native (status $nst) vs sandbox (status $sst)"
	diff -u "$tmp/n.out" "$tmp/s.out" | tail -n +3 | head -n 40 | sed 's/^/  | /'
	echo "  --- sandbox stderr"
	sed 's/^/  | /' "$tmp/s.err" | head -n 20
}

# compare ARGS...: busybox ARGS natively and on every platform.
compare() {
	native "$@"
	for p in $platforms; do
		sandbox "$p" "$@"
		if [ "$sst" -ne "$nst" ]; then
			fail "$p" "$*" "exit status $sst, native $nst"
		elif ! cmp -s "$tmp/n.out" "$tmp/s.out"; then
			fail "$p" "$*" "stdout differs"
		else
			passed=$((passed + 1))
			printf 'ok   [%s] busybox %s (status %s)\n' "$p" "$*" "$sst"
		fi
	done
}

# expect_native STATUS ARGS...: the native run itself must give STATUS
# (guards the comparisons against a busybox that behaves unexpectedly).
expect_native() {
	want=$1
	shift
	native "$@"
	if [ "$nst" -ne "$want" ]; then
		failed=$((failed + 1))
		printf 'FAIL [native] busybox %s: exit status %s, want %s\n' "$*" "$nst" "$want"
	fi
}

compare echo hello
compare echo -n no newline
compare echo -e 'a\tb\\nc'
compare printf '%s-%d\n' a 5
compare printf '%05.1f|%x|%o|%c|%%|%10s|%-4d|\n' 3.14159 255 8 zebra right 7
many=""
i=1
while [ $i -le 100 ]; do
	many="$many w$i $i"
	i=$((i + 1))
done
# shellcheck disable=SC2086
compare printf '%s=%d;' $many
compare seq 1 100
compare seq 5 -1 1
compare seq -s , 1 10
compare expr 6 '*' 7
compare expr length hello
compare expr substr hello 2 3
compare expr 7 / 0
compare expr 1 = 2
compare true
compare false
expect_native 1 false
compare sleep 0.1
compare basename /a/b/c
compare basename /a/b/c.txt .txt
compare dirname /a/b/c
compare factor 360
compare factor 1000000007 4294967296
compare test 3 -gt 2
compare test 2 -gt 3
expect_native 1 test 2 -gt 3

# Pipelines: busybox sh with pipes between processes (programs are named
# by absolute path).
compare sh -c "echo hi | $BUSYBOX cat; $BUSYBOX seq 1000 | $BUSYBOX sort -r | $BUSYBOX head -3"
compare sh -c "$BUSYBOX seq 200000 | $BUSYBOX wc -l"
compare sh -c "$BUSYBOX seq 100000 | $BUSYBOX head -2; echo status \$?"

# uname: the sandbox reports its own release and hostname, so only the
# system and machine names are compared; `uname -a` must run and say Linux.
compare uname -s -m
for p in $platforms; do
	native uname -a
	sandbox "$p" uname -a
	if [ "$sst" -ne 0 ]; then
		fail "$p" "uname -a" "exit status $sst"
	elif ! head -n 1 "$tmp/s.out" | grep -q '^Linux '; then
		fail "$p" "uname -a" "output does not start with \"Linux \""
	else
		passed=$((passed + 1))
		printf 'ok   [%s] busybox uname -a: %s\n' "$p" "$(cat "$tmp/s.out")"
	fi
done

echo "busybox_compare: $passed passed, $failed failed (platforms: $platforms)"
[ "$failed" -eq 0 ]
