/* sentry/syscalls/dispatch.c: from a syscall number to its handler, with
 * --strace output and the once-per-syscall log of unimplemented ones. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "sentry/strace.h"
#include "lib/log.h"

#include <errno.h>
#include <sys/syscall.h>

static unsigned char warned[SYSCALL_MAX];

static bool syscall_noreturn(uint64_t nr)
{
	return nr == SYS_exit || nr == SYS_exit_group || nr == SYS_execve ||
	       nr == SYS_execveat;
}

int64_t syscall_dispatch(struct task *t, uint64_t nr, const uint64_t a[6])
{
	bool trace = t->k->strace;
	if (trace && syscall_noreturn(nr))
		strace_syscall_enter(t, nr, a);
	int64_t ret;
	if (nr < SYSCALL_MAX && syscall_table[nr].fn) {
		ret = syscall_table[nr].fn(t, a);
	} else {
		if (nr >= SYSCALL_MAX || !__atomic_exchange_n(&warned[nr], 1, __ATOMIC_RELAXED))
			log_printf("cvisor: unsupported syscall %s (%lu), returning ENOSYS",
				   nr < SYSCALL_MAX && syscall_table[nr].name ?
				   syscall_table[nr].name : "unknown", (unsigned long)nr);
		ret = -ENOSYS;
	}
	/* A successful execve has no old memory to decode arguments from. */
	if (trace && !(syscall_noreturn(nr) && (t->exiting || ret == 0)))
		strace_syscall(t, nr, a, ret);
	return ret;
}
