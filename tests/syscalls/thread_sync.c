/* thread_sync.c: POSIX threads on the sandbox's clone(CLONE_THREAD) and
 * futexes: 64 threads hammer a mutex, wait on a condition variable and a
 * barrier, and return values through pthread_join (which needs
 * CLONE_CHILD_CLEARTID and a futex wake at thread exit). Also checks that
 * threads share the address space, the pid and the fd table, that each has
 * its own tid, that a signal sent to one thread with tgkill runs its
 * handler on that thread, and that exit_group from a thread ends them all
 * (in a child process). */
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NTHREADS 64
#define ROUNDS 2000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static long counter, arrived, go;
static pid_t tids[NTHREADS];
static volatile int shared_word;

static void *worker(void *arg)
{
	long id = (long)arg;
	tids[id] = (pid_t)syscall(SYS_gettid);
	CHECK(getpid() == (pid_t)syscall(SYS_getpid), "getpid differs");
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	pthread_mutex_lock(&lock);
	arrived++;
	pthread_cond_broadcast(&cond);
	while (!go)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return (void *)(id * 3 + 1);
}

static volatile pid_t handler_tid;

static void on_usr1(int sig)
{
	(void)sig;
	handler_tid = (pid_t)syscall(SYS_gettid);
}

static void *sleeper(void *arg)
{
	pid_t *out = arg;
	*out = (pid_t)syscall(SYS_gettid);
	while (!handler_tid)
		usleep(1000);
	return NULL;
}

static void *exit_group_from_thread(void *arg)
{
	(void)arg;
	usleep(20000);
	syscall(SYS_exit_group, 42);
	return NULL;
}

int main(void)
{
	pthread_t th[NTHREADS];
	CHECK_EQ(pthread_barrier_init(&barrier, NULL, NTHREADS), 0);
	for (long i = 0; i < NTHREADS; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, worker, (void *)i), 0);
	pthread_mutex_lock(&lock);
	while (arrived < NTHREADS)
		pthread_cond_wait(&cond, &lock);
	CHECK_EQ(counter, (long)NTHREADS * ROUNDS);
	go = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	for (long i = 0; i < NTHREADS; i++) {
		void *ret;
		CHECK_EQ(pthread_join(th[i], &ret), 0);
		CHECK_EQ((long)ret, i * 3 + 1);
	}
	/* Every thread had its own tid, none the process's. */
	for (int i = 0; i < NTHREADS; i++) {
		CHECK(tids[i] > 0 && tids[i] != getpid(), "tid %d", tids[i]);
		for (int j = 0; j < i; j++)
			CHECK(tids[i] != tids[j], "tids %d and %d equal", i, j);
	}

	/* A thread-directed signal runs on the thread it was sent to. */
	signal(SIGUSR1, on_usr1);
	pthread_t s;
	volatile pid_t sleeper_tid = 0;
	CHECK_EQ(pthread_create(&s, NULL, sleeper, (void *)&sleeper_tid), 0);
	while (!sleeper_tid)
		usleep(1000);
	CHECK_OK(syscall(SYS_tgkill, getpid(), sleeper_tid, SIGUSR1));
	CHECK_EQ(pthread_join(s, NULL), 0);
	CHECK_EQ(handler_tid, sleeper_tid);

	/* exit_group from a thread ends the whole process with its status. */
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		pthread_t e;
		pthread_create(&e, NULL, exit_group_from_thread, NULL);
		for (;;)
			pause();
	}
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42, "status %#x", status);

	/* The main thread exiting alone leaves the others running. */
	pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		pthread_t e;
		pthread_create(&e, NULL, exit_group_from_thread, NULL);
		pthread_exit(NULL);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42, "status %#x", status);
	PASS();
}
