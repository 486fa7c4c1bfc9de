#!/bin/sh
# run.sh SRC BUILD CLANG RUNS: build the fuzz targets with clang in BUILD
# (-DCVISOR_FUZZ=ON) and run fuzz_syscalls for RUNS inputs from a fixed
# seed (a bounded run for CI; see the README for longer ones). Exit 77
# when clang is missing.
set -eu
SRC=$1 BUILD=$2 CLANG=$3 RUNS=$4
if [ -z "$CLANG" ] || [ ! -x "$CLANG" ]; then
	echo "SKIP: no clang"
	exit 77
fi
cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_C_COMPILER="$CLANG" -DCVISOR_FUZZ=ON >/dev/null
ninja -C "$BUILD" fuzz_syscalls >/dev/null
rm -rf "$BUILD/corpus-syscalls"
mkdir -p "$BUILD/corpus-syscalls"
ASAN_OPTIONS=detect_leaks=0 "$BUILD/tests/fuzz/fuzz_syscalls" -seed=1 -runs="$RUNS" \
	-max_len=4096 -len_control=0 -timeout=20 "$BUILD/corpus-syscalls"
