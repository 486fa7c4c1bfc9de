/* sentry/kernel/process.c: the process tree: creating a child process
 * (fork/vfork/clone without threads), exit (reparenting, zombies,
 * SIGCHLD auto-reap), wait4/waitid, and process groups and sessions.
 * kernel.lock guards the tree; a task waits on its own condition (see
 * signal.h), and an exiting child wakes its parent's. */
#include "sentry/kernel/process.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/errno_restart.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"
#include "fs/vfs/fdtable.h"
#include "platform/platform.h"
#include "lib/log.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

struct task *task_lookup(int tid)
{
	for (struct task *t = kernel.tasks; t; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

static void *task_thread(void *arg)
{
	struct task *t = arg;
	current = t;
	task_run(t);
	return NULL;
}

int task_start(struct task *t)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 << 20);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int r = pthread_create(&t->thread, &attr, task_thread, t);
	pthread_attr_destroy(&attr);
	return -r;
}

static void task_free(struct task *t)
{
	pthread_cond_destroy(&t->wake);
	free(t);
}

/* Does the parent ignore its children's exit (no zombies)? */
static bool parent_ignores_sigchld(struct task *parent, int exit_signal)
{
	if (!parent || exit_signal != SIGCHLD)
		return false;
	const struct k_sigaction *sa = &parent->sigactions[SIGCHLD - 1];
	return sa->handler == (uint64_t)SIG_IGN || (sa->flags & SA_NOCLDWAIT);
}

int64_t task_fork(struct task *t, const struct fork_args *fa)
{
	struct task *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->k = t->k;
	pthread_cond_init(&c->wake, NULL);
	c->regs = t->regs;
	c->regs.rax = 0;
	if (fa->stack)
		c->regs.rsp = fa->stack;
	if (fa->flags & CLONE_SETTLS)
		c->regs.fs_base = fa->tls;
	memcpy(c->sigactions, t->sigactions, sizeof(c->sigactions));
	c->sigmask = t->sigmask;
	memcpy(c->rlim, t->rlim, sizeof(c->rlim));
	memcpy(c->comm, t->comm, sizeof(c->comm));
	c->exit_signal = fa->exit_signal;
	c->pgid = t->pgid;
	c->sid = t->sid;
	if (fa->flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = fa->child_tid;

	int err = -ENOMEM;
	c->ctx = ctx_new();
	struct as *as = as_new();
	c->mm = as ? mm_fork(t->mm, as) : NULL;
	if (as && !c->mm)
		as_release(as);
	if (fa->flags & CLONE_FILES) {
		fdtable_get(t->files);
		c->files = t->files;
	} else {
		c->files = fdtable_fork(t->files);
	}
	if (!c->ctx || !c->mm || !c->files)
		goto fail;

	pthread_mutex_lock(&kernel.lock);
	c->tid = c->tgid = kernel.next_tid++;
	c->parent = (fa->flags & CLONE_PARENT) && t->parent ? t->parent : t;
	c->next = kernel.tasks;
	kernel.tasks = c;
	pthread_mutex_unlock(&kernel.lock);

	int tid = c->tid;
	if (fa->flags & CLONE_CHILD_SETTID)
		copy_out(c->mm, fa->child_tid, &tid, sizeof(tid));
	if (fa->flags & CLONE_PARENT_SETTID) {
		copy_out(t->mm, fa->parent_tid, &tid, sizeof(tid));
		copy_out(c->mm, fa->parent_tid, &tid, sizeof(tid));
	}
	err = task_start(c);
	if (err < 0) {
		pthread_mutex_lock(&kernel.lock);
		for (struct task **p = &kernel.tasks; *p; p = &(*p)->next)
			if (*p == c) {
				*p = c->next;
				break;
			}
		pthread_mutex_unlock(&kernel.lock);
		goto fail;
	}
	/* The child may be gone already; only its tid is used from here. */
	if (fa->flags & CLONE_VFORK) {
		pthread_mutex_lock(&kernel.lock);
		struct task *v;
		while ((v = task_lookup(tid)) && !v->vfork_done && !t->exiting)
			pthread_cond_wait(&t->wake, &kernel.lock);
		pthread_mutex_unlock(&kernel.lock);
	}
	return tid;
fail:
	if (c->mm)
		mm_put(c->mm);
	if (c->files)
		fdtable_put(c->files);
	if (c->ctx)
		ctx_release(c->ctx);
	free(c);
	return err;
}

void task_vfork_done(struct task *t)
{
	pthread_mutex_lock(&kernel.lock);
	t->vfork_done = true;
	if (t->parent)
		pthread_cond_broadcast(&t->parent->wake);
	pthread_mutex_unlock(&kernel.lock);
}

/* The exit signal (SIGCHLD) to the parent, with the child's status. */
static void notify_parent_locked(struct task *t)
{
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	info.si_signo = t->exit_signal;
	info.si_pid = t->tgid;
	if (WIFEXITED(t->exit_status)) {
		info.si_code = CLD_EXITED;
		info.si_status = WEXITSTATUS(t->exit_status);
	} else {
		info.si_code = WCOREDUMP(t->exit_status) ? CLD_DUMPED : CLD_KILLED;
		info.si_status = WTERMSIG(t->exit_status);
	}
	signal_send_locked(t->parent, &info);
}

void task_exit_finish(struct task *t)
{
	/* The platform context goes first, while its address space lives. */
	pthread_mutex_lock(&kernel.lock);
	struct ctx *ctx = t->ctx;
	t->ctx = NULL;
	pthread_mutex_unlock(&kernel.lock);
	ctx_release(ctx);
	mm_put(t->mm);
	t->mm = NULL;
	fdtable_put(t->files);
	t->files = NULL;

	pthread_mutex_lock(&kernel.lock);
	struct task *init = task_lookup(1);
	for (struct task *c = kernel.tasks; c; c = c->next) {
		if (c->parent != t)
			continue;
		c->parent = init != t ? init : NULL;
		if (c->zombie && (!c->parent || parent_ignores_sigchld(c->parent, c->exit_signal)))
			c->autoreap = true;
	}
	t->vfork_done = true;
	bool vanish = t->tgid != 1 &&
		      (!t->parent || parent_ignores_sigchld(t->parent, t->exit_signal));
	/* Zombies whose parent is gone have nobody to reap them. */
	for (struct task **p = &kernel.tasks; *p;) {
		struct task *c = *p;
		if (c->zombie && c->autoreap) {
			*p = c->next;
			task_free(c);
		} else {
			p = &c->next;
		}
	}
	if (vanish) {
		for (struct task **p = &kernel.tasks; *p; p = &(*p)->next)
			if (*p == t) {
				*p = t->next;
				break;
			}
	} else {
		t->zombie = true;
	}
	if (t->parent) {
		if (t->exit_signal)
			notify_parent_locked(t);
		pthread_cond_broadcast(&t->parent->wake);
	}
	pthread_mutex_unlock(&kernel.lock);
	if (vanish)
		task_free(t);
}

/* --- waiting ------------------------------------------------------------- */

static bool wait_matches(struct task *t, struct task *c, const struct wait_args *w)
{
	if (c->parent != t)
		return false;
	switch (w->which) {
	case WAITFOR_ANY:
		break;
	case WAITFOR_PID:
		if (c->tid != w->id)
			return false;
		break;
	case WAITFOR_PGID:
		if (c->pgid != w->id)
			return false;
		break;
	}
	/* __WCLONE: only children that do not report with SIGCHLD. */
	if (w->options & __WALL)
		return true;
	return (c->exit_signal == SIGCHLD) != !!(w->options & __WCLONE);
}

int task_wait(struct task *t, const struct wait_args *w, struct wait_result *res)
{
	pthread_mutex_lock(&kernel.lock);
	for (;;) {
		bool any = false;
		for (struct task **p = &kernel.tasks; *p; p = &(*p)->next) {
			struct task *c = *p;
			if (!wait_matches(t, c, w))
				continue;
			any = true;
			if (!c->zombie || !(w->options & WEXITED))
				continue;
			res->pid = c->tid;
			res->status = c->exit_status;
			if (!(w->options & WNOWAIT)) {
				*p = c->next;
				task_free(c);
			}
			pthread_mutex_unlock(&kernel.lock);
			return res->pid;
		}
		if (!any) {
			pthread_mutex_unlock(&kernel.lock);
			return -ECHILD;
		}
		if (w->options & WNOHANG) {
			pthread_mutex_unlock(&kernel.lock);
			return 0;
		}
		if (task_block(t, NULL) == -ERESTARTSYS) {
			pthread_mutex_unlock(&kernel.lock);
			return -ERESTARTSYS;
		}
	}
}

/* --- process groups and sessions ------------------------------------------ */

int task_setpgid(struct task *t, int pid, int pgid)
{
	if (pgid < 0)
		return -EINVAL;
	int r = 0;
	pthread_mutex_lock(&kernel.lock);
	struct task *p = pid == 0 ? t : task_lookup(pid);
	if (!p || (p != t && p->parent != t)) {
		r = -ESRCH;
		goto out;
	}
	if (p->sid != t->sid || p->sid == p->tgid) {
		r = -EPERM;	/* another session, or a session leader */
		goto out;
	}
	if (pgid == 0)
		pgid = p->tgid;
	if (pgid != p->tgid) {
		/* The group must exist in the caller's session. */
		bool found = false;
		for (struct task *q = kernel.tasks; q; q = q->next)
			if (q->pgid == pgid && q->sid == t->sid && !q->zombie)
				found = true;
		if (!found) {
			r = -EPERM;
			goto out;
		}
	}
	p->pgid = pgid;
out:
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int task_setsid(struct task *t)
{
	int r;
	pthread_mutex_lock(&kernel.lock);
	bool leader = false;
	for (struct task *q = kernel.tasks; q; q = q->next)
		if (q->pgid == t->tgid && !q->zombie)
			leader = true;
	if (leader) {
		r = -EPERM;
	} else {
		t->pgid = t->sid = t->tgid;
		r = t->sid;
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int task_getpgid(struct task *t, int pid, bool session)
{
	int r;
	pthread_mutex_lock(&kernel.lock);
	struct task *p = pid == 0 ? t : task_lookup(pid);
	if (!p)
		r = -ESRCH;
	else
		r = session ? p->sid : p->pgid;
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int task_getppid(struct task *t)
{
	pthread_mutex_lock(&kernel.lock);
	int r = t->parent ? t->parent->tgid : 0;
	pthread_mutex_unlock(&kernel.lock);
	return r;
}
