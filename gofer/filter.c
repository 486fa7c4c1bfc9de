/* gofer/filter.c: the gofer's host-syscall whitelist (seccomp via
 * lib/hostrules), installed once its exports are open and its root is the
 * container's rootfs. The gofer works only on fds it holds: its socket
 * (recv/sendmsg, nothing that makes or accepts a connection), the export
 * and walked O_PATH fds (the *at calls), and /proc/self/fd to reopen
 * them. A syscall outside the list raises SIGSYS; the handler prints the
 * syscall's name on stderr and the gofer exits, and the sentry sees EIO. */
#include "gofer/gofer.h"
#include "lib/hostrules.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct host_rule gofer_rules[] = {
	/* the socket */
	HOST_RULE(recvfrom), HOST_RULE(recvmsg), HOST_RULE(sendmsg), HOST_RULE(sendto),
	/* files, beneath held fds */
	HOST_RULE(openat), HOST_RULE(newfstatat), HOST_RULE(fstat), HOST_RULE(close),
	HOST_RULE(fstatfs), HOST_RULE(getdents64), HOST_RULE(lseek), HOST_RULE(ftruncate),
	HOST_RULE(mkdirat), HOST_RULE(mknodat), HOST_RULE(linkat), HOST_RULE(symlinkat),
	HOST_RULE(readlinkat), HOST_RULE(unlinkat), HOST_RULE(renameat2),
	HOST_RULE(fchmodat), HOST_RULE(fchownat), HOST_RULE(utimensat), HOST_RULE(fallocate),
	HOST_EQ(fcntl, 1, F_DUPFD_CLOEXEC), HOST_EQ(fcntl, 1, F_GETFL),
	HOST_EQ(fcntl, 1, F_GETFD), HOST_EQ(fcntl, 1, F_SETFD),
	/* memory, messages, the end */
	HOST_RULE(brk), HOST_RULE(mmap), HOST_RULE(munmap), HOST_RULE(mremap),
	HOST_RULE(madvise), HOST_RULE(write), HOST_RULE(rt_sigreturn),
	HOST_RULE(exit_group), HOST_RULE(exit),
	/* the wait for the old root's detach, which finishes under the
	 * filter (gofer.c) */
	HOST_RULE(futex),
	/* serving on the sentry's CPU (gofer.c) */
	HOST_EQ(sched_setaffinity, 0, 0),
	/* its own teardown, nobody's wait, in the idle class (gofer.c) */
	{ .nr = SYS_sched_setscheduler, .ncmp = 2,
	  .cmp = { { 0, SCMP_CMP_EQ, 0, 0 }, { 1, SCMP_CMP_EQ, SCHED_IDLE, 0 } } },
};

const struct host_list gofer_host_syscalls = { "gofer", HOST_ARR(gofer_rules) };

static void sigsys_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	char buf[160];
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, si->si_syscall);
	int n = snprintf(buf, sizeof(buf),
			 "cvisor: sandbox failure: gofer made a forbidden host syscall %s\n",
			 name ? name : "?");
	if (n > 0 && write(2, buf, (size_t)n) < 0) {
		/* nowhere to say it */
	}
	_exit(125);
}

size_t gofer_filter_lists(struct host_list *l)
{
	l[0] = gofer_host_syscalls;
	l[1] = host_sanitizer_list;
	return host_sanitizer_list.n ? 2 : 1;
}

int gofer_filter_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys_handler;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return -errno;
	struct host_list l[GOFER_FILTER_LISTS];
	return host_rules_install(l, gofer_filter_lists(l), GOFER_FILTER_ACTION, 0);
}

size_t gofer_filter_print(FILE *out)
{
	struct host_list l[2] = { gofer_host_syscalls, host_sanitizer_list };
	return host_rules_print(out, "gofer", l, host_sanitizer_list.n ? 2 : 1);
}
