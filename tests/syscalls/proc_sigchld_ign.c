/*
 * proc_sigchld_ign: children of a process that ignores SIGCHLD (SIG_IGN,
 * or SA_NOCLDWAIT with SIG_DFL) are reaped automatically when they exit:
 * no zombies are left (getpgid of the pid is ESRCH, waitid finds nothing)
 * and wait4(-1) blocks until every child has exited, then fails with
 * ECHILD; WNOHANG gives 0 while children still run. A zombie made before
 * SIGCHLD was ignored is still there to be waited for. A child whose exit
 * signal is 0 (raw clone) is not auto-reaped. Children inherit the ignored
 * SIGCHLD. Back at SIG_DFL, exited children are zombies again. No signal
 * is ever delivered: nothing here needs a handler.
 */
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "proc_util.h"

static pid_t child(long ms, int code)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork failed");
	if (pid == 0) {
		if (ms)
			sleep_ms(ms);
		_exit(code);
	}
	return pid;
}

static void set_sigchld(void (*handler)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
}

#define NKIDS 10

/* Children that exit at once or after a while are all reaped for us:
 * wait4(-1) waits for the last and then says ECHILD. */
static void check_autoreap(const char *how)
{
	pid_t pids[NKIDS];
	long start = now_ms();
	for (int i = 0; i < NKIDS; i++)
		pids[i] = child(i < NKIDS / 2 ? 0 : 100 + 50 * i, i);
	int st = -1;
	/* The slow ones are still running. */
	CHECK(wait4(-1, &st, WNOHANG, NULL) == 0, "%s: wait4(WNOHANG) = not 0", how);
	errno = 0;
	pid_t r = wait4(-1, &st, 0, NULL);
	long waited = now_ms() - start;
	CHECK(r == -1 && errno == ECHILD, "%s: wait4(-1) = %d (status %#x), want ECHILD",
	      how, (int)r, st);
	/* It returned only after the slowest child (550 ms) had exited. */
	CHECK(waited >= 450, "%s: wait4(-1) gave ECHILD after %ld ms, before all exited",
	      how, waited);
	siginfo_t si;
	for (int i = 0; i < NKIDS; i++) {
		CHECK(getpgid(pids[i]) == -1 && errno == ESRCH,
		      "%s: child %d (pid %d) still exists", how, i, (int)pids[i]);
		CHECK(waitid(P_PID, (id_t)pids[i], &si, WEXITED | WNOHANG) == -1 && errno == ECHILD,
		      "%s: child %d (pid %d) can be waited for", how, i, (int)pids[i]);
	}
	CHECK_ERR(wait4(-1, &st, WNOHANG, NULL), ECHILD);
}

int main(void)
{
	/* A zombie from before SIGCHLD was ignored stays a zombie. */
	pid_t old = child(0, 3);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PID, (id_t)old, &si, WEXITED | WNOWAIT));
	CHECK(signal(SIGCHLD, SIG_IGN) != SIG_ERR, "signal(SIGCHLD, SIG_IGN)");
	struct sigaction sa;
	CHECK_OK(sigaction(SIGCHLD, NULL, &sa));
	CHECK(sa.sa_handler == SIG_IGN, "SIGCHLD disposition not SIG_IGN");
	expect_exit(old, 3, "zombie from before SIG_IGN");

	check_autoreap("SIG_IGN");

	/* A single child: wait4 for its pid blocks until it is gone. */
	pid_t pid = child(100, 1);
	int st;
	CHECK_ERR(wait4(pid, &st, 0, NULL), ECHILD);
	CHECK_ERR(getpgid(pid), ESRCH);

	/* Children inherit the ignored SIGCHLD, and so auto-reap theirs. */
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		CHECK_OK(sigaction(SIGCHLD, NULL, &sa));
		CHECK(sa.sa_handler == SIG_IGN, "SIGCHLD not ignored in the child");
		pid_t g = child(20, 0);
		CHECK_ERR(wait4(-1, &st, 0, NULL), ECHILD);
		CHECK_ERR(getpgid(g), ESRCH);
		_exit(0);
	}
	/* That child itself is auto-reaped too; watch it go. */
	while (getpgid(pid) != -1)	/* a hang: the test's time limit */
		sleep_ms(5);
	CHECK_ERR(wait4(pid, &st, WNOHANG, NULL), ECHILD);

	/* A child with exit signal 0 is not auto-reaped. */
	fflush(stdout);
	long c = syscall(SYS_clone, 0L, 0L, NULL, NULL, 0L);
	CHECK(c >= 0, "clone(0) = %ld", c);
	if (c == 0)
		_exit(4);
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT | __WALL));
	CHECK_EQ(si.si_pid, c);
	sleep_ms(20);
	CHECK_EQ(getpgid((pid_t)c), getpgrp());	/* still a zombie */
	CHECK_EQ(wait4((pid_t)c, &st, __WALL, NULL), c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4, "clone child status %#x", st);

	/* SA_NOCLDWAIT with the default action does the same as SIG_IGN. */
	set_sigchld(SIG_DFL, SA_NOCLDWAIT);
	CHECK_OK(sigaction(SIGCHLD, NULL, &sa));
	CHECK(sa.sa_handler == SIG_DFL && (sa.sa_flags & SA_NOCLDWAIT), "SA_NOCLDWAIT not set");
	check_autoreap("SA_NOCLDWAIT");

	/* Back to plain SIG_DFL: exited children are zombies again. */
	set_sigchld(SIG_DFL, 0);
	pid = child(0, 7);
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
	sleep_ms(20);
	CHECK_EQ(getpgid(pid), getpgrp());
	expect_exit(pid, 7, "child after SIG_DFL");
	pid_t many[5];
	for (int i = 0; i < 5; i++)
		many[i] = child(i * 10, 20 + i);
	for (int i = 0; i < 5; i++)
		expect_exit(many[i], 20 + i, "SIG_DFL child");
	CHECK_ERR(wait4(-1, &st, WNOHANG, NULL), ECHILD);
	PASS();
}
