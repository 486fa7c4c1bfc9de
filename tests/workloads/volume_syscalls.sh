#!/bin/sh
# tests/workloads/volume_syscalls.sh CVISOR DIR PLATFORMS -- TEST...: file
# syscall tests (tests/syscalls, programs sc_TEST in DIR) on a -v mount.
# Each test makes its scratch directory under $VOL_DIR (tmpdir.h): it
# runs natively with VOL_DIR in one host directory, then in the sandbox
# on each platform (a ;-list) with another bind-mounted at /vol. Every
# run must pass, print what the native run printed (fallocate_file
# prints each step's outcome, so the host file system's answers must
# come through the gofer unchanged), and leave its directory empty.
set -u
cvisor=$1 dir=$2 plats=$3
shift 4
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
fail=0
for t in "$@"; do
	prog="$dir/sc_$t"
	mkdir "$work/native"
	if ! VOL_DIR="$work/native" "$prog" >"$work/native.out" 2>&1; then
		echo "FAIL [$t]: the native run failed"
		cat "$work/native.out"
		fail=1
	fi
	rm -rf "$work/native"
	for plat in $(echo "$plats" | tr ';' ' '); do
		mkdir "$work/vol"
		if ! "$cvisor" run --platform="$plat" -v "$work/vol:/vol" -v "$dir:$dir:ro" \
			--env=VOL_DIR=/vol -- "$prog" >"$work/vol.out" 2>&1; then
			echo "FAIL [$t $plat]: the sandbox run failed"
			cat "$work/vol.out"
			fail=1
		elif ! cmp -s "$work/native.out" "$work/vol.out"; then
			echo "FAIL [$t $plat]: output differs from the native run's"
			diff "$work/native.out" "$work/vol.out" | head -20
			fail=1
		elif [ -n "$(ls -A "$work/vol")" ]; then
			echo "FAIL [$t $plat]: left files behind: $(ls -A "$work/vol")"
			fail=1
		fi
		rm -rf "$work/vol"
	done
done
[ $fail = 0 ] && echo "volume_syscalls: ok"
exit $fail
