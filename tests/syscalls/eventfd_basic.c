/*
 * eventfd_basic: eventfd and eventfd2. read takes the whole count (or 1
 * with EFD_SEMAPHORE) and needs 8 bytes (EINVAL for less); write of
 * exactly 8 bytes adds,
 * refuses 2^64-1 (EINVAL) and blocks (or EAGAIN) past 2^64-2; an empty
 * counter gives EAGAIN with EFD_NONBLOCK and blocks otherwise until a
 * child writes; poll shows POLLIN with a count and POLLOUT while there is
 * room; EFD_CLOEXEC sets the fd flag; bad flags give EINVAL.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
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

int main(void)
{
	uint64_t v;
	int fd = eventfd(3, 0);
	CHECK_OK(fd);
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	char small[4];
	CHECK_ERR(read(fd, small, sizeof(small)), EINVAL);
	CHECK_ERR(write(fd, small, sizeof(small)), EINVAL);
	CHECK_EQ(read(fd, &v, 8), 8);
	CHECK_EQ(v, 3);
	v = 5;
	CHECK_EQ(write(fd, &v, 8), 8);
	v = 7;
	CHECK_EQ(write(fd, &v, 8), 8);
	uint64_t two[2] = { 1, 1 };
	CHECK_ERR(write(fd, two, 16), EINVAL);	/* exactly 8 bytes (Linux 6.x) */
	CHECK_EQ(write(fd, two, 8), 8);
	CHECK_EQ(read(fd, two, 16), 8);
	CHECK_EQ(two[0], 13);
	v = UINT64_MAX;
	CHECK_ERR(write(fd, &v, 8), EINVAL);

	/* Blocking read woken by a child. */
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		sleep_ms(50);
		uint64_t one = 42;
		_exit(write(fd, &one, 8) == 8 ? 0 : 2);
	}
	CHECK_EQ(read(fd, &v, 8), 8);
	CHECK_EQ(v, 42);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	CHECK_OK(close(fd));

	/* Non-blocking, semaphore, close-on-exec. */
	CHECK_ERR(eventfd(0, 0x12345), EINVAL);
	fd = eventfd(2, EFD_NONBLOCK | EFD_SEMAPHORE | EFD_CLOEXEC);
	CHECK_OK(fd);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "O_NONBLOCK");
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK_EQ(pfd.revents, POLLIN | POLLOUT);
	CHECK_EQ(read(fd, &v, 8), 8);
	CHECK_EQ(v, 1);
	CHECK_EQ(read(fd, &v, 8), 8);
	CHECK_EQ(v, 1);
	CHECK_ERR(read(fd, &v, 8), EAGAIN);
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK_EQ(pfd.revents, POLLOUT);
	/* Full: 2^64-2, then EAGAIN and no POLLOUT. */
	v = UINT64_MAX - 1;
	CHECK_EQ(write(fd, &v, 8), 8);
	v = 1;
	CHECK_ERR(write(fd, &v, 8), EAGAIN);
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK_EQ(pfd.revents, POLLIN);
	v = 0;
	CHECK_EQ(write(fd, &v, 8), 8);	/* adding 0 always fits */
	CHECK_OK(close(fd));

	/* The old eventfd syscall takes no flags. */
	fd = (int)syscall(SYS_eventfd, 9);
	CHECK_OK(fd);
	CHECK_EQ(read(fd, &v, 8), 8);
	CHECK_EQ(v, 9);
	CHECK_OK(close(fd));
	PASS();
}
