/* sentry/syscalls/sys_signal.c: signal dispositions, masks and the
 * alternate stack: rt_sigaction, rt_sigprocmask, rt_sigpending,
 * sigaltstack.
 *
 * They record state in the task; delivery comes with the processes work.
 * Nothing is ever pending yet. Sigsets are the kernel's 64-bit masks, bit
 * sig-1 for signal sig. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#define KSIGSET_SIZE 8
#define SIGBIT(sig) (1ULL << ((sig) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* The uapi sa_flags bits (UAPI_SA_FLAGS of x86-64); others are cleared so
 * that userspace can probe for flag support. */
#define K_SA_NOCLDSTOP      0x00000001ULL
#define K_SA_NOCLDWAIT      0x00000002ULL
#define K_SA_SIGINFO        0x00000004ULL
#define K_SA_EXPOSE_TAGBITS 0x00000800ULL
#define K_SA_RESTORER       0x04000000ULL
#define K_SA_ONSTACK        0x08000000ULL
#define K_SA_RESTART        0x10000000ULL
#define K_SA_NODEFER        0x40000000ULL
#define K_SA_RESETHAND      0x80000000ULL
#define UAPI_SA_FLAGS (K_SA_NOCLDSTOP | K_SA_NOCLDWAIT | K_SA_SIGINFO | \
		       K_SA_EXPOSE_TAGBITS | K_SA_RESTORER | K_SA_ONSTACK | \
		       K_SA_RESTART | K_SA_NODEFER | K_SA_RESETHAND)

/* The kernel's, not glibc's (which may be sysconf(_SC_MINSIGSTKSZ)). */
#define K_MINSIGSTKSZ 2048
#define K_SS_ONSTACK 1
#define K_SS_DISABLE 2
#define K_SS_AUTODISARM (1U << 31)

/* Guest stack_t. */
struct k_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

/* rt_sigaction(int sig, const struct sigaction *act, struct sigaction
 * *oact, size_t sigsetsize) */
int64_t sys_rt_sigaction(struct task *t, const uint64_t a[6])
{
	int sig = (int)a[0];
	struct k_sigaction act, old;

	if (a[3] != KSIGSET_SIZE)
		return -EINVAL;
	if (a[1]) {
		int err = copy_in(t->mm, &act, a[1], sizeof(act));
		if (err)
			return err;
	}
	if (sig < 1 || sig > KSIG_MAX ||
	    (a[1] && (sig == SIGKILL || sig == SIGSTOP)))
		return -EINVAL;

	struct k_sigaction *k = &t->sigactions[sig - 1];
	old = *k;
	old.flags &= UAPI_SA_FLAGS;
	if (a[1]) {
		act.flags &= UAPI_SA_FLAGS;
		act.mask &= ~UNBLOCKABLE;
		*k = act;
	}
	if (a[2])
		return copy_out(t->mm, a[2], &old, sizeof(old));
	return 0;
}

/* rt_sigprocmask(int how, const sigset_t *set, sigset_t *oset,
 * size_t sigsetsize): oset gets the mask from before the change. */
int64_t sys_rt_sigprocmask(struct task *t, const uint64_t a[6])
{
	int how = (int)a[0];
	uint64_t old = t->sigmask;

	if (a[3] != KSIGSET_SIZE)
		return -EINVAL;
	if (a[1]) {
		uint64_t set;
		int err = copy_in(t->mm, &set, a[1], sizeof(set));
		if (err)
			return err;
		set &= ~UNBLOCKABLE;
		switch (how) {
		case SIG_BLOCK:
			t->sigmask |= set;
			break;
		case SIG_UNBLOCK:
			t->sigmask &= ~set;
			break;
		case SIG_SETMASK:
			t->sigmask = set;
			break;
		default:
			return -EINVAL;
		}
	}
	if (a[2])
		return copy_out(t->mm, a[2], &old, sizeof(old));
	return 0;
}

/* rt_sigpending(sigset_t *set, size_t sigsetsize): any size up to 8 bytes
 * (even 0) is accepted and that many bytes are written. */
int64_t sys_rt_sigpending(struct task *t, const uint64_t a[6])
{
	pthread_mutex_lock(&kernel.lock);
	uint64_t pending = (t->sig_pending | t->tg->shared_pending) & t->sigmask;
	pthread_mutex_unlock(&kernel.lock);

	if (a[1] > KSIGSET_SIZE)
		return -EINVAL;
	if (a[1] == 0)
		return 0;
	return copy_out(t->mm, a[0], &pending, (size_t)a[1]);
}

/* Is sp on the alternate stack (which is not armed to auto-disarm)? */
static bool on_altstack(struct task *t, uint64_t sp)
{
	if ((uint32_t)t->altstack_flags & K_SS_AUTODISARM)
		return false;
	return sp > t->altstack_sp && sp - t->altstack_sp <= t->altstack_size;
}

/* sigaltstack(const stack_t *ss, stack_t *old_ss). The old stack reports
 * SS_DISABLE when none is set and SS_ONSTACK while running on it. */
int64_t sys_sigaltstack(struct task *t, const uint64_t a[6])
{
	struct k_stack ss, old;
	uint64_t sp = t->regs.rsp;

	if (a[0]) {
		int err = copy_in(t->mm, &ss, a[0], sizeof(ss));
		if (err)
			return err;
	}

	memset(&old, 0, sizeof(old));
	old.ss_sp = t->altstack_sp;
	old.ss_size = t->altstack_size;
	if (!t->altstack_size)
		old.ss_flags = K_SS_DISABLE;
	else
		old.ss_flags = on_altstack(t, sp) ? K_SS_ONSTACK : 0;
	old.ss_flags |= (int32_t)((uint32_t)t->altstack_flags & K_SS_AUTODISARM);

	if (a[0]) {
		uint32_t flags = (uint32_t)ss.ss_flags;
		uint32_t mode = flags & ~K_SS_AUTODISARM;

		if (on_altstack(t, sp))
			return -EPERM;
		if (mode != K_SS_DISABLE && mode != K_SS_ONSTACK && mode != 0)
			return -EINVAL;
		/* No change asked: done, before any size check. */
		if (ss.ss_sp == t->altstack_sp && ss.ss_size == t->altstack_size &&
		    flags == (uint32_t)t->altstack_flags)
			goto out;
		if (mode == K_SS_DISABLE) {
			ss.ss_sp = 0;
			ss.ss_size = 0;
		} else if (ss.ss_size < K_MINSIGSTKSZ) {
			return -ENOMEM;
		}
		t->altstack_sp = ss.ss_sp;
		t->altstack_size = ss.ss_size;
		t->altstack_flags = (int)flags;
	}
out:
	if (a[1])
		return copy_out(t->mm, a[1], &old, sizeof(old));
	return 0;
}
