/* sentry/syscalls/sys_rlimit.c: getrlimit, setrlimit, prlimit64.
 *
 * Limits live in the task (t->rlim). Root in the sandbox holds
 * CAP_SYS_RESOURCE, so hard limits may be raised, up to fs.nr_open for
 * RLIMIT_NOFILE. Only the caller's own process can be named until tasks
 * can be looked up by pid. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/rlimit.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>

/* Guest struct rlimit and struct rlimit64 (identical on x86-64). */
struct k_rlimit {
	uint64_t cur, max;
};

/* do_prlimit(): read and/or replace one limit of t. */
static int do_prlimit(struct task *t, uint32_t resource,
		      const struct k_rlimit *new, struct k_rlimit *old)
{
	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (new) {
		if (new->cur > new->max)
			return -EINVAL;
		if (resource == RLIMIT_NOFILE && new->max > RLIMIT_NR_OPEN)
			return -EPERM;
	}
	struct rlimit *rl = &t->rlim[resource];
	if (old) {
		old->cur = rl->rlim_cur;
		old->max = rl->rlim_max;
	}
	if (new) {
		rl->rlim_cur = new->cur;
		rl->rlim_max = new->max;
	}
	return 0;
}

/* getrlimit(unsigned int resource, struct rlimit *rlim) */
int64_t sys_getrlimit(struct task *t, const uint64_t a[6])
{
	struct k_rlimit old;
	int err = do_prlimit(t, (uint32_t)a[0], NULL, &old);

	if (err)
		return err;
	return copy_out(t->mm, a[1], &old, sizeof(old));
}

/* setrlimit(unsigned int resource, const struct rlimit *rlim): the copy
 * comes first, as in Linux. */
int64_t sys_setrlimit(struct task *t, const uint64_t a[6])
{
	struct k_rlimit new;
	int err = copy_in(t->mm, &new, a[1], sizeof(new));

	if (err)
		return err;
	return do_prlimit(t, (uint32_t)a[0], &new, NULL);
}

/* prlimit64(pid_t pid, unsigned int resource, const struct rlimit64 *new,
 * struct rlimit64 *old). As in Linux, a new limit that was set stays set
 * even when writing the old one back faults. */
int64_t sys_prlimit64(struct task *t, const uint64_t a[6])
{
	int32_t pid = (int32_t)a[0];
	struct k_rlimit new, old;

	if (a[2]) {
		int err = copy_in(t->mm, &new, a[2], sizeof(new));
		if (err)
			return err;
	}
	/* Limits belong to the process: any of its thread ids names it. */
	if (pid != 0 && pid != t->tgid && pid != t->tid)
		return -ESRCH;
	int err = do_prlimit(t, (uint32_t)a[1], a[2] ? &new : NULL,
			     a[3] ? &old : NULL);
	if (err)
		return err;
	if (a[3])
		return copy_out(t->mm, a[3], &old, sizeof(old));
	return 0;
}
