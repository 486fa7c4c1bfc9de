/* sentry/strace.c: --strace: a guest syscall's arguments and result,
 * decoded into one log line: "[ tid] name(args) = result".
 *
 * Each syscall_table entry (sentry/syscalls/table.c) has one format letter
 * per argument, in order, and one for the result.
 *
 * Argument letters:
 *   d  int                            l  long (offsets)
 *   u  unsigned long (sizes, counts)  x  hex
 *   p  pointer: NULL or 0x...         o  octal mode: 0644
 *   F  dirfd: AT_FDCWD or an int
 *   s  NUL-terminated guest string (a path): "/etc/passwd"
 *   b  guest buffer that the syscall reads; its length is the next argument
 *   B  guest buffer that the syscall fills; its length is the result
 *   v  guest string array (argv): ["ls", "-l"]
 *   E  guest string array shown as its address and a count (envp)
 *   I  int[2] that the syscall fills (pipe, socketpair): [3, 4]
 *   O  open flags: O_RDONLY|O_CLOEXEC. An 'o' right after an 'O', and the
 *      arguments after it, are shown only with O_CREAT or O_TMPFILE.
 *   P  mmap prot: PROT_READ|PROT_WRITE
 *   M  mmap flags: MAP_PRIVATE|MAP_ANONYMOUS
 *   S  signal number: SIGINT
 *   C  clone/unshare flags, with the exit signal: CLONE_VM|...|SIGCHLD
 *   a  AT_* flags: AT_SYMLINK_NOFOLLOW
 *   A  access mode: F_OK, R_OK|X_OK
 *   f  fcntl command: F_SETFD
 *   h  sigprocmask how: SIG_BLOCK
 *   W  lseek whence: SEEK_SET
 *   X  futex op: FUTEX_WAIT_PRIVATE
 *   k  clock id: CLOCK_MONOTONIC
 *   R  arch_prctl code: ARCH_SET_FS
 *   L  rlimit resource: RLIMIT_NOFILE
 *   e  address family: AF_INET
 *   T  socket type and flags: SOCK_STREAM|SOCK_CLOEXEC
 *   w  wait options: WNOHANG|__WALL
 *   N  inotify mask: IN_MODIFY|IN_CREATE|IN_ONLYDIR
 *
 * Result letters: 'd' decimal, 'x' hex (addresses), 'o' octal (umask).
 * With each, -4095..-1 is an errno: "-1 ENOENT (No such file or
 * directory)"; the restart codes print as "? ERESTARTSYS (...)".
 *
 * Guest memory is read only through copy_in/copy_string_in; strings show
 * at most STR_MAX bytes and buffers BUF_MAX, with "..." after when cut. */
#include "sentry/strace.h"
#include "lib/log.h"
#include "sentry/kernel/errno_name.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#define STR_MAX  64	/* bytes of a string shown */
#define BUF_MAX  32	/* bytes of a buffer shown */
#define ARGV_MAX 8	/* strings of an argv shown */
#define ENV_MAX  4096	/* strings of an envp counted */
#define ARGS_MAX 880	/* the arguments are cut after this, so that the
			 * result fits in one log line (lib/log.c: 1024) */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Guest (x86-64 Linux) values used below. */
#define G_AT_FDCWD   (-100)
#define G_O_CREAT    0100
#define G_O_TMPFILE  020000000

struct sbuf {
	char buf[1024];
	size_t len;
};

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	size_t room = sizeof(sb->buf) - sb->len;
	if (room <= 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb->len += (size_t)n < room ? (size_t)n : room - 1;
}

static void sb_puts(struct sbuf *sb, const char *s)
{
	sb_printf(sb, "%s", s);
}

/* Print n bytes quoted and escaped like strace; "..." after if more. */
static void sb_quote(struct sbuf *sb, const unsigned char *p, size_t n, bool more)
{
	sb_puts(sb, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i];
		switch (c) {
		case '"':  sb_puts(sb, "\\\""); break;
		case '\\': sb_puts(sb, "\\\\"); break;
		case '\n': sb_puts(sb, "\\n"); break;
		case '\t': sb_puts(sb, "\\t"); break;
		case '\r': sb_puts(sb, "\\r"); break;
		case '\v': sb_puts(sb, "\\v"); break;
		case '\f': sb_puts(sb, "\\f"); break;
		default:
			if (c >= 0x20 && c < 0x7f)
				sb_printf(sb, "%c", (int)c);
			else if (i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7')
				sb_printf(sb, "\\%03o", c);
			else
				sb_printf(sb, "\\%o", c);
		}
	}
	sb_puts(sb, more ? "\"..." : "\"");
}

static void sb_ptr(struct sbuf *sb, uint64_t v)
{
	if (v)
		sb_printf(sb, "%#llx", (unsigned long long)v);
	else
		sb_puts(sb, "NULL");
}

struct flagname {
	uint64_t val;
	const char *name;
};

/* The name of value v, or v in decimal (hex if hex). */
static void sb_enum(struct sbuf *sb, const struct flagname *tab, size_t n,
		    int64_t v, bool hex)
{
	for (size_t i = 0; i < n; i++) {
		if (tab[i].val == (uint64_t)v) {
			sb_puts(sb, tab[i].name);
			return;
		}
	}
	if (hex)
		sb_printf(sb, "%#llx", (unsigned long long)v);
	else
		sb_printf(sb, "%lld", (long long)v);
}

/* Bits of v by name, '|'-separated, the rest in hex. Tables list the
 * multi-bit names first. any: something is printed already, so prefix
 * '|' and print nothing for 0; otherwise 0 prints as "0". */
static void sb_flags(struct sbuf *sb, const struct flagname *tab, size_t n,
		     uint64_t v, bool any)
{
	for (size_t i = 0; i < n; i++) {
		if ((v & tab[i].val) == tab[i].val) {
			sb_printf(sb, "%s%s", any ? "|" : "", tab[i].name);
			v &= ~tab[i].val;
			any = true;
		}
	}
	if (v || !any)
		sb_printf(sb, "%s%#llx", any ? "|" : "", (unsigned long long)v);
}

static const struct flagname open_flags[] = {
	{ 04010000, "O_SYNC" }, { 020200000, "O_TMPFILE" },
	{ 0100, "O_CREAT" }, { 0200, "O_EXCL" }, { 0400, "O_NOCTTY" },
	{ 01000, "O_TRUNC" }, { 02000, "O_APPEND" }, { 04000, "O_NONBLOCK" },
	{ 010000, "O_DSYNC" }, { 020000, "O_ASYNC" }, { 040000, "O_DIRECT" },
	{ 0100000, "O_LARGEFILE" }, { 0200000, "O_DIRECTORY" },
	{ 0400000, "O_NOFOLLOW" }, { 01000000, "O_NOATIME" },
	{ 02000000, "O_CLOEXEC" }, { 010000000, "O_PATH" },
};

static const struct flagname prot_flags[] = {
	{ 0x1, "PROT_READ" }, { 0x2, "PROT_WRITE" }, { 0x4, "PROT_EXEC" },
	{ 0x8, "PROT_SEM" }, { 0x01000000, "PROT_GROWSDOWN" },
	{ 0x02000000, "PROT_GROWSUP" },
};

static const struct flagname map_types[] = {
	{ 0x1, "MAP_SHARED" }, { 0x2, "MAP_PRIVATE" },
	{ 0x3, "MAP_SHARED_VALIDATE" },
};

static const struct flagname map_flags[] = {
	{ 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" }, { 0x40, "MAP_32BIT" },
	{ 0x100, "MAP_GROWSDOWN" }, { 0x800, "MAP_DENYWRITE" },
	{ 0x1000, "MAP_EXECUTABLE" }, { 0x2000, "MAP_LOCKED" },
	{ 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" },
	{ 0x10000, "MAP_NONBLOCK" }, { 0x20000, "MAP_STACK" },
	{ 0x40000, "MAP_HUGETLB" }, { 0x80000, "MAP_SYNC" },
	{ 0x100000, "MAP_FIXED_NOREPLACE" },
};

static const struct flagname clone_flags[] = {
	{ 0x100, "CLONE_VM" }, { 0x200, "CLONE_FS" }, { 0x400, "CLONE_FILES" },
	{ 0x800, "CLONE_SIGHAND" }, { 0x1000, "CLONE_PIDFD" },
	{ 0x2000, "CLONE_PTRACE" }, { 0x4000, "CLONE_VFORK" },
	{ 0x8000, "CLONE_PARENT" }, { 0x10000, "CLONE_THREAD" },
	{ 0x20000, "CLONE_NEWNS" }, { 0x40000, "CLONE_SYSVSEM" },
	{ 0x80000, "CLONE_SETTLS" }, { 0x100000, "CLONE_PARENT_SETTID" },
	{ 0x200000, "CLONE_CHILD_CLEARTID" }, { 0x400000, "CLONE_DETACHED" },
	{ 0x800000, "CLONE_UNTRACED" }, { 0x1000000, "CLONE_CHILD_SETTID" },
	{ 0x2000000, "CLONE_NEWCGROUP" }, { 0x4000000, "CLONE_NEWUTS" },
	{ 0x8000000, "CLONE_NEWIPC" }, { 0x10000000, "CLONE_NEWUSER" },
	{ 0x20000000, "CLONE_NEWPID" }, { 0x40000000, "CLONE_NEWNET" },
	{ 0x80000000, "CLONE_IO" },
};

/* 0x200 is also AT_EACCESS (faccessat2); AT_REMOVEDIR is the commoner. */
static const struct flagname at_flags[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_REMOVEDIR" },
	{ 0x400, "AT_SYMLINK_FOLLOW" }, { 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" }, { 0x2000, "AT_STATX_FORCE_SYNC" },
	{ 0x4000, "AT_STATX_DONT_SYNC" }, { 0x8000, "AT_RECURSIVE" },
};

static const struct flagname access_modes[] = {
	{ 4, "R_OK" }, { 2, "W_OK" }, { 1, "X_OK" },
};

static const struct flagname fcntl_cmds[] = {
	{ 0, "F_DUPFD" }, { 1, "F_GETFD" }, { 2, "F_SETFD" }, { 3, "F_GETFL" },
	{ 4, "F_SETFL" }, { 5, "F_GETLK" }, { 6, "F_SETLK" }, { 7, "F_SETLKW" },
	{ 8, "F_SETOWN" }, { 9, "F_GETOWN" }, { 10, "F_SETSIG" },
	{ 11, "F_GETSIG" }, { 15, "F_SETOWN_EX" }, { 16, "F_GETOWN_EX" },
	{ 17, "F_GETOWNER_UIDS" }, { 36, "F_OFD_GETLK" }, { 37, "F_OFD_SETLK" },
	{ 38, "F_OFD_SETLKW" }, { 1024, "F_SETLEASE" }, { 1025, "F_GETLEASE" },
	{ 1026, "F_NOTIFY" }, { 1030, "F_DUPFD_CLOEXEC" },
	{ 1031, "F_SETPIPE_SZ" }, { 1032, "F_GETPIPE_SZ" },
	{ 1033, "F_ADD_SEALS" }, { 1034, "F_GET_SEALS" },
	{ 1035, "F_GET_RW_HINT" }, { 1036, "F_SET_RW_HINT" },
	{ 1037, "F_GET_FILE_RW_HINT" }, { 1038, "F_SET_FILE_RW_HINT" },
};

static const struct flagname sigmask_hows[] = {
	{ 0, "SIG_BLOCK" }, { 1, "SIG_UNBLOCK" }, { 2, "SIG_SETMASK" },
};

static const struct flagname whences[] = {
	{ 0, "SEEK_SET" }, { 1, "SEEK_CUR" }, { 2, "SEEK_END" },
	{ 3, "SEEK_DATA" }, { 4, "SEEK_HOLE" },
};

static const struct flagname futex_cmds[] = {
	{ 0, "FUTEX_WAIT" }, { 1, "FUTEX_WAKE" }, { 2, "FUTEX_FD" },
	{ 3, "FUTEX_REQUEUE" }, { 4, "FUTEX_CMP_REQUEUE" },
	{ 5, "FUTEX_WAKE_OP" }, { 6, "FUTEX_LOCK_PI" },
	{ 7, "FUTEX_UNLOCK_PI" }, { 8, "FUTEX_TRYLOCK_PI" },
	{ 9, "FUTEX_WAIT_BITSET" }, { 10, "FUTEX_WAKE_BITSET" },
	{ 11, "FUTEX_WAIT_REQUEUE_PI" }, { 12, "FUTEX_CMP_REQUEUE_PI" },
	{ 13, "FUTEX_LOCK_PI2" },
};

static const struct flagname clocks[] = {
	{ 0, "CLOCK_REALTIME" }, { 1, "CLOCK_MONOTONIC" },
	{ 2, "CLOCK_PROCESS_CPUTIME_ID" }, { 3, "CLOCK_THREAD_CPUTIME_ID" },
	{ 4, "CLOCK_MONOTONIC_RAW" }, { 5, "CLOCK_REALTIME_COARSE" },
	{ 6, "CLOCK_MONOTONIC_COARSE" }, { 7, "CLOCK_BOOTTIME" },
	{ 8, "CLOCK_REALTIME_ALARM" }, { 9, "CLOCK_BOOTTIME_ALARM" },
	{ 11, "CLOCK_TAI" },
};

static const struct flagname arch_prctl_codes[] = {
	{ 0x1001, "ARCH_SET_GS" }, { 0x1002, "ARCH_SET_FS" },
	{ 0x1003, "ARCH_GET_FS" }, { 0x1004, "ARCH_GET_GS" },
	{ 0x1011, "ARCH_GET_CPUID" }, { 0x1012, "ARCH_SET_CPUID" },
	{ 0x1021, "ARCH_GET_XCOMP_SUPP" }, { 0x1022, "ARCH_GET_XCOMP_PERM" },
	{ 0x1023, "ARCH_REQ_XCOMP_PERM" },
	{ 0x1024, "ARCH_GET_XCOMP_GUEST_PERM" },
	{ 0x1025, "ARCH_REQ_XCOMP_GUEST_PERM" },
	{ 0x2001, "ARCH_MAP_VDSO_X32" }, { 0x2002, "ARCH_MAP_VDSO_32" },
	{ 0x2003, "ARCH_MAP_VDSO_64" }, { 0x4001, "ARCH_GET_UNTAG_MASK" },
	{ 0x4002, "ARCH_ENABLE_TAGGED_ADDR" },
	{ 0x4003, "ARCH_GET_MAX_TAG_BITS" }, { 0x4004, "ARCH_FORCE_TAGGED_SVA" },
	{ 0x5001, "ARCH_SHSTK_ENABLE" }, { 0x5002, "ARCH_SHSTK_DISABLE" },
	{ 0x5003, "ARCH_SHSTK_LOCK" }, { 0x5004, "ARCH_SHSTK_UNLOCK" },
	{ 0x5005, "ARCH_SHSTK_STATUS" },
};

static const struct flagname rlimits[] = {
	{ 0, "RLIMIT_CPU" }, { 1, "RLIMIT_FSIZE" }, { 2, "RLIMIT_DATA" },
	{ 3, "RLIMIT_STACK" }, { 4, "RLIMIT_CORE" }, { 5, "RLIMIT_RSS" },
	{ 6, "RLIMIT_NPROC" }, { 7, "RLIMIT_NOFILE" }, { 8, "RLIMIT_MEMLOCK" },
	{ 9, "RLIMIT_AS" }, { 10, "RLIMIT_LOCKS" }, { 11, "RLIMIT_SIGPENDING" },
	{ 12, "RLIMIT_MSGQUEUE" }, { 13, "RLIMIT_NICE" }, { 14, "RLIMIT_RTPRIO" },
	{ 15, "RLIMIT_RTTIME" },
};

static const struct flagname families[] = {
	{ 0, "AF_UNSPEC" }, { 1, "AF_UNIX" }, { 2, "AF_INET" },
	{ 10, "AF_INET6" }, { 15, "AF_KEY" }, { 16, "AF_NETLINK" },
	{ 17, "AF_PACKET" }, { 29, "AF_CAN" }, { 30, "AF_TIPC" },
	{ 31, "AF_BLUETOOTH" }, { 38, "AF_ALG" }, { 40, "AF_VSOCK" },
	{ 44, "AF_XDP" },
};

static const struct flagname sock_types[] = {
	{ 1, "SOCK_STREAM" }, { 2, "SOCK_DGRAM" }, { 3, "SOCK_RAW" },
	{ 4, "SOCK_RDM" }, { 5, "SOCK_SEQPACKET" }, { 6, "SOCK_DCCP" },
	{ 10, "SOCK_PACKET" },
};

static const struct flagname sock_flags[] = {
	{ 04000, "SOCK_NONBLOCK" }, { 02000000, "SOCK_CLOEXEC" },
};

static const struct flagname wait_options[] = {
	{ 0x1, "WNOHANG" }, { 0x2, "WUNTRACED" }, { 0x4, "WEXITED" },
	{ 0x8, "WCONTINUED" }, { 0x1000000, "WNOWAIT" },
	{ 0x20000000, "__WNOTHREAD" }, { 0x40000000, "__WALL" },
	{ 0x80000000, "__WCLONE" },
};

static const struct flagname inotify_masks[] = {
	{ 0x1, "IN_ACCESS" }, { 0x2, "IN_MODIFY" }, { 0x4, "IN_ATTRIB" },
	{ 0x8, "IN_CLOSE_WRITE" }, { 0x10, "IN_CLOSE_NOWRITE" }, { 0x20, "IN_OPEN" },
	{ 0x40, "IN_MOVED_FROM" }, { 0x80, "IN_MOVED_TO" }, { 0x100, "IN_CREATE" },
	{ 0x200, "IN_DELETE" }, { 0x400, "IN_DELETE_SELF" }, { 0x800, "IN_MOVE_SELF" },
	{ 0x2000, "IN_UNMOUNT" }, { 0x4000, "IN_Q_OVERFLOW" }, { 0x8000, "IN_IGNORED" },
	{ 0x1000000, "IN_ONLYDIR" }, { 0x2000000, "IN_DONT_FOLLOW" },
	{ 0x4000000, "IN_EXCL_UNLINK" }, { 0x10000000, "IN_MASK_CREATE" },
	{ 0x20000000, "IN_MASK_ADD" }, { 0x40000000, "IN_ISDIR" }, { 0x80000000, "IN_ONESHOT" },
};

static int uread(struct task *t, void *dst, uint64_t addr, size_t len)
{
	if (!t->mm)
		return -EFAULT;
	return copy_in(t->mm, dst, addr, len);
}

static void print_string(struct sbuf *sb, struct task *t, uint64_t addr)
{
	char buf[STR_MAX + 1];
	if (!addr) {
		sb_puts(sb, "NULL");
		return;
	}
	ssize_t n = t->mm ? copy_string_in(t->mm, buf, addr, sizeof(buf)) : -EFAULT;
	if (n >= 0)
		sb_quote(sb, (unsigned char *)buf, (size_t)n, false);
	else if (n == -ENAMETOOLONG)
		sb_quote(sb, (unsigned char *)buf, STR_MAX, true);
	else
		sb_ptr(sb, addr);
}

static void print_buffer(struct sbuf *sb, struct task *t, uint64_t addr, uint64_t len)
{
	unsigned char buf[BUF_MAX];
	size_t n = len < BUF_MAX ? (size_t)len : BUF_MAX;
	if (!addr || uread(t, buf, addr, n) < 0)
		sb_ptr(sb, addr);
	else
		sb_quote(sb, buf, n, len > BUF_MAX);
}

static void print_argv(struct sbuf *sb, struct task *t, uint64_t addr)
{
	uint64_t p;
	if (!addr || uread(t, &p, addr, sizeof(p)) < 0) {
		sb_ptr(sb, addr);
		return;
	}
	sb_puts(sb, "[");
	for (int i = 0; p; i++) {
		if (i == ARGV_MAX) {
			sb_puts(sb, ", ...");
			break;
		}
		if (i)
			sb_puts(sb, ", ");
		print_string(sb, t, p);
		if (uread(t, &p, addr + 8 * (uint64_t)(i + 1), sizeof(p)) < 0) {
			sb_puts(sb, ", ...");
			break;
		}
	}
	sb_puts(sb, "]");
}

static void print_envp(struct sbuf *sb, struct task *t, uint64_t addr)
{
	uint64_t p;
	int n;
	sb_ptr(sb, addr);
	if (!addr || uread(t, &p, addr, sizeof(p)) < 0)
		return;
	for (n = 0; n < ENV_MAX; n++)
		if (uread(t, &p, addr + 8 * (uint64_t)n, sizeof(p)) < 0 || !p)
			break;
	sb_printf(sb, " /* %d%s vars */", n, n == ENV_MAX ? "+" : "");
}

static void print_fdpair(struct sbuf *sb, struct task *t, uint64_t addr)
{
	int fds[2];
	if (uread(t, fds, addr, sizeof(fds)) < 0)
		sb_ptr(sb, addr);
	else
		sb_printf(sb, "[%d, %d]", fds[0], fds[1]);
}

static void print_futex_op(struct sbuf *sb, uint64_t v)
{
	unsigned op = (unsigned)v;
	sb_enum(sb, futex_cmds, NELEM(futex_cmds), op & 0x7f, false);
	if (op & 0x80)
		sb_puts(sb, "_PRIVATE");
	if (op & 0x100)
		sb_puts(sb, "|FUTEX_CLOCK_REALTIME");
	if (op & ~0x1ffu)
		sb_printf(sb, "|%#x", op & ~0x1ffu);
}

static void print_clone_flags(struct sbuf *sb, uint64_t v)
{
	bool any = (v & ~0xffull) != 0;
	if (any)
		sb_flags(sb, clone_flags, NELEM(clone_flags), v & ~0xffull, false);
	int sig = (int)(v & 0xff);
	if (sig || !any) {
		const char *name = signal_name(sig);
		if (any)
			sb_puts(sb, "|");
		if (name)
			sb_puts(sb, name);
		else
			sb_printf(sb, "%d", sig);
	}
}

/* Argument v in format f; next is the argument after it (the length of a
 * 'b' buffer); done: the syscall returned ret. */
static void print_arg(struct sbuf *sb, struct task *t, char f, uint64_t v,
		      uint64_t next, bool done, int64_t ret)
{
	const char *name;
	switch (f) {
	case 'd': sb_printf(sb, "%d", (int)v); break;
	case 'l': sb_printf(sb, "%lld", (long long)v); break;
	case 'u': sb_printf(sb, "%llu", (unsigned long long)v); break;
	case 'x': sb_printf(sb, "%#llx", (unsigned long long)v); break;
	case 'p': sb_ptr(sb, v); break;
	case 'o': sb_printf(sb, "%#03llo", (unsigned long long)v); break;
	case 'F':
		if ((int)v == G_AT_FDCWD)
			sb_puts(sb, "AT_FDCWD");
		else
			sb_printf(sb, "%d", (int)v);
		break;
	case 's': print_string(sb, t, v); break;
	case 'b': print_buffer(sb, t, v, next); break;
	case 'B':
		if (done && ret >= 0)
			print_buffer(sb, t, v, (uint64_t)ret);
		else
			sb_ptr(sb, v);
		break;
	case 'v': print_argv(sb, t, v); break;
	case 'E': print_envp(sb, t, v); break;
	case 'I':
		if (done && ret == 0)
			print_fdpair(sb, t, v);
		else
			sb_ptr(sb, v);
		break;
	case 'O': {
		static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR" };
		bool any = (v & 3) != 3;
		if (any)
			sb_puts(sb, acc[v & 3]);
		sb_flags(sb, open_flags, NELEM(open_flags), any ? v & ~3ull : v, any);
		break;
	}
	case 'P':
		if (v == 0)
			sb_puts(sb, "PROT_NONE");
		else
			sb_flags(sb, prot_flags, NELEM(prot_flags), v, false);
		break;
	case 'M': {
		uint64_t type = v & 0xf;
		bool any = type >= 1 && type <= 3;
		if (any)
			sb_enum(sb, map_types, NELEM(map_types), (int64_t)type, true);
		sb_flags(sb, map_flags, NELEM(map_flags), any ? v & ~0xfull : v, any);
		break;
	}
	case 'S':
		name = signal_name((int)v);
		if (name)
			sb_puts(sb, name);
		else
			sb_printf(sb, "%d", (int)v);
		break;
	case 'C': print_clone_flags(sb, v); break;
	case 'a': sb_flags(sb, at_flags, NELEM(at_flags), (unsigned)v, false); break;
	case 'A':
		if ((unsigned)v == 0)
			sb_puts(sb, "F_OK");
		else
			sb_flags(sb, access_modes, NELEM(access_modes), (unsigned)v, false);
		break;
	case 'f': sb_enum(sb, fcntl_cmds, NELEM(fcntl_cmds), (int)v, false); break;
	case 'h': sb_enum(sb, sigmask_hows, NELEM(sigmask_hows), (int)v, false); break;
	case 'W': sb_enum(sb, whences, NELEM(whences), (int)v, false); break;
	case 'X': print_futex_op(sb, v); break;
	case 'k': sb_enum(sb, clocks, NELEM(clocks), (int)v, false); break;
	case 'R': sb_enum(sb, arch_prctl_codes, NELEM(arch_prctl_codes), (int)v, true); break;
	case 'L': sb_enum(sb, rlimits, NELEM(rlimits), (int)v, false); break;
	case 'e': sb_enum(sb, families, NELEM(families), (int)v, false); break;
	case 'T': {
		unsigned type = (unsigned)v & 0xf;
		if (type)
			sb_enum(sb, sock_types, NELEM(sock_types), type, false);
		sb_flags(sb, sock_flags, NELEM(sock_flags), (unsigned)v & ~0xfu, type != 0);
		break;
	}
	case 'w': sb_flags(sb, wait_options, NELEM(wait_options), (unsigned)v, false); break;
	case 'N': sb_flags(sb, inotify_masks, NELEM(inotify_masks), (unsigned)v, false); break;
	default: sb_printf(sb, "%#llx", (unsigned long long)v); break;
	}
}

static void print_args(struct sbuf *sb, struct task *t, const char *fmt,
		       const uint64_t a[6], bool done, int64_t ret)
{
	for (int i = 0; i < 6 && fmt[i]; i++) {
		if (fmt[i] == 'o' && i > 0 && fmt[i - 1] == 'O' &&
		    !(a[i - 1] & (G_O_CREAT | G_O_TMPFILE)))
			break;
		if (i)
			sb_puts(sb, ", ");
		print_arg(sb, t, fmt[i], a[i], i < 5 ? a[i + 1] : 0, done, ret);
	}
}

static void print_ret(struct sbuf *sb, char f, int64_t ret)
{
	if (ret < 0 && ret >= -4095) {
		int err = (int)-ret;
		const char *name = errno_name(err);
		if (!name)
			sb_printf(sb, " = -1 errno %d", err);
		else
			sb_printf(sb, " = %s %s (%s)", err >= 512 ? "?" : "-1",
				  name, errno_desc(err));
		return;
	}
	if (f == 'x')
		sb_printf(sb, " = %#llx", (unsigned long long)ret);
	else if (f == 'o')
		sb_printf(sb, " = %#03llo", (unsigned long long)ret);
	else
		sb_printf(sb, " = %lld", (long long)ret);
}

static void strace_line(struct task *t, uint64_t nr, const uint64_t a[6],
			bool done, int64_t ret)
{
	if (!log_enabled())
		return;
	struct sbuf sb;
	sb.len = 0;
	sb.buf[0] = 0;
	const struct syscall_desc *d =
		nr < SYSCALL_MAX && syscall_table[nr].name ? &syscall_table[nr] : NULL;
	sb_printf(&sb, "[%4d] ", t->tid);
	if (d) {
		sb_printf(&sb, "%s(", d->name);
		print_args(&sb, t, d->args ? d->args : "", a, done, ret);
	} else {
		sb_printf(&sb, "syscall_%llu(", (unsigned long long)nr);
		for (int i = 0; i < 6; i++)
			sb_printf(&sb, "%s%#llx", i ? ", " : "", (unsigned long long)a[i]);
	}
	if (sb.len > ARGS_MAX) {
		sb.len = ARGS_MAX;
		sb.buf[sb.len] = 0;
		sb_puts(&sb, "...");
	}
	sb_puts(&sb, ")");
	if (done)
		print_ret(&sb, d ? d->ret : 'd', ret);
	else
		sb_puts(&sb, " = ?");
	log_printf("%s", sb.buf);
}

void strace_syscall(struct task *t, uint64_t nr, const uint64_t a[6], int64_t ret)
{
	strace_line(t, nr, a, true, ret);
}

void strace_syscall_enter(struct task *t, uint64_t nr, const uint64_t a[6])
{
	strace_line(t, nr, a, false, 0);
}

/* The si_code names strace prints: the senders', then a fault's. */
static const char *si_code_name(int sig, int code)
{
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_KERNEL: return "SI_KERNEL";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TIMER: return "SI_TIMER";
	case SI_MESGQ: return "SI_MESGQ";
	case SI_ASYNCIO: return "SI_ASYNCIO";
	case SI_SIGIO: return "SI_SIGIO";
	case SI_TKILL: return "SI_TKILL";
	}
	if (sig == SIGSEGV && code == SEGV_MAPERR)
		return "SEGV_MAPERR";
	if (sig == SIGSEGV && code == SEGV_ACCERR)
		return "SEGV_ACCERR";
	if (sig == SIGBUS && code == BUS_ADRALN)
		return "BUS_ADRALN";
	if (sig == SIGBUS && code == BUS_ADRERR)
		return "BUS_ADRERR";
	if (sig == SIGBUS && code == BUS_OBJERR)
		return "BUS_OBJERR";
	return NULL;
}

static bool is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
	       sig == SIGTRAP;
}

void strace_signal(struct task *t, const siginfo_t *info)
{
	if (!log_enabled())
		return;
	struct sbuf sb;
	sb.len = 0;
	sb.buf[0] = 0;
	int sig = info->si_signo;
	const char *name = signal_name(sig);
	const char *code = si_code_name(sig, info->si_code);
	sb_printf(&sb, "[%4d] --- ", t->tid);
	if (name)
		sb_puts(&sb, name);
	else
		sb_printf(&sb, "signal %d", sig);
	if (code)
		sb_printf(&sb, " {si_code=%s, ", code);
	else
		sb_printf(&sb, " {si_code=%d, ", info->si_code);
	if (is_fault_signal(sig) && info->si_code > 0)
		sb_printf(&sb, "si_addr=%p} ---", info->si_addr);
	else
		sb_printf(&sb, "si_pid=%d} ---", (int)info->si_pid);
	log_printf("%s", sb.buf);
}
