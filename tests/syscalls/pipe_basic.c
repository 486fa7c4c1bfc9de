/*
 * pipe_basic: pipe(2) and pipe2(2). Data comes out in order; pipe2 takes
 * O_CLOEXEC, O_NONBLOCK and O_DIRECT and refuses other flags (EINVAL) and
 * a bad address (EFAULT); an empty pipe gives EAGAIN with O_NONBLOCK and
 * EOF (0) once every writer is closed; a write with no reader fails with
 * EPIPE and raises SIGPIPE (caught by a handler, or left pending when
 * blocked); a full pipe (64 KiB by default) gives EAGAIN or a partial
 * write, while a write of at most PIPE_BUF is all or nothing; a read
 * larger than the data returns what is there; F_GETPIPE_SZ/F_SETPIPE_SZ
 * (rounded to a power of two pages, EBUSY below the data held, EBADF on
 * other files); FIONREAD; fstat gives S_IFIFO; lseek and pread give
 * ESPIPE; F_SETFL toggles O_NONBLOCK.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t got_sigpipe;

static void on_sigpipe(int sig)
{
	(void)sig;
	got_sigpipe++;
}

int main(void)
{
	int p[2];
	char buf[256];

	/* Order and partial reads. */
	CHECK_OK(pipe(p));
	CHECK_EQ(write(p[1], "hello", 5), 5);
	CHECK_EQ(write(p[1], " world", 6), 6);
	CHECK_EQ(read(p[0], buf, 3), 3);
	CHECK(memcmp(buf, "hel", 3) == 0, "got %.3s", buf);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 8);
	CHECK(memcmp(buf, "lo world", 8) == 0, "got %.8s", buf);
	int n = -1;
	CHECK_OK(ioctl(p[0], FIONREAD, &n));
	CHECK_EQ(n, 0);
	CHECK_EQ(write(p[1], "abc", 3), 3);
	CHECK_OK(ioctl(p[0], FIONREAD, &n));
	CHECK_EQ(n, 3);

	struct stat st;
	CHECK_OK(fstat(p[0], &st));
	CHECK(S_ISFIFO(st.st_mode), "mode %o", st.st_mode);
	CHECK_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE);
	CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE);
	CHECK_ERR(write(p[0], "x", 1), EBADF);
	CHECK_ERR(read(p[1], buf, 1), EBADF);

	/* EOF after the writer closes, data first. */
	CHECK_OK(close(p[1]));
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 3);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 0);
	CHECK_OK(close(p[0]));

	/* pipe2 flags. */
	CHECK_ERR(pipe2(p, O_APPEND), EINVAL);
	CHECK_ERR(syscall(SYS_pipe2, 8L, 0L), EFAULT);
	CHECK_OK(pipe2(p, O_DIRECT));	/* packet mode: accepted */
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
	CHECK_OK(pipe2(p, O_CLOEXEC | O_NONBLOCK));
	CHECK_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK, "no O_NONBLOCK");
	CHECK_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
	CHECK_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	CHECK_ERR(read(p[0], buf, 1), EAGAIN);

	/* Capacity: 64 KiB, then EAGAIN; a partial write of a big buffer. */
	CHECK_EQ(fcntl(p[1], F_GETPIPE_SZ), 65536);
	static char big[200000];
	memset(big, 'z', sizeof(big));
	CHECK_EQ(write(p[1], big, 65536 - 100), 65536 - 100);
	CHECK_ERR(write(p[1], big, 200), EAGAIN);	/* <= PIPE_BUF: atomic */
	CHECK_EQ(write(p[1], big, 100), 100);
	CHECK_ERR(write(p[1], big, 1), EAGAIN);
	CHECK_OK(ioctl(p[0], FIONREAD, &n));
	CHECK_EQ(n, 65536);
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
	CHECK_EQ(read(p[0], big, sizeof(big)), 65536);
	CHECK_ERR(read(p[0], big, 1), EAGAIN);
	CHECK_EQ(write(p[1], big, sizeof(big)), 65536);	/* > PIPE_BUF: partial */
	CHECK_EQ(read(p[0], big, sizeof(big)), 65536);

	/* F_SETPIPE_SZ rounds up to a power of two pages. */
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 1), 4096);
	CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), 4096);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 5000), 8192);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 100000), 131072);
	CHECK_EQ(write(p[1], big, sizeof(big)), 131072);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 262144), 262144);	/* keeps the data */
	CHECK_EQ(write(p[1], "tail", 4), 4);
	CHECK_EQ(read(p[0], big, sizeof(big)), 131072 + 4);
	CHECK(memcmp(big + 131072, "tail", 4) == 0, "data lost in resize");
	CHECK_ERR(fcntl(0, F_GETPIPE_SZ), EBADF);
	CHECK_ERR(fcntl(-1, F_GETPIPE_SZ), EBADF);

	/* F_SETFL clears O_NONBLOCK. */
	CHECK_OK(fcntl(p[0], F_SETFL, 0));
	CHECK_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);

	/* No reader: EPIPE and SIGPIPE to a handler. */
	struct sigaction sa = { .sa_handler = on_sigpipe };
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGPIPE, &sa, NULL));
	CHECK_OK(close(p[0]));
	CHECK_ERR(write(p[1], "x", 1), EPIPE);
	CHECK_EQ(got_sigpipe, 1);
	/* Blocked: EPIPE, and SIGPIPE stays pending. */
	sigset_t set, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	CHECK_ERR(write(p[1], "x", 1), EPIPE);
	CHECK_OK(sigpending(&pend));
	CHECK(sigismember(&pend, SIGPIPE), "SIGPIPE not pending");
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
	CHECK_EQ(got_sigpipe, 2);
	/* Ignored: EPIPE only. */
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(p[1], "x", 1), EPIPE);
	CHECK_EQ(got_sigpipe, 2);
	CHECK_OK(close(p[1]));

	/* Zero-length I/O. */
	CHECK_OK(pipe(p));
	CHECK_EQ(write(p[1], big, 0), 0);
	CHECK_EQ(read(p[0], big, 0), 0);
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
	PASS();
}
