/* tests/unit/test_strace_format.c: errno and signal names, the strace
 * formats of the syscall table, and decoded lines of --strace (without
 * guest memory: a task with no mm, so guest pointers print as hex). */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "sentry/kernel/errno_name.h"
#include "sentry/kernel/errno_restart.h"
#include "sentry/kernel/task.h"
#include "sentry/strace.h"
#include "sentry/syscalls/syscalls.h"

#define ARG_LETTERS "dluxpoFsbBvEIOPMSCaAfhWXkRLeTwN"

static size_t nargs(const char *name)
{
	for (int i = 0; i < SYSCALL_MAX; i++)
		if (syscall_table[i].name && strcmp(syscall_table[i].name, name) == 0)
			return strlen(syscall_table[i].args);
	cr_assert_fail("no syscall %s", name);
	return 0;
}

Test(errno_name, names)
{
	cr_assert_str_eq(errno_name(ENOENT), "ENOENT");
	cr_assert_str_eq(errno_name(EPERM), "EPERM");
	cr_assert_str_eq(errno_name(EAGAIN), "EAGAIN");
	cr_assert_str_eq(errno_name(EDEADLK), "EDEADLK");
	cr_assert_str_eq(errno_name(EOPNOTSUPP), "EOPNOTSUPP");
	cr_assert_str_eq(errno_name(ENOTRECOVERABLE), "ENOTRECOVERABLE");
	cr_assert_str_eq(errno_name(EHWPOISON), "EHWPOISON");
	cr_assert_str_eq(errno_desc(ENOENT), "No such file or directory");
	cr_assert_str_eq(errno_desc(EBADF), "Bad file descriptor");
	cr_assert_null(errno_name(0));
	cr_assert_null(errno_name(-2));
	cr_assert_null(errno_name(41));
	cr_assert_null(errno_name(58));
	cr_assert_null(errno_name(134));
	cr_assert_null(errno_desc(134));
	for (int e = 1; e <= 133; e++) {
		if (e == 41 || e == 58)
			continue;
		cr_assert_not_null(errno_name(e), "errno %d", e);
		cr_assert_not_null(errno_desc(e), "errno %d", e);
	}
}

Test(errno_name, restart_codes)
{
	cr_assert_str_eq(errno_name(ERESTARTSYS), "ERESTARTSYS");
	cr_assert_str_eq(errno_name(ERESTARTNOINTR), "ERESTARTNOINTR");
	cr_assert_str_eq(errno_name(ERESTARTNOHAND), "ERESTARTNOHAND");
	cr_assert_str_eq(errno_name(ERESTART_RESTARTBLOCK), "ERESTART_RESTARTBLOCK");
	cr_assert_null(errno_name(515));
	cr_assert_null(errno_name(517));
}

Test(errno_name, signals)
{
	cr_assert_str_eq(signal_name(SIGHUP), "SIGHUP");
	cr_assert_str_eq(signal_name(SIGINT), "SIGINT");
	cr_assert_str_eq(signal_name(SIGKILL), "SIGKILL");
	cr_assert_str_eq(signal_name(SIGSEGV), "SIGSEGV");
	cr_assert_str_eq(signal_name(SIGCHLD), "SIGCHLD");
	cr_assert_str_eq(signal_name(SIGSYS), "SIGSYS");
	cr_assert_str_eq(signal_name(32), "SIGRTMIN");
	cr_assert_str_eq(signal_name(34), "SIGRTMIN+2");
	cr_assert_str_eq(signal_name(64), "SIGRTMIN+32");
	cr_assert_null(signal_name(0));
	cr_assert_null(signal_name(65));
	cr_assert_null(signal_name(-1));
}

Test(strace_format, table_letters)
{
	int named = 0;
	for (int i = 0; i < SYSCALL_MAX; i++) {
		const struct syscall_desc *d = &syscall_table[i];
		if (!d->name)
			continue;
		named++;
		cr_assert_not_null(d->args, "%s", d->name);
		size_t n = strlen(d->args);
		cr_assert_leq(n, 6, "%s: %zu args", d->name, n);
		for (size_t j = 0; j < n; j++) {
			cr_assert_not_null(strchr(ARG_LETTERS, d->args[j]),
					   "%s: letter '%c'", d->name, d->args[j]);
			if (d->args[j] == 'b')
				cr_assert_lt(j + 1, n, "%s: 'b' needs a length", d->name);
		}
		cr_assert(d->ret == 'd' || d->ret == 'x' || d->ret == 'o',
			  "%s: result '%c'", d->name, d->ret);
	}
	cr_assert_geq(named, 370);
}

Test(strace_format, arg_counts)
{
	cr_assert_eq(nargs("read"), 3);
	cr_assert_eq(nargs("write"), 3);
	cr_assert_eq(nargs("openat"), 4);
	cr_assert_eq(nargs("mmap"), 6);
	cr_assert_eq(nargs("exit_group"), 1);
	cr_assert_eq(nargs("execve"), 3);
	cr_assert_eq(nargs("clone"), 5);
	cr_assert_eq(nargs("futex"), 6);
	cr_assert_eq(nargs("getpid"), 0);
	cr_assert_eq(nargs("mseal"), 3);
	cr_assert_eq(syscall_table[9].ret, 'x');	/* mmap */
	cr_assert_eq(syscall_table[12].ret, 'x');	/* brk */
	cr_assert_eq(syscall_table[0].ret, 'd');	/* read */
}

/* Trace one syscall of strace_task with a pipe as the log; the line written. */
static char trace_line[1100];
static struct task strace_task = { .tid = 1 };

/* The log goes to a pipe from capture_begin to capture_end, which
 * returns the line written, without its newline. */
static int capture_pipe[2];

static void capture_begin(void)
{
	cr_assert_eq(pipe(capture_pipe), 0);
	log_set_fd(capture_pipe[1]);
}

static const char *capture_end(void)
{
	log_set_fd(-1);
	close(capture_pipe[1]);
	ssize_t n = read(capture_pipe[0], trace_line, sizeof(trace_line) - 1);
	close(capture_pipe[0]);
	cr_assert_gt(n, 0);
	trace_line[n] = 0;
	if (trace_line[n - 1] == '\n')
		trace_line[n - 1] = 0;
	return trace_line;
}

static const char *traced(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
			  uint64_t a3, uint64_t a4, uint64_t a5, int64_t ret, bool enter)
{
	const uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	capture_begin();
	if (enter)
		strace_syscall_enter(&strace_task, nr, a);
	else
		strace_syscall(&strace_task, nr, a, ret);
	return capture_end();
}

#define TRACE(nr, a0, a1, a2, a3, a4, a5, ret) \
	traced(nr, a0, a1, a2, a3, a4, a5, ret, false)

Test(strace_format, lines)
{
	cr_assert_str_eq(TRACE(3, 3, 0, 0, 0, 0, 0, -EBADF),
			 "[   1] close(3) = -1 EBADF (Bad file descriptor)");
	cr_assert_str_eq(TRACE(9, 0, 4096, 3, 0x22, (uint64_t)-1, 0, 0x7f0000000000),
			 "[   1] mmap(NULL, 4096, PROT_READ|PROT_WRITE, "
			 "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000");
	cr_assert_str_eq(TRACE(9, 0, 4096, 0, 0x22, (uint64_t)-1, 0, -ENOMEM),
			 "[   1] mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, "
			 "-1, 0) = -1 ENOMEM (Cannot allocate memory)");
	/* No mm: the path prints as its address. */
	cr_assert_str_eq(TRACE(2, 0x1000, O_RDONLY | O_CLOEXEC, 0, 0, 0, 0, -ENOENT),
			 "[   1] open(0x1000, O_RDONLY|O_CLOEXEC) = -1 ENOENT "
			 "(No such file or directory)");
	cr_assert_str_eq(TRACE(257, (uint64_t)-100, 0x1000,
			       O_WRONLY | O_CREAT | O_TRUNC, 0644, 0, 0, 3),
			 "[   1] openat(AT_FDCWD, 0x1000, O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3");
	cr_assert_str_eq(TRACE(0, 0, 0x2000, 100, 0, 0, 0, -ERESTARTSYS),
			 "[   1] read(0, 0x2000, 100) = ? ERESTARTSYS "
			 "(To be restarted if SA_RESTART is set)");
	cr_assert_str_eq(TRACE(202, 0x3000, 0x81, 1, 0, 0, 0, 0),
			 "[   1] futex(0x3000, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) = 0");
	cr_assert_str_eq(TRACE(56, 0x1200011, 0, 0, 0x4000, 0, 0, 42),
			 "[   1] clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
			 "NULL, NULL, 0x4000, NULL) = 42");
	cr_assert_str_eq(TRACE(62, 7, SIGTERM, 0, 0, 0, 0, 0),
			 "[   1] kill(7, SIGTERM) = 0");
	cr_assert_str_eq(TRACE(95, 022, 0, 0, 0, 0, 0, 077),
			 "[   1] umask(022) = 077");
	cr_assert_str_eq(TRACE(999, 1, 2, 3, 4, 5, 6, -ENOSYS),
			 "[   1] syscall_999(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS "
			 "(Function not implemented)");
	cr_assert_str_eq(TRACE(39, 0, 0, 0, 0, 0, 0, 1), "[   1] getpid() = 1");
	cr_assert_str_eq(traced(231, 3, 0, 0, 0, 0, 0, 0, true),
			 "[   1] exit_group(3) = ?");
}

/* The signal line of strace_signal. */
static const char *signal_line(const siginfo_t *info)
{
	capture_begin();
	strace_signal(&strace_task, info);
	return capture_end();
}

Test(strace_format, signals)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGSEGV;
	si.si_code = SEGV_MAPERR;
	si.si_addr = (void *)0x1234;
	cr_assert_str_eq(signal_line(&si),
			 "[   1] --- SIGSEGV {si_code=SEGV_MAPERR, si_addr=0x1234} ---");
	si.si_code = SEGV_ACCERR;
	si.si_addr = (void *)0x7f0000001000;
	cr_assert_str_eq(signal_line(&si),
			 "[   1] --- SIGSEGV {si_code=SEGV_ACCERR, si_addr=0x7f0000001000} ---");
	si.si_signo = SIGBUS;
	si.si_code = BUS_ADRERR;
	si.si_addr = (void *)0x5000;
	cr_assert_str_eq(signal_line(&si),
			 "[   1] --- SIGBUS {si_code=BUS_ADRERR, si_addr=0x5000} ---");
	/* A fault signal sent by a process names the sender, not an address. */
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGSEGV;
	si.si_code = SI_USER;
	si.si_pid = 7;
	cr_assert_str_eq(signal_line(&si), "[   1] --- SIGSEGV {si_code=SI_USER, si_pid=7} ---");
	si.si_signo = SIGUSR1;
	si.si_code = SI_TKILL;
	si.si_pid = 3;
	cr_assert_str_eq(signal_line(&si), "[   1] --- SIGUSR1 {si_code=SI_TKILL, si_pid=3} ---");
	si.si_signo = SIGCHLD;
	si.si_code = CLD_EXITED;
	si.si_pid = 9;
	cr_assert_str_eq(signal_line(&si), "[   1] --- SIGCHLD {si_code=1, si_pid=9} ---");
}
