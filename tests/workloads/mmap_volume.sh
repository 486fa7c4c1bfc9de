#!/bin/sh
# tests/workloads/mmap_volume.sh CVISOR PROGRAM PLATFORM...: shared
# writable mappings of a -v host file reach the host: PROGRAM
# (sc_mmap_file_sync) runs natively in one host directory and in the
# sandbox on each platform with another bind-mounted at /vol; the files it
# leaves ("mapped.dat", written through mappings) must be identical.
set -u
cvisor=$1 prog=$2
shift 2
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/native"
if ! MMAP_DIR="$work/native" "$prog" >/dev/null; then
	echo "FAIL: native run"
	exit 1
fi
fail=0
for plat in "$@"; do
	rm -rf "$work/vol"
	mkdir "$work/vol"
	if ! "$cvisor" run --platform="$plat" -v "$work/vol:/vol" \
		-v "$(dirname "$prog"):$(dirname "$prog"):ro" --env=MMAP_DIR=/vol \
		-- "$prog" >/dev/null; then
		echo "FAIL [$plat]: the program failed in the sandbox"
		fail=1
		continue
	fi
	if ! cmp "$work/native/mapped.dat" "$work/vol/mapped.dat"; then
		echo "FAIL [$plat]: the host file differs from the native run's"
		od -c "$work/vol/mapped.dat" | head -20
		fail=1
	fi
done
[ $fail = 0 ] && echo "mmap_volume: ok"
exit $fail
