/* sentry/syscalls/sys_sched.c: scheduling: sched_yield, CPU affinity,
 * getcpu, and the policy queries.
 *
 * Every task runs SCHED_OTHER at priority 0 on the CPUs the sentry may
 * use. The guest's view of the machine's CPUs is the sentry's host
 * affinity, read once (the sentry cannot see /sys once confined). The
 * sizes are the host kernel's: sched_getaffinity returns its cpumask size
 * and fails with EINVAL for a buffer shorter than nr_cpu_ids bits, which a
 * probe finds. Affinity, policy, priority and nice are stored per task
 * (task.h) and read back, but the host schedules the sentry's threads.
 * A pid names any thread of the sandbox. Also getpriority/setpriority and
 * personality. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/cred.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/machine.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/resource.h>
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

/* The thread pid names (0: the caller) with kernel.lock taken, or NULL
 * (lock released) when there is none. */
static struct task *sched_target_lock(struct task *t, int32_t pid)
{
	pthread_mutex_lock(&kernel.lock);
	struct task *p = pid == 0 ? t : task_lookup(pid);
	if (!p || p->zombie || p->thread_dead) {
		pthread_mutex_unlock(&kernel.lock);
		return NULL;
	}
	return p;
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
	struct task *p = sched_target_lock(t, pid);
	if (!p)
		return -ESRCH;
	uint8_t mask[MASK_MAX_BYTES];
	memcpy(mask, cpus.mask, sizeof(mask));
	if (p->affinity_set)
		for (size_t i = 0; i < sizeof(p->affinity); i++)
			mask[i] &= (uint8_t)(p->affinity[i / 8] >> (8 * (i % 8)));
	pthread_mutex_unlock(&kernel.lock);
	size_t n = len < cpus.bytes ? len : cpus.bytes;
	int err = copy_out(t->mm, a[2], mask, n);
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
	bool any = false;
	for (size_t i = 0; i < n; i++)
		if (mask[i] & cpus.mask[i])
			any = true;
	struct task *p = sched_target_lock(t, pid);
	if (!p)
		return -ESRCH;
	int r = -EINVAL;
	if (p != t && !cred_may_signal(&t->cred, &p->cred) && !cred_capable(&t->cred, CAP_SYS_NICE))
		r = -EPERM;
	else if (any) {
		memset(p->affinity, 0, sizeof(p->affinity));
		for (size_t i = 0; i < n && i < sizeof(p->affinity); i++)
			p->affinity[i / 8] |= (uint64_t)(mask[i] & cpus.mask[i]) << (8 * (i % 8));
		p->affinity_set = true;
		r = 0;
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
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

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

/* sched_getscheduler(pid_t pid) */
int64_t sys_sched_getscheduler(struct task *t, const uint64_t a[6])
{
	int32_t pid = (int32_t)a[0];

	if (pid < 0)
		return -EINVAL;
	struct task *p = sched_target_lock(t, pid);
	if (!p)
		return -ESRCH;
	int r = p->sched_policy | (p->sched_reset_on_fork ? SCHED_RESET_ON_FORK : 0);
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

/* sched_getparam(pid_t pid, struct sched_param *param) */
int64_t sys_sched_getparam(struct task *t, const uint64_t a[6])
{
	int32_t pid = (int32_t)a[0];

	if (!a[1] || pid < 0)
		return -EINVAL;
	struct task *p = sched_target_lock(t, pid);
	if (!p)
		return -ESRCH;
	int32_t prio = p->sched_priority;
	pthread_mutex_unlock(&kernel.lock);
	return copy_out(t->mm, a[1], &prio, sizeof(prio));
}

/* Linux's __sched_setscheduler checks: a known policy, a priority in its
 * range (1..99 real-time, 0 otherwise), CAP_SYS_NICE for real-time or for
 * another user's thread. policy -1: keep (sched_setparam). */
static int64_t sched_set(struct task *t, int32_t pid, int policy, int prio, bool reset, int nice,
			 bool set_nice)
{
	if (pid < 0)
		return -EINVAL;
	struct task *p = sched_target_lock(t, pid);
	if (!p)
		return -ESRCH;
	int r = 0;
	if (policy < 0)
		policy = p->sched_policy;
	bool rt = policy == SCHED_FIFO || policy == SCHED_RR;
	if (policy != SCHED_OTHER && policy != SCHED_BATCH && policy != SCHED_IDLE && !rt)
		r = -EINVAL;
	else if (rt ? (prio < 1 || prio > 99) : prio != 0)
		r = -EINVAL;
	else if ((rt || (set_nice && nice < p->nice) || (p != t && !cred_may_signal(&t->cred, &p->cred))) &&
		 !cred_capable(&t->cred, CAP_SYS_NICE))
		r = -EPERM;
	if (r == 0) {
		p->sched_policy = policy;
		p->sched_priority = prio;
		p->sched_reset_on_fork = reset;
		if (set_nice)
			p->nice = nice;
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

/* sched_setscheduler(pid_t pid, int policy, const struct sched_param *param) */
int64_t sys_sched_setscheduler(struct task *t, const uint64_t a[6])
{
	int32_t policy = (int32_t)a[1];
	int32_t prio;
	if (!a[2] || (int32_t)a[0] < 0 || policy < 0)
		return -EINVAL;
	int r = copy_in(t->mm, &prio, a[2], sizeof(prio));
	if (r < 0)
		return r;
	bool reset = policy & SCHED_RESET_ON_FORK;
	return sched_set(t, (int32_t)a[0], policy & ~SCHED_RESET_ON_FORK, prio, reset, 0, false);
}

/* sched_setparam(pid_t pid, const struct sched_param *param) */
int64_t sys_sched_setparam(struct task *t, const uint64_t a[6])
{
	int32_t prio;
	if (!a[1] || (int32_t)a[0] < 0)
		return -EINVAL;
	int r = copy_in(t->mm, &prio, a[1], sizeof(prio));
	if (r < 0)
		return r;
	struct task *p = sched_target_lock(t, (int32_t)a[0]);
	if (!p)
		return -ESRCH;
	bool reset = p->sched_reset_on_fork;
	pthread_mutex_unlock(&kernel.lock);
	return sched_set(t, (int32_t)a[0], -1, prio, reset, 0, false);
}

/* sched_rr_get_interval(pid_t pid, struct timespec *tp): Linux's
 * round-robin slice (100 ms) for SCHED_RR, 0 for SCHED_FIFO, a CFS slice
 * for the others. */
int64_t sys_sched_rr_get_interval(struct task *t, const uint64_t a[6])
{
	int32_t pid = (int32_t)a[0];
	if (pid < 0)
		return -EINVAL;
	struct task *p = sched_target_lock(t, pid);
	if (!p)
		return -ESRCH;
	int policy = p->sched_policy;
	pthread_mutex_unlock(&kernel.lock);
	struct timespec ts = { 0, policy == SCHED_FIFO ? 0 : policy == SCHED_RR ? 100000000 : 4000000 };
	return copy_out(t->mm, a[1], &ts, sizeof(ts));
}

/* struct sched_attr (include/uapi/linux/sched/types.h). */
struct k_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};
#define SCHED_ATTR_SIZE_VER0 48
#define SCHED_FLAG_RESET_ON_FORK 0x01

/* sched_getattr(pid_t pid, struct sched_attr *attr, unsigned size, unsigned flags) */
int64_t sys_sched_getattr(struct task *t, const uint64_t a[6])
{
	int32_t pid = (int32_t)a[0];
	uint32_t size = (uint32_t)a[2];
	if (!a[1] || pid < 0 || (uint32_t)a[3] || size < SCHED_ATTR_SIZE_VER0 || size > 4096)
		return -EINVAL;
	struct task *p = sched_target_lock(t, pid);
	if (!p)
		return -ESRCH;
	struct k_sched_attr at;
	memset(&at, 0, sizeof(at));
	at.sched_policy = (uint32_t)p->sched_policy;
	at.sched_flags = p->sched_reset_on_fork ? SCHED_FLAG_RESET_ON_FORK : 0;
	at.sched_nice = p->nice;
	at.sched_priority = (uint32_t)p->sched_priority;
	at.sched_util_max = 1024;
	pthread_mutex_unlock(&kernel.lock);
	at.size = size < sizeof(at) ? size : (uint32_t)sizeof(at);
	return copy_out(t->mm, a[1], &at, at.size);
}

/* sched_setattr(pid_t pid, struct sched_attr *attr, unsigned flags) */
int64_t sys_sched_setattr(struct task *t, const uint64_t a[6])
{
	int32_t pid = (int32_t)a[0];
	if (!a[1] || pid < 0 || (uint32_t)a[2])
		return -EINVAL;
	uint32_t size;
	int r = copy_in(t->mm, &size, a[1], sizeof(size));
	if (r < 0)
		return r;
	if (size == 0)
		size = SCHED_ATTR_SIZE_VER0;
	if (size < SCHED_ATTR_SIZE_VER0 || size > 4096) {
		uint32_t ksize = sizeof(struct k_sched_attr);
		r = copy_out(t->mm, a[1], &ksize, sizeof(ksize));
		return r < 0 ? r : -E2BIG;
	}
	struct k_sched_attr at;
	memset(&at, 0, sizeof(at));
	if ((r = copy_in(t->mm, &at, a[1], size < sizeof(at) ? size : sizeof(at))) < 0)
		return r;
	for (uint32_t off = sizeof(at); off < size; off++) {
		char c;
		if ((r = copy_in(t->mm, &c, a[1] + off, 1)) < 0)
			return r;
		if (c) {
			uint32_t ksize = sizeof(at);
			copy_out(t->mm, a[1], &ksize, sizeof(ksize));
			return -E2BIG;
		}
	}
	if (at.sched_flags & ~(uint64_t)SCHED_FLAG_RESET_ON_FORK)
		return -EINVAL;	/* deadline, utilisation clamps: not here */
	if ((int32_t)at.sched_policy < 0 || at.sched_policy == SCHED_DEADLINE)
		return at.sched_policy == SCHED_DEADLINE ? -EPERM : -EINVAL;
	int nice = at.sched_nice < -20 ? -20 : at.sched_nice > 19 ? 19 : at.sched_nice;
	bool fair = at.sched_policy == SCHED_OTHER || at.sched_policy == SCHED_BATCH ||
		    at.sched_policy == SCHED_IDLE;
	return sched_set(t, pid, (int)at.sched_policy, (int)at.sched_priority,
			 at.sched_flags & SCHED_FLAG_RESET_ON_FORK, nice, fair);
}

/* --- nice ----------------------------------------------------------------- */

/* getpriority(which, who): 20 - nice, the best (lowest nice) of the
 * matching threads, as the raw Linux call returns it. */
int64_t sys_getpriority(struct task *t, const uint64_t a[6])
{
	int which = (int)a[0], who = (int)a[1];
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	int best = 100;
	pthread_mutex_lock(&kernel.lock);
	for (struct task *p = kernel.tasks; p; p = p->next) {
		if (p->zombie || p->thread_dead)
			continue;
		bool match = which == PRIO_PROCESS ? (who ? p->tid == who : p == t) :
			     which == PRIO_PGRP ? p->pgid == (who ? who : t->pgid) :
			     p->cred.uid == (who ? (uint32_t)who : t->cred.uid);
		if (match && 20 - p->nice < 100 && (best == 100 || 20 - p->nice > best))
			best = 20 - p->nice;
	}
	pthread_mutex_unlock(&kernel.lock);
	return best == 100 ? -ESRCH : best;
}

/* setpriority(which, who, niceval): clamped to -20..19; lowering it
 * needs CAP_SYS_NICE, another user's thread a matching uid. */
int64_t sys_setpriority(struct task *t, const uint64_t a[6])
{
	int which = (int)a[0], who = (int)a[1], nice = (int)a[2];
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	int r = -ESRCH;
	pthread_mutex_lock(&kernel.lock);
	for (struct task *p = kernel.tasks; p; p = p->next) {
		if (p->zombie || p->thread_dead)
			continue;
		bool match = which == PRIO_PROCESS ? (who ? p->tid == who : p == t) :
			     which == PRIO_PGRP ? p->pgid == (who ? who : t->pgid) :
			     p->cred.uid == (who ? (uint32_t)who : t->cred.uid);
		if (!match)
			continue;
		if (t->cred.euid != p->cred.uid && t->cred.euid != p->cred.euid &&
		    !cred_capable(&t->cred, CAP_SYS_NICE)) {
			r = -EPERM;
			continue;
		}
		if (nice < p->nice && !cred_capable(&t->cred, CAP_SYS_NICE)) {
			r = -EACCES;
			continue;
		}
		p->nice = nice;
		if (r == -ESRCH)
			r = 0;
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

/* --- personality ---------------------------------------------------------- */

/* personality(persona): the old persona; 0xffffffff only reads it. The
 * value is kept (ADDR_NO_RANDOMIZE and the rest read back) but changes
 * nothing else: the sandbox's layout does not depend on it. */
int64_t sys_personality(struct task *t, const uint64_t a[6])
{
	unsigned old = t->personality;
	if ((uint32_t)a[0] != 0xffffffffu) {
		pthread_mutex_lock(&kernel.lock);
		t->personality = (uint32_t)a[0];
		pthread_mutex_unlock(&kernel.lock);
	}
	return old;
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
