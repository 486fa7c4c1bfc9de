/* sentry/kernel/signal.c: sending, blocking, and delivering signals
 * (see signal.h). Default actions follow signal(7); syscall restarts
 * follow Linux's arch_do_signal_or_restart(). */
#include "sentry/kernel/signal.h"
#include "sentry/strace.h"
#include "sentry/kernel/errno_restart.h"
#include "sentry/kernel/errno_name.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/sigframe.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "platform/platform.h"
#include "fs/anon/signalfd.h"
#include "lib/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

enum sig_default { SD_TERM, SD_CORE, SD_IGN, SD_STOP, SD_CONT };

static enum sig_default sig_default_action(int sig)
{
	switch (sig) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS:
	case SIGFPE: case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return SD_CORE;
	case SIGCHLD: case SIGURG: case SIGWINCH:
		return SD_IGN;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return SD_STOP;
	case SIGCONT:
		return SD_CONT;
	default:
		return SD_TERM;
	}
}

static bool sig_ignored(struct task *t, int sig)
{
	uint64_t h = t->sigactions[sig - 1].handler;
	if (h == (uint64_t)SIG_IGN)
		return true;
	return h == (uint64_t)SIG_DFL &&
	       (sig_default_action(sig) == SD_IGN || sig_default_action(sig) == SD_CONT);
}

void task_wake_locked(struct task *t)
{
	pthread_cond_broadcast(&t->wake);
	if (!t->zombie && t->ctx)
		ctx_interrupt(t->ctx);
}

/* What every sent signal does before it is queued; false: dropped. */
static bool signal_prepare_locked(struct task *t, int sig)
{
	if (sig < 1 || sig > KSIG_MAX || t->zombie || t->tg->group_exit)
		return false;
	if (sig == SIGKILL) {
		group_exit_locked(t->tg, SIGKILL);
		return false;
	}
	struct tgroup *tg = t->tg;
	if (sig == SIGCONT) {
		uint64_t stops = SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU);
		tg->shared_pending &= ~stops;
		for (struct task *p = kernel.tasks; p; p = p->next) {
			if (p->tg != tg)
				continue;
			p->sig_pending &= ~stops;
			p->jobctl_stop = false;
			if (p->stopped) {
				p->stopped = false;
				pthread_cond_broadcast(&p->wake);
			}
		}
		/* A stopped process continues: its parent hears CLD_CONTINUED
		 * and wait(WCONTINUED) can report it. */
		bool was_stopped = tg->stopped;
		tg->stopped = tg->stop_pending = false;
		tg->stop_count = 0;
		if (was_stopped) {
			tg->stop_report = 0;
			tg->cont_report = true;
			notify_parent_cldstop_locked(tg->leader, CLD_CONTINUED, SIGCONT);
		}
	} else if (sig_default_action(sig) == SD_STOP) {
		tg->shared_pending &= ~SIGBIT(SIGCONT);
		for (struct task *p = kernel.tasks; p; p = p->next)
			if (p->tg == tg)
				p->sig_pending &= ~SIGBIT(SIGCONT);
	}
	/* Ignored signals are dropped at once unless blocked (Linux keeps
	 * blocked ones so that a later handler or sigwait sees them). */
	return !(sig_ignored(t, sig) && !(t->sigmask & SIGBIT(sig)));
}

/* --- queued real-time signals ---------------------------------------------
 * Each RT instance is a struct sigqueue charged to the receiver's real uid;
 * RLIMIT_SIGPENDING bounds a uid's queued instances (standard signals are
 * not charged: they never queue more than one). */
struct sigqueue {
	struct sigqueue *next;
	siginfo_t info;
	uint32_t uid;		/* charged to */
};

#define SIGQ_USERS 64
static struct sigq_user {
	uint32_t uid;
	long count;
} sigq_users[SIGQ_USERS];	/* under kernel.lock; count 0: free slot */

static struct sigq_user *sigq_user_locked(uint32_t uid, bool make)
{
	struct sigq_user *free_slot = NULL;
	for (int i = 0; i < SIGQ_USERS; i++) {
		if (sigq_users[i].count && sigq_users[i].uid == uid)
			return &sigq_users[i];
		if (!sigq_users[i].count && !free_slot)
			free_slot = &sigq_users[i];
	}
	if (!make)
		return NULL;
	if (!free_slot)
		return &sigq_users[0];	/* many uids: share a slot, stricter */
	free_slot->uid = uid;
	return free_slot;
}

int signal_queued_count_locked(struct task *t)
{
	struct sigq_user *u = sigq_user_locked(t->cred.uid, false);
	return u ? (int)u->count : 0;
}

int signal_queued_count(struct task *t)
{
	pthread_mutex_lock(&kernel.lock);
	int n = signal_queued_count_locked(t);
	pthread_mutex_unlock(&kernel.lock);
	return n;
}

static void sigqueue_free_locked(struct sigqueue *q)
{
	struct sigq_user *u = sigq_user_locked(q->uid, false);
	if (u && u->count > 0)
		u->count--;
	free(q);
}

void signal_queues_release_locked(struct sigqueue_list *lists)
{
	for (int i = 0; i < KSIG_NRT; i++) {
		while (lists[i].head) {
			struct sigqueue *q = lists[i].head;
			lists[i].head = q->next;
			sigqueue_free_locked(q);
		}
		lists[i].tail = NULL;
	}
}

/* Add info to a pending set (mask, infos, RT lists) of receiver t.
 * -EAGAIN when an RT instance from sigqueue cannot be queued. */
static int pending_add_locked(struct task *t, uint64_t *mask, siginfo_t *infos,
			      struct sigqueue_list *lists, const siginfo_t *info)
{
	int sig = info->si_signo;
	if (sig < KSIG_RT_FIRST) {
		if (!(*mask & SIGBIT(sig)))
			infos[sig - 1] = *info;
		*mask |= SIGBIT(sig);
		return 0;
	}
	struct sigq_user *u = sigq_user_locked(t->cred.uid, true);
	struct sigqueue *q = NULL;
	if ((rlim_t)u->count < t->rlim[RLIMIT_SIGPENDING].rlim_cur)
		q = malloc(sizeof(*q));
	if (q) {
		u->count++;
		q->next = NULL;
		q->info = *info;
		q->uid = t->cred.uid;
		struct sigqueue_list *l = &lists[sig - KSIG_RT_FIRST];
		if (l->tail)
			l->tail->next = q;
		else
			l->head = q;
		l->tail = q;
	} else if (info->si_code != SI_USER) {
		return -EAGAIN;
	} else if (!(*mask & SIGBIT(sig))) {
		infos[sig - 1] = *info;	/* kill(2) still delivers, one instance */
	}
	*mask |= SIGBIT(sig);
	return 0;
}

int signal_send_info_locked(struct task *t, const siginfo_t *info, bool group)
{
	int sig = info->si_signo;
	if ((!group && t->exiting) || !signal_prepare_locked(t, sig))
		return 0;
	if (!group) {
		int r = pending_add_locked(t, &t->sig_pending, t->sig_info, t->sig_rtq, info);
		if (r < 0)
			return r;
		signalfd_notify_locked();
		if (!(t->sigmask & SIGBIT(sig)))
			task_wake_locked(t);
		return 0;
	}
	struct tgroup *tg = t->tg;
	int r = pending_add_locked(t, &tg->shared_pending, tg->shared_info, tg->shared_rtq, info);
	if (r < 0)
		return r;
	signalfd_notify_locked();
	/* Wake one thread that can take it, the addressed one first. */
	struct task *target = NULL;
	if (!t->exiting && !t->thread_dead && !(t->sigmask & SIGBIT(sig)))
		target = t;
	for (struct task *p = kernel.tasks; p && !target; p = p->next)
		if (p->tg == tg && !p->exiting && !p->thread_dead && !p->zombie &&
		    !(p->sigmask & SIGBIT(sig)))
			target = p;
	if (target)
		task_wake_locked(target);
	return 0;
}

void signal_send_locked(struct task *t, const siginfo_t *info)
{
	signal_send_info_locked(t, info, false);
}

void signal_send_group_locked(struct task *t, const siginfo_t *info)
{
	signal_send_info_locked(t, info, true);
}

void signal_send(struct task *t, const siginfo_t *info)
{
	pthread_mutex_lock(&kernel.lock);
	signal_send_locked(t, info);
	pthread_mutex_unlock(&kernel.lock);
}

void signal_info_kill(siginfo_t *info, int sig, int code, const struct task *sender)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = code;
	info->si_pid = sender ? sender->tgid : 0;
	info->si_uid = sender ? sender->cred.uid : 0;
}

bool signal_may_send_locked(struct task *sender, struct task *target, int sig)
{
	if (sender->tg == target->tg || cred_may_signal(&sender->cred, &target->cred))
		return true;
	return sig == SIGCONT && sender->sid == target->sid;
}

void signal_force(struct task *t, int sig, int code, uint64_t addr)
{
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	info.si_addr = (void *)addr;
	pthread_mutex_lock(&kernel.lock);
	struct k_sigaction *sa = &t->sigactions[sig - 1];
	if ((t->sigmask & SIGBIT(sig)) || sa->handler == (uint64_t)SIG_IGN) {
		t->sigmask &= ~SIGBIT(sig);
		if (sa->handler == (uint64_t)SIG_IGN)
			sa->handler = (uint64_t)SIG_DFL;
	}
	if (sig >= KSIG_RT_FIRST)
		pending_add_locked(t, &t->sig_pending, t->sig_info, t->sig_rtq, &info);
	else
		t->sig_info[sig - 1] = info;
	t->sig_pending |= SIGBIT(sig);
	pthread_mutex_unlock(&kernel.lock);
}

bool signal_pending(struct task *t)
{
	uint64_t pending = __atomic_load_n(&t->sig_pending, __ATOMIC_ACQUIRE) |
			   __atomic_load_n(&t->tg->shared_pending, __ATOMIC_ACQUIRE);
	return (pending & ~t->sigmask) || __atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&t->jobctl_stop, __ATOMIC_ACQUIRE);
}

/* Synchronous signals first, as Linux does, then the lowest number. */
#define SYNC_SIGNALS (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | \
		      SIGBIT(SIGTRAP) | SIGBIT(SIGFPE) | SIGBIT(SIGSYS))

static int dequeue_from(uint64_t *pending, siginfo_t *infos, struct sigqueue_list *lists,
			uint64_t set, siginfo_t *info)
{
	uint64_t ready = *pending & set;
	if (!ready)
		return 0;
	if (ready & SYNC_SIGNALS)
		ready &= SYNC_SIGNALS;
	int sig = __builtin_ctzll(ready) + 1;
	if (sig >= KSIG_RT_FIRST && lists[sig - KSIG_RT_FIRST].head) {
		/* The oldest queued instance; the bit stays while more wait. */
		struct sigqueue_list *l = &lists[sig - KSIG_RT_FIRST];
		struct sigqueue *q = l->head;
		l->head = q->next;
		if (!l->head)
			l->tail = NULL;
		*info = q->info;
		sigqueue_free_locked(q);
		if (!l->head)
			*pending &= ~SIGBIT(sig);
		return sig;
	}
	*pending &= ~SIGBIT(sig);
	*info = infos[sig - 1];
	return sig;
}

/* The thread's own signals first, then the process's. */
int signal_dequeue_locked(struct task *t, uint64_t set, siginfo_t *info)
{
	int sig = dequeue_from(&t->sig_pending, t->sig_info, t->sig_rtq, set, info);
	if (!sig)
		sig = dequeue_from(&t->tg->shared_pending, t->tg->shared_info, t->tg->shared_rtq,
				   set, info);
	return sig;
}

int task_block(struct task *t, const struct timespec *deadline)
{
	if (signal_pending(t))
		return -ERESTARTSYS;
	cputime_idle(t);
	t->sleeping = true;
	int r = deadline ? pthread_cond_clockwait(&t->wake, &kernel.lock, CLOCK_MONOTONIC, deadline)
			 : pthread_cond_wait(&t->wake, &kernel.lock);
	t->sleeping = false;
	cputime_sys(t);
	if (signal_pending(t))
		return -ERESTARTSYS;
	return r == ETIMEDOUT ? -ETIMEDOUT : 0;
}

static int ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

int task_sleep_until(struct task *t, clockid_t clk, const struct timespec *deadline)
{
	int r = 0;
	pthread_mutex_lock(&kernel.lock);
	for (;;) {
		struct timespec now, mono;
		clock_gettime(clk, &now);
		if (ts_cmp(&now, deadline) >= 0)
			break;
		/* Wait on CLOCK_MONOTONIC for the time left on clk. */
		clock_gettime(CLOCK_MONOTONIC, &mono);
		mono.tv_sec += deadline->tv_sec - now.tv_sec;
		mono.tv_nsec += deadline->tv_nsec - now.tv_nsec;
		while (mono.tv_nsec < 0) {
			mono.tv_nsec += 1000000000;
			mono.tv_sec--;
		}
		while (mono.tv_nsec >= 1000000000) {
			mono.tv_nsec -= 1000000000;
			mono.tv_sec++;
		}
		if (task_block(t, &mono) == -ERESTARTSYS) {
			r = -EINTR;
			break;
		}
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int signal_mask_begin_user(struct task *t, uint64_t umask, uint64_t size, bool *set)
{
	*set = false;
	if (!umask)
		return 0;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	uint64_t mask;
	int r = copy_in(t->mm, &mask, umask, sizeof(mask));
	if (r < 0)
		return r;
	*set = true;
	pthread_mutex_lock(&kernel.lock);
	t->saved_sigmask = t->sigmask;
	t->sigmask = mask & ~SIG_UNBLOCKABLE;
	pthread_mutex_unlock(&kernel.lock);
	return 0;
}

void signal_mask_end(struct task *t, bool interrupted)
{
	pthread_mutex_lock(&kernel.lock);
	if (interrupted)
		t->restore_sigmask = true;
	else
		t->sigmask = t->saved_sigmask;
	pthread_mutex_unlock(&kernel.lock);
}

/* --- delivery ------------------------------------------------------------- */

static bool is_restart(int64_t r)
{
	return r == -ERESTARTSYS || r == -ERESTARTNOINTR || r == -ERESTARTNOHAND ||
	       r == -ERESTART_RESTARTBLOCK;
}

/* Go back to the syscall instruction to run it again. */
static void restart_syscall_insn(struct task *t, bool restart_block)
{
	t->regs.rax = restart_block ? SYS_restart_syscall : t->regs.orig_rax;
	t->regs.rip -= 2;
}

/* --- job control ------------------------------------------------------------
 * A stop signal's default action stops the whole thread group: the thread
 * that takes it starts a group stop, every other thread joins at its next
 * return to the task loop (jobctl_stop), and the last one to stop makes
 * the process stopped and tells the parent (CLD_STOPPED). SIGCONT (in
 * signal_prepare_locked) ends it. */

/* One thread fewer to wait for; the last completes the group stop. */
static void group_stop_count_locked(struct tgroup *tg)
{
	if (!tg->stop_pending || --tg->stop_count > 0)
		return;
	tg->stop_pending = false;
	tg->stopped = true;
	tg->stop_report = tg->stop_sig;
	tg->cont_report = false;
	notify_parent_cldstop_locked(tg->leader, CLD_STOPPED, tg->stop_sig);
}

static void group_stop_begin_locked(struct task *t, int sig)
{
	struct tgroup *tg = t->tg;
	tg->stop_sig = sig;
	if (tg->stop_pending)
		return;		/* already on its way */
	tg->stop_pending = true;
	tg->stop_count = 0;
	for (struct task *p = kernel.tasks; p; p = p->next) {
		if (p->tg != tg || p->exiting || p->thread_dead || p->zombie)
			continue;
		if (p->stopped && tg->stopped)
			continue;
		p->jobctl_stop = true;
		tg->stop_count++;
		if (p != t)
			task_wake_locked(p);
	}
	if (tg->stop_count == 0) {
		tg->stop_count = 1;
		group_stop_count_locked(tg);
	}
}

void jobctl_thread_exit_locked(struct task *t)
{
	if (t->jobctl_stop) {
		t->jobctl_stop = false;
		group_stop_count_locked(t->tg);
	}
}

/* Stop this thread (it joins the group stop) until SIGCONT or SIGKILL. */
static void task_stop(struct task *t)
{
	if (t->jobctl_stop) {
		t->jobctl_stop = false;
		t->stopped = true;
		group_stop_count_locked(t->tg);
	} else if (t->tg->stopped) {
		t->stopped = true;
	}
	cputime_idle(t);
	while (t->stopped && !t->exiting)
		pthread_cond_wait(&t->wake, &kernel.lock);
	cputime_sys(t);
}

void signal_deliver(struct task *t, bool after_syscall)
{
	int64_t ret = (int64_t)t->regs.rax;
	bool restarting = after_syscall && is_restart(ret);
	pthread_mutex_lock(&kernel.lock);
	for (;;) {
		if (t->jobctl_stop && !t->exiting) {
			task_stop(t);
			continue;
		}
		siginfo_t info;
		int sig = signal_dequeue_locked(t, ~t->sigmask, &info);
		if (!sig || t->exiting)
			break;
		struct k_sigaction sa = t->sigactions[sig - 1];
		if (sa.handler == (uint64_t)SIG_IGN)
			continue;
		if (sa.handler == (uint64_t)SIG_DFL) {
			switch (sig_default_action(sig)) {
			case SD_IGN:
			case SD_CONT:
				continue;
			case SD_STOP:
				/* An orphaned process group ignores the
				 * terminal's stop signals (not SIGSTOP). */
				if (sig != SIGSTOP && pgrp_orphaned_locked(t->pgid))
					continue;
				group_stop_begin_locked(t, sig);
				task_stop(t);
				continue;
			case SD_TERM:
			case SD_CORE:
				if (t->k->strace) {
					strace_signal(t, &info);
					log_printf("[%4d] +++ killed by %s +++", t->tid, signal_name(sig));
				}
				group_exit_locked(t->tg, sig | (sig_default_action(sig) == SD_CORE ? 0x80 : 0));
				pthread_mutex_unlock(&kernel.lock);
				return;
			}
		}
		/* A handler runs: settle the interrupted syscall first. */
		if (restarting) {
			if (ret == -ERESTARTNOINTR ||
			    (ret == -ERESTARTSYS && (sa.flags & SA_RESTART)))
				restart_syscall_insn(t, false);
			else
				t->regs.rax = (uint64_t)-EINTR;
			restarting = false;
		}
		uint64_t oldmask = t->restore_sigmask ? t->saved_sigmask : t->sigmask;
		t->restore_sigmask = false;
		pthread_mutex_unlock(&kernel.lock);
		if (t->k->strace)
			strace_signal(t, &info);
		int r = sigframe_setup(t, sig, &sa, &info, oldmask);
		pthread_mutex_lock(&kernel.lock);
		if (r < 0) {
			/* No room for the frame: Linux's force_sigsegv. */
			group_exit_locked(t->tg, SIGSEGV | 0x80);
			break;
		}
		if (sa.flags & SA_RESETHAND)
			t->sigactions[sig - 1].handler = (uint64_t)SIG_DFL;
		t->sigmask |= sa.mask;
		if (!(sa.flags & SA_NODEFER))
			t->sigmask |= SIGBIT(sig);
		t->sigmask &= ~SIG_UNBLOCKABLE;
		break;	/* one frame at a time; the rest at the next return */
	}
	if (restarting)
		restart_syscall_insn(t, ret == -ERESTART_RESTARTBLOCK);
	if (t->restore_sigmask) {
		t->sigmask = t->saved_sigmask;
		t->restore_sigmask = false;
	}
	pthread_mutex_unlock(&kernel.lock);
}
