#!/bin/sh
# rootfs_compare.sh: the host's programs (dynamically linked) run on the
# gofer-served root and their output is compared with a native run.
#
#   rootfs_compare.sh CVISOR [PLATFORM...]
#
# 1. `ls -la /`: identical but for the lines of the sandbox's own mounts
#    (dev, proc, sys, tmp) and the "total" line.
# 2. coreutils (cat, cp, mv, rm, mkdir, find, grep, sed, sort, tar, gzip)
#    on a scratch directory (no pipes: listings go through files and sort,
#    as directory order differs between file systems): natively under a mktemp dir, in the sandbox
#    under its tmpfs /tmp; stdout and status must be the same.
# 3. Files the guest writes outside /tmp (on the overlay) never reach the
#    host.
# Exits 77 (skipped) when /bin/ls or a coreutil is missing.
set -u
if [ $# -lt 1 ]; then
	echo "usage: $0 CVISOR [PLATFORM...]" >&2
	exit 2
fi
CVISOR=$1
shift
[ $# -eq 0 ] && set -- default
LIMIT=${LIMIT:-60}
for p in ls cat cp mv rm mkdir find grep sed sort tar gzip sh; do
	if ! command -v $p >/dev/null 2>&1; then
		echo "SKIP: $p not installed"
		exit 77
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0

run() {	# run PLATFORM ARGS... -> $tmp/s.out, $sst
	p=$1
	shift
	if [ "$p" = default ]; then
		timeout -k 5 "$LIMIT" "$CVISOR" run -- "$@" </dev/null >"$tmp/s.out" 2>"$tmp/s.err"
	else
		timeout -k 5 "$LIMIT" "$CVISOR" run --platform="$p" -- "$@" \
			</dev/null >"$tmp/s.out" 2>"$tmp/s.err"
	fi
	sst=$?
}

fail() {
	failed=$((failed + 1))
	echo "FAIL [$1] $2"
	diff -u "$tmp/n.out" "$tmp/s.out" | head -n 40 | sed 's/^/  | /'
	sed 's/^/  stderr| /' "$tmp/s.err" | head -n 20
}

# 1. ls -la /
# Column widths depend on every entry (natively /proc's link count grows
# with the number of host processes): compare with runs of spaces squeezed.
filter='/^total /d; / \(dev\|proc\|sys\|tmp\)$/d; s/  */ /g'
LC_ALL=C ls -la / 2>/dev/null | sed "$filter" >"$tmp/n.out"
nst=$?
for p in "$@"; do
	run "$p" /usr/bin/env LC_ALL=C /bin/ls -la /
	sed -i "$filter" "$tmp/s.out"
	if [ "$sst" -ne 0 ] || ! cmp -s "$tmp/n.out" "$tmp/s.out"; then
		fail "$p" "ls -la / (status $sst)"
	fi
done

# 2. coreutils on a scratch directory ($1 is the directory).
cat >"$tmp/cu.sh" <<'SCRIPT'
set -e
export LC_ALL=C
mkdir -p "$1/w/sub/deeper"
cd "$1/w"
printf 'pear\napple\nfig\nbanana\n' > fruits
printf 'one two\nthree four\n' > sub/words
cat fruits sub/words
cp fruits fruits.copy
cp -r sub sub2
mv fruits.copy sub2/moved
sort fruits
sort -r sub2/moved
grep -n an fruits
grep -r four . > ../l; sort ../l
sed -e 's/p/P/g' -e '/fig/d' fruits
find . > ../l; sort ../l
find . -type f -name '*o*' > ../l; sort ../l
tar cf ../w.tar .
mkdir ../x
tar xf ../w.tar -C ../x
tar tf ../w.tar > ../l; sort ../l
cat ../x/sub2/moved
gzip -9 fruits
gzip -t fruits.gz
gzip -d fruits.gz
cat fruits
rm -r sub2
rm fruits
find . > ../l; sort ../l
cd ..
rm -r w x w.tar l
ls -A
echo done
SCRIPT
mkdir "$tmp/native"
sh "$tmp/cu.sh" "$tmp/native" >"$tmp/n.out" 2>"$tmp/n.err"
nst=$?
for p in "$@"; do
	# The script is fed on the command line: the host's $tmp is in the
	# host /tmp, which the sandbox's tmpfs /tmp hides.
	run "$p" /bin/sh -c "$(cat "$tmp/cu.sh")" cu /tmp/cu
	if [ "$sst" -ne "$nst" ] || ! cmp -s "$tmp/n.out" "$tmp/s.out"; then
		fail "$p" "coreutils (status $sst, native $nst)"
	fi
done

# 3. Writes outside /tmp stay in the sandbox.
mark=cvisor-overlay-$$
for p in "$@"; do
	run "$p" /bin/sh -c "echo y > /etc/$mark; cat /etc/$mark; mkdir /$mark; echo z > /$mark/f; cat /$mark/f"
	printf 'y\nz\n' >"$tmp/n.out"
	if [ "$sst" -ne 0 ] || ! cmp -s "$tmp/n.out" "$tmp/s.out"; then
		fail "$p" "writing the overlay (status $sst)"
	fi
	if [ -e "/etc/$mark" ] || [ -e "/$mark" ]; then
		fail "$p" "a guest write reached the host"
		rm -rf "/etc/$mark" "/$mark"
	fi
done

if [ $failed -ne 0 ]; then
	echo "$failed comparison(s) failed"
	exit 1
fi
echo "rootfs: all comparisons passed"
