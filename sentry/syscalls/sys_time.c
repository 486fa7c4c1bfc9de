/* sentry/syscalls/sys_time.c: clocks and sleeps: clock_gettime,
 * clock_getres, clock_nanosleep, nanosleep, gettimeofday, time, times,
 * getrusage.
 *
 * Wall and monotonic clocks are the host's. CPU-time clocks and the CPU
 * times of times/getrusage come from the sentry's accounting of each task
 * (sentry/kernel/cputime.h: guest time and sentry time by state changes).
 * Sleeping on a process CPU clock still waits on the host's clock. The
 * sandbox has no RTC, so the *_ALARM clocks behave as on a machine without
 * one, and it has no posix-clock devices (fd clocks).
 *
 * Sleeps block the task's host thread in host clock_nanosleep against an
 * absolute deadline; a host EINTR resumes the sleep unless the task is
 * being torn down, which is the one interruption there is until guest
 * signal delivery arrives (it will turn -EINTR into the restart codes). */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/errno_restart.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timekeeper.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define NSEC_PER_SEC 1000000000LL
#define USER_HZ 100

/* Guest layouts (x86-64). */
struct k_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct k_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

struct k_tms {
	int64_t tms_utime, tms_stime, tms_cutime, tms_cstime;
};

_Static_assert(sizeof(struct rusage) == 144, "struct rusage layout");

#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif

/* What a guest clock id names, and the host clock that serves it. */
enum clock_kind {
	CK_INVALID,	/* no such clock: EINVAL */
	CK_SLEEP,	/* readable and sleepable */
	CK_NOSLEEP,	/* readable; clock_nanosleep: EOPNOTSUPP */
	CK_ALARM,	/* needs an RTC: read EINVAL, sleep EOPNOTSUPP */
	CK_FD,		/* posix-clock device: none exist */
	CK_CPU,		/* CPU-time clock of this task or its process */
};

struct gclock {
	enum clock_kind kind;
	clockid_t host;
	bool thread;		/* CK_CPU: a per-thread clock */
	bool nosleep;		/* CK_CPU: clock_nanosleep gives EOPNOTSUPP */
	int target;		/* CK_CPU: the tid (thread) or pid whose clock; 0: ours */
};

/* CPU clock ids (include/linux/posix-timers.h): ~pid << 3 | perthread<<2 |
 * which, with which 0 PROF, 1 VIRT, 2 SCHED and 3 marking fd clocks. */
#define CPUCLOCK_PERTHREAD 4
#define CPUCLOCK_WHICH(id) ((id) & 3)
#define CPUCLOCK_FD 3
#define CPUCLOCK_VIRT 1		/* user time only; PROF and SCHED: user + system */
#define CPUCLOCK_SELF_BASE (-8)		/* pid 0: the caller */

/* gettime: the lookup is for reading the clock, where Linux also accepts
 * the caller's own tid as the pid of a process clock. */
static struct gclock clock_lookup(struct task *t, int32_t id, bool gettime)
{
	struct gclock c = { .kind = CK_INVALID, .host = id };

	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		c.kind = CK_SLEEP;
		return c;
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		c.kind = CK_NOSLEEP;
		return c;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		c.kind = CK_ALARM;
		return c;
	case CLOCK_PROCESS_CPUTIME_ID:
		c.kind = CK_CPU;
		return c;
	case CLOCK_THREAD_CPUTIME_ID:
		/* Linux's clock_thread has no nsleep at all, unlike the
		 * encoded per-thread clocks below. */
		c.kind = CK_CPU;
		c.thread = true;
		c.nosleep = true;
		return c;
	default:
		break;
	}
	if (id >= 0)
		return c;
	if ((id & 7) == CPUCLOCK_FD) {
		c.kind = CK_FD;
		return c;
	}
	if (CPUCLOCK_WHICH(id) == CPUCLOCK_FD)
		return c;	/* per-thread "fd" bits: no such clock */

	int32_t pid = ~(id >> 3);
	bool thread = id & CPUCLOCK_PERTHREAD;
	/* Linux's lookup_task(): a thread clock of one of our threads, a
	 * process clock of any process (by its leader's pid; our own tid
	 * too when reading). No such task is EINVAL. */
	if (thread) {
		if (pid != 0 && pid != t->tid) {
			pthread_mutex_lock(&kernel.lock);
			struct task *p = task_lookup(pid);
			bool ok = p && p->tg == t->tg && !p->thread_dead;
			pthread_mutex_unlock(&kernel.lock);
			if (!ok)
				return c;
			c.target = pid;
		}
	} else {
		if (pid != 0 && pid != t->tgid && !(gettime && pid == t->tid)) {
			pthread_mutex_lock(&kernel.lock);
			struct task *p = task_lookup(pid);
			bool ok = p && p == p->tg->leader;
			pthread_mutex_unlock(&kernel.lock);
			if (!ok)
				return c;
			c.target = pid;
		}
	}
	c.kind = CK_CPU;
	c.thread = thread;
	c.host = CPUCLOCK_SELF_BASE | (thread ? CPUCLOCK_PERTHREAD : 0) |
		 CPUCLOCK_WHICH(id);
	return c;
}

static int read_timespec(struct task *t, uint64_t addr, struct timespec *ts)
{
	struct k_timespec k;
	int err = copy_in(t->mm, &k, addr, sizeof(k));
	if (err)
		return err;
	/* timespec64_valid() */
	if (k.tv_sec < 0 || (uint64_t)k.tv_nsec >= (uint64_t)NSEC_PER_SEC)
		return -EINVAL;
	ts->tv_sec = k.tv_sec;
	ts->tv_nsec = k.tv_nsec;
	return 0;
}

static int write_timespec(struct task *t, uint64_t addr, const struct timespec *ts)
{
	struct k_timespec k = { .tv_sec = ts->tv_sec, .tv_nsec = ts->tv_nsec };
	return copy_out(t->mm, addr, &k, sizeof(k));
}

/* a + b, saturating; both valid and non-negative. */
static struct timespec ts_add(struct timespec a, struct timespec b)
{
	struct timespec r;

	if (b.tv_sec > INT64_MAX - a.tv_sec - 1) {
		r.tv_sec = INT64_MAX;
		r.tv_nsec = NSEC_PER_SEC - 1;
		return r;
	}
	r.tv_sec = a.tv_sec + b.tv_sec;
	r.tv_nsec = a.tv_nsec + b.tv_nsec;
	if (r.tv_nsec >= NSEC_PER_SEC) {
		r.tv_nsec -= NSEC_PER_SEC;
		r.tv_sec++;
	}
	return r;
}

/* max(a - b, 0). */
static struct timespec ts_sub_clamp(struct timespec a, struct timespec b)
{
	struct timespec r = { 0, 0 };

	if (a.tv_sec < b.tv_sec ||
	    (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec))
		return r;
	r.tv_sec = a.tv_sec - b.tv_sec;
	r.tv_nsec = a.tv_nsec - b.tv_nsec;
	if (r.tv_nsec < 0) {
		r.tv_nsec += NSEC_PER_SEC;
		r.tv_sec--;
	}
	return r;
}

/* Sleep on host clock base until req (abs) or for req. Interrupted by a
 * signal: an absolute sleep restarts if no handler runs (ERESTARTNOHAND);
 * a relative one writes the time left to urem and, if no handler runs,
 * continues to the same deadline through restart_syscall. */
static int64_t sleep_on(struct task *t, clockid_t base, bool abs,
			struct timespec req, uint64_t urem)
{
	struct timespec deadline = req, now;

	if (!abs) {
		if (clock_gettime(base, &now))
			return -errno;
		deadline = ts_add(now, req);
	}
	if (task_sleep_until(t, base, &deadline) == 0)
		return 0;
	if (abs)
		return -ERESTARTNOHAND;
	if (urem) {
		if (clock_gettime(base, &now))
			return -errno;
		struct timespec left = ts_sub_clamp(deadline, now);
		if (write_timespec(t, urem, &left))
			return -EFAULT;
	}
	t->restart_clock = base;
	t->restart_deadline = deadline;
	t->restart_urem = urem;
	return -ERESTART_RESTARTBLOCK;
}

/* restart_syscall: the rest of an interrupted relative sleep. */
int64_t sys_restart_syscall(struct task *t, const uint64_t a[6])
{
	(void)a;
	if (!t->restart_deadline.tv_sec && !t->restart_deadline.tv_nsec)
		return -EINTR;
	struct timespec deadline = t->restart_deadline;
	return sleep_on(t, t->restart_clock, true, deadline, 0) == 0 ? 0
	       : (t->restart_deadline = deadline, -ERESTART_RESTARTBLOCK);
}

/* A CPU-time clock of t or its process from the accounting: PROF and
 * SCHED count user + system time, VIRT user time only. */
static int cpu_clock_read(struct task *t, struct gclock c, struct timespec *ts)
{
	struct cputime ct;
	pthread_mutex_lock(&kernel.lock);
	struct task *p = c.target ? task_lookup(c.target) : t;
	if (!p || (c.thread && p->thread_dead)) {
		pthread_mutex_unlock(&kernel.lock);
		return -EINVAL;		/* gone since the lookup */
	}
	if (c.thread)
		task_cputime(p, &ct);
	else
		tgroup_cputime_locked(p, &ct);
	pthread_mutex_unlock(&kernel.lock);
	uint64_t ns = ct.user_ns;
	if (CPUCLOCK_WHICH(c.host) != CPUCLOCK_VIRT)
		ns += ct.sys_ns;
	ts->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	ts->tv_nsec = (long)(ns % NSEC_PER_SEC);
	return 0;
}

/* clock_nanosleep on a process CPU clock: look at the clock every 10 ms
 * of wall time (CPU time cannot pass faster than its threads run). An
 * interrupted sleep gives EINTR to a handler (with the time left for a
 * relative one) and otherwise starts again. */
static int64_t cpu_sleep(struct task *t, struct gclock c, bool abs, struct timespec req,
			 uint64_t urem)
{
	struct timespec now;
	int r = cpu_clock_read(t, c, &now);
	if (r < 0)
		return r;
	struct timespec target = abs ? req : ts_add(now, req);
	for (;;) {
		if ((r = cpu_clock_read(t, c, &now)) < 0)
			return r;
		struct timespec left = ts_sub_clamp(target, now);
		if (!left.tv_sec && !left.tv_nsec)
			return 0;
		if (left.tv_sec || left.tv_nsec > 10000000)
			left = (struct timespec){ 0, 10000000 };
		struct timespec mono;
		clock_gettime(CLOCK_MONOTONIC, &mono);
		mono = ts_add(mono, left);
		pthread_mutex_lock(&kernel.lock);
		int b = task_block(t, &mono);
		pthread_mutex_unlock(&kernel.lock);
		if (b == -ERESTARTSYS) {
			if (!abs && urem) {
				struct timespec rest = ts_sub_clamp(target, now);
				if (write_timespec(t, urem, &rest))
					return -EFAULT;
			}
			return -ERESTARTNOHAND;
		}
	}
}

int64_t sys_clock_gettime(struct task *t, const uint64_t a[6])
{
	struct gclock c = clock_lookup(t, (int32_t)a[0], true);
	struct timespec ts;

	if (c.kind == CK_INVALID || c.kind == CK_ALARM || c.kind == CK_FD)
		return -EINVAL;
	if (c.kind == CK_CPU) {
		int r = cpu_clock_read(t, c, &ts);
		if (r < 0)
			return r;
	} else if (!timekeeper_now(c.host, &ts) && clock_gettime(c.host, &ts)) {
		return -errno;
	}
	return write_timespec(t, a[1], &ts);
}

int64_t sys_clock_getres(struct task *t, const uint64_t a[6])
{
	struct gclock c = clock_lookup(t, (int32_t)a[0], false);
	struct timespec ts;

	if (c.kind == CK_INVALID || c.kind == CK_ALARM || c.kind == CK_FD)
		return -EINVAL;
	if (clock_getres(c.host, &ts))
		return -errno;
	if (!a[1])
		return 0;
	return write_timespec(t, a[1], &ts);
}

/* clock_nanosleep(clockid_t, int flags, const timespec *req, timespec *rem)
 * in the order Linux checks: the clock, whether it can sleep, the request,
 * then the clock's own rules. Flags other than TIMER_ABSTIME are ignored,
 * as Linux does. */
int64_t sys_clock_nanosleep(struct task *t, const uint64_t a[6])
{
	struct gclock c = clock_lookup(t, (int32_t)a[0], false);
	bool abs = (int32_t)a[1] & TIMER_ABSTIME;
	struct timespec req;

	if (c.kind == CK_INVALID)
		return -EINVAL;
	if (c.kind == CK_NOSLEEP || c.kind == CK_FD || c.nosleep)
		return -EOPNOTSUPP;
	int err = read_timespec(t, a[2], &req);
	if (err)
		return err;
	uint64_t urem = abs ? 0 : a[3];

	switch (c.kind) {
	case CK_ALARM:
		return -EOPNOTSUPP;	/* alarmtimer without an RTC */
	case CK_CPU:
		/* A thread cannot sleep on its own CPU clock (EINVAL); only
		 * the caller's clocks are known, so every thread clock here
		 * is its own. */
		if (c.thread)
			return -EINVAL;
		return cpu_sleep(t, c, abs, req, urem);
	case CK_SLEEP:
		/* Relative realtime sleeps ignore clock jumps: Linux runs
		 * them on the monotonic base; so do we. */
		if (!abs && (c.host == CLOCK_REALTIME || c.host == CLOCK_TAI))
			return sleep_on(t, CLOCK_MONOTONIC, false, req, urem);
		return sleep_on(t, c.host, abs, req, urem);
	default:
		return -EINVAL;
	}
}

/* nanosleep(const timespec *req, timespec *rem): relative, monotonic. */
int64_t sys_nanosleep(struct task *t, const uint64_t a[6])
{
	struct timespec req;
	int err = read_timespec(t, a[0], &req);

	if (err)
		return err;
	return sleep_on(t, CLOCK_MONOTONIC, false, req, a[1]);
}

/* gettimeofday(timeval *tv, timezone *tz): either may be NULL; the
 * timezone is the kernel's sys_tz, which nothing in the sandbox sets. */
int64_t sys_gettimeofday(struct task *t, const uint64_t a[6])
{
	if (a[0]) {
		struct timespec ts;
		if (!timekeeper_now(CLOCK_REALTIME, &ts))
			clock_gettime(CLOCK_REALTIME, &ts);
		struct k_timeval tv = { .tv_sec = ts.tv_sec,
					.tv_usec = ts.tv_nsec / 1000 };
		int err = copy_out(t->mm, a[0], &tv, sizeof(tv));
		if (err)
			return err;
	}
	if (a[1]) {
		int32_t tz[2] = { 0, 0 };	/* minuteswest, dsttime */
		int err = copy_out(t->mm, a[1], tz, sizeof(tz));
		if (err)
			return err;
	}
	return 0;
}

/* time(time_t *tloc): tloc may be NULL. */
int64_t sys_time(struct task *t, const uint64_t a[6])
{
	struct timespec ts;
	if (!timekeeper_now(CLOCK_REALTIME, &ts))
		clock_gettime(CLOCK_REALTIME, &ts);
	int64_t now = ts.tv_sec;

	if (a[0]) {
		int err = copy_out(t->mm, a[0], &now, sizeof(now));
		if (err)
			return err;
	}
	return now;
}

static int64_t ns_to_ticks(uint64_t ns)
{
	return (int64_t)(ns / (NSEC_PER_SEC / USER_HZ));
}

static struct timeval ns_to_tv(uint64_t ns)
{
	struct timeval tv = { .tv_sec = (time_t)(ns / NSEC_PER_SEC),
			      .tv_usec = (suseconds_t)(ns % NSEC_PER_SEC / 1000) };
	return tv;
}

/* times(struct tms *buf): buf may be NULL. Returns clock ticks since the
 * sandbox booted. */
int64_t sys_times(struct task *t, const uint64_t a[6])
{
	if (a[0]) {
		struct cputime self, children;
		pthread_mutex_lock(&kernel.lock);
		tgroup_cputime_locked(t, &self);
		tgroup_children_cputime_locked(t, &children);
		pthread_mutex_unlock(&kernel.lock);
		struct k_tms tms = { .tms_utime = ns_to_ticks(self.user_ns),
				     .tms_stime = ns_to_ticks(self.sys_ns),
				     .tms_cutime = ns_to_ticks(children.user_ns),
				     .tms_cstime = ns_to_ticks(children.sys_ns) };
		int err = copy_out(t->mm, a[0], &tms, sizeof(tms));
		if (err)
			return err;
	}

	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	uint64_t ns = (uint64_t)now.tv_sec * NSEC_PER_SEC + now.tv_nsec;
	uint64_t boot = t->k ? t->k->boot_ns : 0;
	uint64_t up = ns > boot ? ns - boot : 0;
	return (int64_t)(up / (NSEC_PER_SEC / USER_HZ));
}

/* getrusage(int who, struct rusage *usage): the CPU times of the process,
 * its reaped children or the thread; the other fields stay zero. */
int64_t sys_getrusage(struct task *t, const uint64_t a[6])
{
	int who = (int)a[0];
	struct rusage ru;

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	memset(&ru, 0, sizeof(ru));
	struct cputime ct;
	if (who == RUSAGE_THREAD) {
		task_cputime(t, &ct);
	} else {
		pthread_mutex_lock(&kernel.lock);
		if (who == RUSAGE_SELF)
			tgroup_cputime_locked(t, &ct);
		else
			tgroup_children_cputime_locked(t, &ct);
		pthread_mutex_unlock(&kernel.lock);
	}
	ru.ru_utime = ns_to_tv(ct.user_ns);
	ru.ru_stime = ns_to_tv(ct.sys_ns);
	return copy_out(t->mm, a[1], &ru, sizeof(ru));
}
