/* sentry/syscalls/sys_prctl.c: prctl options of the foundation (name,
 * dumpable, no_new_privs, pdeathsig recorded) and set/get_robust_list
 * (recorded; robust-futex cleanup comes with threads). */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>

int64_t sys_prctl(struct task *t, const uint64_t a[6])
{
	switch ((int)a[0]) {
	case PR_SET_NAME: {
		char name[16];
		ssize_t n = copy_string_in(t->mm, name, a[1], sizeof(name));
		if (n < 0 && n != -ENAMETOOLONG)
			return n;
		memcpy(t->comm, name, sizeof(name));
		t->comm[15] = 0;
		return 0;
	}
	case PR_GET_NAME:
		return copy_out(t->mm, a[1], t->comm, sizeof(t->comm));
	case PR_GET_DUMPABLE:
		return 1;
	case PR_SET_DUMPABLE:
		return a[1] <= 1 ? 0 : -EINVAL;
	case PR_SET_NO_NEW_PRIVS:
		return a[1] == 1 && !a[2] && !a[3] && !a[4] ? 0 : -EINVAL;
	case PR_GET_NO_NEW_PRIVS:
		return 1;	/* the sandbox always runs with no_new_privs */
	case PR_GET_SECCOMP:
		return 0;
	case PR_SET_PDEATHSIG:
		return a[1] <= 64 ? 0 : -EINVAL;
	case PR_GET_PDEATHSIG: {
		int zero = 0;
		return copy_out(t->mm, a[1], &zero, sizeof(zero));
	}
	case PR_GET_KEEPCAPS:
		return 0;
	case PR_CAPBSET_READ:
		return a[1] <= 40 ? 1 : -EINVAL;
	default:
		return -EINVAL;
	}
}

int64_t sys_set_robust_list(struct task *t, const uint64_t a[6])
{
	if (a[1] != 24)		/* sizeof(struct robust_list_head) */
		return -EINVAL;
	t->robust_list = a[0];
	t->robust_len = a[1];
	return 0;
}

int64_t sys_get_robust_list(struct task *t, const uint64_t a[6])
{
	if (a[0] != 0 && (int)a[0] != t->tid)
		return -ESRCH;
	uint64_t len = t->robust_len;
	int r = copy_out(t->mm, a[1], &t->robust_list, sizeof(uint64_t));
	if (r == 0)
		r = copy_out(t->mm, a[2], &len, sizeof(len));
	return r;
}
