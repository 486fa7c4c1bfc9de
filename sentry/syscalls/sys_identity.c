/* sentry/syscalls/sys_identity.c: who am I: getpid, gettid, getppid, the
 * uid/gid getters, getgroups and set_tid_address.
 *
 * The sandbox has its own pid namespace: the first task is pid 1 and its
 * parent lies outside the namespace, so getppid gives it 0. Credentials are
 * root (uid/gid 0) everywhere, with no supplementary groups, until the
 * credentials work lands. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>

int64_t sys_getpid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return t->tgid;
}

int64_t sys_gettid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return t->tid;
}

/* The parent's pid, or 0 for init: its parent lies outside the
 * sandbox's pid namespace. */
int64_t sys_getppid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return task_getppid(t);
}

int64_t sys_getuid(struct task *t, const uint64_t a[6])
{
	(void)t;
	(void)a;
	return 0;
}

int64_t sys_geteuid(struct task *t, const uint64_t a[6])
{
	(void)t;
	(void)a;
	return 0;
}

int64_t sys_getgid(struct task *t, const uint64_t a[6])
{
	(void)t;
	(void)a;
	return 0;
}

int64_t sys_getegid(struct task *t, const uint64_t a[6])
{
	(void)t;
	(void)a;
	return 0;
}

/* Three 32-bit ids, written one by one as Linux does (put_user each):
 * the first bad pointer stops it with EFAULT. */
static int64_t put_three_ids(struct task *t, const uint64_t a[6],
			     uint32_t r, uint32_t e, uint32_t s)
{
	int err = copy_out(t->mm, a[0], &r, sizeof(r));
	if (err)
		return err;
	err = copy_out(t->mm, a[1], &e, sizeof(e));
	if (err)
		return err;
	return copy_out(t->mm, a[2], &s, sizeof(s));
}

int64_t sys_getresuid(struct task *t, const uint64_t a[6])
{
	return put_three_ids(t, a, 0, 0, 0);
}

int64_t sys_getresgid(struct task *t, const uint64_t a[6])
{
	return put_three_ids(t, a, 0, 0, 0);
}

/* getgroups(int size, gid_t *list): the number of supplementary groups,
 * which is 0; with no groups nothing is written, so list is never read. */
int64_t sys_getgroups(struct task *t, const uint64_t a[6])
{
	(void)t;
	int size = (int)a[0];
	const int ngroups = 0;

	if (size < 0)
		return -EINVAL;
	if (size > 0 && ngroups > size)
		return -EINVAL;
	return ngroups;
}

/* set_tid_address(int *tidptr): remember where to clear the tid (and wake
 * a futex) at exit. Never fails. */
int64_t sys_set_tid_address(struct task *t, const uint64_t a[6])
{
	t->clear_child_tid = a[0];
	return t->tid;
}
