/*
 * cputime: CPU-time clocks and timers.
 *  - clock_getcpuclockid of a child and pthread_getcpuclockid of a thread
 *    give clocks that advance while they burn CPU, never beyond wall time
 *    per thread; a pid that does not exist gives ESRCH;
 *  - ITIMER_VIRTUAL and ITIMER_PROF fire (SIGVTALRM, SIGPROF) once the
 *    process has used the time, and getitimer reads them back;
 *  - timer_create on CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID
 *    fire after that much CPU time;
 *  - clock_nanosleep on the process's CPU clock returns once the process
 *    (here another thread) has used that much CPU.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc_util.h"

static int64_t ns_of(clockid_t c)
{
	struct timespec ts;
	CHECK_OK(clock_gettime(c, &ts));
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static volatile sig_atomic_t got;
static void on_sig(int sig)
{
	got = sig;
}

static void burn_until_signal(int sig)
{
	got = 0;
	long wall0 = now_ms();
	while (got != sig)
		CHECK(now_ms() - wall0 < 20000, "signal %d never came", sig);
}

static atomic_int stop_burn;
static void *burner(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_burn))
		;
	return NULL;
}

int main(void)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_sig;
	CHECK_OK(sigaction(SIGVTALRM, &sa, NULL));
	CHECK_OK(sigaction(SIGPROF, &sa, NULL));
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(sigaction(SIGUSR2, &sa, NULL));

	/* Another process's clock. */
	int64_t wall0 = ns_of(CLOCK_MONOTONIC);
	pid_t pid = xfork();
	if (pid == 0) {
		for (;;)
			;
	}
	clockid_t cid;
	CHECK_EQ(clock_getcpuclockid(pid, &cid), 0);
	int64_t c0 = ns_of(cid);
	while (ns_of(cid) < c0 + 50000000)
		CHECK(ns_of(CLOCK_MONOTONIC) - wall0 < 20000000000LL, "child clock stuck");
	CHECK(ns_of(cid) <= ns_of(CLOCK_MONOTONIC) - wall0, "child CPU beyond wall time");
	kill(pid, SIGKILL);
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
	CHECK_EQ(clock_getcpuclockid(pid, &cid), ESRCH);

	/* wait4's rusage carries the child's CPU time. */
	pid = xfork();
	if (pid == 0) {
		while (ns_of(CLOCK_PROCESS_CPUTIME_ID) < 50000000)
			;
		_exit(0);
	}
	struct rusage ru;
	int st;
	CHECK_EQ(wait4(pid, &st, 0, &ru), pid);
	long long used = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
			 ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	CHECK(used >= 49998, "wait4 rusage: %lld us of CPU", used);	/* two truncated fields */

	/* A thread's clock. */
	pthread_t th;
	atomic_store(&stop_burn, 0);
	CHECK_EQ(pthread_create(&th, NULL, burner, NULL), 0);
	CHECK_EQ(pthread_getcpuclockid(th, &cid), 0);
	c0 = ns_of(cid);
	wall0 = ns_of(CLOCK_MONOTONIC);
	while (ns_of(cid) < c0 + 30000000)
		CHECK(ns_of(CLOCK_MONOTONIC) - wall0 < 20000000000LL, "thread clock stuck");

	/* clock_nanosleep on the process clock: the thread burns for us. */
	int64_t p0 = ns_of(CLOCK_PROCESS_CPUTIME_ID);
	struct timespec req = { 0, 50000000 };
	CHECK_EQ(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &req, NULL), 0);
	CHECK(ns_of(CLOCK_PROCESS_CPUTIME_ID) >= p0 + 50000000, "woke early");
	CHECK_EQ(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL), EINVAL);
	atomic_store(&stop_burn, 1);
	CHECK_EQ(pthread_join(th, NULL), 0);

	/* Interval timers on CPU time, in a single-threaded child. */
	pid = xfork();
	if (pid != 0) {
		expect_exit(pid, 0, "interval timers");
		PASS();
	}
	struct itimerval it = { { 0, 0 }, { 0, 100000 } }, cur;
	int64_t w0 = ns_of(CLOCK_MONOTONIC);
	p0 = ns_of(CLOCK_PROCESS_CPUTIME_ID);
	CHECK_OK(setitimer(ITIMER_VIRTUAL, &it, NULL));
	CHECK_OK(getitimer(ITIMER_VIRTUAL, &cur));
	/* Linux may round up to its tick. */
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 200000,
	      "ITIMER_VIRTUAL reads %ld.%06ld", (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec);
	burn_until_signal(SIGVTALRM);
	/* Linux samples interval-timer time at its tick, so it may fire
	 * before CLOCK_PROCESS_CPUTIME_ID shows the full 100 ms: only check
	 * that CPU time was used, within wall time. */
	CHECK(ns_of(CLOCK_PROCESS_CPUTIME_ID) > p0, "no CPU time used");
	{ long long dc = ns_of(CLOCK_PROCESS_CPUTIME_ID) - p0, dw = ns_of(CLOCK_MONOTONIC) - w0; CHECK(dc <= dw, "CPU beyond wall: %lld > %lld", dc, dw); }
	CHECK_OK(getitimer(ITIMER_VIRTUAL, &cur));
	CHECK(!cur.it_value.tv_sec && !cur.it_value.tv_usec, "ITIMER_VIRTUAL still armed");

	p0 = ns_of(CLOCK_PROCESS_CPUTIME_ID);
	CHECK_OK(setitimer(ITIMER_PROF, &it, NULL));
	burn_until_signal(SIGPROF);
	CHECK(ns_of(CLOCK_PROCESS_CPUTIME_ID) > p0, "no CPU time used");
	CHECK_ERR(setitimer(7, &it, NULL), EINVAL);

	/* POSIX timers on CPU clocks. */
	clockid_t clocks[2] = { CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID };
	for (int i = 0; i < 2; i++) {
		struct sigevent ev = { 0 };
		ev.sigev_notify = SIGEV_SIGNAL;
		ev.sigev_signo = SIGUSR1;
		timer_t tid;
		CHECK_OK(timer_create(clocks[i], &ev, &tid));
		struct itimerspec its = { { 0, 0 }, { 0, 50000000 } }, got_its;
		p0 = ns_of(clocks[i]);
		CHECK_OK(timer_settime(tid, 0, &its, NULL));
		CHECK_OK(timer_gettime(tid, &got_its));
		CHECK(got_its.it_value.tv_nsec > 0 && got_its.it_value.tv_nsec <= 50000000,
		      "timer reads %ld ns", got_its.it_value.tv_nsec);
		burn_until_signal(SIGUSR1);
		CHECK(ns_of(clocks[i]) >= p0 + 50000000, "CPU timer %d early", i);
		CHECK_OK(timer_delete(tid));
	}
	exit(0);	/* the child; the parent passes */
}
