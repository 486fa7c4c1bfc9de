#!/bin/sh
# run.sh: the runner of one syscall test (tests/syscalls/CMakeLists.txt).
#
#   run.sh EXPECTED_STATUS TIMEOUT_SECONDS -- COMMAND [ARGS...]
#
# Runs COMMAND with stdin from /dev/null, no core dumps, and a time limit;
# passes when its exit status is EXPECTED_STATUS (128+N means "killed by
# signal N", as the shell and `cvisor run` both report it), and fails with
# a message saying what happened otherwise.
set -u

if [ $# -lt 4 ] || [ "$3" != "--" ]; then
	echo "usage: $0 EXPECTED_STATUS TIMEOUT_SECONDS -- COMMAND [ARGS...]" >&2
	exit 2
fi
want=$1
limit=$2
shift 3

if [ ! -x "$1" ]; then
	echo "run.sh: FAIL: $1 is not an executable file (not built?)" >&2
	exit 1
fi

ulimit -c 0 2>/dev/null
# -k: if the command ignores SIGTERM, SIGKILL it 5 s later.
timeout -k 5 "$limit" "$@" </dev/null
got=$?

describe() {
	case $1 in
	124) echo "124 (timed out after ${limit} s)" ;;
	137) echo "137 (SIGKILL, or killed after the time limit)" ;;
	12[6-7]) echo "$1 (could not run the command)" ;;
	129|13[0-9]|14[0-9]|15[0-9]) echo "$1 (killed by signal $(($1 - 128)): $(kill -l $(($1 - 128)) 2>/dev/null || echo '?'))" ;;
	*) echo "$1" ;;
	esac
}

if [ "$got" -eq "$want" ]; then
	echo "run.sh: PASS: exit status $(describe "$got")"
	exit 0
fi
echo "run.sh: FAIL: exit status $(describe "$got"), want $(describe "$want"): $*" >&2
exit 1
