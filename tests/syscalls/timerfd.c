/*
 * timerfd: timerfd_create/settime/gettime. Bad clocks and flags give
 * EINVAL; TFD_CLOEXEC and TFD_NONBLOCK set the fd and file flags. read
 * needs 8 bytes, gives EAGAIN on a non-blocking timer with no expiration,
 * blocks until one otherwise and returns the count; an absolute time in
 * the past with an interval counts every missed period; settime returns
 * the old setting and drops unread expirations; gettime shows the
 * interval and a value counting down; poll and epoll see POLLIN once the
 * timer fired; a blocked read is interrupted by a signal (EINTR) or
 * restarted with SA_RESTART; a forked child reads the same timer; a
 * timerfd cannot be written, and settime/gettime on other files give
 * EINVAL, on bad fds EBADF.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "proc_util.h"

static struct itimerspec its(long vsec, long vnsec, long isec, long insec)
{
	struct itimerspec s = { { isec, insec }, { vsec, vnsec } };
	return s;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void alarm_in_ms(long ms)
{
	struct itimerval iv = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &iv, NULL));
}

int main(void)
{
	uint64_t n;
	char small[4];

	/* Creation. */
	CHECK_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
	CHECK_ERR(timerfd_create(12345, 0), EINVAL);
	CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, 0x4), EINVAL);
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	CHECK_OK(fd);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);

	/* Unarmed. */
	struct itimerspec cur;
	CHECK_OK(timerfd_gettime(fd, &cur));
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0, "unarmed value");
	CHECK(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 0, "unarmed interval");
	CHECK_ERR(read(fd, &n, 8), EAGAIN);
	CHECK_ERR(read(fd, small, sizeof(small)), EINVAL);
	n = 1;
	CHECK_ERR(write(fd, &n, 8), EINVAL);

	/* Bad settime arguments. */
	struct itimerspec s = its(1, 0, 0, 0);
	CHECK_ERR(timerfd_settime(fd, 0x8, &s, NULL), EINVAL);
	s = its(0, 1000000000, 0, 0);
	CHECK_ERR(timerfd_settime(fd, 0, &s, NULL), EINVAL);
	s = its(-1, 0, 0, 0);
	CHECK_ERR(timerfd_settime(fd, 0, &s, NULL), EINVAL);
	s = its(1, 0, 0, -1);
	CHECK_ERR(timerfd_settime(fd, 0, &s, NULL), EINVAL);
	s = its(1, 0, 0, 0);
	CHECK_ERR(timerfd_settime(9999, 0, &s, NULL), EBADF);
	CHECK_ERR(timerfd_gettime(9999, &cur), EBADF);
	int efd = eventfd(0, 0);
	CHECK_OK(efd);
	CHECK_ERR(timerfd_settime(efd, 0, &s, NULL), EINVAL);
	CHECK_ERR(timerfd_gettime(efd, &cur), EINVAL);
	CHECK_ERR(timerfd_settime(fd, 0, (void *)8, NULL), EFAULT);

	/* Armed far away: gettime counts down; settime returns the old
	 * setting; disarming leaves nothing to read. */
	s = its(100, 0, 7, 500);
	CHECK_OK(timerfd_settime(fd, 0, &s, NULL));
	CHECK_OK(timerfd_gettime(fd, &cur));
	CHECK(cur.it_value.tv_sec <= 100 && (cur.it_value.tv_sec > 0 || cur.it_value.tv_nsec > 0),
	      "value %ld.%09ld", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
	CHECK(cur.it_interval.tv_sec == 7 && cur.it_interval.tv_nsec == 500, "interval");
	struct itimerspec old;
	s = its(0, 0, 0, 0);
	CHECK_OK(timerfd_settime(fd, 0, &s, &old));
	CHECK(old.it_value.tv_sec <= 100 && old.it_value.tv_sec >= 1, "old value %ld",
	      (long)old.it_value.tv_sec);
	CHECK(old.it_interval.tv_sec == 7 && old.it_interval.tv_nsec == 500, "old interval");
	CHECK_ERR(read(fd, &n, 8), EAGAIN);
	CHECK_OK(timerfd_gettime(fd, &cur));
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0, "disarmed");

	/* A one-shot expiry: poll sees it, read takes it, gettime is zero. */
	s = its(0, 1000000, 0, 0);
	CHECK_OK(timerfd_settime(fd, 0, &s, NULL));
	struct pollfd pfd = { fd, POLLIN, 0 };
	CHECK_EQ(poll(&pfd, 1, -1), 1);
	CHECK_EQ(pfd.revents, POLLIN);
	CHECK_EQ(read(fd, &n, 8), 8);
	CHECK_EQ(n, 1);
	CHECK_ERR(read(fd, &n, 8), EAGAIN);
	CHECK_OK(timerfd_gettime(fd, &cur));
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0, "expired one-shot");
	CHECK_EQ(poll(&pfd, 1, 0), 0);

	/* settime drops unread expirations. */
	s = its(0, 1, 0, 0);
	CHECK_OK(timerfd_settime(fd, 0, &s, NULL));
	CHECK_EQ(poll(&pfd, 1, -1), 1);
	s = its(0, 0, 0, 0);
	CHECK_OK(timerfd_settime(fd, 0, &s, NULL));
	CHECK_ERR(read(fd, &n, 8), EAGAIN);

	/* Absolute, in the past, periodic: every missed period counts. */
	struct timespec now;
	CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &now));
	s = its(now.tv_sec - 1, now.tv_nsec, 0, 100000000);
	CHECK_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &s, NULL));
	CHECK_EQ(poll(&pfd, 1, -1), 1);
	CHECK_EQ(read(fd, &n, 8), 8);
	CHECK(n >= 11, "missed periods: %llu", (unsigned long long)n);
	CHECK_OK(timerfd_gettime(fd, &cur));
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 100000000,
	      "periodic value %ld.%09ld", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
	CHECK(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 100000000, "periodic interval");
	s = its(0, 0, 0, 0);
	CHECK_OK(timerfd_settime(fd, 0, &s, NULL));

	/* A blocking timer on CLOCK_REALTIME, absolute: read waits for it. */
	int bfd = timerfd_create(CLOCK_REALTIME, 0);
	CHECK_OK(bfd);
	CHECK_EQ(fcntl(bfd, F_GETFD), 0);
	CHECK_OK(clock_gettime(CLOCK_REALTIME, &now));
	now.tv_nsec += 20000000;
	if (now.tv_nsec >= 1000000000) {
		now.tv_nsec -= 1000000000;
		now.tv_sec++;
	}
	s = its(now.tv_sec, now.tv_nsec, 0, 0);
	CHECK_OK(timerfd_settime(bfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &s, NULL));
	CHECK_EQ(read(bfd, &n, 8), 8);
	CHECK_EQ(n, 1);

	/* Periodic on CLOCK_BOOTTIME, through epoll. */
	int tfd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK);
	CHECK_OK(tfd);
	int ep = epoll_create1(0);
	CHECK_OK(ep);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 };
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev));
	CHECK_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	s = its(0, 5000000, 0, 5000000);
	CHECK_OK(timerfd_settime(tfd, 0, &s, NULL));
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(epoll_wait(ep, &ev, 1, -1), 1);
		CHECK_EQ(ev.data.u64, 42);
		CHECK_EQ(ev.events, EPOLLIN);
		CHECK_EQ(read(tfd, &n, 8), 8);
		CHECK(n >= 1, "periodic count");
	}
	s = its(0, 0, 0, 0);
	CHECK_OK(timerfd_settime(tfd, 0, &s, NULL));
	while (read(tfd, &n, 8) == 8)
		;
	CHECK_EQ(epoll_wait(ep, &ev, 1, 0), 0);

	/* A blocked read: a signal without SA_RESTART interrupts it. */
	struct sigaction sa = { 0 };
	sa.sa_handler = on_alarm;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	s = its(100, 0, 0, 0);
	CHECK_OK(timerfd_settime(bfd, 0, &s, NULL));
	alarm_in_ms(20);
	CHECK_ERR(read(bfd, &n, 8), EINTR);
	/* With SA_RESTART the read goes on until the timer fires. */
	sa.sa_flags = SA_RESTART;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	s = its(0, 200000000, 0, 0);
	CHECK_OK(timerfd_settime(bfd, 0, &s, NULL));
	alarm_in_ms(20);
	CHECK_EQ(read(bfd, &n, 8), 8);
	CHECK_EQ(n, 1);

	/* The child shares the timer: it reads the expiration. */
	s = its(0, 10000000, 0, 0);
	CHECK_OK(timerfd_settime(bfd, 0, &s, NULL));
	pid_t pid = xfork();
	if (pid == 0) {
		uint64_t c;
		if (read(bfd, &c, 8) != 8 || c != 1)
			_exit(1);
		_exit(0);
	}
	expect_exit(pid, 0, "child read");
	CHECK_OK(fcntl(bfd, F_SETFL, O_NONBLOCK));
	CHECK_ERR(read(bfd, &n, 8), EAGAIN);

	close(ep);
	close(tfd);
	close(bfd);
	close(efd);
	close(fd);
	PASS();
}
