/*
 * pipe_fork: pipes between processes. 8 MiB flow from a child to the
 * parent intact (blocking writes wait for the reader); four children each
 * write PIPE_BUF-sized records that arrive whole (atomic writes); a read
 * larger than the data held returns at once, even when the pipe is full;
 * EOF comes when the last writer (in any process) exits; a blocked read is
 * interrupted by a signal with EINTR, and restarted under SA_RESTART; a
 * child writing to a pipe without readers dies of SIGPIPE.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
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

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + i / 4099);
}

int main(void)
{
	int p[2];
	static unsigned char buf[1 << 17];

	/* 8 MiB from a child. */
	const size_t total = 8 << 20;
	CHECK_OK(pipe(p));
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		close(p[0]);
		static unsigned char out[100000];
		for (size_t off = 0; off < total;) {
			size_t n = total - off < sizeof(out) ? total - off : sizeof(out);
			for (size_t i = 0; i < n; i++)
				out[i] = pattern(off + i);
			ssize_t w = write(p[1], out, n);
			if (w != (ssize_t)n)
				_exit(2);
			off += n;
		}
		_exit(0);
	}
	CHECK_OK(close(p[1]));
	size_t got = 0;
	for (;;) {
		ssize_t r = read(p[0], buf, sizeof(buf));
		CHECK(r >= 0, "read");
		if (r == 0)
			break;
		for (ssize_t i = 0; i < r; i++)
			CHECK(buf[i] == pattern(got + i), "byte %zu", got + i);
		got += r;
	}
	CHECK_EQ(got, total);
	wait_ok(pid);
	CHECK_OK(close(p[0]));

	/* Atomic PIPE_BUF records from four writers. */
	CHECK_OK(pipe(p));
	pid_t kids[4];
	for (int k = 0; k < 4; k++) {
		kids[k] = fork();
		CHECK_OK(kids[k]);
		if (kids[k] == 0) {
			close(p[0]);
			static char rec[PIPE_BUF];
			memset(rec, 'a' + k, sizeof(rec));
			for (int i = 0; i < 64; i++)
				if (write(p[1], rec, sizeof(rec)) != sizeof(rec))
					_exit(2);
			_exit(0);
		}
	}
	CHECK_OK(close(p[1]));
	int counts[4] = { 0 };
	size_t have = 0;
	for (;;) {
		ssize_t r = read(p[0], buf + have, PIPE_BUF - have);
		CHECK(r >= 0, "read");
		if (r == 0)
			break;
		have += r;
		if (have < PIPE_BUF)
			continue;
		int k = buf[0] - 'a';
		CHECK(k >= 0 && k < 4, "record tag %d", buf[0]);
		for (size_t i = 0; i < PIPE_BUF; i++)
			CHECK(buf[i] == buf[0], "record mixed at %zu", i);
		counts[k]++;
		have = 0;
	}
	CHECK_EQ(have, 0);
	for (int k = 0; k < 4; k++) {
		CHECK_EQ(counts[k], 64);
		wait_ok(kids[k]);
	}
	CHECK_OK(close(p[0]));

	/* A full pipe, then a read of more than it holds: no waiting. */
	CHECK_OK(pipe(p));
	memset(buf, 'q', sizeof(buf));
	CHECK_OK(fcntl(p[1], F_SETFL, O_NONBLOCK));
	CHECK_EQ(write(p[1], buf, sizeof(buf)), 65536);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 65536);
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));

	/* A blocked read: EINTR from a handler without SA_RESTART... */
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(pipe(p));
	pid_t parent = getpid();
	pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		sleep_ms(100);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	CHECK_ERR(read(p[0], buf, 10), EINTR);
	CHECK_EQ(got_usr1, 1);
	wait_ok(pid);
	/* ...and restarted with SA_RESTART, to return the data written
	 * after the signal. */
	sa.sa_flags = SA_RESTART;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		sleep_ms(100);
		kill(parent, SIGUSR1);
		sleep_ms(100);
		if (write(p[1], "late", 4) != 4)
			_exit(2);
		_exit(0);
	}
	CHECK_EQ(read(p[0], buf, 10), 4);
	CHECK(memcmp(buf, "late", 4) == 0, "got %.4s", buf);
	CHECK_EQ(got_usr1, 2);
	wait_ok(pid);

	/* EOF once the last writer, in another process, exits. */
	pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		sleep_ms(50);
		_exit(write(p[1], "bye", 3) == 3 ? 0 : 2);
	}
	CHECK_OK(close(p[1]));
	CHECK_EQ(read(p[0], buf, 10), 3);
	CHECK_EQ(read(p[0], buf, 10), 0);
	wait_ok(pid);
	CHECK_OK(close(p[0]));

	/* A child writing to a pipe with no reader dies of SIGPIPE. */
	CHECK_OK(pipe(p));
	CHECK_OK(close(p[0]));
	pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		ssize_t r = write(p[1], "x", 1);
		(void)r;
		_exit(3);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "status %#x", st);
	CHECK_OK(close(p[1]));
	PASS();
}
