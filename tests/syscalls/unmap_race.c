/*
 * unmap_race: a page a process lets go of is never another's while its
 * other threads can still reach it. A reader thread reads a marked region
 * in a loop while the main thread unmaps it (or discards it with
 * MADV_DONTNEED); meanwhile a forked child maps, fills and unmaps memory
 * as fast as it can, so that a page released before the process's mapping
 * of it went would soon hold the child's bytes (or the zeros of its
 * reuse). The reader may see the mark, a fault (SIGSEGV, recovered) after
 * munmap, zeros after MADV_DONTNEED; never anything else.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define ADDR ((unsigned char *)0x3c3c0000000UL)
#define PAGE 4096
#define PAGES 16
#define LEN (PAGES * PAGE)
#define ROUNDS 300
#define MARK 0xa7
#define FOREIGN 0x55

/* armed: the round being read (0 between rounds); started and done: the
 * reader's answers for it. */
static atomic_int armed, started, done, stop, zero_ok;
static atomic_int seen = -1;	/* a value the reader should not have seen */
static sigjmp_buf jb;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	siglongjmp(jb, 1);
}

static void read_until_gone(int round)
{
	int zeros = atomic_load(&zero_ok);
	while (atomic_load(&armed) == round) {
		for (int i = 0; i < PAGES; i++) {
			int v = *(volatile unsigned char *)(ADDR + i * PAGE + 128);
			if (v != MARK && !(zeros && v == 0) && atomic_load(&seen) < 0)
				atomic_store(&seen, v);
		}
	}
}

static void *reader(void *arg)
{
	(void)arg;
	int last = 0;
	for (;;) {
		int round;
		while ((round = atomic_load(&armed)) == 0 || round == last)
			if (atomic_load(&stop))
				return NULL;
		atomic_store(&started, round);
		if (sigsetjmp(jb, 1) == 0)
			read_until_gone(round);
		/* Gone (a fault after munmap) or disarmed. */
		last = round;
		atomic_store(&done, round);
	}
}

static void churn(void)
{
	for (;;) {
		unsigned char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(2);
		memset(p, FOREIGN, LEN);
		munmap(p, LEN);
	}
}

static void spin_us(long us)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000 < us);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	CHECK_OK(sigaction(SIGSEGV, &sa, NULL));
	pid_t child = fork();
	CHECK_OK(child);
	if (child == 0)
		churn();
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, reader, NULL), 0);
	for (int round = 0; round < ROUNDS; round++) {
		bool discard = round % 2;
		void *p = mmap(ADDR, LEN, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		CHECK(p == ADDR, "mmap at %p gave %p", (void *)ADDR, p);
		memset(ADDR, MARK, LEN);
		atomic_store(&zero_ok, discard);
		atomic_store(&armed, round + 1);
		while (atomic_load(&started) != round + 1)
			;
		spin_us(20);
		if (discard)
			CHECK_OK(madvise(ADDR, LEN, MADV_DONTNEED));
		else
			CHECK_OK(munmap(ADDR, LEN));
		spin_us(50);
		atomic_store(&armed, 0);
		while (atomic_load(&done) != round + 1)
			;
		if (discard)
			CHECK_OK(munmap(ADDR, LEN));
		CHECK(atomic_load(&seen) < 0, "round %d (%s): the reader saw 0x%02x", round,
		      discard ? "MADV_DONTNEED" : "munmap", atomic_load(&seen));
	}
	atomic_store(&stop, 1);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_OK(kill(child, SIGKILL));
	int st;
	CHECK_EQ(waitpid(child, &st, 0), child);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "churn child status 0x%x", st);
	PASS();
}
