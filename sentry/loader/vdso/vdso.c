/* sentry/loader/vdso/vdso.c: the guest's vDSO (built on its own as a
 * shared object, linux-vdso.so.1, and carried in the cvisor binary as
 * data; see vdso.lds and sentry/loader/vdso_image.S). getcpu reads the
 * CPU from a segment limit; clock_gettime, gettimeofday and time read the clock from the data page below the
 * text (vvar.h) with no syscall; anything else, or a page the sentry
 * has not calibrated yet, makes the real syscall, which the platform
 * traps like any other. No libc: freestanding, position independent,
 * no data of its own. */
#include "vvar.h"

#include <time.h>

struct timeval_ {
	long tv_sec, tv_usec;
};

extern const struct vvar vvar_page __attribute__((visibility("hidden")));

#define NR_gettimeofday	96
#define NR_time		201
#define NR_clock_gettime	228

static long sys2(long nr, long a, long b)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return r;
}

int __vdso_clock_gettime(clockid_t id, struct timespec *ts)
{
	int64_t ns;
	if (vvar_read(&vvar_page, id, &ns) < 0)
		return (int)sys2(NR_clock_gettime, id, (long)ts);
	ts->tv_sec = ns / 1000000000;
	ts->tv_nsec = ns % 1000000000;
	return 0;
}

int __vdso_gettimeofday(struct timeval_ *tv, void *tz)
{
	int64_t ns;
	if (tz || vvar_read(&vvar_page, CLOCK_REALTIME, &ns) < 0)
		return (int)sys2(NR_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		tv->tv_sec = ns / 1000000000;
		tv->tv_usec = ns % 1000000000 / 1000;
	}
	return 0;
}

long __vdso_time(long *t)
{
	int64_t ns;
	if (vvar_read(&vvar_page, CLOCK_REALTIME, &ns) < 0)
		return sys2(NR_time, (long)t, 0);
	long s = (long)(ns / 1000000000);
	if (t)
		*t = s;
	return s;
}

/* The CPU from the limit of the per-CPU GDT segment the host kernel sets
 * up for this (cpu | node << 12): the CPU this thread really runs on. */
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
	(void)unused;
	unsigned p;
	__asm__ volatile("lsl %1, %0" : "=r"(p) : "r"(0x7bu));
	if (cpu)
		*cpu = p & 0xfff;
	if (node)
		*node = p >> 12;
	return 0;
}

int clock_gettime(clockid_t, struct timespec *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval_ *, void *) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *) __attribute__((weak, alias("__vdso_time")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
