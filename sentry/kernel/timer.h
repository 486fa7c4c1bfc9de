/* sentry/kernel/timer.h: interval timers (setitimer/alarm ITIMER_REAL) and
 * POSIX timers (timer_create), fired by one kernel timer thread. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct task;
struct tgroup;

/* A timer's value as the syscalls see it: time to the next expiry (zero:
 * disarmed) and the reload interval. */
struct ktimer_value {
	struct timespec value;
	struct timespec interval;
};

/* ITIMER_REAL of t's process. */
int itimer_real_set(struct task *t, const struct ktimer_value *nv, struct ktimer_value *old);
int itimer_real_get(struct task *t, struct ktimer_value *cur);

struct ktimer_event {
	int notify;		/* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID */
	int signo;
	int tid;		/* SIGEV_THREAD_ID */
	uint64_t value;		/* sigev_value */
	bool value_is_id;	/* no sigevent given: the value is the timer id */
};

/* POSIX timers; ids are per process. */
int ptimer_create(struct task *t, clockid_t clock, const struct ktimer_event *ev);
int ptimer_set(struct task *t, int id, bool absolute, const struct ktimer_value *nv,
	       struct ktimer_value *old);
int ptimer_get(struct task *t, int id, struct ktimer_value *cur);
int ptimer_getoverrun(struct task *t, int id);
int ptimer_delete(struct task *t, int id);

/* Timers that count expirations and call notify(arg) instead of sending
 * a signal (timerfd, fs/anon/timerfd.c). They belong to no process.
 * notify runs on the timer thread with kernel.lock held: it must not
 * block or take kernel.lock (fs/anon/deferwake.h wakes a wait queue). */
struct ktimer;
struct ktimer *ktimer_new(clockid_t clock, void (*notify)(void *arg), void *arg);
/* Arm (value zero: disarm) and zero the expiration count; old gets the
 * previous setting if not NULL. 0 or -EAGAIN (no timer thread). */
int ktimer_set(struct ktimer *k, bool absolute, const struct ktimer_value *nv,
	       struct ktimer_value *old);
void ktimer_get(struct ktimer *k, struct ktimer_value *cur);
/* Expirations since the last take (or set), and zero them. */
uint64_t ktimer_take(struct ktimer *k);
uint64_t ktimer_count(struct ktimer *k);
/* Disarm and free; notify is not called after this returns. */
void ktimer_free(struct ktimer *k);

/* Process exit: the process's timers go away; exec: its POSIX timers
 * (ITIMER_REAL survives exec, as on Linux). */
void timers_release(struct tgroup *tg, bool exec);
void timers_release_locked(struct tgroup *tg, bool exec);
