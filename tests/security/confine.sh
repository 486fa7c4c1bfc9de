#!/bin/sh
# confine.sh: the sandbox's walls, from a hostile guest (escape.c, raw
# syscall instructions) and from the host's side.
#
#   confine.sh CVISOR ESCAPE [PLATFORM...]
#
# Each check runs on every platform, in a tiny root (--root: the escape
# program only) with a -v mount, and asserts that nothing reached the host:
#  - open: openat of /etc/shadow, of a host file outside the root by its
#    host path, and through /proc/1/root and /proc/self/root: all fail;
#  - socket: a host AF_UNIX socket reachable by name through -v and a host
#    TCP listener on 127.0.0.1: no connection arrives;
#  - ptrace: attaching to every pid up to 4096 fails;
#  - kill: kill(-1, SIGKILL) and kill of every pid: a host process lives;
#  - write: writes through -v symlinks to outside land nowhere;
#  - forkbomb (--pids=32): fork stops with EAGAIN below the cap;
#  - malloc (--memory=64m): 64 GiB of malloc, touched: NULL or SIGKILL,
#    the sentry survives;
#  - fds: 100000 open fds: EMFILE at worst, no crash;
#  - a corrupt ELF: exit 126 with one line;
#  - signals: 10000 signals to itself, all handled;
#  - the running sentry seen from the host: Seccomp 2, NoNewPrivs 1,
#    CapEff 0, an empty root, no fd but the expected ones (an fd the
#    launcher's caller leaked, 9, must not reach it); every process under
#    it (stubs, the zygote) filtered with the sentry's filter under its
#    own, NoNewPrivs 1; the gofer: Seccomp 2, NoNewPrivs 1;
#  - a forbidden host syscall (hidden --testonly-forbidden-syscall) kills
#    the sentry with a one-line "sandbox failure" naming it: socket (not
#    in the whitelist), and mmap and mprotect with PROT_EXEC, and
#    execveat, made by the sentry's own code (only the platform's paths
#    may);
#  - exec: the guest's own executable memory (mmap, mprotect PROT_EXEC,
#    in a forked child too) still works: the platform's paths may;
#  - bad --memory, --pids, --cpus values: one line, exit 2.
set -u
CVISOR=$1
ESCAPE=$2
shift 2
[ $# -eq 0 ] && set -- default
tmp=$(mktemp -d)
sentinel=
listener=
cleanup() {
	[ -n "$sentinel" ] && kill "$sentinel" 2>/dev/null
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
mkdir -p "$tmp/root/bin" "$tmp/root/etc" "$tmp/root/dev" "$tmp/vol" "$tmp/outside"
cp "$ESCAPE" "$tmp/root/bin/escape"
echo HOSTSECRET-$$ > "$tmp/secret"
ln -s "$tmp/outside" "$tmp/vol/abs"
ln -s ../outside "$tmp/vol/rel"
printf '\177ELF\002\001\001\000garbage-garbage-garbage-garbage-garbage' > "$tmp/root/bin/corrupt"
chmod +x "$tmp/root/bin/corrupt"
failed=0
fail() {
	echo "FAIL [$1]: $2"
	[ -f "$tmp/err" ] && sed 's/^/  | /' "$tmp/err" | head -n 20
	failed=1
}

# run PLATFORM [FLAGS...] -- ARGS: the sandbox, status in $st.
run() {
	p=$1
	shift
	plat=
	[ "$p" = default ] || plat=--platform=$p
	timeout -k 5 300 "$CVISOR" run $plat --root "$tmp/root" -v "$tmp/vol:/vol" "$@" \
		</dev/null >"$tmp/out" 2>"$tmp/err"
	st=$?
}

# A host listener: AF_UNIX in the -v directory and TCP on loopback; any
# connection is written down in $tmp/connected.
port=
if command -v python3 >/dev/null 2>&1; then
	python3 - "$tmp" <<'PY' &
import os, select, socket, sys
tmp = sys.argv[1]
u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
u.bind(os.path.join(tmp, "vol", "host.sock")); u.listen(8)
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.bind(("127.0.0.1", 0)); t.listen(8)
open(os.path.join(tmp, "port.tmp"), "w").write(str(t.getsockname()[1]))
os.rename(os.path.join(tmp, "port.tmp"), os.path.join(tmp, "port"))
while True:
    r, _, _ = select.select([u, t], [], [])
    for s in r:
        c, _ = s.accept()
        open(os.path.join(tmp, "connected"), "a").write("yes\n")
        c.close()
PY
	listener=$!
	while [ ! -f "$tmp/port" ] && kill -0 "$listener" 2>/dev/null; do sleep 0.05; done
	[ -f "$tmp/port" ] && port=$(cat "$tmp/port")
fi

sleep 300 &
sentinel=$!

for p in "$@"; do
	run "$p" -- /bin/escape open /etc/shadow "$tmp/secret" "/proc/1/root$tmp/secret" \
		/proc/self/root/etc/shadow "/proc/1/cwd$tmp/secret" /vol/abs/../../secret
	[ "$st" -eq 0 ] || fail "$p" "open: status $st"
	grep -q HOSTSECRET "$tmp/out" "$tmp/err" && fail "$p" "open: the host's secret leaked"

	if [ -n "$port" ]; then
		run "$p" -- /bin/escape socket /vol/host.sock "$port"
		[ "$st" -eq 0 ] || fail "$p" "socket: status $st"
		[ -f "$tmp/connected" ] && fail "$p" "socket: a connection reached the host listener"
	fi

	run "$p" -- /bin/escape ptrace 4096
	[ "$st" -eq 0 ] || fail "$p" "ptrace: status $st"

	run "$p" -- /bin/escape kill
	[ "$st" -eq 0 ] || fail "$p" "kill: status $st"
	kill -0 "$sentinel" 2>/dev/null || fail "$p" "kill: a host process died"

	run "$p" -- /bin/escape write /vol/abs/f1 /vol/rel/f2 /vol/abs/../f3
	[ "$st" -eq 0 ] || fail "$p" "write: status $st"
	[ -z "$(ls -A "$tmp/outside")" ] || fail "$p" "write: a file appeared outside the -v mount: $(ls -A "$tmp/outside")"

	run "$p" --pids=32 -- /bin/escape forkbomb
	if [ "$st" -ne 0 ]; then
		fail "$p" "forkbomb: status $st"
	else
		n=$(sed -n 's/^forked //p' "$tmp/out")
		[ -n "$n" ] && [ "$n" -lt 32 ] || fail "$p" "forkbomb: forked '$n' with --pids=32"
	fi

	run "$p" --memory=64m -- /bin/escape malloc
	[ "$st" -eq 0 ] || [ "$st" -eq 137 ] || fail "$p" "malloc: status $st (want 0 or 137)"
	grep -q "sentry died\|sandbox failure" "$tmp/err" && fail "$p" "malloc: the sentry failed"

	run "$p" -- /bin/escape fds
	[ "$st" -eq 0 ] || fail "$p" "fds: status $st"

	run "$p" -- /bin/corrupt
	[ "$st" -eq 126 ] || fail "$p" "corrupt ELF: status $st (want 126)"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$p" "corrupt ELF: want one line on stderr"

	run "$p" -- /bin/escape signals
	[ "$st" -eq 0 ] || fail "$p" "signals: status $st"

	# The sentry and the gofer seen from the host while the guest waits.
	rm -f "$tmp/vol/ready" "$tmp/vol/go"
	plat=
	[ "$p" = default ] || plat=--platform=$p
	( exec 9>"$tmp/leaked-fd"; exec "$CVISOR" run $plat --root "$tmp/root" -v "$tmp/vol:/vol" \
		-- /bin/escape wait /vol/ready /vol/go </dev/null >"$tmp/out" 2>"$tmp/err" ) &
	launcher=$!
	while [ ! -f "$tmp/vol/ready" ] && kill -0 "$launcher" 2>/dev/null; do sleep 0.05; done
	sentry= gofer=
	for c in $(cat /proc/$launcher/task/*/children 2>/dev/null); do
		case "$(tr '\0' ' ' </proc/$c/cmdline 2>/dev/null)" in
		"cvisor sentry "*) sentry=$c ;;
		"cvisor gofer "*) gofer=$c ;;
		esac
	done
	if [ -z "$sentry" ] || [ -z "$gofer" ]; then
		fail "$p" "status: no sentry or gofer under the launcher"
	else
		s=/proc/$sentry/status
		grep -q '^Seccomp:[[:space:]]*2$' $s || fail "$p" "sentry: $(grep ^Seccomp: $s)"
		grep -q '^NoNewPrivs:[[:space:]]*1$' $s || fail "$p" "sentry: $(grep ^NoNewPrivs: $s)"
		grep -q '^CapEff:[[:space:]]*0000000000000000$' $s || fail "$p" "sentry: $(grep ^CapEff: $s)"
		grep -q '^CapPrm:[[:space:]]*0000000000000000$' $s || fail "$p" "sentry: $(grep ^CapPrm: $s)"
		for t in /proc/$sentry/task/*/status; do
			grep -q '^CapEff:[[:space:]]*0000000000000000$' $t || fail "$p" "a sentry thread has capabilities ($t)"
			grep -q '^Seccomp:[[:space:]]*2$' $t || fail "$p" "a sentry thread is not filtered ($t)"
		done
		# Its stubs (and the zygote) run under its filter too, even those
		# started before it loaded the filter on itself: under its own, a
		# systrap stub (map thread and guest threads) has two.
		for c in $(cat /proc/$sentry/task/*/children 2>/dev/null); do
			cs=/proc/$c/status
			[ -r $cs ] || continue
			sc=$(awk '/^Seccomp:/{print $2}' $cs)
			nf=$(awk '/^Seccomp_filters:/{print $2}' $cs)
			th=$(awk '/^Threads:/{print $2}' $cs)
			grep -q '^NoNewPrivs:[[:space:]]*1$' $cs || fail "$p" "process $c under the sentry: no NoNewPrivs"
			[ "$sc" = 1 ] && continue	# strict mode (the memory keeper)
			[ "$sc" = 2 ] || { fail "$p" "process $c under the sentry is not filtered (Seccomp $sc)"; continue; }
			want=1
			[ "$p" != ptrace ] && [ "$th" -ge 2 ] && want=2
			[ "$nf" -ge "$want" ] || fail "$p" "stub $c runs without the sentry's filter ($nf filters, $th threads)"
		done
		[ -z "$(ls -A /proc/$sentry/root/ 2>&1)" ] || fail "$p" "sentry: its root is not empty: $(ls -A /proc/$sentry/root/ 2>&1 | head -3)"
		for f in /proc/$sentry/fd/*; do
			l=$(readlink "$f")
			case "$l" in
			/dev/null|"$tmp/out"|"$tmp/err"|socket:*|pipe:*|"/memfd:cvisor-memory"*) ;;
			"/memfd:cvisor-stub"*) ;;	# systrap's stub image, sealed
			"anon_inode:[eventpoll]") ;;	# host stdio readiness (fs/host/host_notify.c)
			"$tmp/root/bin/escape"|/bin/escape|"$tmp/vol"/*) ;;
			*) fail "$p" "sentry holds an unexpected fd ${f##*/} -> $l" ;;
			esac
		done
		g=/proc/$gofer/status
		grep -q '^Seccomp:[[:space:]]*2$' $g || fail "$p" "gofer: $(grep ^Seccomp: $g)"
		grep -q '^NoNewPrivs:[[:space:]]*1$' $g || fail "$p" "gofer: $(grep ^NoNewPrivs: $g)"
		for f in /proc/$gofer/fd/*; do
			[ "$(readlink "$f")" = "$tmp/leaked-fd" ] && fail "$p" "the gofer holds a leaked fd"
		done
		# Namespaces: none of the host's; the net, ipc, uts and cgroup
		# ones shared by the sentry, the gofer and every sentry thread
		# and stub (the launcher hands the net one over after the
		# clones: each must have joined it).
		for n in mnt pid net ipc uts cgroup; do
			host=$(readlink /proc/self/ns/$n)
			[ "$(readlink /proc/$sentry/ns/$n)" != "$host" ] || fail "$p" "sentry: in the host's $n namespace"
			[ "$(readlink /proc/$gofer/ns/$n)" != "$host" ] || fail "$p" "gofer: in the host's $n namespace"
		done
		for n in net ipc uts cgroup; do
			[ "$(readlink /proc/$sentry/ns/$n)" = "$(readlink /proc/$gofer/ns/$n)" ] ||
				fail "$p" "the sentry and the gofer are in different $n namespaces"
		done
		snet=$(readlink /proc/$sentry/ns/net)
		for t in /proc/$sentry/task/*; do
			[ "$(readlink $t/ns/net)" = "$snet" ] || fail "$p" "sentry thread ${t##*/}: not in the sandbox's net namespace"
		done
		for c in $(cat /proc/$sentry/task/*/children 2>/dev/null); do
			for t in /proc/$c/task/*; do
				[ -e $t/ns/net ] || continue
				[ "$(readlink $t/ns/net)" = "$snet" ] || fail "$p" "process $c under the sentry: not in the sandbox's net namespace"
			done
		done
	fi
	touch "$tmp/vol/go"
	wait "$launcher"
	st=$?
	[ "$st" -eq 0 ] || fail "$p" "status: the waiting guest ended with $st"

	run "$p" --testonly-forbidden-syscall -- /bin/escape open
	[ "$st" -eq 125 ] || fail "$p" "forbidden host syscall: status $st (want 125)"
	grep -q "sandbox failure: sentry made a forbidden host syscall socket$" "$tmp/err" ||
		fail "$p" "forbidden host syscall: no one-line report naming socket"

	for call in mmap mprotect; do
		run "$p" --testonly-forbidden-syscall=$call-exec -- /bin/escape open
		[ "$st" -eq 125 ] || fail "$p" "$call(PROT_EXEC) by the sentry: status $st (want 125)"
		[ "$(grep -c "sandbox failure: sentry made a forbidden host syscall $call with PROT_EXEC$" "$tmp/err")" -eq 1 ] ||
			fail "$p" "$call(PROT_EXEC) by the sentry: no one-line report naming it"
	done
	# An exec from the sentry's own code: refused on every platform (the
	# stub image's exec comes from one site of systrap's only).
	run "$p" --testonly-forbidden-syscall=execveat -- /bin/escape open
	[ "$st" -eq 125 ] || fail "$p" "execveat by the sentry: status $st (want 125)"
	[ "$(grep -c "sandbox failure: sentry made a forbidden host syscall execveat$" "$tmp/err")" -eq 1 ] ||
		fail "$p" "execveat by the sentry: no one-line report naming it"

	run "$p" -- /bin/escape exec
	[ "$st" -eq 0 ] || fail "$p" "exec: the guest's executable memory: status $st"
done

rm -f "$tmp/err"
for bad in --memory=12x --memory=1k --memory=99999999t --pids=0 --pids=x --cpus=0 --cpus=abc; do
	"$CVISOR" run "$bad" -- /bin/true >"$tmp/out" 2>"$tmp/err2"
	st=$?
	[ "$st" -eq 2 ] || fail flags "$bad: status $st (want 2)"
	[ "$(wc -l <"$tmp/err2")" -eq 1 ] || fail flags "$bad: want one line on stderr"
done
"$CVISOR" run --cpus=0.5 --root "$tmp/root" -- /bin/escape open >"$tmp/out" 2>"$tmp/err2"
st=$?
if [ "$st" -ne 0 ] && ! { [ "$st" -eq 125 ] && grep -q "cgroup" "$tmp/err2"; }; then
	fail flags "--cpus=0.5: status $st: $(cat "$tmp/err2")"
fi

[ "$failed" -eq 0 ] && echo "PASS"
exit $failed
