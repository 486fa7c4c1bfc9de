/* platform/ptrace/host_syscalls.c: the host syscalls the ptrace platform
 * adds to the sentry's whitelist (sentry/hostfilter): tracing its stubs,
 * forking them, and what a new stub does before it stops (it is a fork of
 * the sentry and runs under the sentry's filter; the syscalls the sentry
 * injects into it, mmap/munmap/mprotect/clone, run under it too). Guest
 * syscalls never reach the filter: PTRACE_SYSEMU stops them first.
 * Guest code is mapped (PROT_EXEC) only by syscalls injected at the stub
 * page's syscall instruction: the one place the sentry's filter lets a
 * PROT_EXEC mmap or mprotect come from. */
#include "platform/ptrace/ptrace_stub.h"
#include "lib/hostrules.h"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>

#define STUB_THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
			   CLONE_SYSVSEM)

static const struct host_rule rules[] = {
	HOST_EQ(ptrace, 0, PTRACE_TRACEME), HOST_EQ(ptrace, 0, PTRACE_PEEKUSER),
	HOST_EQ(ptrace, 0, PTRACE_CONT), HOST_EQ(ptrace, 0, PTRACE_GETREGS),
	HOST_EQ(ptrace, 0, PTRACE_SETREGS), HOST_EQ(ptrace, 0, PTRACE_GETREGSET),
	HOST_EQ(ptrace, 0, PTRACE_SETREGSET), HOST_EQ(ptrace, 0, PTRACE_GETSIGINFO),
	HOST_EQ(ptrace, 0, PTRACE_SETOPTIONS), HOST_EQ(ptrace, 0, PTRACE_SEIZE),
	HOST_EQ(ptrace, 0, PTRACE_INTERRUPT), HOST_EQ(ptrace, 0, PTRACE_SYSEMU),
	HOST_RULE(wait4),
	/* stubs: the fork, the stub's threads, its start (SIGSTOP to itself)
	 * and its end */
	HOST_EQ(clone, 0, SIGCHLD), HOST_EQ(clone, 0, STUB_THREAD_FLAGS),
	HOST_EQ(kill, 1, SIGKILL), HOST_EQ(kill, 1, SIGSTOP),
	HOST_RULE(close_range), HOST_EQ(prctl, 0, PR_SET_PDEATHSIG), HOST_RULE(setsid),
	HOST_EQ(prctl, 0, PR_SET_NAME),	/* "cvisor-stub" for ps */
	/* each stub thread runs on its tracer's CPU (ptrace.c); the sentry's
	 * pid namespace holds only the sandbox's own processes */
	HOST_RULE(sched_setaffinity),
};

const struct host_list ptrace_host_syscalls = { "ptrace", HOST_ARR(rules) };

size_t ptrace_host_exec_sites(struct host_range *r, size_t max);

size_t ptrace_host_exec_sites(struct host_range *r, size_t max)
{
	if (max < 1 || !ptrace_stub_page)
		return 0;
	r[0] = (struct host_range){ ptrace_stub_page, ptrace_stub_page + 4096 };
	return 1;
}
