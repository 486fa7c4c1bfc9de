/*
 * file_ofd_lock: open file description locks (F_OFD_GETLK/SETLK/SETLKW).
 * Two opens of one file in one process are two owners and conflict; dup
 * and fork share the description and so the owner; F_OFD_GETLK reports
 * l_pid -1; l_pid must be 0 on input (EINVAL); OFD and classic POSIX
 * locks of one process conflict; the lock lives until the description's
 * last fd closes; F_OFD_SETLKW waits for the holder.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "proc_util.h"
#include "tmpdir.h"

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

int main(void)
{
	tmpdir_make();
	int a = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_OK(a);
	int b = open("f", O_RDWR);
	CHECK_OK(b);

	CHECK_OK(lk(a, F_OFD_SETLK, F_WRLCK, 0, 10));
	CHECK_ERR(lk(b, F_OFD_SETLK, F_RDLCK, 5, 1), EAGAIN);
	CHECK_OK(lk(b, F_OFD_SETLK, F_WRLCK, 10, 10));
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	CHECK_OK(fcntl(b, F_OFD_GETLK, &fl));
	CHECK_EQ(fl.l_type, F_WRLCK);
	CHECK_EQ(fl.l_start, 0);
	CHECK_EQ(fl.l_len, 10);
	CHECK_EQ(fl.l_pid, -1);
	/* l_pid must be zero. */
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_pid = 1 };
	CHECK_ERR(fcntl(b, F_OFD_GETLK, &fl), EINVAL);
	CHECK_ERR(fcntl(b, F_OFD_SETLK, &fl), EINVAL);
	CHECK_ERR(lk(b, F_OFD_SETLK, 9, 0, 1), EINVAL);

	/* Classic POSIX locks of this very process conflict with the OFD
	 * lock, and F_GETLK sees it with pid -1. */
	CHECK_ERR(lk(a, F_SETLK, F_WRLCK, 0, 1), EAGAIN);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 3, .l_len = 1 };
	CHECK_OK(fcntl(a, F_GETLK, &fl));
	CHECK_EQ(fl.l_type, F_WRLCK);
	CHECK_EQ(fl.l_pid, -1);

	/* dup shares the owner: no conflict, and a close of the dup keeps
	 * the lock (the description is still open). */
	int c = dup(a);
	CHECK_OK(c);
	CHECK_OK(lk(c, F_OFD_SETLK, F_RDLCK, 0, 5));	/* convert part */
	CHECK_OK(close(c));
	CHECK_ERR(lk(b, F_OFD_SETLK, F_WRLCK, 5, 1), EAGAIN);
	CHECK_OK(lk(b, F_OFD_SETLK, F_RDLCK, 0, 5));	/* shared now */

	/* A fork shares it too. */
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_OK(lk(a, F_OFD_SETLK, F_WRLCK, 5, 5));
		CHECK_ERR(lk(b, F_OFD_SETLK, F_WRLCK, 5, 5), EAGAIN);
		_exit(0);
	}
	expect_exit(pid, 0, "fork shares");
	/* The child's exit does not drop it: we still hold a. */
	CHECK_ERR(lk(b, F_OFD_SETLK, F_WRLCK, 5, 5), EAGAIN);

	/* F_OFD_SETLKW waits until the holder closes its description. */
	pid = xfork();
	if (pid == 0) {
		close(a);	/* the parent still has it: nothing is dropped */
		sleep_ms(50);
		_exit(0);
	}
	CHECK_OK(lk(b, F_OFD_SETLK, F_UNLCK, 0, 5));
	int p[2];
	CHECK_OK(pipe(p));
	pid_t waiter = xfork();
	if (waiter == 0) {
		/* A fresh open: its own owner; it waits for a (whose copy
		 * here must go, or the description would outlive the
		 * parent's close). */
		close(a);
		int d = open("f", O_RDWR);
		CHECK_OK(d);
		CHECK_ERR(lk(d, F_OFD_SETLK, F_WRLCK, 0, 10), EAGAIN);
		CHECK_EQ(write(p[1], "x", 1), 1);
		CHECK_OK(lk(d, F_OFD_SETLKW, F_WRLCK, 0, 10));
		_exit(0);
	}
	expect_exit(pid, 0, "close of a copy");
	char ch;
	CHECK_EQ(read(p[0], &ch, 1), 1);
	sleep_ms(50);
	CHECK_OK(close(a));	/* the last reference: the lock goes */
	expect_exit(waiter, 0, "F_OFD_SETLKW");
	CHECK_OK(lk(b, F_OFD_SETLK, F_WRLCK, 0, 0));
	close(b);
	tmpdir_remove();
	PASS();
}
