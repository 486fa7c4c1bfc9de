/*
 * sched_affinity: the sched_* family reads back what it set. Affinity
 * narrowed to one allowed CPU reads back as that CPU (also through the
 * thread's tid and in a forked child, which inherits it); a mask with no
 * allowed CPU is EINVAL; an unknown pid ESRCH. SCHED_FIFO/RR priorities
 * in 1..99 (as root), SCHED_OTHER only 0, SCHED_RESET_ON_FORK reads back
 * and a child starts as SCHED_OTHER; sched_getattr/setattr agree with
 * them, with nice; getpriority/setpriority; getcpu names an allowed CPU;
 * personality reads back ADDR_NO_RANDOMIZE and 0xffffffff only queries.
 */
#include <sched.h>
#include <stdint.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_util.h"

/* struct sched_attr of <linux/sched/types.h>, which clashes with glibc's
 * sched_param. */
struct sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};
#define SCHED_FLAG_RESET_ON_FORK 0x01

int main(void)
{
	cpu_set_t all, one, got;
	CHECK_OK(sched_getaffinity(0, sizeof(all), &all));
	int first = -1;
	for (int i = 0; i < CPU_SETSIZE && first < 0; i++)
		if (CPU_ISSET(i, &all))
			first = i;
	CHECK(first >= 0, "no CPU");
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	CHECK_OK(sched_setaffinity(0, sizeof(one), &one));
	CHECK_OK(sched_getaffinity(gettid(), sizeof(got), &got));
	CHECK(CPU_EQUAL(&got, &one), "affinity not narrowed");
	unsigned cpu = 99999;
	CHECK_OK(syscall(SYS_getcpu, &cpu, NULL, NULL));
	CHECK(CPU_ISSET(cpu, &all), "getcpu %u not allowed", cpu);
	pid_t pid = xfork();
	if (pid == 0) {
		cpu_set_t c;
		CHECK_OK(sched_getaffinity(0, sizeof(c), &c));
		_exit(CPU_EQUAL(&c, &one) ? 0 : 1);
	}
	expect_exit(pid, 0, "affinity inherited");
	CHECK_OK(sched_setaffinity(0, sizeof(all), &all));
	CHECK_OK(sched_getaffinity(0, sizeof(got), &got));
	CHECK(CPU_EQUAL(&got, &all), "affinity not restored");
	cpu_set_t none;
	CPU_ZERO(&none);
	CHECK_ERR(sched_setaffinity(0, sizeof(none), &none), EINVAL);
	pid = xfork();
	if (pid == 0)
		_exit(0);
	expect_exit(pid, 0, "short child");
	CHECK_ERR(sched_getaffinity(pid, sizeof(got), &got), ESRCH);
	CHECK_ERR(sched_getscheduler(pid), ESRCH);

	struct sched_param sp = { 0 };
	CHECK_EQ(sched_getscheduler(0), SCHED_OTHER);
	sp.sched_priority = 1;
	CHECK_ERR(sched_setscheduler(0, SCHED_OTHER, &sp), EINVAL);
	sp.sched_priority = 100;
	CHECK_ERR(sched_setscheduler(0, SCHED_FIFO, &sp), EINVAL);
	CHECK_ERR(sched_setscheduler(0, 77, &sp), EINVAL);
	CHECK_ERR(sched_setscheduler(-1, SCHED_OTHER, &sp), EINVAL);
	CHECK_EQ(sched_get_priority_min(SCHED_RR), 1);
	CHECK_EQ(sched_get_priority_max(SCHED_RR), 99);
	struct timespec ts;
	CHECK_OK(sched_rr_get_interval(0, &ts));
	CHECK(ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000, "rr interval");

	if (geteuid() == 0) {
		/* Real-time policies in a child (they need CAP_SYS_NICE). */
		pid = xfork();
		if (pid == 0) {
			struct sched_param p = { .sched_priority = 7 };
			if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &p) < 0 && errno == EPERM)
				_exit(0);	/* no CAP_SYS_NICE here: nothing to check */
			CHECK_EQ(sched_getscheduler(0), SCHED_RR | SCHED_RESET_ON_FORK);
			struct sched_param q = { 0 };
			CHECK_OK(sched_getparam(0, &q));
			CHECK_EQ(q.sched_priority, 7);
			p.sched_priority = 9;
			CHECK_OK(sched_setparam(0, &p));
			CHECK_OK(sched_getparam(0, &q));
			CHECK_EQ(q.sched_priority, 9);
			CHECK_EQ(sched_getscheduler(0), SCHED_RR | SCHED_RESET_ON_FORK);
			struct sched_attr at;
			memset(&at, 0, sizeof(at));
			CHECK_OK(syscall(SYS_sched_getattr, 0, &at, sizeof(at), 0));
			CHECK_EQ(at.sched_policy, SCHED_RR);
			CHECK_EQ(at.sched_priority, 9);
			CHECK_EQ(at.sched_flags & SCHED_FLAG_RESET_ON_FORK, SCHED_FLAG_RESET_ON_FORK);
			pid_t c = xfork();
			if (c == 0)
				_exit(sched_getscheduler(0) == SCHED_OTHER ? 0 : 1);
			expect_exit(c, 0, "reset on fork");
			/* Back to SCHED_OTHER with a nice value through setattr. */
			memset(&at, 0, sizeof(at));
			at.size = sizeof(at);
			at.sched_policy = SCHED_OTHER;
			at.sched_nice = 5;
			CHECK_OK(syscall(SYS_sched_setattr, 0, &at, 0));
			CHECK_EQ(sched_getscheduler(0), SCHED_OTHER);
			errno = 0;
			CHECK_EQ(getpriority(PRIO_PROCESS, 0), 5);
			memset(&at, 0, sizeof(at));
			CHECK_OK(syscall(SYS_sched_getattr, 0, &at, sizeof(at), 0));
			CHECK_EQ(at.sched_nice, 5);
			CHECK_ERR(syscall(SYS_sched_getattr, 0, &at, 8, 0), EINVAL);
			CHECK_ERR(syscall(SYS_sched_getattr, 0, &at, sizeof(at), 1), EINVAL);
			_exit(0);
		}
		expect_exit(pid, 0, "real-time policies");
	}

	/* nice */
	pid = xfork();
	if (pid == 0) {
		CHECK_OK(setpriority(PRIO_PROCESS, 0, 3));
		errno = 0;
		CHECK_EQ(getpriority(PRIO_PROCESS, 0), 3);
		CHECK_EQ(syscall(SYS_getpriority, PRIO_PROCESS, 0), 17);	/* 20 - nice */
		CHECK_OK(setpriority(PRIO_PROCESS, 0, 50));
		CHECK_EQ(getpriority(PRIO_PROCESS, 0), 19);
		CHECK_ERR(setpriority(99, 0, 1), EINVAL);
		_exit(0);
	}
	expect_exit(pid, 0, "nice");

	/* personality */
	int old = personality(0xffffffff);
	CHECK(old >= 0, "personality query");
	CHECK_EQ(personality(old | ADDR_NO_RANDOMIZE), old);
	CHECK_EQ(personality(0xffffffff), old | ADDR_NO_RANDOMIZE);
	pid = xfork();
	if (pid == 0)
		_exit(personality(0xffffffff) == (old | ADDR_NO_RANDOMIZE) ? 0 : 1);
	expect_exit(pid, 0, "personality inherited");
	CHECK_EQ(personality(old), old | ADDR_NO_RANDOMIZE);
	CHECK_EQ(personality(0xffffffff), old);
	PASS();
}
