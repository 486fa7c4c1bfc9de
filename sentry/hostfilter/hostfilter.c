/* sentry/hostfilter/hostfilter.c: the sentry's base host-syscall list,
 * the sanitizer additions, the filter's installation and the SIGSYS
 * handler that names a forbidden syscall (see hostfilter.h).
 *
 * Why each group is there:
 *  - I/O on fds the sentry already holds: the memory file, the gofer's
 *    socket and the fds it donates, the inherited stdio. No open/openat,
 *    socket, bind, connect or execve at all: the sentry cannot reach a
 *    new host object by name. (systrap's one execveat, of its sealed
 *    stub image by fd, is allowed only from its own site: the exec guard.)
 *  - Memory: the memory file's mapping and the allocator's (mmap, munmap,
 *    mprotect, madvise, mremap, brk), hole punching (fallocate).
 *  - Threads: pthread_create's clone with exactly glibc's thread flags
 *    (clone3 fails with ENOSYS so that glibc falls back to clone),
 *    futexes, robust lists, rseq, exit.
 *  - Time: clock_gettime (usually the vDSO), sleeps, per-thread rusage.
 *  - Signals for its own threads: rt_sigaction, rt_sigprocmask,
 *    rt_sigreturn, tgkill (interrupting a task's host thread).
 * In front of the whitelist, in the same program, the exec guard
 * (execguard.c) lets mmap and mprotect make memory executable only from
 * the platform's own code.
 * The platform adds what its stubs need (ptrace, wait4, kill, the stub's
 * clone flags, ...): stubs are forked from the sentry and inherit this
 * filter, so the syscalls the sentry injects into them must be here too. */
#include "sentry/hostfilter/hostfilter.h"
#include "lib/hostrules.h"
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/syscalls/syscalls.h"

#include <errno.h>
#include <stdlib.h>
#include <linux/filter.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/ucontext.h>
#include <termios.h>
#include <unistd.h>

#define GLIBC_THREAD_CLONE (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
			    CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | \
			    CLONE_CHILD_CLEARTID)

static const struct host_rule base_rules[] = {
	/* I/O on held fds (the gofer's socket: send and recvmsg) */
	HOST_RULE(read), HOST_RULE(write), HOST_RULE(pread64), HOST_RULE(pwrite64),
	HOST_RULE(writev), HOST_RULE(close), HOST_RULE(newfstatat), HOST_RULE(lseek),
	HOST_RULE(fsync), HOST_RULE(fdatasync), HOST_RULE(ftruncate),
	HOST_RULE(sendto), HOST_RULE(recvmsg),
	/* page-cache fills into the memory file (memfile_fill_from) */
	HOST_RULE(sendfile),
	/* readiness of host fds (stdio): fs/host/host_notify.c */
	HOST_RULE(poll), HOST_RULE(epoll_create1), HOST_RULE(epoll_ctl), HOST_RULE(epoll_wait),
	/* the terminal requests fs/host/host_tty.c passes through */
	HOST_EQ(ioctl, 1, TCGETS), HOST_EQ(ioctl, 1, TCSETS), HOST_EQ(ioctl, 1, TCSETSW),
	HOST_EQ(ioctl, 1, TCSETSF), HOST_EQ(ioctl, 1, TIOCGWINSZ), HOST_EQ(ioctl, 1, TIOCSWINSZ),
	HOST_EQ(ioctl, 1, FIONREAD), HOST_EQ(ioctl, 1, TCFLSH), HOST_EQ(ioctl, 1, TCXONC),
	HOST_EQ(ioctl, 1, TCSBRK),
	HOST_EQ(fcntl, 1, F_GETFL), HOST_EQ(fcntl, 1, F_SETFL), HOST_EQ(fcntl, 1, F_GETFD),
	HOST_EQ(fcntl, 1, F_SETFD), HOST_EQ(fcntl, 1, F_DUPFD_CLOEXEC),
	/* memory */
	HOST_RULE(mmap), HOST_RULE(munmap), HOST_RULE(mprotect), HOST_RULE(madvise),
	HOST_RULE(mremap), HOST_RULE(brk), HOST_RULE(mincore),
	HOST_EQ(fallocate, 1, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE),
	/* threads */
	HOST_EQ(clone, 0, GLIBC_THREAD_CLONE), HOST_ERRNO(clone3, ENOSYS),
	HOST_RULE(futex), HOST_RULE(set_robust_list), HOST_RULE(rseq),
	HOST_RULE(exit), HOST_RULE(exit_group), HOST_RULE(sched_yield),
	HOST_RULE(getpid), HOST_RULE(gettid), HOST_RULE(sched_getaffinity), HOST_RULE(getcpu),
	/* time (restart_syscall: the kernel's own resumption of a
	 * clock_nanosleep or futex wait interrupted by a signal to the
	 * thread, such as a task's interruption) */
	HOST_RULE(clock_gettime), HOST_RULE(clock_getres), HOST_RULE(clock_nanosleep),
	HOST_RULE(restart_syscall),
	HOST_EQ(getrusage, 0, RUSAGE_THREAD),
	/* signals of its own threads */
	HOST_RULE(rt_sigaction), HOST_RULE(rt_sigprocmask), HOST_RULE(rt_sigreturn),
	HOST_RULE(tgkill),
	/* getrandom(2) for the guest and the loader's AT_RANDOM */
	HOST_RULE(getrandom),
	/* Fail, not trap: glibc's malloc reads /proc/sys/vm/overcommit_memory
	 * the first time a thread's arena shrinks (and copes with ENOENT);
	 * the sentry itself opens nothing once confined. */
	HOST_ERRNO(openat, ENOENT),
};


static int report_fd = -1;

void hostfilter_set_report_fd(int fd) { report_fd = fd; }

/* Async-signal-safe: names come from the sentry's own syscall table. */
static void sigsys_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	char num[24], *p = num + sizeof(num);
	unsigned nr = (unsigned)si->si_syscall;
	const char *name = nr < SYSCALL_MAX ? syscall_table[nr].name : NULL;
	if (!name) {
		unsigned v = nr;
		*--p = 0;
		do
			*--p = (char)('0' + v % 10);
		while (v /= 10);
		name = p;
	}
	/* The exec guard's traps: say what was refused. */
	const greg_t *regs = ((const ucontext_t *)uc)->uc_mcontext.gregs;
	bool exec = (nr == SYS_mmap || nr == SYS_mprotect) && (regs[REG_RDX] & PROT_EXEC);
	static const char with_exec[] = " with PROT_EXEC";
	struct iovec iov[4] = {
		{ (void *)"cvisor: sandbox failure: sentry made a forbidden host syscall ", 62 },
		{ (void *)name, strlen(name) },
		{ (void *)with_exec, exec ? sizeof(with_exec) - 1 : 0 },
		{ (void *)"\n", 1 },
	};
	int lfd = log_get_fd();
	if (lfd >= 0)
		writev(lfd, iov, 4);
	if (report_fd >= 0)
		writev(report_fd, &iov[1], 3);
	_exit(HOSTFILTER_EXIT);
}

size_t hostfilter_lists(const struct platform_ops *p, struct host_list *l)
{
	size_t n = 0;
	l[n++] = (struct host_list){ "base", HOST_ARR(base_rules) };
	if (p && p->host_syscalls)
		l[n++] = *p->host_syscalls;
	if (host_sanitizer_list.n)
		l[n++] = host_sanitizer_list;
	return n;
}

int hostfilter_install(const struct platform_ops *p)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys_handler;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return -errno;
	struct host_list l[HOSTFILTER_LISTS];
	size_t nl = hostfilter_lists(p, l), n;
	struct sock_filter *prog;
	int r = hostfilter_execguard_program(p, l, nl, &prog, &n);
	if (r < 0)
		return r;
	/* On this thread only (no TSYNC): the only older thread is the
	 * detach of the host's root (lib/confine.h), which still needs its
	 * umount2 and is gone before the first guest instruction; every
	 * thread and stub made from now on inherits the filter. */
	r = host_rules_load(prog, n, 0);
	free(prog);
	return r;
}

size_t hostfilter_print(FILE *out, const struct platform_ops *p)
{
	struct host_list l[HOSTFILTER_LISTS];
	size_t n = hostfilter_lists(p, l);
	char title[64];
	snprintf(title, sizeof(title), "sentry (platform %s)", p ? p->name : "?");
	size_t count = host_rules_print(out, title, l, n);
	fprintf(out, "  (mmap and mprotect with PROT_EXEC, and execveat: only from %s; the "
		     "instruction pointer is checked)\n",
		p && p->host_exec_sites ? "the platform's own stub code" : "nowhere");
	return count;
}
