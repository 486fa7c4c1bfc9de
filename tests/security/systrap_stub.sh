#!/bin/sh
# systrap_stub.sh: a guest that jumps to the systrap stub's syscall
# instructions, trampolines and trampoline entry with hostile registers
# (mkdirat of a host path), and forges message-page reports, gets nothing
# a syscall would not give it: the host path never appears, the sentry
# survives (the guest's later syscalls work) and the guest exits 0.
#
#   systrap_stub.sh CVISOR GUEST [PLATFORM...]
set -u
CVISOR=$1
GUEST=$2
shift 2
[ $# -eq 0 ] && set -- default
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cp "$GUEST" "$tmp/guest"
failed=0
for p in "$@" systrap-nopatch; do
	case $p in
	default) plat= ;;
	systrap-nopatch) plat="--platform=systrap --systrap-patch=off" ;;
	*) plat=--platform=$p ;;
	esac
	target="$tmp/escaped-$p"
	timeout -k 5 120 "$CVISOR" run $plat -v "$tmp:$tmp:ro" -- "$tmp/guest" "$target" \
		>"$tmp/out" 2>&1
	st=$?
	if [ $st -ne 0 ]; then
		echo "FAIL ($p): guest exit status $st"
		cat "$tmp/out"
		failed=1
	elif [ -e "$target" ]; then
		echo "FAIL ($p): $target was created on the host"
		failed=1
	else
		echo "ok ($p): $(tail -1 "$tmp/out")"
	fi
done
exit $failed
