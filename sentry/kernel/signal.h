/* sentry/kernel/signal.h: sending, blocking on, and delivering signals.
 *
 * A task blocks only through task_block(), on its own condition variable
 * with kernel.lock held; sending it a signal wakes it there, or makes a
 * running guest thread return to the sentry (ctx_interrupt). Delivery
 * happens in the task loop before it switches back into the guest. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct task;

#define SIGBIT(sig) (1ULL << ((sig) - 1))
#define SIG_UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* Queue info->si_signo for thread t (tkill, faults). Caller holds
 * kernel.lock. */
void signal_send_locked(struct task *t, const siginfo_t *info);
/* Queue a process-directed signal (kill) for t's thread group. */
void signal_send_group_locked(struct task *t, const siginfo_t *info);
void signal_send(struct task *t, const siginfo_t *info);
/* A signal from a fault or trap: unblocked and un-ignored if needed. */
void signal_force(struct task *t, int sig, int code, uint64_t addr);
/* May sender signal target with sig (Linux's check_kill_permission:
 * the same process, matching uids, CAP_KILL, or SIGCONT within the
 * session)? kernel.lock held. */
bool signal_may_send_locked(struct task *sender, struct task *target, int sig);
/* Fill a siginfo for kill(2)-style sending from sender. */
void signal_info_kill(siginfo_t *info, int sig, int code, const struct task *sender);

/* Does t have an unblocked pending signal (or must it exit)? */
bool signal_pending(struct task *t);
/* Take the lowest pending signal in set; 0 if none. kernel.lock held. */
int signal_dequeue_locked(struct task *t, uint64_t set, siginfo_t *info);

/* Wake t if it is blocked in the sentry or running guest code. kernel.lock
 * held. */
void task_wake_locked(struct task *t);
/* Block with kernel.lock held until woken, the deadline passes (CLOCK_
 * MONOTONIC, NULL: none), or a signal is pending. 0 when woken or timed
 * out (the caller rechecks its condition), -ERESTARTSYS when a signal is
 * pending or the task must exit, -ETIMEDOUT on the deadline. */
int task_block(struct task *t, const struct timespec *deadline);
/* Sleep until clk reaches deadline. 0, or -EINTR if interrupted. */
int task_sleep_until(struct task *t, clockid_t clk, const struct timespec *deadline);

/* ppoll, pselect6, epoll_pwait: the guest's sigset at umask (size bytes;
 * none if umask is 0) replaces the blocked set for a wait; *set says
 * whether it did. 0, -EINVAL or -EFAULT. signal_mask_end puts the old set
 * back now, or, when the wait was interrupted, after the handler runs
 * (through its frame). */
int signal_mask_begin_user(struct task *t, uint64_t umask, uint64_t size, bool *set);
void signal_mask_end(struct task *t, bool interrupted);

/* In the task loop, after a syscall or fault: deliver pending signals
 * (run default actions or set up handler frames) and finish syscall
 * restarts. */
void signal_deliver(struct task *t, bool after_syscall);

/* rt_sigreturn: restore the frame at the guest's stack. 0 or -EFAULT
 * (the caller then kills the task with SIGSEGV). */
int sigframe_restore(struct task *t);
