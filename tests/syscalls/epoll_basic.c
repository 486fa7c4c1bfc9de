/*
 * epoll_basic: epoll_create/create1/ctl/wait/pwait/pwait2 on pipes and
 * eventfds. Level-triggered watches report while data is there;
 * EPOLLET only on new data; EPOLLONESHOT once until EPOLL_CTL_MOD; a
 * child's write wakes a blocked wait; timeouts of 0 and 100 ms; a closed
 * writer gives EPOLLHUP; closing every fd of a watched file drops the
 * watch (a new file on the same fd number is not watched and can be
 * added); maxevents bounds each report; epoll_pwait unblocks a signal
 * only for the wait (EINTR); ctl errors: EBADF, EINVAL (self, not an
 * epoll fd, bad op, EPOLLEXCLUSIVE with MOD or ONESHOT), EPERM (regular
 * file), EEXIST, ENOENT.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig)
{
	(void)sig;
	got_usr1++;
}

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int main(void)
{
	struct epoll_event out[8];
	char buf[64];
	int p[2];

	CHECK_ERR(epoll_create(0), EINVAL);
	CHECK_ERR(epoll_create1(0x1234), EINVAL);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK_OK(ep);
	CHECK_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC);
	int ep2 = epoll_create(1);
	CHECK_OK(ep2);
	CHECK_EQ(fcntl(ep2, F_GETFD), 0);
	CHECK_OK(pipe(p));

	/* ctl errors. */
	CHECK_ERR(add(ep, 999, EPOLLIN, 0), EBADF);
	CHECK_ERR(add(999, p[0], EPOLLIN, 0), EBADF);
	CHECK_ERR(add(ep, ep, EPOLLIN, 0), EINVAL);
	CHECK_ERR(add(p[0], p[1], EPOLLIN, 0), EINVAL);
	CHECK_ERR(epoll_ctl(ep, 99, p[0], &(struct epoll_event){ 0 }), EINVAL);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &(struct epoll_event){ 0 }), ENOENT);
	CHECK_ERR(add(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 0), EINVAL);
	tmpdir_make();
	int reg = open("f", O_CREAT | O_RDWR, 0600);
	CHECK_OK(reg);
	CHECK_ERR(add(ep, reg, EPOLLIN, 0), EPERM);
	CHECK_OK(close(reg));
	tmpdir_remove();

	/* Level-triggered. */
	CHECK_OK(add(ep, p[0], EPOLLIN, 100));
	CHECK_ERR(add(ep, p[0], EPOLLIN, 100), EEXIST);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0);
	long t0 = now_ms();
	CHECK_EQ(epoll_wait(ep, out, 8, 100), 0);
	CHECK(now_ms() - t0 >= 95, "waited %ld ms", now_ms() - t0);
	CHECK_EQ(write(p[1], "ab", 2), 2);
	CHECK_EQ(epoll_wait(ep, out, 8, -1), 1);
	CHECK_EQ(out[0].events, EPOLLIN);
	CHECK_EQ(out[0].data.u64, 100);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1);	/* still there */
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 2);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0);

	/* A wake-up from a child. */
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		sleep_ms(50);
		_exit(write(p[1], "c", 1) == 1 ? 0 : 2);
	}
	CHECK_EQ(epoll_wait(ep, out, 8, 5000), 1);
	CHECK_EQ(out[0].data.u64, 100);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 1);

	/* Edge-triggered. */
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 7 };
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1);
	CHECK_EQ(out[0].data.u64, 7);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0);	/* no new edge */
	CHECK_EQ(write(p[1], "y", 1), 1);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 2);

	/* One-shot, re-armed by MOD. */
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 9 };
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	CHECK_EQ(write(p[1], "z", 1), 1);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0);
	CHECK_EQ(write(p[1], "z", 1), 1);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0);
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 2);
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));

	/* Several files; maxevents; an eventfd; the write side. */
	int efd = eventfd(1, 0);
	CHECK_OK(efd);
	CHECK_OK(add(ep, efd, EPOLLIN, 1));
	CHECK_OK(add(ep, p[1], EPOLLOUT, 2));
	CHECK_OK(add(ep, p[0], EPOLLIN, 3));
	CHECK_EQ(write(p[1], "w", 1), 1);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 3);
	CHECK_EQ(epoll_wait(ep, out, 1, 0), 1);
	CHECK_ERR(epoll_wait(ep, out, 0, 0), EINVAL);
	CHECK_ERR(epoll_wait(p[0], out, 1, 0), EINVAL);
	uint64_t v;
	CHECK_EQ(read(efd, &v, 8), 8);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 1);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1);
	CHECK_EQ(out[0].data.u64, 2);
	CHECK_EQ(out[0].events, EPOLLOUT);

	/* EPOLLEXCLUSIVE is accepted; MOD of it is not. */
	CHECK_OK(add(ep2, efd, EPOLLIN | EPOLLEXCLUSIVE, 5));
	CHECK_ERR(epoll_ctl(ep2, EPOLL_CTL_MOD, efd, &(struct epoll_event){ .events = EPOLLIN }),
		  EINVAL);
	v = 1;
	CHECK_EQ(write(efd, &v, 8), 8);
	CHECK_EQ(epoll_wait(ep2, out, 8, 0), 1);
	CHECK_EQ(out[0].data.u64, 5);

	/* The writer closes: EPOLLHUP on the reader. */
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
	CHECK_OK(close(p[1]));
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 2);	/* efd and p[0] */
	for (int i = 0; i < 2; i++)
		if (out[i].data.u64 == 3)
			CHECK_EQ(out[i].events, EPOLLHUP);

	/* Closing every fd of a file drops its watch. */
	int dupfd = dup(p[0]);
	CHECK_OK(dupfd);
	CHECK_OK(close(p[0]));
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 2);	/* dupfd keeps it alive */
	CHECK_OK(close(dupfd));
	CHECK_EQ(read(efd, &v, 8), 8);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0);
	int q[2];
	CHECK_OK(pipe(q));
	CHECK_EQ(write(q[1], "n", 1), 1);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0);
	if (q[0] == p[0])
		CHECK_OK(add(ep, q[0], EPOLLIN, 4));	/* no EEXIST */

	/* epoll_pwait: the signal only gets through during the wait. */
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	sigset_t block, empty, cur;
	sigemptyset(&block);
	sigemptyset(&empty);
	sigaddset(&block, SIGUSR1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_EQ(got_usr1, 0);
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
	if (q[0] == p[0])
		CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
	CHECK_ERR(epoll_pwait(ep, out, 8, -1, &empty), EINTR);
	CHECK_EQ(got_usr1, 1);
	CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
	CHECK(sigismember(&cur, SIGUSR1), "mask not restored");
	/* epoll_pwait2 with a timespec. */
	struct timespec ts = { 0, 50000000 };
	t0 = now_ms();
	CHECK_EQ(syscall(SYS_epoll_pwait2, ep, out, 8, &ts, NULL, 8), 0);
	CHECK(now_ms() - t0 >= 45, "pwait2 waited %ld ms", now_ms() - t0);
	ts.tv_nsec = -1;
	CHECK_ERR(syscall(SYS_epoll_pwait2, ep, out, 8, &ts, NULL, 8), EINVAL);

	CHECK_OK(close(q[0]));
	CHECK_OK(close(q[1]));
	CHECK_OK(close(efd));
	CHECK_OK(close(ep2));
	CHECK_OK(close(ep));
	PASS();
}
