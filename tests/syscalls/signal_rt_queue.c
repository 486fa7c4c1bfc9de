/*
 * signal_rt_queue: real-time signals queue. Every sigqueue instance of a
 * blocked SIGRTMIN+n stays pending with its own value and is delivered in
 * order, lowest signal number first (sigtimedwait and handlers alike);
 * the pending bit stays until the last instance is taken. Standard
 * signals coalesce. RLIMIT_SIGPENDING bounds the queued instances of a
 * user: sigqueue beyond it gives EAGAIN, kill still succeeds. Thread-
 * directed instances (rt_tgsigqueueinfo) queue too.
 */
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_util.h"

static int got_sig[64], got_val[64], ngot;

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (ngot < 64) {
		got_sig[ngot] = sig;
		got_val[ngot] = si->si_value.sival_int;
		ngot++;
	}
}

static void queue(int sig, int val)
{
	union sigval v = { .sival_int = val };
	CHECK_OK(sigqueue(getpid(), sig, v));
}

static void block(int how, sigset_t *set)
{
	CHECK_OK(sigprocmask(how, set, NULL));
}

int main(void)
{
	int r0 = SIGRTMIN, r1 = SIGRTMIN + 1;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, r0);
	sigaddset(&set, r1);
	sigaddset(&set, SIGUSR1);
	block(SIG_BLOCK, &set);

	/* sigtimedwait takes them in order. */
	queue(r1, 1);
	queue(r0, 2);
	queue(r1, 3);
	queue(r0, 4);
	siginfo_t si;
	struct timespec zero = { 0, 0 };
	int want_sig[4] = { r0, r0, r1, r1 }, want_val[4] = { 2, 4, 1, 3 };
	for (int i = 0; i < 4; i++) {
		sigset_t pend;
		CHECK_OK(sigpending(&pend));
		CHECK(sigismember(&pend, want_sig[i]), "signal %d not pending at %d", want_sig[i], i);
		CHECK_EQ(sigtimedwait(&set, &si, &zero), want_sig[i]);
		CHECK_EQ(si.si_value.sival_int, want_val[i]);
		CHECK_EQ(si.si_code, SI_QUEUE);
		CHECK_EQ(si.si_pid, getpid());
	}
	CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);

	/* Handlers see the same order; SIGUSR1 three times is one. */
	struct sigaction sa = { 0 };
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);	/* one at a time, in order */
	CHECK_OK(sigaction(r0, &sa, NULL));
	CHECK_OK(sigaction(r1, &sa, NULL));
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	queue(r1, 10);
	queue(r0, 11);
	queue(r1, 12);
	queue(r0, 13);
	queue(SIGUSR1, 14);
	queue(SIGUSR1, 15);
	kill(getpid(), SIGUSR1);
	block(SIG_UNBLOCK, &set);
	CHECK_EQ(ngot, 5);
	CHECK_EQ(got_sig[0], SIGUSR1);
	CHECK_EQ(got_val[0], 14);	/* the first instance's info */
	int hs[4] = { r0, r0, r1, r1 }, hv[4] = { 11, 13, 10, 12 };
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(got_sig[i + 1], hs[i]);
		CHECK_EQ(got_val[i + 1], hv[i]);
	}
	block(SIG_BLOCK, &set);

	/* Thread-directed instances queue as well. */
	for (int i = 0; i < 3; i++) {
		siginfo_t q = { 0 };
		q.si_code = SI_QUEUE;
		q.si_pid = getpid();
		q.si_uid = getuid();
		q.si_value.sival_int = 20 + i;
		CHECK_OK(syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), r1, &q));
	}
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(sigtimedwait(&set, &si, &zero), r1);
		CHECK_EQ(si.si_value.sival_int, 20 + i);
	}

	/* RLIMIT_SIGPENDING, in a child with a uid of its own (the limit
	 * counts a user's queued signals). */
	pid_t pid = xfork();
	if (pid == 0) {
		if (getuid() == 0)
			CHECK_OK(setresuid(54321, 54321, 54321));
		struct rlimit rl = { 5, 5 };
		CHECK_OK(setrlimit(RLIMIT_SIGPENDING, &rl));
		for (int i = 0; i < 5; i++)
			queue(r0, i);
		union sigval v = { .sival_int = 99 };
		CHECK_ERR(sigqueue(getpid(), r0, v), EAGAIN);
		CHECK_ERR(sigqueue(getpid(), r1, v), EAGAIN);
		CHECK_OK(kill(getpid(), r1));	/* kill still delivers */
		CHECK_EQ(sigtimedwait(&set, &si, &zero), r0);
		CHECK_EQ(si.si_value.sival_int, 0);
		queue(r0, 5);	/* room again */
		for (int i = 1; i < 6; i++) {
			CHECK_EQ(sigtimedwait(&set, &si, &zero), r0);
			CHECK_EQ(si.si_value.sival_int, i);
		}
		CHECK_EQ(sigtimedwait(&set, &si, &zero), r1);
		CHECK_EQ(si.si_code, SI_USER);
		CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
		_exit(0);
	}
	expect_exit(pid, 0, "RLIMIT_SIGPENDING");
	PASS();
}
