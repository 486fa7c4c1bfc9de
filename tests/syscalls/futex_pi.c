/*
 * futex_pi: priority-inheritance futexes. FUTEX_LOCK_PI takes a free
 * word (writing our tid), gives EDEADLK for our own lock and ESRCH for an
 * owner that does not exist; FUTEX_TRYLOCK_PI gives EAGAIN on another's
 * lock; LOCK_PI times out (ETIMEDOUT) and blocks until UNLOCK_PI hands
 * the lock over with the new owner's tid in the word; UNLOCK_PI of a lock
 * we do not own is EPERM. glibc's PTHREAD_PRIO_INHERIT mutexes count
 * right under contention, and a robust one whose owner died gives
 * EOWNERDEAD.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "proc_util.h"

static _Atomic uint32_t word;

static long futex(int op, const struct timespec *ts)
{
	return syscall(SYS_futex, &word, op, 0, ts, NULL, 0);
}

static atomic_int holding, release;

static void *holder(void *arg)
{
	(void)arg;
	CHECK_EQ(futex(FUTEX_LOCK_PI, NULL), 0);
	atomic_store(&holding, 1);
	while (!atomic_load(&release))
		sleep_ms(1);
	sleep_ms(20);	/* let the main thread block */
	CHECK_EQ(futex(FUTEX_UNLOCK_PI, NULL), 0);
	return NULL;
}

static pthread_mutex_t pi_mutex;
static long counter;

static void *hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++) {
		CHECK_EQ(pthread_mutex_lock(&pi_mutex), 0);
		counter++;
		CHECK_EQ(pthread_mutex_unlock(&pi_mutex), 0);
	}
	return NULL;
}

static pthread_mutex_t robust_mutex;

static void *die_holding(void *arg)
{
	(void)arg;
	CHECK_EQ(pthread_mutex_lock(&robust_mutex), 0);
	return NULL;
}

int main(void)
{
	uint32_t me = (uint32_t)gettid();

	/* Uncontended. */
	CHECK_EQ(futex(FUTEX_LOCK_PI, NULL), 0);
	CHECK_EQ(word, me);
	CHECK_ERR(futex(FUTEX_LOCK_PI, NULL), EDEADLK);
	CHECK_ERR(futex(FUTEX_TRYLOCK_PI, NULL), EDEADLK);
	CHECK_EQ(futex(FUTEX_UNLOCK_PI, NULL), 0);
	CHECK_EQ(word, 0);
	CHECK_EQ(futex(FUTEX_TRYLOCK_PI | FUTEX_PRIVATE_FLAG, NULL), 0);
	CHECK_EQ(word, me);
	CHECK_EQ(futex(FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, NULL), 0);
	CHECK_ERR(futex(FUTEX_UNLOCK_PI, NULL), EPERM);

	/* An owner that does not exist. */
	pid_t pid = xfork();
	if (pid == 0)
		_exit(0);
	expect_exit(pid, 0, "short child");
	word = (uint32_t)pid;
	CHECK_ERR(futex(FUTEX_LOCK_PI, NULL), ESRCH);
	word = 0;

	/* Contended. */
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, holder, NULL), 0);
	while (!atomic_load(&holding))
		sleep_ms(1);
	CHECK_ERR(futex(FUTEX_TRYLOCK_PI, NULL), EAGAIN);
	CHECK_ERR(futex(FUTEX_UNLOCK_PI, NULL), EPERM);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 30000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_nsec -= 1000000000;
		ts.tv_sec++;
	}
	CHECK_ERR(futex(FUTEX_LOCK_PI, &ts), ETIMEDOUT);
	atomic_store(&release, 1);
	CHECK_EQ(futex(FUTEX_LOCK_PI, NULL), 0);
	CHECK_EQ(word & FUTEX_TID_MASK, me);
	CHECK_EQ(futex(FUTEX_UNLOCK_PI, NULL), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);

	/* glibc's priority-inheritance mutex. */
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	CHECK_EQ(pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT), 0);
	CHECK_EQ(pthread_mutex_init(&pi_mutex, &ma), 0);
	pthread_t ths[6];
	for (int i = 0; i < 6; i++)
		CHECK_EQ(pthread_create(&ths[i], NULL, hammer, NULL), 0);
	for (int i = 0; i < 6; i++)
		CHECK_EQ(pthread_join(ths[i], NULL), 0);
	CHECK_EQ(counter, 6 * 20000);

	/* A robust one whose owner died. */
	CHECK_EQ(pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST), 0);
	CHECK_EQ(pthread_mutex_init(&robust_mutex, &ma), 0);
	CHECK_EQ(pthread_create(&th, NULL, die_holding, NULL), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_EQ(pthread_mutex_lock(&robust_mutex), EOWNERDEAD);
	CHECK_EQ(pthread_mutex_consistent(&robust_mutex), 0);
	CHECK_EQ(pthread_mutex_unlock(&robust_mutex), 0);
	CHECK_EQ(pthread_mutex_lock(&robust_mutex), 0);
	CHECK_EQ(pthread_mutex_unlock(&robust_mutex), 0);
	PASS();
}
