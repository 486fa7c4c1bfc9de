/*
 * file_flock: flock(2). Locks belong to the open file description: two
 * opens conflict (EWOULDBLOCK with LOCK_NB), dup and fork share one;
 * shared locks coexist; a conversion that fails drops the old lock (as
 * Linux); LOCK_UN through any copy releases it, and so does the last
 * close; flock and fcntl locks ignore each other; a blocked flock waits
 * for the holder and a signal interrupts it (EINTR); bad operations give
 * EINVAL, bad fds EBADF.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "proc_util.h"
#include "tmpdir.h"

static void on_signal(int sig)
{
	(void)sig;
}

int main(void)
{
	tmpdir_make();
	int a = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_OK(a);
	int b = open("f", O_RDONLY);
	CHECK_OK(b);

	CHECK_OK(flock(a, LOCK_EX));
	CHECK_OK(flock(a, LOCK_EX | LOCK_NB));	/* already held */
	CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);

	/* flock and fcntl locks are independent. */
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	CHECK_OK(fcntl(b, F_SETLK, &fl));
	fl.l_type = F_UNLCK;
	CHECK_OK(fcntl(b, F_SETLK, &fl));

	/* dup shares the lock: LOCK_UN through the copy releases it. */
	int c = dup(a);
	CHECK_OK(c);
	CHECK_OK(flock(c, LOCK_UN));
	CHECK_OK(flock(b, LOCK_SH | LOCK_NB));
	CHECK_OK(flock(a, LOCK_SH | LOCK_NB));	/* shared with b */
	/* Upgrading while b shares it fails, and drops a's shared lock. */
	CHECK_ERR(flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_OK(flock(b, LOCK_EX | LOCK_NB));	/* nobody else holds it now */
	CHECK_OK(flock(b, LOCK_UN));
	CHECK_OK(flock(b, LOCK_UN));		/* unlocking twice is fine */

	/* A fork shares the description and its lock. */
	CHECK_OK(flock(a, LOCK_EX));
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_OK(flock(a, LOCK_EX | LOCK_NB));
		CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
		CHECK_OK(flock(a, LOCK_UN));	/* for the parent too */
		_exit(0);
	}
	expect_exit(pid, 0, "fork shares");
	CHECK_OK(flock(b, LOCK_EX | LOCK_NB));
	CHECK_OK(flock(b, LOCK_UN));

	/* The last close releases it; a close of a copy does not. */
	CHECK_OK(flock(a, LOCK_EX));
	CHECK_OK(close(c));
	CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);

	/* A blocked flock waits for the holder. */
	int p[2];
	CHECK_OK(pipe(p));
	pid = xfork();
	if (pid == 0) {
		close(a);	/* else the description outlives the parent's close */
		int d = open("f", O_RDONLY);
		CHECK_OK(d);
		CHECK_EQ(write(p[1], "x", 1), 1);
		CHECK_OK(flock(d, LOCK_SH));
		_exit(0);
	}
	char ch;
	CHECK_EQ(read(p[0], &ch, 1), 1);
	sleep_ms(50);
	CHECK_OK(close(a));
	expect_exit(pid, 0, "blocked flock");

	/* A signal interrupts the wait (no SA_RESTART). */
	a = open("f", O_RDWR);
	CHECK_OK(a);
	CHECK_OK(flock(a, LOCK_EX));
	pid = xfork();
	if (pid == 0) {
		int d = open("f", O_RDONLY);
		CHECK_OK(d);
		struct sigaction sa = { .sa_handler = on_signal };
		CHECK_OK(sigaction(SIGALRM, &sa, NULL));
		alarm(1);
		CHECK_ERR(flock(d, LOCK_SH), EINTR);
		_exit(0);
	}
	expect_exit(pid, 0, "interrupted flock");

	CHECK_ERR(flock(a, 0), EINVAL);
	CHECK_ERR(flock(a, LOCK_SH | LOCK_EX), EINVAL);
	CHECK_ERR(flock(a, LOCK_NB), EINVAL);
	CHECK_ERR(flock(999, LOCK_SH), EBADF);
	int opath = open("f", O_PATH);
	CHECK_OK(opath);
	CHECK_ERR(flock(opath, LOCK_SH), EBADF);
	close(opath);
	close(a);
	close(b);
	tmpdir_remove();
	PASS();
}
