/* sentry/kernel/process.c: the process tree: creating a child process
 * (fork/vfork/clone without threads), exit (reparenting, zombies,
 * SIGCHLD auto-reap), wait4/waitid, and process groups and sessions.
 * kernel.lock guards the tree; a task waits on its own condition (see
 * signal.h), and an exiting child wakes its parent's. */
#include "sentry/kernel/process.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/sigframe.h"
#include "sentry/kernel/errno_restart.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/timer.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"
#include "fs/anon/pidfd.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/fs_context.h"
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

/* Idle task threads: once its task is gone, a task's host thread waits
 * for the next task_start (up to IDLE_MAX of them wait) rather than
 * exiting: creating a thread, and its stack teardown at exit, cost more
 * than the wait (idle_lock guards the rest). */
#define IDLE_MAX 4
static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;
static unsigned idle_n;				/* threads waiting */
static struct task *idle_work[IDLE_MAX];	/* tasks handed to them */
static unsigned idle_nwork;

static void *task_thread(void *arg)
{
	struct task *t = arg;
	for (;;) {
		current = t;
		task_run(t);
		current = NULL;
		pthread_mutex_lock(&idle_lock);
		if (idle_n >= IDLE_MAX) {
			pthread_mutex_unlock(&idle_lock);
			return NULL;
		}
		idle_n++;
		while (!idle_nwork)
			pthread_cond_wait(&idle_cond, &idle_lock);
		t = idle_work[--idle_nwork];
		idle_n--;
		pthread_mutex_unlock(&idle_lock);
	}
}

int task_start(struct task *t)
{
	pthread_mutex_lock(&idle_lock);
	if (idle_n > idle_nwork) {
		idle_work[idle_nwork++] = t;
		pthread_cond_signal(&idle_cond);
		pthread_mutex_unlock(&idle_lock);
		return 0;
	}
	pthread_mutex_unlock(&idle_lock);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 << 20);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int r = pthread_create(&t->thread, &attr, task_thread, t);
	pthread_attr_destroy(&attr);
	return -r;
}

static void unlink_task_locked(struct task *t);

/* At most this many tasks per sandbox, whatever the rlimits say. */
#define TASKS_MAX 8192

static void task_free(struct task *t)
{
	signal_queues_release_locked(t->sig_rtq);	/* empty unless kernel.lock is held */
	cred_release(&t->cred);
	pthread_cond_destroy(&t->wake);
	free(t);
}

struct sighand *sighand_new(const struct sighand *copy)
{
	struct sighand *sh = calloc(1, sizeof(*sh));
	if (!sh)
		return NULL;
	sh->refs = 1;
	if (copy)
		memcpy(sh->action, copy->action, sizeof(sh->action));
	return sh;
}

void sighand_put(struct sighand *sh)
{
	if (sh && __atomic_sub_fetch(&sh->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(sh);
}

struct tgroup *tgroup_new(struct task *leader)
{
	struct tgroup *tg = calloc(1, sizeof(*tg));
	if (!tg)
		return NULL;
	tg->refs = 1;
	tg->live = 1;
	tg->leader = leader;
	return tg;
}

void tgroup_get_locked(struct tgroup *tg)
{
	tg->refs++;
}

void tgroup_put_locked(struct tgroup *tg)
{
	if (--tg->refs == 0) {
		signal_queues_release_locked(tg->shared_rtq);
		if (tg->exe.dentry)
			path_put(&tg->exe);
		free(tg);
	}
}

void tgroup_put(struct tgroup *tg)
{
	pthread_mutex_lock(&kernel.lock);
	tgroup_put_locked(tg);
	pthread_mutex_unlock(&kernel.lock);
}

/* Does the parent ignore its children's exit (no zombies)? */
static bool parent_ignores_sigchld(struct task *parent, int exit_signal)
{
	if (!parent || exit_signal != SIGCHLD)
		return false;
	const struct k_sigaction *sa = &parent->sigactions[SIGCHLD - 1];
	return sa->handler == (uint64_t)SIG_IGN || (sa->flags & SA_NOCLDWAIT);
}

/* Wake every thread of a process (its waiters may be any of them). */
static void tgroup_wake_locked(struct tgroup *tg)
{
	for (struct task *p = kernel.tasks; p; p = p->next)
		if (p->tg == tg)
			pthread_cond_broadcast(&p->wake);
}

void group_exit_locked(struct tgroup *tg, int status)
{
	if (!tg->group_exit) {
		tg->group_exit = true;
		tg->group_exit_status = status;
	}
	tg->stop_pending = tg->stopped = false;
	for (struct task *p = kernel.tasks; p; p = p->next) {
		if (p->tg != tg || p->zombie || p->thread_dead)
			continue;
		__atomic_store_n(&p->exiting, true, __ATOMIC_RELEASE);
		p->exit_status = tg->group_exit_status;
		p->stopped = p->jobctl_stop = false;
		task_wake_locked(p);
	}
}

void task_exit_group(struct task *t, int wait_status)
{
	pthread_mutex_lock(&kernel.lock);
	group_exit_locked(t->tg, wait_status);
	pthread_mutex_unlock(&kernel.lock);
}

void task_exit_thread(struct task *t, int wait_status)
{
	__atomic_store_n(&t->exiting, true, __ATOMIC_RELEASE);
	t->exit_status = wait_status;
}

/* Build the new task's identity, memory and tables for clone. */
static int clone_resources(struct task *t, struct task *c, const struct fork_args *fa)
{
	uint64_t f = fa->flags;
	c->ctx = ctx_new();
	if (!c->ctx)
		return -ENOMEM;
	if (f & CLONE_VM) {
		mm_get(t->mm);
		c->mm = t->mm;
	} else {
		struct as *as = as_new();
		c->mm = as ? mm_fork(t->mm, as) : NULL;
		if (as && !c->mm)
			as_release(as);
		if (!c->mm)
			return -ENOMEM;
	}
	if (f & CLONE_FILES) {
		fdtable_get(t->files);
		c->files = t->files;
	} else if (!(c->files = fdtable_fork(t->files))) {
		return -ENOMEM;
	}
	if (f & CLONE_SIGHAND) {
		__atomic_add_fetch(&t->sighand->refs, 1, __ATOMIC_RELAXED);
		c->sighand = t->sighand;
	} else if (!(c->sighand = sighand_new(t->sighand))) {
		return -ENOMEM;
	}
	c->sigactions = c->sighand->action;
	if (f & CLONE_FS) {
		fs_context_get(t->fs);
		c->fs = t->fs;
	} else if (!(c->fs = fs_context_copy(t->fs))) {
		return -ENOMEM;
	}
	return 0;
}

/* Undo clone_resources (t: the forking task). */
static void clone_undo(struct task *t, struct task *c)
{
	if (c->mm && c->mm != t->mm)
		mm_fork_done(t->mm);	/* a fork that failed after mm_fork */
	if (c->mm)
		mm_put(c->mm);
	if (c->files)
		fdtable_put(c->files);
	sighand_put(c->sighand);
	if (c->fs)
		fs_context_put(c->fs);
	if (c->ctx)
		ctx_release(c->ctx);
	task_free(c);
}

int64_t task_fork(struct task *t, const struct fork_args *fa)
{
	struct task *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	bool thread = fa->flags & CLONE_THREAD;
	c->k = t->k;
	pthread_cond_init(&c->wake, NULL);
	c->regs = t->regs;
	c->regs.rax = 0;
	if (fa->stack)
		c->regs.rsp = fa->stack;
	if (fa->flags & CLONE_SETTLS)
		c->regs.fs_base = fa->tls;
	c->sigmask = t->sigmask;
	c->altstack_flags = 2;	/* SS_DISABLE: a new thread has none */
	if (!(fa->flags & CLONE_VM)) {
		c->altstack_sp = t->altstack_sp;
		c->altstack_size = t->altstack_size;
		c->altstack_flags = t->altstack_flags;
	}
	memcpy(c->rlim, t->rlim, sizeof(c->rlim));
	memcpy(c->comm, t->comm, sizeof(c->comm));
	c->start_ns = kernel_now_ns(CLOCK_BOOTTIME);
	c->oom_score_adj = t->oom_score_adj;
	pthread_mutex_lock(&kernel.lock);
	cred_copy(&c->cred, &t->cred);
	pthread_mutex_unlock(&kernel.lock);
	c->parent_tid = t->tid;
	c->personality = t->personality;
	c->nice = t->nice;
	c->affinity_set = t->affinity_set;
	memcpy(c->affinity, t->affinity, sizeof(c->affinity));
	if (!t->sched_reset_on_fork) {
		c->sched_policy = t->sched_policy;
		c->sched_priority = t->sched_priority;
	} else if (t->nice < 0) {
		c->nice = 0;	/* SCHED_RESET_ON_FORK: back to SCHED_OTHER, nice >= 0 */
	}
	c->exit_signal = thread ? 0 : fa->exit_signal;
	c->pgid = t->pgid;
	c->sid = t->sid;
	if (fa->flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = fa->child_tid;

	int err = clone_resources(t, c, fa);
	if (err == 0)
		err = fpstate_copy(t, c);
	if (err < 0) {
		clone_undo(t, c);
		return err;
	}

	pthread_mutex_lock(&kernel.lock);
	if (t->tg->group_exit || t->exiting) {
		pthread_mutex_unlock(&kernel.lock);
		clone_undo(t, c);
		return -EINTR;	/* the process is dying: no new threads */
	}
	/* RLIMIT_NPROC bounds the sandbox's tasks (root in the sandbox is not
	 * root on the host, so it is not exempt), and so does a hard cap:
	 * each task costs a host thread and, per process, a stub. */
	int tasks_max = kernel.cfg->pids_max > 0 ? kernel.cfg->pids_max : TASKS_MAX;	/* --pids */
	if (kernel.ntasks >= tasks_max || (rlim_t)kernel.ntasks >= t->rlim[RLIMIT_NPROC].rlim_cur) {
		pthread_mutex_unlock(&kernel.lock);
		clone_undo(t, c);
		return -EAGAIN;
	}
	kernel.ntasks++;
	c->tid = kernel.next_tid++;
	if (thread) {
		c->tg = t->tg;
		c->tg->refs++;
		c->tg->live++;
		c->tgid = t->tgid;
		c->parent = t->tg->leader->parent;
		c->parent_tid = t->parent_tid;	/* a thread shares its creator's parent */
	} else {
		c->tg = tgroup_new(c);
		if (!c->tg) {
			pthread_mutex_unlock(&kernel.lock);
			clone_undo(t, c);
			return -ENOMEM;
		}
		c->tgid = c->tid;
		if (fa->pidfd_tg) {
			tgroup_get_locked(c->tg);
			*fa->pidfd_tg = c->tg;
		}
		c->tg->exe = t->tg->exe;
		if (c->tg->exe.dentry)
			path_get(&c->tg->exe);
		c->tg->undumpable = t->tg->undumpable;
		struct task *leader = t->tg->leader;
		c->parent = (fa->flags & CLONE_PARENT) ? leader->parent : leader;
		if (!c->parent)
			c->parent = leader;
		if (c->parent != leader)
			c->parent_tid = t->parent_tid;
	}
	c->next = kernel.tasks;
	kernel.tasks = c;
	pthread_mutex_unlock(&kernel.lock);

	int tid = c->tid;
	if (fa->flags & CLONE_CHILD_SETTID)
		copy_out(c->mm, fa->child_tid, &tid, sizeof(tid));
	if (fa->flags & CLONE_PARENT_SETTID)
		copy_out(t->mm, fa->parent_tid, &tid, sizeof(tid));	/* the parent's only */
	err = task_start(c);
	/* The parent's side of a fork, while the child starts. */
	if (!(fa->flags & CLONE_VM))
		mm_fork_done(t->mm);
	if (err < 0) {
		pthread_mutex_lock(&kernel.lock);
		unlink_task_locked(c);
		if (fa->pidfd_tg && *fa->pidfd_tg) {
			tgroup_put_locked(*fa->pidfd_tg);
			*fa->pidfd_tg = NULL;
		}
		if (thread) {
			c->tg->live--;
			tgroup_put_locked(c->tg);
		} else {
			tgroup_put_locked(c->tg);
		}
		pthread_mutex_unlock(&kernel.lock);
		clone_undo(t, c);
		return err;
	}
	/* The child may be gone already; only its tid is used from here. */
	if (fa->flags & CLONE_VFORK) {
		pthread_mutex_lock(&kernel.lock);
		struct task *v;
		cputime_idle(t);
		while ((v = task_lookup(tid)) && !v->vfork_done && !t->exiting)
			pthread_cond_wait(&t->wake, &kernel.lock);
		cputime_sys(t);
		pthread_mutex_unlock(&kernel.lock);
	}
	return tid;
}

void task_vfork_done(struct task *t)
{
	pthread_mutex_lock(&kernel.lock);
	t->vfork_done = true;
	if (t->parent)
		tgroup_wake_locked(t->parent->tg);
	pthread_mutex_unlock(&kernel.lock);
}

/* The exit signal (SIGCHLD) to the parent, with the child's status. */
static void notify_parent_locked(struct task *leader)
{
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	info.si_signo = leader->exit_signal;
	info.si_pid = leader->tgid;
	if (WIFEXITED(leader->exit_status)) {
		info.si_code = CLD_EXITED;
		info.si_status = WEXITSTATUS(leader->exit_status);
	} else {
		info.si_code = WCOREDUMP(leader->exit_status) ? CLD_DUMPED : CLD_KILLED;
		info.si_status = WTERMSIG(leader->exit_status);
	}
	signal_send_group_locked(leader->parent, &info);
}

void notify_parent_cldstop_locked(struct task *leader, int why, int status)
{
	struct task *parent = leader->parent;
	if (!parent)
		return;
	tgroup_wake_locked(parent->tg);
	if (parent->sigactions[SIGCHLD - 1].flags & SA_NOCLDSTOP)
		return;
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	info.si_signo = SIGCHLD;
	info.si_code = why;
	info.si_pid = leader->tgid;
	info.si_uid = leader->cred.uid;
	info.si_status = status;
	signal_send_group_locked(parent, &info);
}

bool pgrp_orphaned_locked(int pgid)
{
	for (struct task *p = kernel.tasks; p; p = p->next) {
		if (p->pgid != pgid || p != p->tg->leader || p->zombie || p->tg->group_exit)
			continue;
		struct task *q = p->parent;
		if (q && q->pgid != pgid && q->sid == p->sid)
			return false;
	}
	return true;
}

static void unlink_task_locked(struct task *t)
{
	for (struct task **p = &kernel.tasks; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			kernel.ntasks--;
			return;
		}
	}
}

/* Thread t is leaving: the children it forked (and their threads) get
 * their parent-death signal, as on Linux, where the parent is a thread;
 * they now belong to another live thread of the process, if any. */
static void pdeath_signal_locked(struct task *t)
{
	struct task *leader = t->tg->leader, *heir = NULL;
	for (struct task *p = kernel.tasks; p && !heir; p = p->next)
		if (p->tg == t->tg && p != t && !p->exiting && !p->thread_dead && !p->zombie)
			heir = p;
	for (struct task *c = kernel.tasks; c; c = c->next) {
		if (c->parent != leader || c->parent_tid != t->tid || c->tg == t->tg)
			continue;
		if (heir)
			c->parent_tid = heir->tid;
		if (c->pdeath_signal && !c->zombie && !c->exiting && !c->thread_dead) {
			siginfo_t info;
			signal_info_kill(&info, c->pdeath_signal, SI_USER, t);
			signal_send_group_locked(c, &info);
		}
	}
}

/* Who inherits the orphans of the process led by leader: the nearest
 * live ancestor that is a child subreaper, else init (NULL when init
 * itself is exiting). */
static struct task *find_reaper_locked(struct task *leader)
{
	for (struct task *a = leader->parent; a; a = a->parent)
		if (a->tg->subreaper && !a->zombie && !a->tg->group_exit && a->tg->live > 0)
			return a;
	struct task *init = task_lookup(1);
	return init && init->tg != leader->tg ? init : NULL;
}

/* The last thread of a process is gone: the process exits. */
static bool process_exit_locked(struct task *t, struct tgroup *tg)
{
	struct task *leader = tg->leader;
	timers_release_locked(tg, false);
	leader->exit_status = tg->group_exit ? tg->group_exit_status : t->exit_status;
	if (leader->tgid == 1) {
		kernel.exit_status = leader->exit_status;
		kernel.init_done = true;
		pthread_cond_broadcast(&kernel.init_cond);
	}
	struct task *reaper = find_reaper_locked(leader);
	for (struct task *c = kernel.tasks; c; c = c->next) {
		if (c->parent != leader)
			continue;
		c->parent = reaper;
		c->parent_tid = reaper ? reaper->tid : 0;
		if (c == c->tg->leader && reaper)
			c->exit_signal = SIGCHLD;
		if (c->zombie && (!reaper || parent_ignores_sigchld(reaper, c->exit_signal)))
			c->autoreap = true;
		else if (c->zombie && c == c->tg->leader)
			notify_parent_locked(c);	/* the new parent hears of it */
	}
	if (reaper)
		tgroup_wake_locked(reaper->tg);
	leader->vfork_done = true;
	/* Zombies whose parent is gone have nobody to reap them. */
	for (struct task **p = &kernel.tasks; *p;) {
		struct task *c = *p;
		if (c->zombie && c->autoreap) {
			*p = c->next;
			kernel.ntasks--;
			tgroup_put_locked(c->tg);
			task_free(c);
		} else {
			p = &c->next;
		}
	}
	bool vanish = leader->tgid != 1 &&
		      (!leader->parent || parent_ignores_sigchld(leader->parent, leader->exit_signal));
	if (vanish)
		unlink_task_locked(leader);
	else
		leader->zombie = true;
	if (leader->parent) {
		if (leader->exit_signal)
			notify_parent_locked(leader);
		tgroup_wake_locked(leader->parent->tg);
	}
	pidfd_notify_exit_locked();
	return vanish;
}

void task_exit_finish(struct task *t)
{
	/* The platform context goes first, while its address space lives. */
	pthread_mutex_lock(&kernel.lock);
	struct ctx *ctx = t->ctx;
	t->ctx = NULL;
	t->exited = true;
	pthread_mutex_unlock(&kernel.lock);
	ctx_release(ctx);
	futex_exit(t);
	/* Detached under kernel.lock: procfs takes references under it. */
	pthread_mutex_lock(&kernel.lock);
	struct mm *mm = t->mm;
	struct fdtable *files = t->files;
	struct fs_context *fs = t->fs;
	t->mm = NULL;
	t->files = NULL;
	t->fs = NULL;
	pthread_mutex_unlock(&kernel.lock);
	mm_put(mm);
	fdtable_put(files);
	fs_context_put(fs);

	pthread_mutex_lock(&kernel.lock);
	struct tgroup *tg = t->tg;
	struct task *leader = tg->leader;
	cputime_thread_exit_locked(t);
	jobctl_thread_exit_locked(t);
	pdeath_signal_locked(t);
	signal_queues_release_locked(t->sig_rtq);
	bool last = --tg->live == 0;
	bool free_leader = last && process_exit_locked(t, tg);
	if (!last)
		tgroup_wake_locked(tg);	/* an exec may wait for us */
	bool free_self = t != leader;
	if (free_self)
		unlink_task_locked(t);
	else
		t->thread_dead = true;
	if (free_self)
		tgroup_put_locked(tg);
	if (free_leader)
		tgroup_put_locked(tg);
	pthread_mutex_unlock(&kernel.lock);
	/* sighand: shared among threads; the leader keeps a pointer for
	 * parent_ignores_sigchld while it is a zombie. */
	if (free_self) {
		sighand_put(t->sighand);
		task_free(t);
	}
	if (free_leader) {
		sighand_put(leader->sighand);
		task_free(leader);
	}
}

void exec_become_leader_locked(struct task *t)
{
	struct task *old = t->tg->leader;
	if (old == t || !old->thread_dead)
		return;
	int old_tid = t->tid;
	/* Linux's de_thread: we take over the leader's pid and its place
	 * in the tree; the old leader's struct goes. */
	t->tid = old->tid;
	t->parent = old->parent;
	t->parent_tid = old->parent_tid;
	t->exit_signal = old->exit_signal;
	t->pgid = old->pgid;
	t->sid = old->sid;
	t->autoreap = old->autoreap;
	t->vfork_done = old->vfork_done;
	t->tg->leader = t;
	for (struct task *c = kernel.tasks; c; c = c->next) {
		if (c->parent == old)
			c->parent = t;
		if (c->parent == t && c->parent_tid == old_tid)
			c->parent_tid = t->tid;
	}
	unlink_task_locked(old);
	tgroup_put_locked(t->tg);
	sighand_put(old->sighand);
	task_free(old);
}

/* --- waiting ------------------------------------------------------------- */

static bool wait_matches(struct task *t, struct task *c, const struct wait_args *w)
{
	if (c->parent != t->tg->leader || c != c->tg->leader)
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
			/* A zombie only counts for WEXITED; a live child for any
			 * event it could still report. */
			if (c->zombie ? !(w->options & WEXITED) : !(w->options & (WEXITED | WSTOPPED | WCONTINUED)))
				continue;
			any = true;
			res->uid = c->cred.uid;
			if (!c->zombie) {
				/* A stop or a continue not yet reported. */
				struct tgroup *ctg = c->tg;
				if ((w->options & WSTOPPED) && ctg->stopped && ctg->stop_report) {
					res->pid = c->tid;
					res->status = (ctg->stop_report << 8) | 0x7f;
					if (!(w->options & WNOWAIT))
						ctg->stop_report = 0;
				} else if ((w->options & WCONTINUED) && ctg->cont_report) {
					res->pid = c->tid;
					res->status = 0xffff;
					if (!(w->options & WNOWAIT))
						ctg->cont_report = false;
				} else {
					continue;
				}
				pthread_mutex_unlock(&kernel.lock);
				return res->pid;
			}
			res->pid = c->tid;
			res->status = c->exit_status;
			struct cputime ct;
			tgroup_cputime_locked(c, &ct);
			cputime_add(&ct, &c->tg->children);
			res->utime_ns = ct.user_ns;
			res->stime_ns = ct.sys_ns;
			if (!(w->options & WNOWAIT)) {
				cputime_reap_locked(t, c);
				*p = c->next;
				kernel.ntasks--;
				tgroup_put_locked(c->tg);
				sighand_put(c->sighand);
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
	if (pgid < 0 || (pgid == 0 && pid < 0))
		return -EINVAL;
	int r = 0;
	pthread_mutex_lock(&kernel.lock);
	struct task *p = pid == 0 ? t->tg->leader : task_lookup(pid);
	if (!p || p != p->tg->leader || (p->tg != t->tg && p->parent != t->tg->leader)) {
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
			if (q->pgid == pgid && q->sid == t->sid)
				found = true;
		if (!found) {
			r = -EPERM;
			goto out;
		}
	}
	for (struct task *q = kernel.tasks; q; q = q->next)
		if (q->tg == p->tg)
			q->pgid = pgid;
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
		if (q->pgid == t->tgid)
			leader = true;
	if (leader) {
		r = -EPERM;
	} else {
		for (struct task *q = kernel.tasks; q; q = q->next)
			if (q->tg == t->tg)
				q->pgid = q->sid = t->tgid;
		r = t->tgid;
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int task_getpgid(struct task *t, int pid, bool session)
{
	int r;
	pthread_mutex_lock(&kernel.lock);
	struct task *p = pid == 0 ? t : task_lookup(pid);
	if (!p) {
		r = -ESRCH;
	} else {
		p = p->tg->leader;	/* the ids are the process's */
		r = session ? p->sid : p->pgid;
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int pgrp_session(int pgid)
{
	int r = -ESRCH;
	pthread_mutex_lock(&kernel.lock);
	for (struct task *p = kernel.tasks; p; p = p->next) {
		if (p == p->tg->leader && !p->zombie && p->pgid == pgid) {
			r = p->sid;
			break;
		}
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int task_getppid(struct task *t)
{
	pthread_mutex_lock(&kernel.lock);
	struct task *parent = t->tg->leader->parent;
	int r = parent ? parent->tgid : 0;
	pthread_mutex_unlock(&kernel.lock);
	return r;
}
