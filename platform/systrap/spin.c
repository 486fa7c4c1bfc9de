/* platform/systrap/spin.c: how long the sentry's thread and a stub thread
 * spin for each other's turn before they sleep on the message page's
 * futex, and keeping the two on different CPUs.
 *
 * A round trip through the futex costs two wake-ups (tens of
 * microseconds on a virtual machine, where waking an idle CPU is an
 * interrupt to the host); when both sides spin on CPUs of their own it
 * costs nothing but the cache lines. Spinning only pays when the other
 * side runs on another CPU: on the same CPU it keeps the other side off
 * it. So:
 *  - each side reports its CPU in the message page (MSG_SENTRY_CPU,
 *    MSG_STUB_CPU); a side that hands the turn to the other, still
 *    running (not asleep), on its own CPU does not spin (the stub marks
 *    such a sleep MSG_SLEEP_SAME_CPU). A side it had to wake lands where
 *    the host puts it, so then it spins as usual;
 *  - two threads that hand a turn back and forth through the futex tend
 *    to stay on one CPU (the woken one lands where the waker was), so
 *    after a few rounds on one CPU the sentry's thread moves itself to
 *    another allowed CPU (sched_setaffinity to that CPU, then back to the
 *    whole set), at most every MOVE_GAP_NS;
 *  - the budgets adapt: halved when the other side did not come in time
 *    on another CPU (a busy host, where spinning steals the CPU the other
 *    side needs), doubled when it did; every 64 turns both sides spin in
 *    full together, to probe whether CPUs are free again;
 *  - except for the sandbox's first slot (its init task) in its first
 *    COLO_TURNS turns: the sentry's thread moves onto the stub's CPU and
 *    neither side spins. A program's start has long turns (glibc's start,
 *    faults served through the map thread) that defeat spinning, and a
 *    sleeping hand-off costs about 13 us on one CPU against 70-110 us
 *    across CPUs on a virtual machine (a wake-up is an IPI through the
 *    hypervisor): static `true` -0.45 ms, fork, thread and getppid
 *    unchanged. */
#include "platform/systrap/systrap.h"

#include <sched.h>
#include <time.h>

#define SAME_CPU_ROUNDS	4		/* rounds on one CPU before moving */
#define MOVE_GAP_NS	20000000ULL	/* 20 ms between moves of one slot */

static cpu_set_t allowed;
static int nallowed;

void systrap_spin_init(void)
{
	if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0)
		nallowed = CPU_COUNT(&allowed);
}

/* A budget that paid off, doubled (plus a little, to leave 0), at most max. */
static uint32_t grow(uint32_t budget, uint32_t max)
{
	return budget > max / 2 ? max : budget * 2 + 16;
}

/* Move the calling thread onto cpu (an allowed one): pinned there, then
 * allowed everywhere again, which leaves it where it is. Returns the CPU
 * it runs on afterwards. */
static uint32_t move_to(uint32_t cpu)
{
	if (cpu < CPU_SETSIZE && CPU_ISSET((int)cpu, &allowed)) {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET((int)cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one) == 0)
			sched_setaffinity(0, sizeof(allowed), &allowed);
	}
	return host_cpu();
}

/* Move the calling thread off cpu, to the next allowed CPU after it. */
static uint32_t move_off(uint32_t cpu)
{
	for (uint32_t i = 1; i < CPU_SETSIZE; i++) {
		uint32_t c = (cpu + i) % CPU_SETSIZE;
		if (CPU_ISSET((int)c, &allowed))
			return move_to(c);
	}
	return host_cpu();
}

#define COLO_TURNS 64	/* the first slot's turns on the stub's CPU */
static bool colo_given;		/* first slot: whose turns are those */

uint32_t systrap_spin_before(struct slot *sl, volatile uint8_t *msg, uint32_t *stub_spin)
{
	uint32_t max = systrap_spin_max(), spin = sl->spin, sspin = sl->stub_spin;
	uint32_t cpu = host_cpu();
	uint32_t stub_cpu = *(volatile uint32_t *)(msg + MSG_STUB_CPU);
	if (nallowed > 1 && !__atomic_exchange_n(&colo_given, true, __ATOMIC_RELAXED))
		sl->colo = COLO_TURNS;
	if (sl->colo) {	/* the sandbox's start: on one CPU, no spinning */
		sl->colo--;
		if (cpu != stub_cpu)
			cpu = move_to(stub_cpu);
		*(volatile uint32_t *)(msg + MSG_SENTRY_CPU) = cpu;
		sl->same_cpu = cpu == stub_cpu;
		sl->same_rounds = 0;
		*stub_spin = 0;
		return 0;
	}
	if (cpu != stub_cpu) {
		sl->same_rounds = 0;
	} else if (nallowed > 1 && ++sl->same_rounds >= SAME_CPU_ROUNDS) {
		sl->same_rounds = 0;
		uint64_t now = systrap_now_ns();
		if (now - sl->moved_at >= MOVE_GAP_NS) {
			sl->moved_at = now;
			cpu = move_off(cpu);
		}
	}
	*(volatile uint32_t *)(msg + MSG_SENTRY_CPU) = cpu;
	sl->same_cpu = cpu == stub_cpu;
	sl->probe++;
	/* Both sides probe in the same turn: when both sleep, each one's
	 * wake-up outlasts the other's spin, and only spinning together
	 * gets them out. */
	if ((sl->probe & 63) == 0) {
		spin = max;
		sspin = max;
	}
	*stub_spin = sspin;
	return spin;
}

/* Whether the stub slept judges the budget it waited with: the one given
 * with the previous turn. A stub that did not sleep but reported from
 * this CPU has been preempted by us: do not spin, let it run. One that
 * slept wakes wherever the host puts it: spin as usual. */
uint32_t systrap_spin_handed(struct slot *sl, uint32_t stub_slept, uint32_t sspin, uint32_t spin)
{
	uint32_t max = systrap_spin_max(), waited = sl->stub_spin_given;
	sl->stub_spin_given = sspin;
	/* The verdict is on the budget before the one just handed over:
	 * merge it into the current budget rather than replace it, or odd
	 * and even turns become two budgets of their own. */
	if (stub_slept == MSG_SLEEP_SPUN && waited / 2 < sl->stub_spin)
		sl->stub_spin = waited / 2;
	else if (!stub_slept && grow(waited, max) > sl->stub_spin)
		sl->stub_spin = grow(waited, max);
	sl->skip_spin = sl->same_cpu && !stub_slept;
	return sl->skip_spin ? 0 : spin;
}

void systrap_spin_waited(struct slot *sl, uint32_t spin, bool slept)
{
	uint32_t max = systrap_spin_max();
	if (sl->skip_spin)
		return;
	sl->spin = slept ? sl->spin / 2 : grow(spin, max);
}
