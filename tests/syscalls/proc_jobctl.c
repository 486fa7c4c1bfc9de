/*
 * proc_jobctl: job control. SIGSTOP stops a whole multi-threaded child
 * (no thread makes progress once wait has reported the stop); the parent
 * gets SIGCHLD with CLD_STOPPED and CLD_CONTINUED (none with
 * SA_NOCLDSTOP); wait4 WUNTRACED/WCONTINUED and waitid WSTOPPED/
 * WCONTINUED/WNOWAIT report each event once; SIGKILL ends a stopped
 * child; SIGCONT discards pending stop signals and a stop signal a
 * pending SIGCONT; SIGTSTP stops a process in a non-orphaned group and is
 * ignored in an orphaned one (after setsid).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_util.h"

static _Atomic long *counters;	/* shared with the children */

static void *spin(void *arg)
{
	long i = (long)arg;
	for (;;)
		atomic_fetch_add(&counters[i], 1);
	return NULL;
}

/* A child with two threads that count forever. */
static pid_t spinner(void)
{
	counters[0] = counters[1] = 0;
	pid_t pid = xfork();
	if (pid == 0) {
		pthread_t th;
		pthread_create(&th, NULL, spin, (void *)1L);
		spin((void *)0L);
	}
	while (counters[0] == 0 || counters[1] == 0)
		sleep_ms(1);
	return pid;
}

/* The next SIGCHLD (blocked in the parent). */
static void expect_sigchld(pid_t pid, int code, int status)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	siginfo_t si;
	struct timespec ts = { 10, 0 };
	CHECK_EQ(sigtimedwait(&set, &si, &ts), SIGCHLD);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_code, code);
	CHECK_EQ(si.si_status, status);
}

static void stop_continue(void)
{
	pid_t pid = spinner();
	CHECK_OK(kill(pid, SIGSTOP));
	int st;
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "status %#x", st);
	expect_sigchld(pid, CLD_STOPPED, SIGSTOP);
	/* Every thread is stopped: no counter moves. */
	long a = counters[0], b = counters[1];
	sleep_ms(50);
	CHECK_EQ(counters[0], a);
	CHECK_EQ(counters[1], b);
	/* Reported once. */
	CHECK_EQ(waitpid(pid, &st, WUNTRACED | WNOHANG), 0);
	CHECK_OK(kill(pid, SIGCONT));
	expect_sigchld(pid, CLD_CONTINUED, SIGCONT);
	CHECK_EQ(waitpid(pid, &st, WCONTINUED), pid);
	CHECK(WIFCONTINUED(st), "status %#x", st);
	CHECK_EQ(waitpid(pid, &st, WCONTINUED | WNOHANG), 0);
	while (counters[0] == a || counters[1] == b)
		sleep_ms(1);

	/* waitid: WNOWAIT leaves the event for the next wait. */
	CHECK_OK(kill(pid, SIGSTOP));
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT));
	CHECK_EQ(si.si_code, CLD_STOPPED);
	CHECK_EQ(si.si_status, SIGSTOP);
	CHECK_EQ(si.si_pid, pid);
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PID, pid, &si, WSTOPPED));
	CHECK_EQ(si.si_code, CLD_STOPPED);
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PID, pid, &si, WSTOPPED | WNOHANG));
	CHECK_EQ(si.si_pid, 0);
	expect_sigchld(pid, CLD_STOPPED, SIGSTOP);
	CHECK_OK(kill(pid, SIGCONT));
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PID, pid, &si, WCONTINUED));
	CHECK_EQ(si.si_code, CLD_CONTINUED);
	CHECK_EQ(si.si_status, SIGCONT);
	expect_sigchld(pid, CLD_CONTINUED, SIGCONT);

	/* SIGKILL ends a stopped process. */
	CHECK_OK(kill(pid, SIGSTOP));
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
	expect_sigchld(pid, CLD_STOPPED, SIGSTOP);
	CHECK_OK(kill(pid, SIGKILL));
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
	expect_sigchld(pid, CLD_KILLED, SIGKILL);
}

static void nocldstop(void)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = SA_NOCLDSTOP;
	CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
	pid_t pid = spinner();
	CHECK_OK(kill(pid, SIGSTOP));
	int st;
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
	CHECK(WIFSTOPPED(st), "status %#x", st);
	CHECK_OK(kill(pid, SIGCONT));
	CHECK_EQ(waitpid(pid, &st, WCONTINUED), pid);
	CHECK(WIFCONTINUED(st), "status %#x", st);
	sigset_t pend;
	CHECK_OK(sigpending(&pend));
	CHECK(!sigismember(&pend, SIGCHLD), "SIGCHLD despite SA_NOCLDSTOP");
	CHECK_OK(kill(pid, SIGKILL));
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	sa.sa_flags = 0;
	CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	struct timespec ts = { 0, 0 };
	sigtimedwait(&set, NULL, &ts);	/* the exit's SIGCHLD */
}

/* Pending-signal interplay, in a child that blocks the signals. */
static void discards(void)
{
	int go[2], ready[2];
	CHECK_OK(pipe(go));
	CHECK_OK(pipe(ready));
	pid_t pid = xfork();
	if (pid == 0) {
		sigset_t set, pend;
		sigemptyset(&set);
		sigaddset(&set, SIGTSTP);
		sigaddset(&set, SIGCONT);
		sigprocmask(SIG_BLOCK, &set, NULL);
		char c = 0;
		CHECK_EQ(write(ready[1], &c, 1), 1);
		CHECK_EQ(read(go[0], &c, 1), 1);
		/* SIGTSTP then SIGCONT: the stop is gone. */
		sigpending(&pend);
		CHECK(!sigismember(&pend, SIGTSTP), "SIGTSTP still pending after SIGCONT");
		CHECK(sigismember(&pend, SIGCONT), "SIGCONT not pending");
		CHECK_EQ(write(ready[1], &c, 1), 1);
		CHECK_EQ(read(go[0], &c, 1), 1);
		/* ... then SIGTSTP: the continue is gone. */
		sigpending(&pend);
		CHECK(sigismember(&pend, SIGTSTP), "SIGTSTP not pending");
		CHECK(!sigismember(&pend, SIGCONT), "SIGCONT still pending after SIGTSTP");
		_exit(0);
	}
	char c;
	CHECK_EQ(read(ready[0], &c, 1), 1);
	CHECK_OK(kill(pid, SIGTSTP));
	CHECK_OK(kill(pid, SIGCONT));
	CHECK_EQ(write(go[1], &c, 1), 1);
	CHECK_EQ(read(ready[0], &c, 1), 1);
	CHECK_OK(kill(pid, SIGTSTP));
	CHECK_EQ(write(go[1], &c, 1), 1);
	expect_exit(pid, 0, "discards");
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

static void orphaned(void)
{
	/* In its own group of our session: SIGTSTP stops it. */
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_OK(setpgid(0, 0));
		raise(SIGTSTP);
		_exit(7);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP, "status %#x", st);
	CHECK_OK(kill(pid, SIGCONT));
	expect_exit(pid, 7, "stopped by SIGTSTP");
	/* In a new session its group is orphaned: SIGTSTP is ignored. */
	pid = xfork();
	if (pid == 0) {
		CHECK_OK(setsid());
		raise(SIGTSTP);
		raise(SIGTTIN);
		raise(SIGTTOU);
		_exit(8);
	}
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 8, "status %#x", st);
}

int main(void)
{
	counters = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(counters != MAP_FAILED, "mmap");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	stop_continue();
	nocldstop();
	discards();
	orphaned();
	PASS();
}
