/* sentry/loader/vdso/vvar.h: the data page the sentry's timekeeper
 * (sentry/kernel/timekeeper.c) writes and the guest's vDSO (vdso.c) reads,
 * one page below the vDSO's text in every address space. Both sides
 * include it; it must stay free of sentry headers.
 *
 * A reader retries while seq is odd or changed under it. seq 0: the
 * timekeeper has not calibrated the TSC (or cannot use it): the vDSO
 * makes the syscall. Guest time is
 *   mono = mono_base + ((rdtsc() - tsc_base) * mult) >> shift
 * in nanoseconds, and CLOCK_REALTIME and CLOCK_BOOTTIME add their
 * offsets to it. vvar_read() is the one reader both sides use. */
#ifndef CVISOR_SENTRY_LOADER_VDSO_VVAR_H
#define CVISOR_SENTRY_LOADER_VDSO_VVAR_H

#include <stdint.h>

struct vvar {
	uint32_t seq;
	uint32_t shift;
	uint64_t tsc_base;
	uint64_t mult;
	int64_t mono_base;	/* ns */
	int64_t real_offset;	/* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
	int64_t boot_offset;	/* CLOCK_BOOTTIME - CLOCK_MONOTONIC, ns */
};

/* The guest clock at TSC value tsc, from one consistent snapshot. */
static inline int64_t vvar_mono(const struct vvar *v, uint64_t tsc)
{
	int64_t d = (int64_t)(tsc - v->tsc_base);
	if (d < 0)
		d = 0;	/* another CPU's TSC a little behind */
	return v->mono_base + (int64_t)(((unsigned __int128)(uint64_t)d * v->mult) >> v->shift);
}

static inline uint64_t vvar_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* Clock ids (Linux's) the page serves. */
#define VVAR_REALTIME		0
#define VVAR_MONOTONIC		1
#define VVAR_REALTIME_COARSE	5
#define VVAR_MONOTONIC_COARSE	6
#define VVAR_BOOTTIME		7

/* Clock id now, in nanoseconds, from a consistent read of the page:
 * 0, or -1 when the page does not serve id or is not calibrated. */
static inline int vvar_read(const struct vvar *v, int id, int64_t *ns)
{
	if (id != VVAR_REALTIME && id != VVAR_MONOTONIC && id != VVAR_BOOTTIME &&
	    id != VVAR_REALTIME_COARSE && id != VVAR_MONOTONIC_COARSE)
		return -1;
	for (;;) {
		uint32_t seq = __atomic_load_n(&v->seq, __ATOMIC_ACQUIRE);
		if (seq == 0)
			return -1;
		if (seq & 1)
			continue;
		struct vvar snap = {
			.shift = __atomic_load_n(&v->shift, __ATOMIC_RELAXED),
			.tsc_base = __atomic_load_n(&v->tsc_base, __ATOMIC_RELAXED),
			.mult = __atomic_load_n(&v->mult, __ATOMIC_RELAXED),
			.mono_base = __atomic_load_n(&v->mono_base, __ATOMIC_RELAXED),
		};
		int64_t off = id == VVAR_REALTIME || id == VVAR_REALTIME_COARSE
				      ? __atomic_load_n(&v->real_offset, __ATOMIC_RELAXED)
			      : id == VVAR_BOOTTIME ? __atomic_load_n(&v->boot_offset, __ATOMIC_RELAXED)
						    : 0;
		int64_t t = vvar_mono(&snap, vvar_rdtsc()) + off;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&v->seq, __ATOMIC_RELAXED) == seq) {
			*ns = t;
			return 0;
		}
	}
}

#endif
