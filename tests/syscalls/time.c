/*
 * time: clocks and sleeps. clock_gettime(CLOCK_MONOTONIC) never goes
 * backwards; CLOCK_REALTIME agrees with time() and gettimeofday();
 * CLOCK_BOOTTIME >= CLOCK_MONOTONIC; the process CPU clock works;
 * clock_getres reports a positive resolution of at most 1 ms for the
 * precise clocks; nanosleep(10 ms) and clock_nanosleep (relative and
 * TIMER_ABSTIME) sleep at least as long as asked; an absolute time in the
 * past returns at once. Errors: an unknown clock id EINVAL, tv_nsec out of
 * range EINVAL, a bad pointer EFAULT (raw system calls: the vDSO would
 * fault instead).
 */
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int64_t ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static int64_t now(clockid_t c)
{
	struct timespec t;
	CHECK_OK(clock_gettime(c, &t));
	CHECK(t.tv_nsec >= 0 && t.tv_nsec < 1000000000L, "clock %d: tv_nsec %ld", (int)c, t.tv_nsec);
	return ns(&t);
}

int main(void)
{
	/* Monotonic never goes backwards, through libc and raw syscalls. */
	int64_t prev = now(CLOCK_MONOTONIC);
	CHECK(prev > 0, "CLOCK_MONOTONIC is %lld", (long long)prev);
	for (int i = 0; i < 2000; i++) {
		struct timespec t;
		if (i % 2)
			CHECK_OK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t));
		else
			CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &t));
		CHECK(ns(&t) >= prev, "CLOCK_MONOTONIC went backwards: %lld < %lld", (long long)ns(&t),
		      (long long)prev);
		prev = ns(&t);
	}

	/* Realtime vs time() vs gettimeofday(). */
	time_t t1 = time(NULL);
	int64_t rt = now(CLOCK_REALTIME);
	struct timeval tv;
	CHECK_OK(gettimeofday(&tv, NULL));
	time_t t2;
	time_t t3 = time(&t2);
	CHECK(t3 == t2, "time() returned %lld but stored %lld", (long long)t3, (long long)t2);
	CHECK(t1 > 1600000000, "time() = %lld is before 2020", (long long)t1);
	/* time() reads the coarse clock, which may lag by a tick: allow +1 s. */
	CHECK(rt / 1000000000LL >= t1 && rt / 1000000000LL <= t3 + 1,
	      "CLOCK_REALTIME %lld s outside time() %lld..%lld", (long long)(rt / 1000000000LL),
	      (long long)t1, (long long)t3);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000, "tv_usec %ld", (long)tv.tv_usec);
	int64_t tv_ns = (int64_t)tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
	CHECK(tv_ns >= rt - 1000 && tv_ns - rt < 1000000000LL,
	      "gettimeofday %lld ns vs CLOCK_REALTIME %lld ns", (long long)tv_ns, (long long)rt);
	CHECK_EQ(syscall(SYS_time, NULL) >= t3, 1);
	CHECK_OK(syscall(SYS_gettimeofday, &tv, NULL));
	CHECK(tv.tv_sec >= t3, "raw gettimeofday");

	/* Other clocks. */
	int64_t mono = now(CLOCK_MONOTONIC);
	int64_t boot = now(CLOCK_BOOTTIME);
	CHECK(boot >= mono, "CLOCK_BOOTTIME %lld < CLOCK_MONOTONIC %lld", (long long)boot, (long long)mono);
	now(CLOCK_MONOTONIC_RAW);
	now(CLOCK_MONOTONIC_COARSE);
	now(CLOCK_REALTIME_COARSE);
	int64_t cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
	CHECK(cpu0 >= 0, "process CPU time %lld", (long long)cpu0);
	now(CLOCK_THREAD_CPUTIME_ID);

	/* Resolutions. */
	clockid_t precise[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME };
	for (size_t i = 0; i < sizeof(precise) / sizeof(precise[0]); i++) {
		struct timespec res = { -1, -1 };
		CHECK_OK(clock_getres(precise[i], &res));
		CHECK(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000,
		      "clock %d: resolution %lld.%09ld", (int)precise[i], (long long)res.tv_sec,
		      res.tv_nsec);
		res.tv_sec = -1;
		CHECK_OK(syscall(SYS_clock_getres, precise[i], &res));
		CHECK(res.tv_sec == 0 && res.tv_nsec > 0, "raw clock_getres %d", (int)precise[i]);
	}
	struct timespec res;
	CHECK_OK(clock_getres(CLOCK_MONOTONIC_COARSE, &res));
	CHECK(res.tv_sec == 0 && res.tv_nsec > 0, "coarse resolution %ld", res.tv_nsec);
	CHECK_OK(clock_getres(CLOCK_MONOTONIC, NULL));	/* NULL is allowed */

	/* nanosleep 10 ms. */
	struct timespec req = { 0, 10 * 1000 * 1000 }, rem = { 99, 99 };
	int64_t a = now(CLOCK_MONOTONIC);
	CHECK_OK(nanosleep(&req, &rem));
	int64_t b = now(CLOCK_MONOTONIC);
	CHECK(b - a >= 10 * 1000 * 1000, "nanosleep(10 ms) slept %lld ns", (long long)(b - a));
	CHECK(b - a < 5LL * 1000 * 1000 * 1000, "nanosleep(10 ms) slept %lld ns", (long long)(b - a));
	/* Zero is fine. */
	req = (struct timespec){ 0, 0 };
	CHECK_OK(nanosleep(&req, NULL));

	/* clock_nanosleep, relative (returns the error number, not -1). */
	req = (struct timespec){ 0, 5 * 1000 * 1000 };
	a = now(CLOCK_MONOTONIC);
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), 0);
	b = now(CLOCK_MONOTONIC);
	CHECK(b - a >= 5 * 1000 * 1000, "clock_nanosleep(5 ms) slept %lld ns", (long long)(b - a));

	/* clock_nanosleep, TIMER_ABSTIME on MONOTONIC and REALTIME. */
	clockid_t abs_clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME };
	for (int i = 0; i < 2; i++) {
		struct timespec target;
		CHECK_OK(clock_gettime(abs_clocks[i], &target));
		target.tv_nsec += 20 * 1000 * 1000;
		if (target.tv_nsec >= 1000000000L) {
			target.tv_nsec -= 1000000000L;
			target.tv_sec++;
		}
		CHECK_EQ(clock_nanosleep(abs_clocks[i], TIMER_ABSTIME, &target, NULL), 0);
		int64_t after = now(abs_clocks[i]);
		CHECK(after >= ns(&target), "clock %d: woke at %lld before the deadline %lld",
		      (int)abs_clocks[i], (long long)after, (long long)ns(&target));
	}
	/* An absolute time in the past: at once. */
	req = (struct timespec){ 1, 0 };
	a = now(CLOCK_MONOTONIC);
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL), 0);
	b = now(CLOCK_MONOTONIC);
	CHECK(b - a < 1000LL * 1000 * 1000, "past absolute sleep took %lld ns", (long long)(b - a));

	/* Errors. */
	struct timespec t;
	CHECK_ERR(clock_gettime((clockid_t)12345, &t), EINVAL);
	CHECK_ERR(clock_getres((clockid_t)12345, &t), EINVAL);
	CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8), EFAULT);
	CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_REALTIME, (void *)8), EFAULT);
	CHECK_ERR(syscall(SYS_gettimeofday, (void *)8, NULL), EFAULT);
	req = (struct timespec){ 0, 1000000000L };
	CHECK_ERR(nanosleep(&req, NULL), EINVAL);
	req = (struct timespec){ 0, -1 };
	CHECK_ERR(nanosleep(&req, NULL), EINVAL);
	req = (struct timespec){ -1, 0 };
	CHECK_ERR(nanosleep(&req, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_nanosleep, (void *)8, NULL), EFAULT);
	req = (struct timespec){ 0, 1000000000L };
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), EINVAL);
	req = (struct timespec){ 0, 1000 };
	CHECK_EQ(clock_nanosleep((clockid_t)12345, 0, &req, NULL), EINVAL);
	PASS();
}
