#!/bin/sh
# run.sh SRC BUILD CLANG TARGET RUNS: build the fuzz target fuzz_TARGET
# with clang in BUILD (-DCVISOR_FUZZ=ON) and run it for RUNS inputs from a
# fixed seed (a bounded run for CI; see the README for longer ones). Exit
# 77 when clang is missing.
set -eu
SRC=$1 BUILD=$2 CLANG=$3 TARGET=$4 RUNS=$5
if [ -z "$CLANG" ] || [ ! -x "$CLANG" ]; then
	echo "SKIP: no clang"
	exit 77
fi
cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_C_COMPILER="$CLANG" -DCVISOR_FUZZ=ON >/dev/null
ninja -C "$BUILD" "fuzz_$TARGET" >/dev/null
rm -rf "$BUILD/corpus-$TARGET"
mkdir -p "$BUILD/corpus-$TARGET"
ASAN_OPTIONS=detect_leaks=0 "$BUILD/tests/fuzz/fuzz_$TARGET" -seed=1 -runs="$RUNS" \
	-max_len=4096 -len_control=0 -timeout=20 "$BUILD/corpus-$TARGET"
