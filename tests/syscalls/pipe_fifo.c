/*
 * pipe_fifo: FIFOs made by mknod(S_IFIFO) and mkfifo. stat says S_IFIFO;
 * O_RDONLY|O_NONBLOCK opens at once and reads EOF with no writer;
 * O_WRONLY|O_NONBLOCK without a reader gives ENXIO; a blocking O_RDONLY
 * open waits for a writer from another process (and the reverse); O_RDWR
 * never waits; data flows between opens; data left when every end closes
 * is gone at the next open; lseek gives ESPIPE; F_GETPIPE_SZ works.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
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

int main(void)
{
	char buf[64];
	const char *path = "fifo";
	tmpdir_make();
	umask(022);
	CHECK_OK(mknod(path, S_IFIFO | 0644, 0));
	struct stat st;
	CHECK_OK(stat(path, &st));
	CHECK(S_ISFIFO(st.st_mode), "mode %o", st.st_mode);
	CHECK_EQ(st.st_mode & 0777, 0644);

	/* Non-blocking opens. */
	CHECK_ERR(open(path, O_WRONLY | O_NONBLOCK), ENXIO);
	int r = open(path, O_RDONLY | O_NONBLOCK);
	CHECK_OK(r);
	CHECK_EQ(read(r, buf, sizeof(buf)), 0);
	int w = open(path, O_WRONLY | O_NONBLOCK);
	CHECK_OK(w);
	CHECK_EQ(write(w, "abc", 3), 3);
	CHECK_EQ(fcntl(w, F_GETPIPE_SZ), 65536);
	CHECK_ERR(lseek(r, 0, SEEK_SET), ESPIPE);
	CHECK_OK(fstat(w, &st));
	CHECK(S_ISFIFO(st.st_mode), "fstat mode %o", st.st_mode);
	CHECK_EQ(read(r, buf, sizeof(buf)), 3);
	CHECK(memcmp(buf, "abc", 3) == 0, "data");
	/* Unread data is dropped when every end closes. */
	CHECK_EQ(write(w, "lost", 4), 4);
	CHECK_OK(close(w));
	CHECK_OK(close(r));
	r = open(path, O_RDWR);
	CHECK_OK(r);
	CHECK_OK(fcntl(r, F_SETFL, O_NONBLOCK));
	CHECK_ERR(read(r, buf, sizeof(buf)), EAGAIN);
	CHECK_EQ(write(r, "rw", 2), 2);
	CHECK_EQ(read(r, buf, sizeof(buf)), 2);
	CHECK_OK(close(r));

	/* A blocking reader open waits for the writer. */
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		sleep_ms(150);
		int fd = open(path, O_WRONLY);
		if (fd < 0 || write(fd, "hello", 5) != 5)
			_exit(2);
		_exit(0);
	}
	long t0 = now_ms();
	r = open(path, O_RDONLY);
	CHECK_OK(r);
	CHECK(now_ms() - t0 >= 100, "open did not wait (%ld ms)", now_ms() - t0);
	CHECK_EQ(read(r, buf, sizeof(buf)), 5);
	CHECK_EQ(read(r, buf, sizeof(buf)), 0);	/* the writer exited */
	wait_ok(pid);
	CHECK_OK(close(r));

	/* A blocking writer open waits for the reader. */
	pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		sleep_ms(150);
		int fd = open(path, O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf)) != 3)
			_exit(2);
		_exit(0);
	}
	t0 = now_ms();
	w = open(path, O_WRONLY);
	CHECK_OK(w);
	CHECK(now_ms() - t0 >= 100, "open did not wait (%ld ms)", now_ms() - t0);
	CHECK_EQ(write(w, "xyz", 3), 3);
	wait_ok(pid);
	/* The reader is gone: EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(w, "x", 1), EPIPE);
	CHECK_OK(close(w));

	CHECK_OK(unlink(path));
	CHECK_OK(mkfifo(path, 0600));
	CHECK_OK(unlink(path));
	tmpdir_remove();
	PASS();
}
