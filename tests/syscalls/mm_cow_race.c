/*
 * mm_cow_race: copy-on-write after fork in a process with two threads
 * that write the same page. A worker thread writes one word of a page
 * without pause while the main thread forks, then at once writes another
 * word of that page: both threads' writes fault on the page fork made
 * copy-on-write, at nearly the same moment, again and again. Neither
 * thread may be killed (the later fault is stale once the other thread
 * has its copy), the parent's writes stay its own, and the child sees the
 * page as it was at fork: the word written before fork, and a worker word
 * that never changes under it (no write of the parent reaches the child).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define ROUNDS 300

static _Alignas(4096) volatile uint64_t page[512];
static atomic_int stop;

static void *worker(void *arg)
{
	(void)arg;
	uint64_t n = 0;
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		page[8] = ++n;
	return NULL;
}

int main(void)
{
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, worker, NULL), 0);
	for (uint64_t round = 1; round <= ROUNDS; round++) {
		page[32] = round;
		pid_t pid = fork();
		CHECK(pid >= 0, "fork");
		if (pid == 0) {
			uint64_t w1 = page[8];
			for (volatile int i = 0; i < 20000; i++)
				;
			uint64_t w2 = page[8];
			_exit(page[32] != round ? 2 : w1 != w2 ? 3 : 0);
		}
		page[16] = round;	/* races the worker's write fault */
		int st;
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "round %d: child status %#x (2: the word before fork, 3: the "
		      "parent's writes reached the child)", (int)round, st);
		CHECK_EQ(page[16], round);
		CHECK_EQ(page[32], round);
	}
	atomic_store(&stop, 1);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK(page[8] > 0, "the worker wrote");
	PASS();
}
