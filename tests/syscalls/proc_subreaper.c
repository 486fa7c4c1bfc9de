/*
 * proc_subreaper: PR_SET_CHILD_SUBREAPER. Orphans go to the nearest
 * living ancestor that is a subreaper, which sees them in getppid(), gets
 * their SIGCHLD and reaps them with wait; a child that is already a
 * zombie when its parent exits is handed over too. Nested subreapers:
 * the nearest wins. The flag reads back and is not inherited.
 */
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "proc_util.h"

/* Fork a middle process that forks a grandchild running fn, then exits
 * with 3; returns the grandchild's pid as the middle process reported it
 * on the pipe. */
static pid_t orphan(void (*fn)(void), bool wait_zombie)
{
	int p[2];
	CHECK_OK(pipe(p));
	pid_t mid = xfork();
	if (mid == 0) {
		pid_t g = xfork();
		if (g == 0)
			fn();
		if (wait_zombie) {
			siginfo_t si;
			CHECK_OK(waitid(P_PID, g, &si, WEXITED | WNOWAIT));
		}
		CHECK_EQ(write(p[1], &g, sizeof(g)), (long)sizeof(g));
		_exit(3);
	}
	pid_t g;
	CHECK_EQ(read(p[0], &g, sizeof(g)), (long)sizeof(g));
	expect_exit(mid, 3, "middle process");
	close(p[0]);
	close(p[1]);
	return g;
}

static pid_t reaper;

static void check_parent(void)
{
	/* Wait until the middle process is gone, then we are the reaper's. */
	for (int i = 0; i < 10000 && getppid() != reaper; i++)
		sleep_ms(1);
	_exit(getppid() == reaper ? 5 : 6);
}

static void exit_now(void)
{
	_exit(9);
}

int main(void)
{
	int v = -1;
	CHECK_OK(prctl(PR_GET_CHILD_SUBREAPER, &v));
	CHECK_EQ(v, 0);
	CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 1));
	CHECK_OK(prctl(PR_GET_CHILD_SUBREAPER, &v));
	CHECK_EQ(v, 1);
	pid_t pid = xfork();
	if (pid == 0) {
		int w = -1;
		CHECK_OK(prctl(PR_GET_CHILD_SUBREAPER, &w));
		_exit(w);
	}
	expect_exit(pid, 0, "subreaper flag not inherited");

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	reaper = getpid();

	/* A live orphan. */
	pid_t g = orphan(check_parent, false);
	expect_exit(g, 5, "live orphan");

	/* A zombie orphan. */
	struct timespec zero = { 0, 0 };
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
	g = orphan(exit_now, true);
	expect_exit(g, 9, "zombie orphan");
	siginfo_t si;
	struct timespec ts = { 10, 0 };
	CHECK_EQ(sigtimedwait(&set, &si, &ts), SIGCHLD);

	/* Nested: a subreaper child takes its own orphans. */
	pid = xfork();
	if (pid == 0) {
		CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 1));
		reaper = getpid();
		pid_t gg = orphan(check_parent, false);
		expect_exit(gg, 5, "nested orphan");
		_exit(0);
	}
	expect_exit(pid, 0, "nested subreaper");
	CHECK_ERR(wait(NULL), ECHILD);
	PASS();
}
