/* sentry/syscalls/sys_sched.c: scheduling: sched_yield, CPU affinity,
 * getcpu, and the policy queries.
 *
 * Every task runs SCHED_OTHER at priority 0 on the CPUs the sentry may
 * use. The guest's view of the machine's CPUs is the sentry's host
 * affinity, read once (the sentry cannot see /sys once confined). The
 * sizes are the host kernel's: sched_getaffinity returns its cpumask size
 * and fails with EINVAL for a buffer shorter than nr_cpu_ids bits, which a
 * probe finds. Affinity changes are accepted and not stored: the host schedules
 * the sentry's threads. Only the caller can be named by pid until tasks
 * can be looked up. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/machine.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

/* NR_CPUS can be at most 8192 on x86-64. */
#define MASK_MAX_BYTES 1024

static struct {
	pthread_once_t once;
	uint8_t mask[MASK_MAX_BYTES];	/* the CPUs the sandbox may use */
	size_t min_bytes;		/* 8 * ceil(nr_cpu_ids / 64) */
	size_t bytes;			/* cpumask_size() */
} cpus = { .once = PTHREAD_ONCE_INIT };

static void cpus_probe(void)
{
	uint8_t probe[MASK_MAX_BYTES];
	long n = syscall(SYS_sched_getaffinity, 0, sizeof(cpus.mask), cpus.mask);

	if (n <= 0) {
		/* Cannot happen on a sane host; fall back to one CPU. */
		memset(cpus.mask, 0, sizeof(cpus.mask));
		cpus.mask[0] = 1;
		cpus.min_bytes = cpus.bytes = 8;
		return;
	}
	cpus.bytes = (size_t)n;
	/* Highest CPU we may use: nr_cpu_ids is beyond it. */
	size_t hi = 0;
	for (size_t i = 0; i < (size_t)n; i++)
		if (cpus.mask[i])
			hi = i;
	size_t len = (hi / 8 + 1) * 8;
	for (; len < (size_t)n; len += 8)
		if (syscall(SYS_sched_getaffinity, 0, len, probe) >= 0)
			break;
	cpus.min_bytes = len;
}

static void cpus_get(void)
{
	pthread_once(&cpus.once, cpus_probe);
}

int machine_cpu_count(void)
{
	cpus_get();
	int hi = 0;
	for (size_t i = 0; i < cpus.bytes * 8; i++)
		if (cpus.mask[i / 8] & (1u << (i % 8)))
			hi = (int)i + 1;
	return hi ? hi : 1;
}

bool machine_cpu_online(int cpu)
{
	cpus_get();
	if (cpu < 0 || (size_t)cpu >= cpus.bytes * 8)
		return false;
	return cpus.mask[cpu / 8] & (1u << (cpu % 8));
}

/* Does pid name the caller (for the sched_* family, a thread id)? */
static bool pid_is_self(struct task *t, int32_t pid)
{
	return pid == 0 || pid == t->tid || pid == t->tgid;
}

int64_t sys_sched_yield(struct task *t, const uint64_t a[6])
{
	(void)t;
	(void)a;
	sched_yield();
	return 0;
}

/* sched_getaffinity(pid_t pid, unsigned int len, unsigned long *mask):
 * the number of bytes written, the kernel's cpumask size or len if
 * smaller. */
int64_t sys_sched_getaffinity(struct task *t, const uint64_t a[6])
{
	int32_t pid = (int32_t)a[0];
	uint32_t len = (uint32_t)a[1];

	cpus_get();
	if (len < cpus.min_bytes || (len & 7))
		return -EINVAL;
	if (!pid_is_self(t, pid))
		return -ESRCH;
	size_t n = len < cpus.bytes ? len : cpus.bytes;
	int err = copy_out(t->mm, a[2], cpus.mask, n);
	if (err)
		return err;
	return (int64_t)n;
}

/* sched_setaffinity(pid_t pid, unsigned int len, const unsigned long *mask):
 * a shorter mask is zero-extended, a longer one truncated; it must name at
 * least one CPU we may use. */
int64_t sys_sched_setaffinity(struct task *t, const uint64_t a[6])
{
	int32_t pid = (int32_t)a[0];
	uint32_t len = (uint32_t)a[1];
	uint8_t mask[MASK_MAX_BYTES];

	cpus_get();
	size_t n = len < cpus.bytes ? len : cpus.bytes;
	memset(mask, 0, sizeof(mask));
	if (n) {
		int err = copy_in(t->mm, mask, a[2], n);
		if (err)
			return err;
	}
	if (!pid_is_self(t, pid))
		return -ESRCH;
	for (size_t i = 0; i < n; i++)
		if (mask[i] & cpus.mask[i])
			return 0;
	return -EINVAL;
}

/* getcpu(unsigned *cpu, unsigned *node, void *tcache): either pointer may
 * be NULL; both are tried before a fault is reported. */
int64_t sys_getcpu(struct task *t, const uint64_t a[6])
{
	int c = sched_getcpu();
	uint32_t cpu = c < 0 ? 0 : (uint32_t)c, node = 0;
	int err = 0;

	if (a[0] && copy_out(t->mm, a[0], &cpu, sizeof(cpu)))
		err = -EFAULT;
	if (a[1] && copy_out(t->mm, a[1], &node, sizeof(node)))
		err = -EFAULT;
	return err;
}

/* sched_getscheduler(pid_t pid) */
int64_t sys_sched_getscheduler(struct task *t, const uint64_t a[6])
{
	int32_t pid = (int32_t)a[0];

	if (pid < 0)
		return -EINVAL;
	if (!pid_is_self(t, pid))
		return -ESRCH;
	return SCHED_OTHER;
}

/* sched_getparam(pid_t pid, struct sched_param *param) */
int64_t sys_sched_getparam(struct task *t, const uint64_t a[6])
{
	int32_t pid = (int32_t)a[0];
	int32_t prio = 0;

	if (!a[1] || pid < 0)
		return -EINVAL;
	if (!pid_is_self(t, pid))
		return -ESRCH;
	return copy_out(t->mm, a[1], &prio, sizeof(prio));
}

int64_t sys_sched_get_priority_max(struct task *t, const uint64_t a[6])
{
	(void)t;
	switch ((int32_t)a[0]) {
	case SCHED_FIFO:
	case SCHED_RR:
		return 99;	/* MAX_RT_PRIO - 1 */
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
	case SCHED_DEADLINE:
		return 0;
	default:
		return -EINVAL;
	}
}

int64_t sys_sched_get_priority_min(struct task *t, const uint64_t a[6])
{
	(void)t;
	switch ((int32_t)a[0]) {
	case SCHED_FIFO:
	case SCHED_RR:
		return 1;
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
	case SCHED_DEADLINE:
		return 0;
	default:
		return -EINVAL;
	}
}
