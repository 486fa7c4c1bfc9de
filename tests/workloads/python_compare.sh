#!/bin/sh
# python_compare.sh: python3 programs run natively and in the sandbox
# must print the same: a multiprocessing pool and queue (fork, semaphores
# in /dev/shm through shared file mappings, pipes), threads, and
# subprocess. (sqlite3 on a -v mount is sqlite_compare.sh.)
#
#   python_compare.sh CVISOR [PLATFORM...]
#
# Exits 77 (skipped) when python3 is missing.
set -u
CVISOR=$1
shift
LIMIT=${LIMIT:-120}
PY=$(command -v python3) || { echo "SKIP: python3 not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

# NAME and program text, one per case.
cat >"$tmp/pool.py" <<'PYEOF'
import multiprocessing as m
if __name__ == "__main__":
    with m.Pool(4) as p:
        print(p.map(abs, range(-8, 0)))
    q = m.Queue()
    pr = m.Process(target=q.put, args=("from child",))
    pr.start(); print(q.get()); pr.join(); print("exitcode", pr.exitcode)
PYEOF
cat >"$tmp/threads.py" <<'PYEOF'
import threading, queue
q = queue.Queue()
def work(n):
    q.put(sum(range(n)))
ts = [threading.Thread(target=work, args=(i * 1000,)) for i in range(8)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(q.get() for _ in ts))
PYEOF
cat >"$tmp/subproc.py" <<'PYEOF'
import subprocess
r = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 3"], capture_output=True, text=True)
print(r.returncode, r.stdout.strip(), r.stderr.strip())
print(subprocess.check_output(["seq", "3"], text=True).split())
PYEOF

for case in pool threads subproc; do
	mkdir -p "$tmp/n-$case"
	want=$(cd "$tmp/n-$case" && timeout "$LIMIT" "$PY" "$tmp/$case.py" 2>&1; echo "status $?")
	for p in "$@"; do
		mkdir -p "$tmp/$p-$case"
		got=$(timeout -k 5 "$LIMIT" "$CVISOR" run --platform="$p" -v "$tmp:$tmp" \
		      --cwd "$tmp/$p-$case" -- "$PY" "$tmp/$case.py" </dev/null 2>&1; echo "status $?")
		if [ "$got" = "$want" ]; then
			echo "ok [$p] $case"
		else
			echo "FAIL [$p] $case: got:"
			echo "$got" | head -n 20 | sed 's/^/  | /'
			echo "  natively: $want"
			fails=$((fails + 1))
		fi
	done
done
[ "$fails" -eq 0 ]
