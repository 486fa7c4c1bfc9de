/* sentry/syscalls/sys_prctl.c: prctl (name, dumpable, no_new_privs,
 * pdeathsig, child subreaper, keepcaps, securebits, the bounding and
 * ambient capability sets; the rules in sentry/kernel/cred.c) and
 * set/get_robust_list. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/cred.h"
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
		return t->tg->undumpable ? 0 : 1;
	case PR_SET_DUMPABLE:
		if (a[1] > 1)
			return -EINVAL;
		pthread_mutex_lock(&kernel.lock);
		t->tg->undumpable = a[1] == 0;
		pthread_mutex_unlock(&kernel.lock);
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (a[1] != 1 || a[2] || a[3] || a[4])
			return -EINVAL;
		cred_set_no_new_privs(t);
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a[1] || a[2] || a[3] || a[4])
			return -EINVAL;
		return t->cred.no_new_privs;
	case PR_GET_SECCOMP:
		return 0;
	case PR_SET_PDEATHSIG:
		if (a[1] > 64)
			return -EINVAL;
		pthread_mutex_lock(&kernel.lock);
		t->pdeath_signal = (int)a[1];
		pthread_mutex_unlock(&kernel.lock);
		return 0;
	case PR_GET_PDEATHSIG: {
		int sig = t->pdeath_signal;
		return copy_out(t->mm, a[1], &sig, sizeof(sig));
	}
	case PR_SET_CHILD_SUBREAPER:
		pthread_mutex_lock(&kernel.lock);
		t->tg->subreaper = a[1] != 0;
		pthread_mutex_unlock(&kernel.lock);
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int v = t->tg->subreaper;
		return copy_out(t->mm, a[1], &v, sizeof(v));
	}
	case PR_GET_KEEPCAPS:
		return !!(t->cred.securebits & (1u << SECBIT_KEEP_CAPS_B));
	case PR_SET_KEEPCAPS:
		if (a[1] > 1)
			return -EINVAL;
		return cred_set_keepcaps(t, a[1] == 1);
	case PR_GET_SECUREBITS:
		return t->cred.securebits;
	case PR_SET_SECUREBITS:
		return cred_set_securebits(t, (unsigned)a[1]);
	case PR_CAPBSET_READ:
		if (a[1] > CAP_LAST)
			return -EINVAL;
		return !!(t->cred.cap_bset & CAP_BIT(a[1]));
	case PR_CAPBSET_DROP:
		if (a[1] > CAP_LAST)
			return -EINVAL;
		return cred_capbset_drop(t, (int)a[1]);
	case PR_CAP_AMBIENT:
		if (a[1] == PR_CAP_AMBIENT_CLEAR_ALL) {
			if (a[2] || a[3] || a[4])
				return -EINVAL;
			return cred_ambient(t, (int)a[1], 0);
		}
		if (a[2] > CAP_LAST || a[3] || a[4])
			return -EINVAL;
		if (a[1] < PR_CAP_AMBIENT_IS_SET || a[1] > PR_CAP_AMBIENT_LOWER)
			return -EINVAL;
		return cred_ambient(t, (int)a[1], (int)a[2]);
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
