/* sentry/kernel/sigframe.h: the x86-64 rt_sigframe on the guest stack. */
#pragma once
#include <signal.h>
#include <stdint.h>

struct task;
struct k_sigaction;

/* Build the frame for sig on t's stack (or alternate stack) and point the
 * registers at the handler. 0, or -EFAULT when the frame cannot be
 * written (the caller then kills the task with SIGSEGV). */
int sigframe_setup(struct task *t, int sig, const struct k_sigaction *sa,
		   const siginfo_t *info, uint64_t oldmask);
