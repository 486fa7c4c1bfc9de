/*
 * cputime.h: CPU time accounting of tasks, thread groups and reaped
 * children, the source of getrusage, times, CPU-time clocks and the
 * utime/stime fields of procfs.
 *
 * A task's time is wall time measured at state changes, as gVisor does:
 * "user" from entering the platform's ctx_switch to its return (the guest
 * runs), "system" from that return to the next entry, minus the time the
 * task sleeps in task_block() and the other blocking waits (cputime_idle /
 * cputime_busy around them). Only the task's own host thread changes its
 * clock; readers on other threads get a consistent sample through a
 * sequence count.
 */
#ifndef CVISOR_SENTRY_KERNEL_CPUTIME_H
#define CVISOR_SENTRY_KERNEL_CPUTIME_H

#include <stdint.h>

struct task;
struct tgroup;

enum cpu_state { CPU_IDLE, CPU_SYS, CPU_USER };

/* user and system nanoseconds. */
struct cputime {
	uint64_t user_ns, sys_ns;
};

/* Per-task clock, embedded in struct task. */
struct task_clock {
	unsigned seq;		/* odd while the owner updates */
	enum cpu_state state;
	uint64_t since_ns;	/* CLOCK_MONOTONIC at the last change */
	struct cputime total;	/* completed intervals */
};

/* Start t's clock in the system state (the task's thread begins to run). */
void cputime_start(struct task *t);
/* State changes, called by t's own thread only. */
void cputime_enter(struct task *t, enum cpu_state s);
static inline void cputime_user(struct task *t) { cputime_enter(t, CPU_USER); }
static inline void cputime_sys(struct task *t) { cputime_enter(t, CPU_SYS); }
static inline void cputime_idle(struct task *t) { cputime_enter(t, CPU_IDLE); }

/* t's time so far, including the running interval. Any thread. */
void task_cputime(struct task *t, struct cputime *out);
/* The whole process of t (live threads + exited ones); kernel.lock held. */
void tgroup_cputime_locked(struct task *t, struct cputime *out);
/* Reaped children (and their reaped children) of t's process; kernel.lock. */
void tgroup_children_cputime_locked(struct task *t, struct cputime *out);

/* Bookkeeping from the process model, kernel.lock held: an exiting
 * thread's time moves into its group; a reaped child's process time and
 * its own children's move into the reaper's group. */
void cputime_thread_exit_locked(struct task *t);
void cputime_reap_locked(struct task *reaper, struct task *child_leader);

static inline void cputime_add(struct cputime *a, const struct cputime *b)
{
	a->user_ns += b->user_ns;
	a->sys_ns += b->sys_ns;
}

#endif
