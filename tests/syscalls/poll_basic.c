/*
 * poll_basic: poll, ppoll, select and pselect6 on pipes and files.
 * An empty pipe is writable, not readable; data makes it readable; a
 * closed writer gives POLLHUP, a closed reader POLLERR; a bad fd POLLNVAL
 * (EBADF for select); negative fds are skipped; regular files are always
 * ready; a zero timeout returns at once and a 100 ms one waits about that
 * long; a child's write wakes a blocked poll and select; ppoll and
 * pselect6 unblock a signal only for the wait (EINTR, the handler runs,
 * the mask is back afterwards); select and raw ppoll write the time left
 * back; bad timeouts and nfds above RLIMIT_NOFILE give EINVAL.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/select.h>
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

static void wait_ok(pid_t pid)
{
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig)
{
	(void)sig;
	got_usr1++;
}

/* A child that sleeps ms and then writes one byte to fd (or signals). */
static pid_t later(long ms, int fd, int sig)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		sleep_ms(ms);
		if (sig)
			kill(parent, sig);
		else if (write(fd, "!", 1) != 1)
			_exit(2);
		_exit(0);
	}
	return pid;
}

int main(void)
{
	int p[2];
	char c;
	CHECK_OK(pipe(p));

	struct pollfd fds[4] = {
		{ .fd = p[0], .events = POLLIN },
		{ .fd = p[1], .events = POLLOUT },
		{ .fd = -1, .events = POLLIN },
		{ .fd = 999, .events = POLLIN },
	};
	CHECK_EQ(poll(fds, 4, 0), 2);
	CHECK_EQ(fds[0].revents, 0);
	CHECK_EQ(fds[1].revents, POLLOUT);
	CHECK_EQ(fds[2].revents, 0);
	CHECK_EQ(fds[3].revents, POLLNVAL);

	/* Timeout. */
	long t0 = now_ms();
	CHECK_EQ(poll(fds, 1, 100), 0);
	long dt = now_ms() - t0;
	CHECK(dt >= 95 && dt < 2000, "poll(100) took %ld ms", dt);

	/* Data, and a wake-up from another process. */
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(poll(fds, 1, -1), 1);
	CHECK_EQ(fds[0].revents, POLLIN);
	CHECK_EQ(read(p[0], &c, 1), 1);
	pid_t pid = later(50, p[1], 0);
	CHECK_EQ(poll(fds, 1, 5000), 1);
	CHECK_EQ(fds[0].revents, POLLIN);
	CHECK_EQ(read(p[0], &c, 1), 1);
	wait_ok(pid);

	/* select: the same, with a timeout written back. */
	fd_set rd, wr;
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(p[0], &rd);
	FD_SET(p[1], &wr);
	struct timeval tv = { 5, 0 };
	CHECK_EQ(syscall(SYS_select, p[1] + 1, &rd, &wr, NULL, &tv), 1);
	CHECK(!FD_ISSET(p[0], &rd) && FD_ISSET(p[1], &wr), "select sets");
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	pid = later(50, p[1], 0);
	tv = (struct timeval){ 5, 0 };
	CHECK_EQ(syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, &tv), 1);
	CHECK(FD_ISSET(p[0], &rd), "select rd");
	CHECK(tv.tv_sec < 5 && tv.tv_sec >= 3, "time left %ld.%06ld", (long)tv.tv_sec,
	      (long)tv.tv_usec);
	CHECK_EQ(read(p[0], &c, 1), 1);
	wait_ok(pid);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv = (struct timeval){ 0, 50000 };
	t0 = now_ms();
	CHECK_EQ(select(p[0] + 1, &rd, NULL, NULL, &tv), 0);
	CHECK(now_ms() - t0 >= 45, "select waited %ld ms", now_ms() - t0);
	CHECK(!FD_ISSET(p[0], &rd), "cleared on timeout");
	CHECK_EQ(select(0, NULL, NULL, NULL, &(struct timeval){ 0, 0 }), 0);
	tv = (struct timeval){ -1, 0 };
	CHECK_ERR(select(1, NULL, NULL, NULL, &tv), EINVAL);
	int bad = dup(p[0]);	/* a closed fd below the table size */
	CHECK_OK(bad);
	CHECK_OK(close(bad));
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	FD_SET(bad, &rd);
	CHECK_ERR(select(bad + 1, &rd, NULL, NULL, NULL), EBADF);

	/* ppoll: timeout checks and write-back. */
	struct timespec ts = { 0, -1 };
	CHECK_ERR(ppoll(fds, 1, &ts, NULL), EINVAL);
	ts = (struct timespec){ 0, 30000000 };
	CHECK_EQ(syscall(SYS_ppoll, fds, 1, &ts, NULL, 8), 0);
	CHECK(ts.tv_sec == 0 && ts.tv_nsec < 30000000, "left %ld", ts.tv_nsec);
	struct rlimit rl;
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
	CHECK_ERR(poll(fds, rl.rlim_cur + 1, 0), EINVAL);

	/* ppoll and pselect6 with a signal mask. */
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	sigset_t block, empty, cur;
	sigemptyset(&block);
	sigemptyset(&empty);
	sigaddset(&block, SIGUSR1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	pid = later(50, -1, SIGUSR1);
	CHECK_ERR(ppoll(fds, 1, NULL, &empty), EINTR);
	CHECK_EQ(got_usr1, 1);
	CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
	CHECK(sigismember(&cur, SIGUSR1), "mask not restored after ppoll");
	wait_ok(pid);
	/* Blocked during a plain wait: it stays pending until ppoll opens it. */
	pid = later(10, -1, SIGUSR1);
	wait_ok(pid);
	CHECK_EQ(poll(fds, 1, 50), 0);
	CHECK_EQ(got_usr1, 1);
	ts = (struct timespec){ 5, 0 };
	CHECK_ERR(ppoll(fds, 1, &ts, &empty), EINTR);
	CHECK_EQ(got_usr1, 2);
	/* Ready at once: the mask is restored, the signal stays pending. */
	pid = later(10, -1, SIGUSR1);
	wait_ok(pid);
	CHECK_EQ(write(p[1], "y", 1), 1);
	CHECK_EQ(ppoll(fds, 1, NULL, &block), 1);
	CHECK_EQ(got_usr1, 2);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	CHECK_EQ(pselect(p[0] + 1, &rd, NULL, NULL, NULL, &block), 1);
	CHECK_EQ(read(p[0], &c, 1), 1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	CHECK_ERR(pselect(p[0] + 1, &rd, NULL, NULL, NULL, &empty), EINTR);
	CHECK_EQ(got_usr1, 3);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));

	/* HUP and ERR. */
	CHECK_OK(close(p[1]));
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	CHECK_EQ(poll(fds, 1, 0), 1);
	CHECK_EQ(fds[0].revents, POLLHUP);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	CHECK_EQ(select(p[0] + 1, &rd, NULL, NULL, NULL), 1);	/* EOF is readable */
	CHECK_OK(close(p[0]));
	CHECK_OK(pipe(p));
	CHECK_OK(close(p[0]));
	fds[0] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	CHECK_EQ(poll(fds, 1, 0), 1);
	CHECK_EQ(fds[0].revents, POLLOUT | POLLERR);
	CHECK_OK(close(p[1]));

	/* A regular file is always ready. */
	tmpdir_make();
	int fd = open("f", O_CREAT | O_RDWR, 0600);
	CHECK_OK(fd);
	fds[0] = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	CHECK_EQ(poll(fds, 1, -1), 1);
	CHECK_EQ(fds[0].revents, POLLIN | POLLOUT);
	CHECK_OK(close(fd));
	tmpdir_remove();
	PASS();
}
