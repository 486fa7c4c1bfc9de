#!/bin/sh
# build_compare.sh: `make -j2` of a small C project (data/cproject) in a
# -v bind mount, gcc, cc1, as and ld all running in the sandbox; the build
# must succeed, its objects reach the host, and `make check` print what the
# native build prints.
#
#   build_compare.sh CVISOR [PLATFORM...]
#
# Exits 77 (skipped) when make or cc is missing.
set -u
CVISOR=$1
shift
LIMIT=${LIMIT:-300}
src=$(dirname "$(readlink -f "$0")")/data/cproject
for tool in make cc; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool not found"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

cp -r "$src" "$tmp/native"
want=$(cd "$tmp/native" && make -s -j2 >/dev/null 2>&1 && make -s check)
echo "native: $want"
for p in "$@"; do
	rm -rf "$tmp/$p"
	cp -r "$src" "$tmp/$p"
	got=$(timeout -k 5 "$LIMIT" "$CVISOR" run --platform="$p" -v "$tmp/$p:/src" --cwd /src \
	      -- /bin/sh -c 'make -s -j2 && make -s check' </dev/null 2>"$tmp/err")
	st=$?
	if [ "$st" -eq 0 ] && [ "$got" = "$want" ] && [ -x "$tmp/$p/prog" ] &&
	   [ "$("$tmp/$p/prog" 10 20 30)" = "$want" ]; then
		echo "ok [$p]: $got"
	else
		echo "FAIL [$p]: status $st, output [$got]"
		sed 's/^/  stderr| /' "$tmp/err" | head -n 20
		fails=$((fails + 1))
	fi
done
[ "$fails" -eq 0 ]
