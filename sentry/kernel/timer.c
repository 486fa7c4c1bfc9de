/* sentry/kernel/timer.c: timers that send signals. Every armed timer is on
 * one list under kernel.lock; one kernel thread (started on first use)
 * sleeps until the earliest expiry, sends the signal and reloads periodic
 * timers, counting overruns while the previous signal is still pending.
 * ITIMER_REAL is the POSIX timer with id -1 of its process, ITIMER_VIRTUAL
 * and ITIMER_PROF ids -2 and -3. Timers on CPU-time clocks read the
 * accounting (cputime.h) and are looked at every CPU_TICK_NS. */
#include "sentry/kernel/timer.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define ITIMER_REAL_ID (-1)
#define TIMERS_PER_PROCESS 4096

struct ktimer {
	struct tgroup *tg;
	int id;
	clockid_t clock;
	struct ktimer_event ev;
	struct timespec expiry;		/* absolute on clock; 0: disarmed */
	struct timespec interval;
	int cpu_tid;			/* CPU_THREAD: the thread */
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

/* CPU-time clocks (sentry/kernel/cputime.h), read from the accounting:
 * the process's user + system time, its user time only (ITIMER_VIRTUAL),
 * one thread's user + system time. */
#define CPU_PROCESS CLOCK_PROCESS_CPUTIME_ID
#define CPU_THREAD CLOCK_THREAD_CPUTIME_ID
#define CPU_PROCESS_VIRT (-100)
/* How often the timer thread looks at a CPU clock's progress. */
#define CPU_TICK_NS 10000000LL

static bool is_cpu_clock(clockid_t c)
{
	return c == CPU_PROCESS || c == CPU_THREAD || c == CPU_PROCESS_VIRT;
}

/* Now on k's clock; -1 when its thread is gone. kernel.lock held. */
static int64_t timer_now_locked(const struct ktimer *k)
{
	struct cputime ct;
	switch (k->clock) {
	case CPU_PROCESS:
	case CPU_PROCESS_VIRT:
		tgroup_cputime_locked(k->tg->leader, &ct);
		return (int64_t)(ct.user_ns + (k->clock == CPU_PROCESS ? ct.sys_ns : 0));
	case CPU_THREAD: {
		struct task *p = task_lookup(k->cpu_tid);
		if (!p || p->tg != k->tg || p->thread_dead || p->zombie)
			return -1;
		task_cputime(p, &ct);
		return (int64_t)(ct.user_ns + ct.sys_ns);
	}
	default:
		return clock_ns(k->clock);
	}
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
			int64_t now0 = timer_now_locked(k);
			if (now0 < 0) {		/* its thread is gone */
				k->expiry = (struct timespec){ 0, 0 };
				continue;
			}
			int64_t left = ts_ns(&k->expiry) - now0;
			if (left <= 0) {
				fire_locked(k);
				int64_t iv = ts_ns(&k->interval);
				if (iv > 0) {
					/* Reload; expiries we slept through are overruns. */
					int64_t next = ts_ns(&k->expiry) + iv;
					int64_t now = timer_now_locked(k);
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
			/* CPU time moves at most as fast as the threads run:
			 * look again soon. */
			if (is_cpu_clock(k->clock) && left > CPU_TICK_NS)
				left = CPU_TICK_NS;
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
	v->value = armed(k) ? ns_ts(ts_ns(&k->expiry) - timer_now_locked(k)) : (struct timespec){ 0, 0 };
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
		int64_t at = absolute ? v : timer_now_locked(k) + v;
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

void ktimer_set_count(struct ktimer *k, uint64_t n)
{
	pthread_mutex_lock(&kernel.lock);
	k->count = n;
	if (n)
		k->notify(k->arg);
	pthread_mutex_unlock(&kernel.lock);
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

/* The interval timers are per-process timers with fixed ids: ITIMER_REAL
 * on CLOCK_MONOTONIC (SIGALRM); ITIMER_VIRTUAL and ITIMER_PROF, ids -2
 * and -3, on the process's user time (SIGVTALRM) and its user + system
 * time (SIGPROF). */
struct itimer_kind {
	int id;
	clockid_t clock;
	int sig;
};

static struct itimer_kind itimer_cpu_kind(int which)
{
	if (which == ITIMER_VIRTUAL)
		return (struct itimer_kind){ -2, CPU_PROCESS_VIRT, SIGVTALRM };
	return (struct itimer_kind){ -3, CPU_PROCESS, SIGPROF };
}

static const struct itimer_kind itimer_real_kind = { ITIMER_REAL_ID, CLOCK_MONOTONIC, SIGALRM };

static int itimer_set(struct task *t, struct itimer_kind kind, const struct ktimer_value *nv,
		      struct ktimer_value *old)
{
	int r = 0;
	pthread_mutex_lock(&kernel.lock);
	struct ktimer *k = timer_find_locked(t->tg, kind.id);
	if (!k) {
		struct ktimer_event ev = { SIGEV_SIGNAL, kind.sig, 0, 0, false };
		k = timer_new_locked(t->tg, kind.id, kind.clock, &ev);
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

static int itimer_get(struct task *t, int id, struct ktimer_value *cur)
{
	pthread_mutex_lock(&kernel.lock);
	struct ktimer *k = timer_find_locked(t->tg, id);
	if (k)
		value_of(k, cur);
	else
		memset(cur, 0, sizeof(*cur));
	pthread_mutex_unlock(&kernel.lock);
	return 0;
}

int itimer_real_set(struct task *t, const struct ktimer_value *nv, struct ktimer_value *old)
{
	return itimer_set(t, itimer_real_kind, nv, old);
}

int itimer_real_get(struct task *t, struct ktimer_value *cur)
{
	return itimer_get(t, ITIMER_REAL_ID, cur);
}

int itimer_cpu_set(struct task *t, int which, const struct ktimer_value *nv,
		   struct ktimer_value *old)
{
	return itimer_set(t, itimer_cpu_kind(which), nv, old);
}

int itimer_cpu_get(struct task *t, int which, struct ktimer_value *cur)
{
	return itimer_get(t, itimer_cpu_kind(which).id, cur);
}

/* CPU clock ids (include/linux/posix-timers.h): ~pid << 3 | perthread << 2
 * | which (0 PROF, 1 VIRT, 2 SCHED). Timers on the caller's process and
 * its threads; kernel.lock held. */
static int cpu_clock_decode_locked(struct task *t, clockid_t clock, clockid_t *kind, int *tid)
{
	if (clock == CLOCK_PROCESS_CPUTIME_ID) {
		*kind = CPU_PROCESS;
		return 0;
	}
	if (clock == CLOCK_THREAD_CPUTIME_ID) {
		*kind = CPU_THREAD;
		*tid = t->tid;
		return 0;
	}
	if (clock >= 0 || (clock & 3) == 3)
		return -EINVAL;
	int pid = ~(clock >> 3);
	if (clock & 4) {
		struct task *p = pid ? task_lookup(pid) : t;
		if (!p || p->tg != t->tg)
			return -EINVAL;
		*kind = CPU_THREAD;
		*tid = p->tid;
		return 0;
	}
	if (pid && pid != t->tgid)
		return -EINVAL;
	*kind = (clock & 3) == 1 ? CPU_PROCESS_VIRT : CPU_PROCESS;
	return 0;
}

int ptimer_create(struct task *t, clockid_t clock, const struct ktimer_event *ev)
{
	pthread_mutex_lock(&kernel.lock);
	int cpu_tid = 0;
	if (clock < 0 || clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID) {
		int e = cpu_clock_decode_locked(t, clock, &clock, &cpu_tid);
		if (e < 0) {
			pthread_mutex_unlock(&kernel.lock);
			return e;
		}
	}
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
		if (k)
			k->cpu_tid = cpu_tid;
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
			     (all ? !(keep_real && k->id < 0) : k->id == id);
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
