/* timer_signal.c: timers that send signals: alarm (and its return value),
 * setitimer/getitimer(ITIMER_REAL) periodic firing and disarming, and a
 * POSIX timer (timer_create/settime/gettime/delete) delivering SIGUSR1 with
 * its sigev_value; error cases of each. */
#include "check.h"

#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int alarms, usr1_sum;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code == SI_TIMER)
		usr1_sum += si->si_value.sival_int;
}

int main(void)
{
	signal(SIGALRM, on_alarm);

	/* alarm: the previous alarm's seconds left, then it fires once. */
	CHECK_EQ(alarm(5), 0);
	unsigned left = alarm(1);
	CHECK(left >= 4 && left <= 5, "alarm returned %u", left);
	pause();
	CHECK_EQ(alarms, 1);
	CHECK_EQ(alarm(0), 0);

	/* ITIMER_REAL: periodic, then disarmed; getitimer sees it armed. */
	struct itimerval iv = { { 0, 20000 }, { 0, 20000 } }, cur, old;
	CHECK_OK(setitimer(ITIMER_REAL, &iv, NULL));
	CHECK_OK(getitimer(ITIMER_REAL, &cur));
	CHECK(cur.it_value.tv_sec || cur.it_value.tv_usec, "armed timer reads zero");
	CHECK_EQ(cur.it_interval.tv_usec, 20000);
	while (alarms < 6)
		pause();
	struct itimerval zero = { { 0, 0 }, { 0, 0 } };
	CHECK_OK(setitimer(ITIMER_REAL, &zero, &old));
	CHECK_EQ(old.it_interval.tv_usec, 20000);
	CHECK_OK(getitimer(ITIMER_REAL, &cur));
	CHECK(!cur.it_value.tv_sec && !cur.it_value.tv_usec, "disarmed timer is armed");
	struct itimerval bad = { { 0, 0 }, { 0, 1000000 } };
	CHECK_ERR(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
	CHECK_ERR(setitimer(99, &iv, NULL), EINVAL);

	/* A POSIX timer with SIGUSR1 and a value. */
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	struct sigevent se = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	se.sigev_value.sival_int = 7;
	timer_t id;
	CHECK_OK(timer_create(CLOCK_MONOTONIC, &se, &id));
	struct itimerspec its = { { 0, 10000000 }, { 0, 10000000 } }, got;
	CHECK_OK(timer_settime(id, 0, &its, NULL));
	CHECK_OK(timer_gettime(id, &got));
	CHECK_EQ(got.it_interval.tv_nsec, 10000000);
	while (usr1_sum < 35)
		pause();
	CHECK(timer_getoverrun(id) >= 0, "overrun");
	CHECK_OK(timer_delete(id));
	CHECK_ERR(timer_delete(id), EINVAL);
	struct itimerspec badts = { { 0, 0 }, { 0, 1000000000 } };
	CHECK_OK(timer_create(CLOCK_REALTIME, NULL, &id));
	CHECK_ERR(timer_settime(id, 0, &badts, NULL), EINVAL);
	CHECK_OK(timer_delete(id));
	PASS();
}
