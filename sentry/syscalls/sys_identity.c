/* sentry/syscalls/sys_identity.c: who am I: getpid, gettid, getppid, the
 * uid/gid family (get/set), the group list and set_tid_address.
 *
 * The sandbox has its own pid namespace: the first task is pid 1 and its
 * parent lies outside the namespace, so getppid gives it 0. The uid/gid
 * family decodes arguments here; the rules are in sentry/kernel/cred.c. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <stdlib.h>

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
	(void)a;
	return t->cred.uid;
}

int64_t sys_geteuid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return t->cred.euid;
}

int64_t sys_getgid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return t->cred.gid;
}

int64_t sys_getegid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return t->cred.egid;
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
	const struct cred *c = &t->cred;
	return put_three_ids(t, a, c->uid, c->euid, c->suid);
}

int64_t sys_getresgid(struct task *t, const uint64_t a[6])
{
	const struct cred *c = &t->cred;
	return put_three_ids(t, a, c->gid, c->egid, c->sgid);
}

int64_t sys_setuid(struct task *t, const uint64_t a[6])
{
	return cred_setuid(t, (uint32_t)a[0]);
}

int64_t sys_setgid(struct task *t, const uint64_t a[6])
{
	return cred_setgid(t, (uint32_t)a[0]);
}

int64_t sys_setreuid(struct task *t, const uint64_t a[6])
{
	return cred_setreuid(t, (uint32_t)a[0], (uint32_t)a[1]);
}

int64_t sys_setregid(struct task *t, const uint64_t a[6])
{
	return cred_setregid(t, (uint32_t)a[0], (uint32_t)a[1]);
}

int64_t sys_setresuid(struct task *t, const uint64_t a[6])
{
	return cred_setresuid(t, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2]);
}

int64_t sys_setresgid(struct task *t, const uint64_t a[6])
{
	return cred_setresgid(t, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2]);
}

int64_t sys_setfsuid(struct task *t, const uint64_t a[6])
{
	return cred_setfsuid(t, (uint32_t)a[0]);
}

int64_t sys_setfsgid(struct task *t, const uint64_t a[6])
{
	return cred_setfsgid(t, (uint32_t)a[0]);
}

#define NGROUPS_MAX_LINUX 65536

/* getgroups(int size, gid_t *list): with size 0 just the count; else
 * EINVAL if the list does not fit. */
int64_t sys_getgroups(struct task *t, const uint64_t a[6])
{
	int size = (int)a[0];
	if (size < 0)
		return -EINVAL;
	const struct group_info *g = t->cred.groups;
	int n = g ? g->n : 0;
	if (size == 0 || n == 0)
		return n;
	if (n > size)
		return -EINVAL;
	int r = copy_out(t->mm, a[1], g->gid, (size_t)n * sizeof(uint32_t));
	return r < 0 ? r : n;
}

int64_t sys_setgroups(struct task *t, const uint64_t a[6])
{
	int n = (int)a[0];
	if ((unsigned)n > NGROUPS_MAX_LINUX)
		return -EINVAL;
	uint32_t *gids = NULL;
	if (n > 0) {
		gids = malloc((size_t)n * sizeof(uint32_t));
		if (!gids)
			return -ENOMEM;
		int r = copy_in(t->mm, gids, a[1], (size_t)n * sizeof(uint32_t));
		if (r < 0) {
			free(gids);
			return r;
		}
	}
	int r = cred_setgroups(t, gids, n);
	free(gids);
	return r;
}

/* set_tid_address(int *tidptr): remember where to clear the tid (and wake
 * a futex) at exit. Never fails. */
int64_t sys_set_tid_address(struct task *t, const uint64_t a[6])
{
	t->clear_child_tid = a[0];
	return t->tid;
}
