#!/bin/sh
# host_stdio.sh: signals interrupt a guest blocked reading the sandbox's
# host-backed stdin (a pipe from the host), natively and on each platform.
#
#   host_stdio.sh CVISOR PROG [PLATFORM...]
#
# PROG is the static host_stdio test program (src/host_stdio.c); its modes
# eintr, restart and die must give the same output and status as natively.
set -u
CVISOR=$1
PROG=$2
shift 2
dir=$(dirname "$PROG")
fails=0

# The guest creates $mk/armed when its alarm is set; the writer counts
# its two seconds from then (at most 30 s of waiting for it).
mk=$(mktemp -d "${TMPDIR:-/tmp}/host_stdio.XXXXXX")
trap 'rm -rf "$mk"' EXIT

run_mode() {	# run_mode LABEL MODE CMD...
	label=$1 mode=$2
	shift 2
	rm -f "$mk/armed"
	out=$( (i=0
		while [ ! -e "$mk/armed" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
		sleep 2; echo x; sleep 2) | timeout 60 "$@" "$mode" "$mk/armed" 2>&1)
	echo "$?:$out"
}

for mode in eintr restart die; do
	want=$(run_mode native "$mode" "$PROG")
	for platform in "$@"; do
		got=$(run_mode "$platform" "$mode" "$CVISOR" run --platform="$platform" \
		      -v "$dir:$dir:ro" -v "$mk:$mk" -- "$PROG")
		if [ "$got" = "$want" ]; then
			echo "ok: $mode on $platform: $got"
		else
			echo "FAIL: $mode on $platform: got [$got], natively [$want]"
			fails=$((fails + 1))
		fi
	done
done
[ "$fails" -eq 0 ]
