/*
 * file_lock: POSIX record locks (fcntl F_GETLK/F_SETLK/F_SETLKW). Locks
 * belong to the process: another process sees them (F_GETLK reports the
 * holder's range and pid) and conflicts with them, the owner's own never;
 * an owner's ranges split on unlock and merge when adjacent and of one
 * type; l_whence SEEK_SET/CUR/END, l_len 0 (to EOF and beyond) and
 * negative; EINVAL/EBADF as Linux; closing *any* fd of the file drops
 * the process's locks, and so does exit; a fork inherits none. F_SETLKW
 * waits for the holder, reports EDEADLK for a cycle, is interrupted by a
 * signal (EINTR) or restarted under SA_RESTART.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "proc_util.h"
#include "tmpdir.h"

static int setlk(int fd, int cmd, short type, short whence, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* F_GETLK for [start, start+len): fills *out. */
static void getlk(int fd, short type, off_t start, off_t len, struct flock *out)
{
	*out = (struct flock){ .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	CHECK_OK(fcntl(fd, F_GETLK, out));
}

/* In a child: F_GETLK of [start, start+len) must report the given lock
 * (type F_UNLCK: none). */
static void expect_lock(int fd, off_t start, off_t len, short type, off_t lstart, off_t llen,
			pid_t holder)
{
	pid_t pid = xfork();
	if (pid == 0) {
		struct flock fl;
		getlk(fd, F_WRLCK, start, len, &fl);
		CHECK_EQ(fl.l_type, type);
		if (type != F_UNLCK) {
			CHECK_EQ(fl.l_whence, SEEK_SET);
			CHECK_EQ(fl.l_start, lstart);
			CHECK_EQ(fl.l_len, llen);
			CHECK_EQ(fl.l_pid, holder);
		} else {
			CHECK_EQ(fl.l_start, start);
			CHECK_EQ(fl.l_len, len);
		}
		_exit(0);
	}
	expect_exit(pid, 0, "expect_lock");
}

static void on_signal(int sig)
{
	(void)sig;
}

int main(void)
{
	tmpdir_make();
	int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_OK(fd);
	char buf[1000] = { 0 };
	CHECK_EQ(write(fd, buf, sizeof(buf)), sizeof(buf));
	pid_t me = getpid();

	/* No locks: F_GETLK answers F_UNLCK and leaves the rest. */
	struct flock fl;
	getlk(fd, F_WRLCK, 3, 7, &fl);
	CHECK_EQ(fl.l_type, F_UNLCK);
	CHECK_EQ(fl.l_start, 3);
	CHECK_EQ(fl.l_len, 7);

	/* A write lock on [0, 10): another process sees it; our own never
	 * conflicts with us. */
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	getlk(fd, F_WRLCK, 0, 10, &fl);
	CHECK_EQ(fl.l_type, F_UNLCK);
	expect_lock(fd, 5, 1, F_WRLCK, 0, 10, me);
	expect_lock(fd, 10, 5, F_UNLCK, 0, 0, 0);
	pid_t pid = xfork();
	if (pid == 0) {
		/* Not inherited: the child is another owner. */
		CHECK_ERR(setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 5, 1), EAGAIN);
		CHECK_ERR(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 9, 100), EAGAIN);
		CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 5));
		_exit(0);	/* exit drops the child's lock */
	}
	expect_exit(pid, 0, "conflicts");
	expect_lock(fd, 10, 5, F_UNLCK, 0, 0, 0);

	/* Split: write lock [0, 100), unlock [40, 50). */
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100));
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 40, 10));
	expect_lock(fd, 40, 10, F_UNLCK, 0, 0, 0);
	expect_lock(fd, 35, 10, F_WRLCK, 0, 40, me);
	expect_lock(fd, 45, 10, F_WRLCK, 50, 50, me);
	/* A read lock in the hole stays apart; a write lock merges all. */
	CHECK_OK(setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 40, 10));
	expect_lock(fd, 42, 1, F_RDLCK, 40, 10, me);
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 40, 10));
	expect_lock(fd, 42, 1, F_WRLCK, 0, 100, me);
	/* Downgrade the middle: [0,30) W, [30,60) R, [60,100) W. */
	CHECK_OK(setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 30, 30));
	expect_lock(fd, 31, 1, F_RDLCK, 30, 30, me);
	expect_lock(fd, 61, 1, F_WRLCK, 60, 40, me);
	pid = xfork();
	if (pid == 0) {
		CHECK_OK(setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 35, 5));	/* shared */
		CHECK_ERR(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 35, 5), EAGAIN);
		_exit(0);
	}
	expect_exit(pid, 0, "shared read");

	/* Unlock everything: l_len 0 reaches past EOF. */
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	expect_lock(fd, 0, 0, F_UNLCK, 0, 0, 0);
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 200, 0));
	expect_lock(fd, 1000000, 1, F_WRLCK, 200, 0, me);
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));

	/* Negative l_len: [start+len, start). */
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 300, -50));
	expect_lock(fd, 0, 0, F_WRLCK, 250, 50, me);
	CHECK_ERR(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, -11), EINVAL);
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));

	/* SEEK_CUR and SEEK_END. */
	CHECK_EQ(lseek(fd, 500, SEEK_SET), 500);
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_CUR, 10, 5));
	expect_lock(fd, 0, 0, F_WRLCK, 510, 5, me);
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_END, -100, 10));
	expect_lock(fd, 0, 0, F_WRLCK, 900, 10, me);
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	CHECK_ERR(setlk(fd, F_SETLK, F_WRLCK, SEEK_END, -2000, 10), EINVAL);
	CHECK_ERR(setlk(fd, F_SETLK, F_WRLCK, 7, 0, 10), EINVAL);
	CHECK_ERR(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 10), EINVAL);
	CHECK_ERR(setlk(fd, F_SETLK, 42, SEEK_SET, 0, 10), EINVAL);
	fl = (struct flock){ .l_type = F_UNLCK, .l_whence = SEEK_SET };
	CHECK_ERR(fcntl(fd, F_GETLK, &fl), EINVAL);
	CHECK_ERR(fcntl(fd, F_SETLK, (struct flock *)8), EFAULT);
	CHECK_ERR(setlk(999, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF);

	/* The lock type must match the open mode. */
	int rd = open("f", O_RDONLY), wr = open("f", O_WRONLY);
	CHECK_OK(rd);
	CHECK_OK(wr);
	CHECK_ERR(setlk(rd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF);
	CHECK_ERR(setlk(wr, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), EBADF);
	CHECK_OK(setlk(rd, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	CHECK_OK(setlk(wr, F_SETLK, F_WRLCK, SEEK_SET, 5, 1));
	CHECK_OK(setlk(rd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
	int opath = open("f", O_PATH);
	CHECK_OK(opath);
	CHECK_ERR(setlk(opath, F_SETLK, F_UNLCK, SEEK_SET, 0, 1), EBADF);
	close(opath);

	/* Closing any fd of the file drops all of the process's locks on it,
	 * even those taken through another fd. */
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	expect_lock(fd, 0, 0, F_WRLCK, 0, 10, me);
	CHECK_OK(close(rd));
	expect_lock(fd, 0, 0, F_UNLCK, 0, 0, 0);
	CHECK_OK(close(wr));

	/* F_SETLKW waits until the holder lets go. */
	int p[2];
	CHECK_OK(pipe(p));
	pid = xfork();
	if (pid == 0) {
		CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
		CHECK_EQ(write(p[1], "x", 1), 1);
		sleep_ms(50);
		CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 10));
		sleep_ms(1000);
		_exit(0);
	}
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_ERR(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, 1), EAGAIN);
	CHECK_OK(setlk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 5, 1));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));

	/* EDEADLK: we hold [0,1) and the child [1,2); each then waits for
	 * the other's. Whichever comes second is refused; the other gets
	 * its lock once the refused one gives up. */
	int q[2];
	CHECK_OK(pipe(q));
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	pid = xfork();
	if (pid == 0) {
		CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1));
		CHECK_EQ(write(q[1], "x", 1), 1);
		if (setlk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == 0)
			_exit(1);
		CHECK_EQ(errno, EDEADLK);
		CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 1, 1));
		_exit(2);
	}
	CHECK_EQ(read(q[0], &c, 1), 1);
	sleep_ms(100);	/* most likely the child waits now; either way works */
	if (setlk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1) == 0) {
		expect_exit(pid, 2, "child refused");
	} else {
		CHECK_EQ(errno, EDEADLK);
		CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
		expect_exit(pid, 1, "child got the lock");
	}
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));

	/* A signal interrupts F_SETLKW (EINTR without SA_RESTART); with
	 * SA_RESTART the wait goes on until the lock comes. */
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	pid = xfork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_signal };
		CHECK_OK(sigaction(SIGALRM, &sa, NULL));
		alarm(1);
		CHECK_ERR(setlk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1), EINTR);
		CHECK_EQ(write(q[1], "x", 1), 1);
		sa.sa_flags = SA_RESTART;
		CHECK_OK(sigaction(SIGALRM, &sa, NULL));
		alarm(1);
		CHECK_OK(setlk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
		_exit(0);
	}
	CHECK_EQ(read(q[0], &c, 1), 1);	/* the child was interrupted */
	sleep_ms(1500);	/* likely past its second alarm (either way works) */
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
	expect_exit(pid, 0, "interrupted wait");

	close(fd);
	tmpdir_remove();
	PASS();
}
