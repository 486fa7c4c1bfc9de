/* sentry/kernel/timekeeper.c: the guest clock behind the vDSO. The data
 * page (struct vvar) turns the TSC into nanoseconds: a thread, started at
 * the guest's first time syscall, measures
 * the TSC against the host's CLOCK_MONOTONIC (first after CALIBRATE_NS,
 * then every PERIOD_NS) and rewrites the page under its sequence count.
 * Each update starts from where the guest clock is at that instant, so it
 * never steps back, and sets the rate to close the gap to the host's
 * clock over the next period (at most MAX_SLEW of the period; a larger
 * gap, after the host slept, is jumped forward at once). Syscalls read
 * the same clock (timekeeper_now), so a guest mixing them sees one time. */
#include "sentry/kernel/timekeeper.h"
#include "sentry/kernel/kernel.h"
#include "sentry/loader/vdso/vvar.h"
#include "lib/log.h"

#include <cpuid.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define CALIBRATE_NS	20000000LL	/* 20 ms */
#define PERIOD_NS	1000000000LL	/* 1 s */
#define MAX_SLEW	10		/* the rate moves by at most 1/10 */
#define SHIFT		32

static struct vvar *vv;
static struct vvar cur;		/* what the page holds (the thread's copy) */

static int64_t host_ns(clockid_t id)
{
	return (int64_t)kernel_now_ns(id);
}

/* CPUID 0x80000007 EDX bit 8: the TSC runs at a constant rate in every
 * power state, the same on every CPU. */
static bool tsc_invariant(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007)
		return false;
	__get_cpuid(0x80000007, &a, &b, &c, &d);
	return d & (1u << 8);
}

/* Open the page for writing: readers retry until publish(). */
static void begin(void)
{
	__atomic_store_n(&vv->seq, cur.seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void publish(const struct vvar *nv)
{
	vv->shift = nv->shift;
	vv->tsc_base = nv->tsc_base;
	vv->mult = nv->mult;
	vv->mono_base = nv->mono_base;
	vv->real_offset = nv->real_offset;
	vv->boot_offset = nv->boot_offset;
	uint32_t seq = cur.seq + 2;
	cur = *nv;
	cur.seq = seq;
	__atomic_store_n(&vv->seq, seq, __ATOMIC_RELEASE);
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = { ns / 1000000000LL, ns % 1000000000LL };
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) != 0)
		;
}

/* mult for a rate of ns nanoseconds per tsc ticks. */
static uint64_t rate(int64_t ns, uint64_t tsc)
{
	if (ns <= 0 || tsc == 0)
		return 0;
	return (uint64_t)(((unsigned __int128)ns << SHIFT) / tsc);
}

static void *keeper(void *arg)
{
	(void)arg;
	uint64_t t0 = vvar_rdtsc();
	int64_t h0 = host_ns(CLOCK_MONOTONIC);
	sleep_ns(CALIBRATE_NS);
	for (;;) {
		/* The new rate applies from t1 on; no reader uses the old one
		 * past it, as the page is open from before t1. */
		begin();
		uint64_t t1 = vvar_rdtsc();
		int64_t h1 = host_ns(CLOCK_MONOTONIC);
		struct vvar nv = { .shift = SHIFT, .tsc_base = t1 };
		nv.real_offset = host_ns(CLOCK_REALTIME) - h1;
		nv.boot_offset = host_ns(CLOCK_BOOTTIME) - h1;
		if (t1 <= t0 || h1 <= h0) {
			nv = cur;	/* no time passed (or the TSC went back): keep */
		} else {
			int64_t err = 0;
			if (cur.seq == 0) {
				nv.mono_base = h1;
			} else {
				nv.mono_base = vvar_mono(&cur, t1);
				err = h1 - nv.mono_base;
				if (err > PERIOD_NS / MAX_SLEW) {
					nv.mono_base = h1;	/* far behind: catch up at once */
					err = 0;
				}
				if (err < -PERIOD_NS / MAX_SLEW)
					err = -PERIOD_NS / MAX_SLEW;
			}
			/* The measured rate, faster or slower by err per period. */
			uint64_t ticks = (uint64_t)((unsigned __int128)PERIOD_NS * (t1 - t0) /
						    (uint64_t)(h1 - h0));
			nv.mult = rate(PERIOD_NS + err, ticks);
			t0 = t1;
			h0 = h1;
		}
		if (nv.mult)
			publish(&nv);
		else
			__atomic_store_n(&vv->seq, cur.seq, __ATOMIC_RELEASE);	/* as it was */
		sleep_ns(PERIOD_NS);
	}
	return NULL;
}

/* The page to keep, until the guest first asks the time. */
static struct vvar *pending;
static pthread_once_t started = PTHREAD_ONCE_INIT;

void timekeeper_start(struct vvar *page)
{
	pending = page;
}

static void start_thread(void)
{
	if (!pending || !tsc_invariant())
		return;
	struct vvar *page = pending;
	memset(page, 0, sizeof(*page));
	__atomic_store_n(&vv, page, __ATOMIC_RELEASE);
	pthread_t th;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	int r = pthread_create(&th, &at, keeper, NULL);
	if (r != 0) {
		log_printf("timekeeper: no thread (%s): the vDSO makes syscalls", strerror(r));
		__atomic_store_n(&vv, NULL, __ATOMIC_RELEASE);
	}
	pthread_attr_destroy(&at);
}

bool timekeeper_now(clockid_t id, struct timespec *ts)
{
	pthread_once(&started, start_thread);
	return timekeeper_peek(id, ts);
}

bool timekeeper_peek(clockid_t id, struct timespec *ts)
{
	int64_t ns;
	struct vvar *v = __atomic_load_n(&vv, __ATOMIC_ACQUIRE);
	if (!v || vvar_read(v, id, &ns) < 0)
		return false;
	ts->tv_sec = ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
	return true;
}
