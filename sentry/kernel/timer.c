/* sentry/kernel/timer.c: timers that send signals. Every armed timer is on
 * one list under kernel.lock; one kernel thread (started on first use)
 * sleeps until the earliest expiry, sends the signal and reloads periodic
 * timers, counting overruns while the previous signal is still pending.
 * ITIMER_REAL is the POSIX timer with id -1 of its process. */
#include "sentry/kernel/timer.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ITIMER_REAL_ID (-1)
#define TIMERS_PER_PROCESS 4096

struct ktimer {
	struct tgroup *tg;
	int id;
	clockid_t clock;
	struct ktimer_event ev;
	struct timespec expiry;		/* absolute on clock; 0: disarmed */
	struct timespec interval;
	int overrun;			/* expiries since the last signal */
	int last_overrun;		/* timer_getoverrun */
	/* Callback timers (tg NULL): expirations not yet taken. */
	void (*notify)(void *arg);
	void *arg;
	uint64_t count;
	struct ktimer *next;
};

static struct ktimer *timers;		/* under kernel.lock */
static pthread_cond_t timer_cond = PTHREAD_COND_INITIALIZER;
static bool timer_thread_started;

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static struct timespec ns_ts(int64_t ns)
{
	if (ns < 0)
		ns = 0;
	return (struct timespec){ ns / 1000000000LL, ns % 1000000000LL };
}

static int64_t clock_ns(clockid_t clk)
{
	struct timespec now;
	clock_gettime(clk, &now);
	return ts_ns(&now);
}

static bool armed(const struct ktimer *k)
{
	return k->expiry.tv_sec || k->expiry.tv_nsec;
}

/* A callback timer expired n times. */
static void fire_callback_locked(struct ktimer *k, uint64_t n)
{
	k->count = k->count > UINT64_MAX - n ? UINT64_MAX : k->count + n;
	k->notify(k->arg);
}

static void fire_locked(struct ktimer *k)
{
	if (!k->tg) {
		fire_callback_locked(k, 1);
		return;
	}
	if (k->ev.notify == SIGEV_NONE)
		return;
	int sig = k->ev.signo;
	/* Still pending from the last expiry: count an overrun instead. */
	uint64_t bit = 1ULL << (sig - 1);
	if (k->tg->shared_pending & bit) {
		k->overrun++;
		return;
	}
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	if (k->id == ITIMER_REAL_ID) {
		info.si_code = SI_KERNEL;
	} else {
		info.si_code = SI_TIMER;
		info.si_timerid = k->id;
		info.si_overrun = k->overrun;
		info.si_value.sival_ptr = (void *)k->ev.value;
	}
	k->last_overrun = k->overrun;
	k->overrun = 0;
	struct task *target = k->tg->leader;
	if (k->ev.notify == SIGEV_THREAD_ID) {
		struct task *p = task_lookup(k->ev.tid);
		if (p && p->tg == k->tg && !p->thread_dead) {
			signal_send_locked(p, &info);
			return;
		}
	}
	signal_send_group_locked(target, &info);
}

static void *timer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&kernel.lock);
	for (;;) {
		int64_t wait_ns = INT64_MAX;
		for (struct ktimer *k = timers; k; k = k->next) {
			if (!armed(k))
				continue;
			int64_t left = ts_ns(&k->expiry) - clock_ns(k->clock);
			if (left <= 0) {
				fire_locked(k);
				int64_t iv = ts_ns(&k->interval);
				if (iv > 0) {
					/* Reload; expiries we slept through are overruns. */
					int64_t next = ts_ns(&k->expiry) + iv;
					int64_t now = clock_ns(k->clock);
					if (next <= now) {
						int64_t missed = (now - next) / iv + 1;
						if (!k->tg)
							fire_callback_locked(k, (uint64_t)missed);
						else
							k->overrun += (int)(missed > 1000000 ? 1000000 : missed);
						next += missed * iv;
					}
					k->expiry = ns_ts(next);
					left = next - now;
				} else {
					k->expiry = (struct timespec){ 0, 0 };
					continue;
				}
			}
			if (left < wait_ns)
				wait_ns = left;
		}
		if (wait_ns == INT64_MAX) {
			pthread_cond_wait(&timer_cond, &kernel.lock);
		} else {
			struct timespec dl = ns_ts(clock_ns(CLOCK_MONOTONIC) + wait_ns);
			pthread_cond_clockwait(&timer_cond, &kernel.lock, CLOCK_MONOTONIC, &dl);
		}
	}
	return NULL;
}

/* kernel.lock held. */
static int timer_thread_start_locked(void)
{
	if (timer_thread_started)
		return 0;
	pthread_t th;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 << 10);
	int r = pthread_create(&th, &attr, timer_main, NULL);
	pthread_attr_destroy(&attr);
	if (r != 0)
		return -EAGAIN;
	timer_thread_started = true;
	return 0;
}

static struct ktimer *timer_find_locked(struct tgroup *tg, int id)
{
	for (struct ktimer *k = timers; k; k = k->next)
		if (k->tg == tg && k->id == id)
			return k;
	return NULL;
}

static void value_of(const struct ktimer *k, struct ktimer_value *v)
{
	v->interval = k->interval;
	v->value = armed(k) ? ns_ts(ts_ns(&k->expiry) - clock_ns(k->clock)) : (struct timespec){ 0, 0 };
	if (armed(k) && !v->value.tv_sec && !v->value.tv_nsec)
		v->value.tv_nsec = 1;	/* due now: still armed */
}

/* Arm (or disarm) k; kernel.lock held. */
static int arm_locked(struct ktimer *k, bool absolute, const struct ktimer_value *nv)
{
	int64_t v = ts_ns(&nv->value);
	k->interval = nv->interval;
	k->overrun = 0;
	if (v == 0) {
		k->expiry = (struct timespec){ 0, 0 };
	} else {
		int64_t at = absolute ? v : clock_ns(k->clock) + v;
		k->expiry = ns_ts(at > 0 ? at : 1);
		int r = timer_thread_start_locked();
		if (r < 0)
			return r;
	}
	pthread_cond_broadcast(&timer_cond);
	return 0;
}

static struct ktimer *timer_new_locked(struct tgroup *tg, int id, clockid_t clock,
				       const struct ktimer_event *ev)
{
	struct ktimer *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->tg = tg;
	k->id = id;
	k->clock = clock;
	k->ev = *ev;
	k->next = timers;
	timers = k;
	return k;
}

struct ktimer *ktimer_new(clockid_t clock, void (*notify)(void *arg), void *arg)
{
	struct ktimer_event ev = { SIGEV_NONE, 0, 0, 0, false };
	pthread_mutex_lock(&kernel.lock);
	struct ktimer *k = timer_new_locked(NULL, 0, clock, &ev);
	if (k) {
		k->notify = notify;
		k->arg = arg;
	}
	pthread_mutex_unlock(&kernel.lock);
	return k;
}

int ktimer_set(struct ktimer *k, bool absolute, const struct ktimer_value *nv,
	       struct ktimer_value *old)
{
	pthread_mutex_lock(&kernel.lock);
	if (old)
		value_of(k, old);
	k->count = 0;
	int r = arm_locked(k, absolute, nv);
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

void ktimer_get(struct ktimer *k, struct ktimer_value *cur)
{
	pthread_mutex_lock(&kernel.lock);
	value_of(k, cur);
	pthread_mutex_unlock(&kernel.lock);
}

uint64_t ktimer_take(struct ktimer *k)
{
	pthread_mutex_lock(&kernel.lock);
	uint64_t n = k->count;
	k->count = 0;
	pthread_mutex_unlock(&kernel.lock);
	return n;
}

uint64_t ktimer_count(struct ktimer *k)
{
	pthread_mutex_lock(&kernel.lock);
	uint64_t n = k->count;
	pthread_mutex_unlock(&kernel.lock);
	return n;
}

void ktimer_free(struct ktimer *k)
{
	pthread_mutex_lock(&kernel.lock);
	for (struct ktimer **p = &timers; *p; p = &(*p)->next) {
		if (*p == k) {
			*p = k->next;
			break;
		}
	}
	pthread_cond_broadcast(&timer_cond);
	pthread_mutex_unlock(&kernel.lock);
	free(k);
}

int itimer_real_set(struct task *t, const struct ktimer_value *nv, struct ktimer_value *old)
{
	int r = 0;
	pthread_mutex_lock(&kernel.lock);
	struct ktimer *k = timer_find_locked(t->tg, ITIMER_REAL_ID);
	if (!k) {
		struct ktimer_event ev = { SIGEV_SIGNAL, SIGALRM, 0, 0, false };
		k = timer_new_locked(t->tg, ITIMER_REAL_ID, CLOCK_MONOTONIC, &ev);
		if (!k)
			r = -ENOMEM;
	}
	if (k) {
		if (old)
			value_of(k, old);
		r = arm_locked(k, false, nv);
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int itimer_real_get(struct task *t, struct ktimer_value *cur)
{
	pthread_mutex_lock(&kernel.lock);
	struct ktimer *k = timer_find_locked(t->tg, ITIMER_REAL_ID);
	if (k)
		value_of(k, cur);
	else
		memset(cur, 0, sizeof(*cur));
	pthread_mutex_unlock(&kernel.lock);
	return 0;
}

int ptimer_create(struct task *t, clockid_t clock, const struct ktimer_event *ev)
{
	pthread_mutex_lock(&kernel.lock);
	int id = 0, n = 0;
	for (struct ktimer *k = timers; k; k = k->next) {
		if (k->tg != t->tg || k->id < 0)
			continue;
		n++;
		if (k->id >= id)
			id = k->id + 1;
	}
	int r;
	if (n >= TIMERS_PER_PROCESS)
		r = -EAGAIN;
	else if (ev->notify == SIGEV_THREAD_ID &&
		 (!task_lookup(ev->tid) || task_lookup(ev->tid)->tg != t->tg))
		r = -EINVAL;
	else {
		struct ktimer *k = timer_new_locked(t->tg, id, clock, ev);
		if (k && ev->value_is_id)
			k->ev.value = (uint64_t)id;
		r = k ? id : -EAGAIN;
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int ptimer_set(struct task *t, int id, bool absolute, const struct ktimer_value *nv,
	       struct ktimer_value *old)
{
	if (id < 0)
		return -EINVAL;
	pthread_mutex_lock(&kernel.lock);
	struct ktimer *k = timer_find_locked(t->tg, id);
	int r = -EINVAL;
	if (k) {
		if (old)
			value_of(k, old);
		r = arm_locked(k, absolute, nv);
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int ptimer_get(struct task *t, int id, struct ktimer_value *cur)
{
	if (id < 0)
		return -EINVAL;
	pthread_mutex_lock(&kernel.lock);
	struct ktimer *k = timer_find_locked(t->tg, id);
	if (k)
		value_of(k, cur);
	pthread_mutex_unlock(&kernel.lock);
	return k ? 0 : -EINVAL;
}

int ptimer_getoverrun(struct task *t, int id)
{
	if (id < 0)
		return -EINVAL;
	pthread_mutex_lock(&kernel.lock);
	struct ktimer *k = timer_find_locked(t->tg, id);
	int r = k ? k->last_overrun : -EINVAL;
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

/* Remove tg's timer id, or with all every POSIX timer (and ITIMER_REAL
 * too unless keep_real). */
static void timers_remove_locked(struct tgroup *tg, int id, bool all, bool keep_real)
{
	for (struct ktimer **p = &timers; *p;) {
		struct ktimer *k = *p;
		bool match = k->tg == tg &&
			     (all ? !(keep_real && k->id == ITIMER_REAL_ID) : k->id == id);
		if (match) {
			*p = k->next;
			free(k);
		} else {
			p = &k->next;
		}
	}
	pthread_cond_broadcast(&timer_cond);
}

int ptimer_delete(struct task *t, int id)
{
	if (id < 0)
		return -EINVAL;
	pthread_mutex_lock(&kernel.lock);
	bool found = timer_find_locked(t->tg, id) != NULL;
	if (found)
		timers_remove_locked(t->tg, id, false, false);
	pthread_mutex_unlock(&kernel.lock);
	return found ? 0 : -EINVAL;
}

void timers_release_locked(struct tgroup *tg, bool exec)
{
	timers_remove_locked(tg, 0, true, exec);
}

void timers_release(struct tgroup *tg, bool exec)
{
	pthread_mutex_lock(&kernel.lock);
	timers_release_locked(tg, exec);
	pthread_mutex_unlock(&kernel.lock);
}
