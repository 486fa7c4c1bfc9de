/* sentry/kernel/task_status.h: snapshots of a task's state for procfs
 * (/proc/PID/status, stat): its run state letter and its signal sets.
 * Credentials: task_cred_get() in cred.h; queued signals:
 * signal_queued_count() in signal.h. Each call takes kernel.lock. */
#pragma once
#include <stdint.h>

struct task;

/* 'R' running, 'S' sleeping in the sentry, 'T' stopped (job control),
 * 'Z' zombie, as /proc shows it. */
char task_state_char(struct task *t);

struct task_sigsets {
	uint64_t pending;	/* SigPnd: the thread's own */
	uint64_t shared;	/* ShdPnd: the process's */
	uint64_t blocked;	/* SigBlk */
	uint64_t ignored;	/* SigIgn */
	uint64_t caught;	/* SigCgt */
};
void task_sigsets_get(struct task *t, struct task_sigsets *out);
