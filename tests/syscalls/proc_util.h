/* proc_util.h: helpers shared by the process tests (proc_*.c): sleeping,
 * a monotonic clock in milliseconds, fork with flushed stdio, and waiting
 * for a child's exit status. */
#ifndef CVISOR_TESTS_SYSCALLS_PROC_UTIL_H
#define CVISOR_TESTS_SYSCALLS_PROC_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static inline __attribute__((unused)) void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static inline __attribute__((unused)) long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static inline __attribute__((unused)) pid_t xfork(void)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork failed");
	return pid;
}

static inline __attribute__((unused)) void expect_exit(pid_t pid, int code, const char *what)
{
	int st = -1;
	pid_t r = wait4(pid, &st, 0, NULL);
	CHECK(r == pid, "%s: wait4(%d) = %d", what, (int)pid, (int)r);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == code,
	      "%s: child %d status %#x, want exit %d", what, (int)pid, st, code);
}

#endif
