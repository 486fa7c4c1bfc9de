/* sentry/syscalls/sys_timer.c: alarm, setitimer, getitimer (ITIMER_REAL,
 * ITIMER_VIRTUAL, ITIMER_PROF) and the POSIX timer calls, on the real-time
 * clocks and the CPU-time clocks. The timers themselves live in
 * sentry/kernel/timer.c. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/mm/usercopy.h"
#include "lib/log.h"

#include <errno.h>
#include <string.h>
#include <sys/time.h>

static bool tv_valid(const struct timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

static bool ts_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000;
}

static struct timespec tv_to_ts(struct timeval tv)
{
	return (struct timespec){ tv.tv_sec, tv.tv_usec * 1000 };
}

static struct timeval ts_to_tv(struct timespec ts)
{
	/* Round up, so an armed timer never reads as zero. */
	return (struct timeval){ ts.tv_sec, (ts.tv_nsec + 999) / 1000 };
}

static int itimer_out(struct task *t, uint64_t uptr, const struct ktimer_value *v)
{
	struct itimerval iv = { ts_to_tv(v->interval), ts_to_tv(v->value) };
	if (iv.it_value.tv_usec == 1000000) {
		iv.it_value.tv_sec++;
		iv.it_value.tv_usec = 0;
	}
	return copy_out(t->mm, uptr, &iv, sizeof(iv));
}

int64_t sys_setitimer(struct task *t, const uint64_t a[6])
{
	int which = (int)a[0];
	struct itimerval in;
	memset(&in, 0, sizeof(in));
	if (a[1]) {
		int r = copy_in(t->mm, &in, a[1], sizeof(in));
		if (r < 0)
			return r;
		if (!tv_valid(&in.it_value) || !tv_valid(&in.it_interval))
			return -EINVAL;
	}
	if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
		return -EINVAL;
	struct ktimer_value nv = { tv_to_ts(in.it_value), tv_to_ts(in.it_interval) }, old;
	int r = which == ITIMER_REAL ? itimer_real_set(t, &nv, &old)
				     : itimer_cpu_set(t, which, &nv, &old);
	if (r == 0 && a[2])
		r = itimer_out(t, a[2], &old);
	return r;
}

int64_t sys_getitimer(struct task *t, const uint64_t a[6])
{
	int which = (int)a[0];
	if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
		return -EINVAL;
	struct ktimer_value cur;
	if (which == ITIMER_REAL)
		itimer_real_get(t, &cur);
	else
		itimer_cpu_get(t, which, &cur);
	return itimer_out(t, a[1], &cur);
}

int64_t sys_alarm(struct task *t, const uint64_t a[6])
{
	unsigned int secs = (unsigned int)a[0];
	struct ktimer_value nv = { { secs, 0 }, { 0, 0 } }, old;
	int r = itimer_real_set(t, &nv, &old);
	if (r < 0)
		return r;
	/* Like Linux: the seconds left, rounded, and at least 1 if armed. */
	long left = old.value.tv_sec + (old.value.tv_nsec >= 500000000);
	if (!left && (old.value.tv_sec || old.value.tv_nsec))
		left = 1;
	return left;
}

/* --- POSIX timers ---------------------------------------------------------- */

struct k_sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[11];
};

int64_t sys_timer_create(struct task *t, const uint64_t a[6])
{
	clockid_t clock = (clockid_t)a[0];
	/* Real-time clocks, and CPU-time clocks (checked in ptimer_create). */
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME &&
	    clock != CLOCK_TAI && clock >= 0 && clock != CLOCK_PROCESS_CPUTIME_ID &&
	    clock != CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	/* No sigevent: SIGALRM carrying the timer id. */
	struct ktimer_event ev = { SIGEV_SIGNAL, SIGALRM, 0, 0, true };
	if (a[1]) {
		struct k_sigevent se;
		int r = copy_in(t->mm, &se, a[1], sizeof(se));
		if (r < 0)
			return r;
		switch (se.notify) {
		case SIGEV_NONE:
			break;
		case SIGEV_SIGNAL:
		case SIGEV_THREAD_ID:
			if (se.signo < 1 || se.signo > KSIG_MAX)
				return -EINVAL;
			break;
		default:
			return -EINVAL;	/* SIGEV_THREAD is the C library's business */
		}
		ev = (struct ktimer_event){ se.notify, se.signo, se.tid, se.value, false };
	}
	int id = ptimer_create(t, clock, &ev);
	if (id < 0)
		return id;
	int r = copy_out(t->mm, a[2], &id, sizeof(int));
	if (r < 0) {
		ptimer_delete(t, id);
		return r;
	}
	return 0;
}

static int itimerspec_out(struct task *t, uint64_t uptr, const struct ktimer_value *v)
{
	struct itimerspec its = { v->interval, v->value };
	return copy_out(t->mm, uptr, &its, sizeof(its));
}

int64_t sys_timer_settime(struct task *t, const uint64_t a[6])
{
	int id = (int)a[0], flags = (int)a[1];
	if (flags & ~TIMER_ABSTIME)
		return -EINVAL;
	struct itimerspec in;
	int r = copy_in(t->mm, &in, a[2], sizeof(in));
	if (r < 0)
		return r;
	if (!ts_valid(&in.it_value) || !ts_valid(&in.it_interval))
		return -EINVAL;
	struct ktimer_value nv = { in.it_value, in.it_interval }, old;
	r = ptimer_set(t, id, flags & TIMER_ABSTIME, &nv, &old);
	if (r == 0 && a[3])
		r = itimerspec_out(t, a[3], &old);
	return r;
}

int64_t sys_timer_gettime(struct task *t, const uint64_t a[6])
{
	struct ktimer_value cur;
	int r = ptimer_get(t, (int)a[0], &cur);
	if (r < 0)
		return r;
	return itimerspec_out(t, a[1], &cur);
}

int64_t sys_timer_getoverrun(struct task *t, const uint64_t a[6])
{
	return ptimer_getoverrun(t, (int)a[0]);
}

int64_t sys_timer_delete(struct task *t, const uint64_t a[6])
{
	return ptimer_delete(t, (int)a[0]);
}
