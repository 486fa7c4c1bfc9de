/*
 * close_range: closing a range of fds (the ones past the table's end
 * included), CLOSE_RANGE_CLOEXEC marking them instead, CLOSE_RANGE_UNSHARE
 * giving a thread that shares the fd table a private copy first (the
 * other threads keep their fds); EINVAL for bad flags or first > last.
 */
#include <fcntl.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

static long cr(unsigned first, unsigned last, unsigned flags)
{
	return syscall(SYS_close_range, first, last, flags);
}

static int base;

static void *unshare_thread(void *arg)
{
	(void)arg;
	CHECK_OK(cr((unsigned)base, ~0U, CLOSE_RANGE_UNSHARE));
	CHECK_ERR(fcntl(base, F_GETFD), EBADF);
	return NULL;
}

int main(void)
{
	base = open("/dev/null", O_RDONLY);
	CHECK_OK(base);
	for (int i = 1; i < 6; i++)
		CHECK_EQ(dup(base), base + i);

	CHECK_OK(cr((unsigned)base + 1, (unsigned)base + 2, 0));
	CHECK_ERR(fcntl(base + 1, F_GETFD), EBADF);
	CHECK_ERR(fcntl(base + 2, F_GETFD), EBADF);
	CHECK_OK(fcntl(base + 3, F_GETFD));

	CHECK_OK(cr((unsigned)base + 3, (unsigned)base + 4, CLOSE_RANGE_CLOEXEC));
	CHECK_EQ(fcntl(base + 3, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(base + 4, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(base + 5, F_GETFD), 0);

	CHECK_ERR(cr(10, 9, 0), EINVAL);
	CHECK_ERR(cr(0, ~0U, 1), EINVAL);
	CHECK_ERR(cr(0, ~0U, 8), EINVAL);
	CHECK_OK(cr(100000, ~0U, 0));	/* nothing there: fine */

	/* A thread unshares and closes everything from base on; ours stay. */
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, unshare_thread, NULL), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_OK(fcntl(base, F_GETFD));
	CHECK_OK(fcntl(base + 5, F_GETFD));

	/* Up to ~0U: everything from base. */
	CHECK_OK(cr((unsigned)base, ~0U, 0));
	CHECK_ERR(fcntl(base, F_GETFD), EBADF);
	CHECK_ERR(fcntl(base + 5, F_GETFD), EBADF);
	PASS();
}
