#!/bin/sh
# jobctl_compare.sh: bash job control in the sandbox against a native run.
#
#   jobctl_compare.sh CVISOR [PLATFORM...]
#
# Scripts run with `bash --norc -c` (no rc files: the sandbox's stdin
# is not a socket, but bash's ssh check would otherwise read bashrc):
# 1. sleep stopped with SIGSTOP, listed by jobs -l, continued, killed;
# 2. the same under `set -m`: bash sees the stop through waitpid
#    (WUNTRACED) and reports "Stopped (signal)", then the continue
#    (WCONTINUED) and the SIGTERM status 143.
# Job pids are replaced by PID before comparing. Exits 77 (skipped)
# without bash.
set -u
if [ $# -lt 1 ]; then
	echo "usage: $0 CVISOR [PLATFORM...]" >&2
	exit 2
fi
CVISOR=$1
shift
[ $# -eq 0 ] && set -- default
LIMIT=${LIMIT:-60}
BASH=$(command -v bash) || { echo "SKIP: bash not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0
norm='s/^(\[[0-9]+\][+-]?) +[0-9]+ /\1 PID /'

compare() {	# compare NAME SCRIPT
	name=$1
	script=$2
	"$BASH" --norc -c "$script" </dev/null 2>&1 | sed -E "$norm" >"$tmp/n.out"
	for p in $platforms; do
		if [ "$p" = default ]; then
			timeout -k 5 "$LIMIT" "$CVISOR" run -- "$BASH" --norc -c "$script" \
				</dev/null 2>&1 | sed -E "$norm" >"$tmp/s.out"
		else
			timeout -k 5 "$LIMIT" "$CVISOR" run --platform="$p" -- "$BASH" --norc -c "$script" \
				</dev/null 2>&1 | sed -E "$norm" >"$tmp/s.out"
		fi
		if cmp -s "$tmp/n.out" "$tmp/s.out"; then
			echo "ok   [$p] $name"
		else
			failed=$((failed + 1))
			echo "FAIL [$p] $name"
			diff -u "$tmp/n.out" "$tmp/s.out" | head -n 40 | sed 's/^/  | /'
		fi
	done
}

platforms="$*"
compare "stop, jobs -l, continue, kill" \
	'sleep 10 & kill -STOP $!; jobs -l; kill -CONT $!; kill $!; wait; echo rc=$?'
compare "set -m: stopped, continued, terminated" \
	'set -m; sleep 10 & pid=$!; kill -STOP $pid; sleep 1; jobs -l; kill -CONT $pid; sleep 1; jobs -l; kill $pid; wait $pid; echo status=$?'
[ "$failed" -eq 0 ] || { echo "$failed comparison(s) failed"; exit 1; }
exit 0
