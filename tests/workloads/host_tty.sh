#!/bin/sh
# host_tty.sh: terminal ioctls on a host pseudo-terminal given to the
# sandbox as its stdio (src/host_tty.c), natively and on each platform.
#
#   host_tty.sh CVISOR PROG [PLATFORM...]
#
# Each run gets a new pty from python3's pty module (the program is the
# session leader and the pty its controlling terminal); output and exit
# status must match the native run. Exits 77 (skipped) without python3.
set -u
CVISOR=$1
PROG=$2
shift 2
dir=$(dirname "$PROG")
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }

on_pty() {
	timeout 60 python3 -c '
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
print("status", os.waitstatus_to_exitcode(st))
' "$@"
}

want=$(on_pty "$PROG")
echo "native: $want"
fails=0
for platform in "$@"; do
	got=$(on_pty "$CVISOR" run --platform="$platform" -v "$dir:$dir:ro" -- "$PROG")
	if [ "$got" = "$want" ]; then
		echo "ok: $platform"
	else
		echo "FAIL: $platform: $got"
		fails=$((fails + 1))
	fi
done
[ "$fails" -eq 0 ]
