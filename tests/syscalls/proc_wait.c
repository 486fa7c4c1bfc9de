/*
 * proc_wait: waitid(2) and the finer points of wait4(2). waitid with
 * P_ALL, P_PID and P_PGID (id 0 = the caller's group) fills siginfo with
 * si_signo SIGCHLD, si_code CLD_EXITED (CLD_KILLED/CLD_DUMPED for a child
 * killed by a fault), si_pid, si_uid and si_status; WNOHANG with nothing to
 * report returns 0 with si_signo and si_pid zeroed; WNOWAIT leaves the
 * zombie, so it can be waited for again and then reaped by wait4; WSTOPPED
 * or WCONTINUED alone do not report exits (0 with WNOHANG while a child
 * runs, ECHILD when there are only zombies); the rusage pointer of waitid and
 * wait4 is accepted; ECHILD without matching children; EINVAL for unknown
 * option bits, no WEXITED/WSTOPPED/WCONTINUED, an unknown idtype and a bad
 * P_PID/P_PGID id, checked before ECHILD; wait4's own EINVAL (WNOWAIT,
 * WEXITED) and ESRCH for INT_MIN. wait4(0) and wait4(-pgid) after a child
 * moved to its own group with setpgid. The signal-kill status encoding
 * (SIGSEGV, SIGILL). A child with exit signal 0 (raw clone) is only seen
 * with __WCLONE or __WALL, and a SIGCHLD child not with __WCLONE.
 */
#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "proc_util.h"

/* A child that sleeps ms milliseconds and exits with code. */
static pid_t child(long ms, int code)
{
	pid_t pid = xfork();
	if (pid == 0) {
		if (ms)
			sleep_ms(ms);
		_exit(code);
	}
	return pid;
}

static long sys_waitid(int idtype, long id, siginfo_t *si, int options, struct rusage *ru)
{
	return syscall(SYS_waitid, idtype, id, si, options, ru);
}

/* waitid must have reported child pid exiting with code. */
static void check_exited(const siginfo_t *si, pid_t pid, int code, const char *what)
{
	CHECK(si->si_signo == SIGCHLD, "%s: si_signo %d", what, si->si_signo);
	CHECK(si->si_code == CLD_EXITED, "%s: si_code %d", what, si->si_code);
	CHECK(si->si_pid == pid, "%s: si_pid %d, want %d", what, (int)si->si_pid, (int)pid);
	CHECK(si->si_uid == getuid(), "%s: si_uid %d", what, (int)si->si_uid);
	CHECK(si->si_status == code, "%s: si_status %d, want %d", what, si->si_status, code);
}

static void test_waitid_basic(void)
{
	siginfo_t si;
	pid_t pid = child(0, 5);
	memset(&si, 0x55, sizeof(si));
	CHECK_EQ(sys_waitid(P_ALL, 0, &si, WEXITED, NULL), 0);
	check_exited(&si, pid, 5, "P_ALL");

	/* P_PID picks its child even when another one exits first. */
	pid_t slow = child(60, 1), fast = child(0, 2);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sys_waitid(P_PID, slow, &si, WEXITED, NULL), 0);
	check_exited(&si, slow, 1, "P_PID slow");
	struct rusage ru;
	memset(&ru, 0xff, sizeof(ru));
	CHECK_EQ(sys_waitid(P_PID, fast, &si, WEXITED, &ru), 0);
	check_exited(&si, fast, 2, "P_PID fast, with rusage");
	CHECK(ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 &&
	      ru.ru_utime.tv_usec < 1000000, "waitid rusage ru_utime not filled in");

	/* The glibc wrapper, and 255. */
	pid = child(0, 255);
	CHECK_OK(waitid(P_PID, (id_t)pid, &si, WEXITED));
	check_exited(&si, pid, 255, "waitid() 255");
}

static void test_waitid_wnohang(void)
{
	siginfo_t si;
	pid_t pid = child(200, 6);
	memset(&si, 0x55, sizeof(si));
	CHECK_EQ(sys_waitid(P_PID, pid, &si, WEXITED | WNOHANG, NULL), 0);
	CHECK(si.si_pid == 0, "WNOHANG with nothing to report: si_pid %d", (int)si.si_pid);
	CHECK(si.si_signo == 0, "WNOHANG with nothing to report: si_signo %d", si.si_signo);
	memset(&si, 0x55, sizeof(si));
	CHECK_EQ(sys_waitid(P_ALL, 0, &si, WEXITED | WNOHANG, NULL), 0);
	CHECK(si.si_pid == 0, "P_ALL WNOHANG: si_pid %d", (int)si.si_pid);
	/* A running child could still stop: WSTOPPED alone gives 0 too. */
	memset(&si, 0x55, sizeof(si));
	CHECK_EQ(sys_waitid(P_PID, pid, &si, WSTOPPED | WNOHANG, NULL), 0);
	CHECK(si.si_pid == 0, "WSTOPPED WNOHANG: si_pid %d", (int)si.si_pid);
	for (;;) {	/* a hang: the test's time limit */
		memset(&si, 0, sizeof(si));
		CHECK_EQ(sys_waitid(P_PID, pid, &si, WEXITED | WNOHANG, NULL), 0);
		if (si.si_pid)
			break;
		sleep_ms(5);
	}
	check_exited(&si, pid, 6, "WNOHANG");
	CHECK_ERR(sys_waitid(P_PID, pid, &si, WEXITED | WNOHANG, NULL), ECHILD);
}

static void test_wnowait(void)
{
	siginfo_t si;
	pid_t pid = child(0, 9);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sys_waitid(P_PID, pid, &si, WEXITED | WNOWAIT, NULL), 0);
	check_exited(&si, pid, 9, "WNOWAIT 1");
	/* Still there: again, by pid and by P_ALL, with WNOHANG too. */
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sys_waitid(P_PID, pid, &si, WEXITED | WNOWAIT, NULL), 0);
	check_exited(&si, pid, 9, "WNOWAIT 2");
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sys_waitid(P_ALL, 0, &si, WEXITED | WNOWAIT | WNOHANG, NULL), 0);
	check_exited(&si, pid, 9, "WNOWAIT P_ALL");
	/* The zombie still has its pid. */
	CHECK_EQ(getpgid(pid), getpgrp());

	/* WSTOPPED or WCONTINUED alone do not report an exit, and a zombie
	 * can never stop or continue: nothing to wait for, ECHILD. */
	CHECK_ERR(sys_waitid(P_PID, pid, &si, WSTOPPED | WNOHANG, NULL), ECHILD);
	CHECK_ERR(sys_waitid(P_ALL, 0, &si, WCONTINUED | WNOHANG, NULL), ECHILD);
	CHECK_ERR(sys_waitid(P_PID, pid, &si, WSTOPPED | WCONTINUED, NULL), ECHILD);

	/* Now reap it for real with wait4, with a rusage pointer. */
	int st = -1;
	struct rusage ru;
	memset(&ru, 0xff, sizeof(ru));
	CHECK_EQ(wait4(pid, &st, 0, &ru), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9, "status %#x", st);
	CHECK(ru.ru_stime.tv_sec >= 0 && ru.ru_stime.tv_usec >= 0 &&
	      ru.ru_stime.tv_usec < 1000000, "wait4 rusage ru_stime not filled in");
	CHECK_ERR(wait4(pid, &st, 0, NULL), ECHILD);
	CHECK_ERR(sys_waitid(P_PID, pid, &si, WEXITED, NULL), ECHILD);

	/* A NULL status pointer is fine. */
	pid = child(0, 1);
	CHECK_EQ(wait4(pid, NULL, 0, NULL), pid);
	/* So is a NULL siginfo pointer for waitid. */
	pid = child(0, 1);
	CHECK_EQ(sys_waitid(P_PID, pid, NULL, WEXITED, NULL), 0);
	CHECK_ERR(wait4(pid, NULL, WNOHANG, NULL), ECHILD);
}

static void test_errors(void)
{
	siginfo_t si;
	int st;
	/* Argument errors come before ECHILD (we have no children now). */
	CHECK_ERR(sys_waitid(P_ALL, 0, &si, 0, NULL), EINVAL);
	CHECK_ERR(sys_waitid(P_ALL, 0, &si, WNOHANG, NULL), EINVAL);
	CHECK_ERR(sys_waitid(P_ALL, 0, &si, WEXITED | 0x100, NULL), EINVAL);
	CHECK_ERR(sys_waitid(42, 0, &si, WEXITED, NULL), EINVAL);
	CHECK_ERR(sys_waitid(P_PID, 0, &si, WEXITED, NULL), EINVAL);
	CHECK_ERR(sys_waitid(P_PID, -1, &si, WEXITED, NULL), EINVAL);
	CHECK_ERR(sys_waitid(P_PGID, -1, &si, WEXITED, NULL), EINVAL);
	CHECK_ERR(wait4(-1, &st, 0x100, NULL), EINVAL);
	CHECK_ERR(wait4(-1, &st, WNOWAIT, NULL), EINVAL);
	CHECK_ERR(wait4(-1, &st, WEXITED, NULL), EINVAL);
	CHECK_ERR(wait4(INT_MIN, &st, 0, NULL), ESRCH);
	/* No children. */
	CHECK_ERR(sys_waitid(P_ALL, 0, &si, WEXITED, NULL), ECHILD);
	CHECK_ERR(sys_waitid(P_ALL, 0, &si, WEXITED | WNOHANG, NULL), ECHILD);
	CHECK_ERR(sys_waitid(P_PID, getpid(), &si, WEXITED, NULL), ECHILD);
	CHECK_ERR(sys_waitid(P_PGID, 0, &si, WEXITED, NULL), ECHILD);
	CHECK_ERR(wait4(-1, &st, 0, NULL), ECHILD);
}

static void test_groups(void)
{
	siginfo_t si;
	int st;
	pid_t mygrp = getpgrp();
	/* A: its own group (set from both sides, so there is no race). */
	pid_t a = xfork();
	if (a == 0) {
		CHECK_OK(setpgid(0, 0));
		sleep_ms(50);
		_exit(3);
	}
	CHECK_OK(setpgid(a, a));
	CHECK_EQ(getpgid(a), a);
	pid_t b = child(0, 4);
	CHECK_EQ(getpgid(b), mygrp);

	/* wait4(0): only B, in our group, although A may have exited too. */
	CHECK_EQ(wait4(0, &st, 0, NULL), b);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4, "B status %#x", st);
	CHECK_ERR(wait4(0, &st, WNOHANG, NULL), ECHILD);
	CHECK_ERR(sys_waitid(P_PGID, 0, &si, WEXITED | WNOHANG, NULL), ECHILD);
	/* wait4(-pgid) finds A. */
	CHECK_EQ(wait4(-a, &st, 0, NULL), a);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "A status %#x", st);

	/* The same with waitid(P_PGID). */
	a = xfork();
	if (a == 0) {
		CHECK_OK(setpgid(0, 0));
		sleep_ms(50);
		_exit(13);
	}
	CHECK_OK(setpgid(a, a));
	b = child(30, 14);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sys_waitid(P_PGID, a, &si, WEXITED, NULL), 0);
	check_exited(&si, a, 13, "P_PGID a");
	CHECK_ERR(sys_waitid(P_PGID, a, &si, WEXITED | WNOHANG, NULL), ECHILD);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sys_waitid(P_PGID, 0, &si, WEXITED, NULL), 0);
	check_exited(&si, b, 14, "P_PGID 0");
	CHECK_ERR(wait4(-1, &st, 0, NULL), ECHILD);
}

static void test_killed(void)
{
	/* Killed by a fault: the low 7 bits are the signal (0x80: core). */
	pid_t pid = xfork();
	if (pid == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		volatile int *volatile bad = (volatile int *)16;
		*bad = 1;
		_exit(100);
	}
	int st = -1;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sys_waitid(P_PID, pid, &si, WEXITED | WNOWAIT, NULL), 0);
	CHECK_EQ(si.si_signo, SIGCHLD);
	CHECK(si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED, "si_code %d", si.si_code);
	CHECK_EQ(si.si_status, SIGSEGV);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(wait4(pid, &st, 0, NULL), pid);
	CHECK(WIFSIGNALED(st) && !WIFEXITED(st) && WTERMSIG(st) == SIGSEGV,
	      "SIGSEGV child status %#x", st);
	CHECK_EQ(st & ~0x80, SIGSEGV);
	CHECK_EQ(!!WCOREDUMP(st), si.si_code == CLD_DUMPED);

	pid = xfork();
	if (pid == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		__builtin_trap();
	}
	CHECK_EQ(wait4(pid, &st, 0, NULL), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGILL, "SIGILL child status %#x", st);
	CHECK_EQ(st & ~0x80, SIGILL);
}

static void test_wclone(void)
{
	int st;
	siginfo_t si;
	/* A process whose exit signal is 0: a "clone" child. */
	fflush(stdout);
	fflush(stderr);
	long pid = syscall(SYS_clone, 0L, 0L, NULL, NULL, 0L);
	CHECK(pid >= 0, "clone(0) = %ld", pid);
	if (pid == 0)
		_exit(6);
	CHECK_ERR(wait4(-1, &st, 0, NULL), ECHILD);
	CHECK_ERR(wait4((pid_t)pid, &st, 0, NULL), ECHILD);
	CHECK_ERR(sys_waitid(P_PID, pid, &si, WEXITED, NULL), ECHILD);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sys_waitid(P_PID, pid, &si, WEXITED | WNOWAIT | __WALL, NULL), 0);
	check_exited(&si, (pid_t)pid, 6, "__WALL waitid");
	CHECK_EQ(wait4((pid_t)pid, &st, __WCLONE, NULL), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 6, "clone child status %#x", st);

	/* __WCLONE does not see ordinary children; __WALL sees both. */
	pid_t p = child(0, 8);
	CHECK_ERR(wait4(p, &st, __WCLONE, NULL), ECHILD);
	CHECK_EQ(wait4(p, &st, __WALL, NULL), p);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 8, "status %#x", st);
	pid = syscall(SYS_clone, 0L, 0L, NULL, NULL, 0L);
	CHECK(pid >= 0, "clone(0) = %ld", pid);
	if (pid == 0)
		_exit(7);
	CHECK_EQ(wait4(-1, &st, __WALL, NULL), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "clone child status %#x", st);
	CHECK_ERR(wait4(-1, &st, __WALL, NULL), ECHILD);
}

int main(void)
{
	test_errors();
	test_waitid_basic();
	test_waitid_wnohang();
	test_wnowait();
	test_groups();
	test_killed();
	test_wclone();
	expect_exit(child(0, 0), 0, "last child");
	PASS();
}
