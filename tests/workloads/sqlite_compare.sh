#!/bin/sh
# sqlite_compare.sh: python3's sqlite3 on a -v bind mount, compared with a
# native run. The database lives in a host directory mounted at /work;
# a second process (python3 via subprocess) meets the first one's
# exclusive transaction ("database is locked": POSIX locks between
# processes), then writes once it is committed; rollback journal mode.
#
#   sqlite_compare.sh CVISOR [PLATFORM...]
#
# Exits 77 (skipped) without python3 or its sqlite3 module.
set -u
if [ $# -lt 1 ]; then
	echo "usage: $0 CVISOR [PLATFORM...]" >&2
	exit 2
fi
CVISOR=$1
shift
[ $# -eq 0 ] && set -- default
LIMIT=${LIMIT:-120}
if ! python3 -c 'import sqlite3' >/dev/null 2>&1; then
	echo "SKIP: python3 with sqlite3 not installed"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0

cat >"$tmp/prog.py" <<'PY'
import sqlite3, subprocess, sys
CHILD = """
import sqlite3
c = sqlite3.connect('t.db', timeout=0, isolation_level=None)
try:
    c.execute('insert into t values(3)')
    print('child wrote')
except sqlite3.OperationalError as e:
    print('child:', e)
"""
c = sqlite3.connect("t.db")
c.execute("create table t(x)")
c.execute("insert into t values(1)")
c.commit()
print(c.execute("select * from t").fetchall())
c.execute("begin exclusive")
c.execute("insert into t values(2)")
r = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True)
print(r.stdout.strip(), r.returncode)
c.commit()
r = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True)
print(r.stdout.strip(), r.returncode)
print(sorted(c.execute("select * from t").fetchall()))
print(c.execute("pragma integrity_check").fetchall())
c.close()
PY

mkdir "$tmp/native"
(cd "$tmp/native" && timeout -k 5 "$LIMIT" python3 "$tmp/prog.py") >"$tmp/n.out" 2>&1
nst=$?
for p in "$@"; do
	d="$tmp/sbx-$p"
	mkdir "$d"
	cp "$tmp/prog.py" "$d/prog.py"
	pflag=
	[ "$p" = default ] || pflag=--platform=$p
	timeout -k 5 "$LIMIT" "$CVISOR" run $pflag -v "$d:/work" --cwd /work -- python3 prog.py \
		</dev/null >"$tmp/s.out" 2>&1
	sst=$?
	if [ $sst -ne $nst ] || ! cmp -s "$tmp/n.out" "$tmp/s.out"; then
		failed=$((failed + 1))
		echo "FAIL [$p] sqlite: status $sst (native $nst)"
		diff -u "$tmp/n.out" "$tmp/s.out" | head -n 40 | sed 's/^/  | /'
	elif [ ! -s "$d/t.db" ]; then
		failed=$((failed + 1))
		echo "FAIL [$p] sqlite: t.db did not reach the host"
	else
		echo "ok [$p] sqlite"
	fi
done
cat "$tmp/n.out"
[ $failed -eq 0 ]
