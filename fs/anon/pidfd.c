/* fs/anon/pidfd.c: pidfd files (see pidfd.h). Pollers of every pidfd wait
 * on one queue, woken (through a deferwake: the exit path holds
 * kernel.lock) when any process exits while any pidfd exists; each
 * rechecks its own process. The process is alive while its leader is in
 * the task list with the same tgroup (tids are not reused while the
 * tgroup lives); it has exited once the tgroup has no live threads. */
#include "fs/anon/pidfd.h"
#include "fs/anon/deferwake.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/waitq.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"

#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct pidfd {
	struct tgroup *tg;	/* referenced */
	int tgid;
};

static struct waitq pidfd_wq;
static struct deferwake pidfd_dw;
static pthread_once_t pidfd_once = PTHREAD_ONCE_INIT;
static int pidfd_files;		/* live pidfds, atomic */

static const struct file_ops pidfd_fops;

static void pidfd_init(void)
{
	waitq_init(&pidfd_wq);
	deferwake_init(&pidfd_dw, &pidfd_wq);
}

void pidfd_notify_exit_locked(void)
{
	if (__atomic_load_n(&pidfd_files, __ATOMIC_ACQUIRE))
		deferwake_post(&pidfd_dw, POLLIN | POLLRDNORM);
}

bool file_is_pidfd(struct file *f)
{
	return f->ops == &pidfd_fops;
}

static struct pidfd *pfd_of(struct file *f)
{
	return f->priv;
}

int pidfd_pid(struct file *f)
{
	return pfd_of(f)->tgid;
}

/* The leader of the process, or NULL once reaped. kernel.lock held. */
static struct task *leader_locked(struct pidfd *p)
{
	struct task *l = task_lookup(p->tgid);
	return l && l->tg == p->tg ? l : NULL;
}

static uint32_t pidfd_poll(struct file *f, struct poll_table *pt)
{
	struct pidfd *p = pfd_of(f);
	poll_wait(pt, f, &pidfd_wq);
	uint32_t mask = 0;
	pthread_mutex_lock(&kernel.lock);
	if (!leader_locked(p))
		mask = POLLIN | POLLRDNORM | POLLHUP;
	else if (p->tg->live == 0)
		mask = POLLIN | POLLRDNORM;
	pthread_mutex_unlock(&kernel.lock);
	return mask;
}

static void pidfd_release(struct file *f)
{
	struct pidfd *p = pfd_of(f);
	tgroup_put(p->tg);
	free(p);
	__atomic_sub_fetch(&pidfd_files, 1, __ATOMIC_ACQ_REL);
}

static const struct file_ops pidfd_fops = {
	.poll = pidfd_poll,
	.stat = anon_inode_stat,
	.release = pidfd_release,
};

int pidfd_from_tgroup(struct tgroup *tg, int tgid, int flags, struct file **out)
{
	pthread_once(&pidfd_once, pidfd_init);
	struct pidfd *p = calloc(1, sizeof(*p));
	struct file *f = p ? file_new(&pidfd_fops, O_RDWR | (flags & O_NONBLOCK), p) : NULL;
	if (!f) {
		free(p);
		tgroup_put(tg);
		return -ENOMEM;
	}
	p->tg = tg;
	p->tgid = tgid;
	__atomic_add_fetch(&pidfd_files, 1, __ATOMIC_ACQ_REL);
	*out = f;
	return 0;
}

int pidfd_open_pid(int pid, int flags, struct file **out)
{
	pthread_mutex_lock(&kernel.lock);
	struct task *l = task_lookup(pid);
	struct tgroup *tg = NULL;
	int r = 0;
	if (!l)
		r = -ESRCH;
	else if (l->tgid != pid)
		r = -ENOENT;	/* a thread, not a process (recent Linux; EINVAL before) */
	else {
		tg = l->tg;
		tgroup_get_locked(tg);
	}
	pthread_mutex_unlock(&kernel.lock);
	if (r < 0)
		return r;
	return pidfd_from_tgroup(tg, pid, flags, out);
}

int pidfd_signal(struct file *f, struct task *sender, int sig, const siginfo_t *info,
		 unsigned scope)
{
	struct pidfd *p = pfd_of(f);
	int r = 0;
	pthread_mutex_lock(&kernel.lock);
	if (scope == K_PIDFD_SIGNAL_PROCESS_GROUP && (sig < 0 || sig > KSIG_MAX)) {
		r = -EINVAL;
	} else if (scope == K_PIDFD_SIGNAL_PROCESS_GROUP) {
		bool found = false;
		for (struct task *q = kernel.tasks; q; q = q->next) {
			if (q->pgid != p->tgid || q != q->tg->leader || q->zombie)
				continue;
			found = true;
			if (sig)
				signal_send_group_locked(q, info);
		}
		r = found ? 0 : -ESRCH;
	} else {
		struct task *l = leader_locked(p);
		if (!l)
			r = -ESRCH;
		else if (sig < 0 || sig > KSIG_MAX)
			r = -EINVAL;
		else if (sig && scope == K_PIDFD_SIGNAL_THREAD)
			signal_send_locked(l, info);
		else if (sig)
			signal_send_group_locked(l, info);
	}
	pthread_mutex_unlock(&kernel.lock);
	(void)sender;
	return r;
}

/* ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS) for target's process:
 * the same process may always; otherwise the caller's real uid and gid
 * must equal all of the target's r/e/s ids and the target must be
 * dumpable, or the caller must have CAP_SYS_PTRACE (the sandbox is one
 * user namespace). kernel.lock held. */
static int may_ptrace_locked(struct task *t, struct tgroup *target)
{
	if (t->tg == target)
		return 0;
	const struct cred *c = &t->cred, *tc = &target->leader->cred;
	bool same = c->uid == tc->uid && c->uid == tc->euid && c->uid == tc->suid &&
		    c->gid == tc->gid && c->gid == tc->egid && c->gid == tc->sgid;
	if (same && !target->undumpable)
		return 0;
	return cred_capable(c, CAP_SYS_PTRACE) ? 0 : -EPERM;
}

int pidfd_get_file(struct file *f, struct task *t, int fd, struct file **out)
{
	struct pidfd *p = pfd_of(f);
	struct fdtable *files = NULL;
	pthread_mutex_lock(&kernel.lock);
	int r = leader_locked(p) ? may_ptrace_locked(t, p->tg) : -ESRCH;
	if (r == 0) {
		/* Any live thread's table: a leader may have exited early. */
		for (struct task *q = kernel.tasks; q && !files; q = q->next)
			if (q->tg == p->tg && q->files)
				files = q->files;
		if (files)
			fdtable_get(files);
		else
			r = -ESRCH;	/* exiting: its files are gone */
	}
	pthread_mutex_unlock(&kernel.lock);
	if (r < 0)
		return r;
	struct file *got = fdtable_get_file(files, fd);
	fdtable_put(files);
	if (!got)
		return -EBADF;
	*out = got;
	return 0;
}
