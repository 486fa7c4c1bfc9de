/*
 * futex_requeue_pi: a condition variable over a PI mutex, by hand.
 * FUTEX_CMP_REQUEUE_PI wants nr_wake 1 and two different words (EINVAL)
 * and the condition's value (EAGAIN); FUTEX_WAIT_REQUEUE_PI wants its
 * value (EAGAIN), two different words (EINVAL) and times out
 * (ETIMEDOUT) at an absolute CLOCK_MONOTONIC deadline. A waiter on a
 * free mutex is woken owning it (the word holds its tid and
 * FUTEX_WAITERS); waiters on a held mutex are moved onto it and
 * FUTEX_UNLOCK_PI hands it to them in order. FUTEX_WAKE and
 * FUTEX_CMP_REQUEUE on a requeue-PI waiter give EINVAL, and a
 * CMP_REQUEUE_PI naming another mutex than the waiter's gives EINVAL.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "proc_util.h"

static _Atomic uint32_t cond, mutex, other;

static long fx(_Atomic uint32_t *a, int op, uint32_t val, const struct timespec *ts,
	       _Atomic uint32_t *a2, uint32_t val3)
{
	return syscall(SYS_futex, a, op, val, ts, a2, val3);
}

/* FUTEX_CMP_REQUEUE_PI: nr_requeue travels in the timeout argument. */
static long requeue_pi(int nr_requeue, _Atomic uint32_t *to, uint32_t cmpval)
{
	return syscall(SYS_futex, &cond, FUTEX_CMP_REQUEUE_PI, 1, (long)nr_requeue, to, cmpval);
}

/* The state letter of thread tid in /proc/self/task/TID/stat. */
static char task_state(pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	int fd = open(path, O_RDONLY);
	CHECK_OK(fd);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0, "read %s", path);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	CHECK(p && p[1] == ' ', "stat of %d: %s", (int)tid, buf);
	return p[2];
}

struct waiter {
	pthread_t th;
	_Atomic pid_t tid;
	_Atomic int order;	/* when it got the mutex */
	long ret;
};

static _Atomic int got;

static void *wait_cond(void *arg)
{
	struct waiter *w = arg;
	atomic_store(&w->tid, (pid_t)syscall(SYS_gettid));
	w->ret = fx(&cond, FUTEX_WAIT_REQUEUE_PI, 0, NULL, &mutex, 0);
	if (w->ret == 0) {
		uint32_t m = atomic_load(&mutex);
		CHECK_EQ(m & FUTEX_TID_MASK, (uint32_t)atomic_load(&w->tid));
		atomic_store(&w->order, atomic_fetch_add(&got, 1) + 1);
		CHECK_EQ(fx(&mutex, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), 0);
	}
	return NULL;
}

/* Start a waiter and wait until it sleeps in the kernel. */
static void start(struct waiter *w)
{
	atomic_store(&w->tid, 0);
	CHECK_EQ(pthread_create(&w->th, NULL, wait_cond, w), 0);
	while (!atomic_load(&w->tid))
		sleep_ms(1);
	while (task_state(atomic_load(&w->tid)) != 'S')
		sleep_ms(1);
}

int main(void)
{
	struct timespec ts;

	/* Argument checks. */
	CHECK_ERR(syscall(SYS_futex, &cond, FUTEX_CMP_REQUEUE_PI, 2, 1L, &mutex, 0), EINVAL);
	CHECK_ERR(syscall(SYS_futex, &cond, FUTEX_CMP_REQUEUE_PI, 1, 1L, &cond, 0), EINVAL);
	CHECK_ERR(requeue_pi(1, &mutex, 7), EAGAIN);
	CHECK_EQ(requeue_pi(1, &mutex, 0), 0);	/* nobody waits */
	CHECK_ERR(fx(&cond, FUTEX_WAIT_REQUEUE_PI, 5, NULL, &mutex, 0), EAGAIN);
	CHECK_ERR(fx(&cond, FUTEX_WAIT_REQUEUE_PI, 0, NULL, &cond, 0), EINVAL);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += 20 * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	CHECK_ERR(fx(&cond, FUTEX_WAIT_REQUEUE_PI, 0, &ts, &mutex, 0), ETIMEDOUT);

	/* A free mutex: the waiter wakes owning it. */
	struct waiter a = { 0 };
	start(&a);
	CHECK_ERR(fx(&cond, FUTEX_WAKE, 1, NULL, NULL, 0), EINVAL);
	CHECK_ERR(syscall(SYS_futex, &cond, FUTEX_CMP_REQUEUE, 1, 1L, &mutex, 0), EINVAL);
	CHECK_ERR(requeue_pi(1, &other, 0), EINVAL);	/* it waits for &mutex */
	CHECK_EQ(requeue_pi(0, &mutex, 0), 1);
	CHECK_EQ(pthread_join(a.th, NULL), 0);
	CHECK_EQ(a.ret, 0);
	CHECK_EQ(a.order, 1);
	CHECK_EQ(atomic_load(&mutex), 0);

	/* A held mutex: both waiters move onto it, then get it in order. */
	pid_t me = (pid_t)syscall(SYS_gettid);
	CHECK_EQ(fx(&mutex, FUTEX_LOCK_PI, 0, NULL, NULL, 0), 0);
	CHECK_EQ(atomic_load(&mutex), (uint32_t)me);
	struct waiter b = { 0 }, c = { 0 };
	start(&b);
	CHECK_EQ(requeue_pi(INT_MAX, &mutex, 0), 1);
	start(&c);
	CHECK_EQ(requeue_pi(INT_MAX, &mutex, 0), 1);
	CHECK_EQ(requeue_pi(INT_MAX, &mutex, 0), 0);	/* nobody left on cond */
	CHECK_EQ(atomic_load(&mutex), (uint32_t)me | FUTEX_WAITERS);
	CHECK_EQ(fx(&mutex, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), 0);
	CHECK_EQ(pthread_join(b.th, NULL), 0);
	CHECK_EQ(pthread_join(c.th, NULL), 0);
	CHECK_EQ(b.ret, 0);
	CHECK_EQ(c.ret, 0);
	CHECK_EQ(b.order, 2);
	CHECK_EQ(c.order, 3);
	CHECK_EQ(atomic_load(&mutex), 0);
	PASS();
}
