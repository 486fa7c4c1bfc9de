/* sentry/syscalls/sys_kill.c: sending and waiting for signals: kill,
 * tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo, rt_sigsuspend,
 * pause, rt_sigtimedwait, rt_sigreturn. The work is in
 * sentry/kernel/signal.c and sigframe.c. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/errno_restart.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <string.h>

#define KSIGSET_SIZE 8

static bool sig_valid(int64_t sig)
{
	return sig >= 0 && sig <= KSIG_MAX;
}

/* Send to every live process that matches; sig 0 only checks. A process
 * the caller may not signal counts as EPERM (Linux: one target gives
 * EPERM, a group succeeds if any member could be signalled; kill(-1)
 * skips them). */
static int64_t kill_many(struct task *t, int pid, int sig)
{
	siginfo_t info;
	signal_info_kill(&info, sig, SI_USER, t);
	int found = 0, denied = 0;
	pthread_mutex_lock(&kernel.lock);
	for (struct task *p = kernel.tasks; p; p = p->next) {
		if (p->zombie)
			continue;
		bool match = pid > 0 ? p->tgid == pid :
			     pid == 0 ? p->pgid == t->pgid :
			     pid == -1 ? p->tgid != 1 && p->tg != t->tg :
			     p->pgid == -pid;
		if (!match)
			continue;
		if (p != p->tg->leader)
			continue;	/* one send per process */
		if (!signal_may_send_locked(t, p, sig)) {
			denied++;
			continue;
		}
		found++;
		if (sig)
			signal_send_group_locked(p, &info);
	}
	/* kill(-1) signals the caller too, after the others. */
	if (pid == -1 && sig && t->tgid != 1) {
		found++;
		signal_send_group_locked(t, &info);
	}
	pthread_mutex_unlock(&kernel.lock);
	return found ? 0 : denied && pid != -1 ? -EPERM : -ESRCH;
}

int64_t sys_kill(struct task *t, const uint64_t a[6])
{
	int pid = (int)a[0];
	int sig = (int)a[1];
	if (!sig_valid(sig))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	return kill_many(t, pid, sig);
}

static int64_t kill_thread(struct task *t, int tgid, int tid, const siginfo_t *info)
{
	if (tid <= 0 || (tgid != -1 && tgid <= 0))
		return -EINVAL;
	pthread_mutex_lock(&kernel.lock);
	struct task *p = task_lookup(tid);
	int r = 0;
	if (!p || p->zombie || p->thread_dead || (tgid != -1 && p->tgid != tgid))
		r = -ESRCH;
	else if (!signal_may_send_locked(t, p, info->si_signo))
		r = -EPERM;
	else if (info->si_signo)
		signal_send_locked(p, info);
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int64_t sys_tkill(struct task *t, const uint64_t a[6])
{
	if (!sig_valid((int64_t)a[1]))
		return -EINVAL;
	siginfo_t info;
	signal_info_kill(&info, (int)a[1], SI_TKILL, t);
	return kill_thread(t, -1, (int)a[0], &info);
}

int64_t sys_tgkill(struct task *t, const uint64_t a[6])
{
	if (!sig_valid((int64_t)a[2]))
		return -EINVAL;
	siginfo_t info;
	signal_info_kill(&info, (int)a[2], SI_TKILL, t);
	return kill_thread(t, (int)a[0], (int)a[1], &info);
}

/* A queued siginfo from the guest: it may not claim to come from the
 * kernel or kill(2) unless it is sending to itself. */
static int64_t queueinfo_in(struct task *t, int sig, uint64_t uinfo, int target, siginfo_t *info)
{
	if (!sig_valid(sig))
		return -EINVAL;
	int r = copy_in(t->mm, info, uinfo, sizeof(*info));
	if (r < 0)
		return r;
	if ((info->si_code >= 0 || info->si_code == SI_TKILL) && target != t->tgid)
		return -EPERM;
	info->si_signo = sig;
	return 0;
}

int64_t sys_rt_sigqueueinfo(struct task *t, const uint64_t a[6])
{
	siginfo_t info;
	int64_t r = queueinfo_in(t, (int)a[1], a[2], (int)a[0], &info);
	if (r < 0)
		return r;
	pthread_mutex_lock(&kernel.lock);
	struct task *p = task_lookup((int)a[0]);
	if (!p || p->zombie || p->tgid != (int)a[0])
		r = -ESRCH;
	else if (!signal_may_send_locked(t, p, info.si_signo))
		r = -EPERM;
	else if (info.si_signo)
		signal_send_group_locked(p, &info);
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int64_t sys_rt_tgsigqueueinfo(struct task *t, const uint64_t a[6])
{
	siginfo_t info;
	int64_t r = queueinfo_in(t, (int)a[2], a[3], (int)a[0], &info);
	if (r < 0)
		return r;
	return kill_thread(t, (int)a[0], (int)a[1], &info);
}

/* Sleep until a signal is pending; the handler runs with the mask as it
 * was before, restored through the frame. */
static int64_t suspend_with_mask(struct task *t, uint64_t mask)
{
	pthread_mutex_lock(&kernel.lock);
	t->saved_sigmask = t->sigmask;
	t->restore_sigmask = true;
	t->sigmask = mask & ~SIG_UNBLOCKABLE;
	while (task_block(t, NULL) != -ERESTARTSYS)
		;
	pthread_mutex_unlock(&kernel.lock);
	return -ERESTARTNOHAND;
}

int64_t sys_rt_sigsuspend(struct task *t, const uint64_t a[6])
{
	if (a[1] != KSIGSET_SIZE)
		return -EINVAL;
	uint64_t mask;
	int r = copy_in(t->mm, &mask, a[0], sizeof(mask));
	if (r < 0)
		return r;
	return suspend_with_mask(t, mask);
}

int64_t sys_pause(struct task *t, const uint64_t a[6])
{
	(void)a;
	pthread_mutex_lock(&kernel.lock);
	while (task_block(t, NULL) != -ERESTARTSYS)
		;
	pthread_mutex_unlock(&kernel.lock);
	return -ERESTARTNOHAND;
}

int64_t sys_rt_sigtimedwait(struct task *t, const uint64_t a[6])
{
	if (a[3] != KSIGSET_SIZE)
		return -EINVAL;
	uint64_t set;
	int r = copy_in(t->mm, &set, a[0], sizeof(set));
	if (r < 0)
		return r;
	set &= ~SIG_UNBLOCKABLE;
	struct timespec deadline, *dl = NULL;
	if (a[2]) {
		struct timespec ts;
		if ((r = copy_in(t->mm, &ts, a[2], sizeof(ts))) < 0)
			return r;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += ts.tv_sec;
		deadline.tv_nsec += ts.tv_nsec;
		if (deadline.tv_nsec >= 1000000000) {
			deadline.tv_nsec -= 1000000000;
			deadline.tv_sec++;
		}
		dl = &deadline;
	}
	siginfo_t info;
	int sig;
	pthread_mutex_lock(&kernel.lock);
	/* The waited-for signals count as unblocked while we wait. */
	uint64_t mask = t->sigmask;
	t->sigmask &= ~set;
	for (;;) {
		sig = signal_dequeue_locked(t, set, &info);
		if (sig)
			break;
		int b = task_block(t, dl);
		if (b == -ETIMEDOUT) {
			sig = -EAGAIN;
			break;
		}
		if (b == -ERESTARTSYS && !(t->sig_pending & set)) {
			sig = -EINTR;
			break;
		}
	}
	t->sigmask = mask;
	pthread_mutex_unlock(&kernel.lock);
	if (sig > 0 && a[1] && (r = copy_out(t->mm, a[1], &info, sizeof(info))) < 0)
		return r;
	return sig;
}

int64_t sys_rt_sigreturn(struct task *t, const uint64_t a[6])
{
	(void)a;
	if (sigframe_restore(t) < 0) {
		signal_force(t, SIGSEGV, SI_KERNEL, 0);
		return -EFAULT;
	}
	t->sigreturned = true;
	return (int64_t)t->regs.rax;
}
