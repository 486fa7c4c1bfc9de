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

/* Bytes of the host's XSAVE image (CPUID leaf 0xD). */
uint32_t xsave_size(void);
/* A new task starts with its creator's FP/SSE/AVX state (fork, clone).
 * 0 or -errno. Both tasks are stopped in the sentry. */
int fpstate_copy(struct task *from, struct task *to);
/* The FP state of a new process: x87 control word 0x37f, MXCSR 0x1f80,
 * all registers zero (rt_sigreturn of a frame without FP state). */
int fpstate_reset(struct task *t);
