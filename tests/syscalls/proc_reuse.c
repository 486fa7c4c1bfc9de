/*
 * proc_reuse: nothing of an exited process reaches the next ones. A child
 * maps memory at a fixed address, fills it with a secret, starts threads
 * that block forever and exits; children forked after it (the sandbox
 * may run them in the recycled host process of the first) see no mapping
 * there (a read is SIGSEGV with SEGV_MAPERR), and memory they map there
 * themselves reads as zeros. Several rounds, with a pause after each exit
 * so that its host process can be recycled before the next fork.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define ADDR ((char *)0x5a5a0000000UL)
#define LEN (64 * 1024)
/* Where systrap keeps its trap table while it patches syscall sites: the
 * sandbox then reserves it (a map there fails), else it is the guest's. */
#define LOW ((char *)0x60000UL)
#define LOW_LEN (64 * 1024)
#define ROUNDS 6
#define SECRET 0x5e

static sigjmp_buf jb;
static volatile int seg_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	seg_code = si->si_code;
	siglongjmp(jb, 1);
}

static void *block(void *arg)
{
	for (;;)
		pause();
	return arg;
}

/* The first child: its memory and threads, then exit. */
static void leave_things(void)
{
	char *p = mmap(ADDR, LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != ADDR)
		_exit(10);
	memset(p, SECRET, LEN);
	char *q = mmap(LOW, LOW_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (q == LOW)
		memset(q, SECRET, LOW_LEN);
	for (int i = 0; i < 2; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, block, NULL) != 0)
			_exit(11);
	}
	_exit(0);
}

/* A later child: nothing at ADDR, and fresh memory there is zero; at
 * LOW nothing, or the sandbox's own trap table, not the secret. */
static int look(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	sigaction(SIGSEGV, &sa, NULL);
	if (sigsetjmp(jb, 1) == 0) {
		size_t same = 0;
		for (size_t i = 0; i < LOW_LEN; i += 512)
			same += ((volatile char *)LOW)[i] == SECRET;
		if (same == LOW_LEN / 512)
			return 24;	/* another process's bytes */
	}
	seg_code = 0;
	if (sigsetjmp(jb, 1) == 0) {
		volatile char c = *(volatile char *)ADDR;
		(void)c;
		return 20;	/* readable: a mapping outlived its process */
	}
	if (seg_code != SEGV_MAPERR)
		return 21;
	char *p = mmap(ADDR, LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != ADDR)
		return 22;
	for (size_t i = 0; i < LEN; i += 512)
		if (p[i] != 0)
			return 23;	/* another process's bytes */
	return 0;
}

static int run_child(int (*fn)(void))
{
	pid_t pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0)
		_exit(fn());
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st), "child status 0x%x", st);
	return WEXITSTATUS(st);
}

static int leave(void)
{
	leave_things();
	return 0;
}

int main(void)
{
	struct timespec pause_ts = { 0, 20 * 1000 * 1000 };
	for (int r = 0; r < ROUNDS; r++) {
		CHECK_EQ(run_child(leave), 0);
		nanosleep(&pause_ts, NULL);
		CHECK_EQ(run_child(look), 0);
		CHECK_EQ(run_child(look), 0);
	}
	/* The parent never had it either. */
	CHECK_EQ(look(), 0);
	PASS();
}
