/*
 * file_ioctl: the generic ioctls on regular files and pipes: FIONREAD
 * (size minus position, negative past EOF as Linux; bytes in the pipe), FIONBIO (sets and
 * clears O_NONBLOCK), FIOCLEX/FIONCLEX (the fd's close-on-exec flag);
 * EBADF for O_PATH fds, ENOTTY for unknown requests.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"

int main(void)
{
	tmpdir_make();
	int fd = open("f", O_RDWR | O_CREAT, 0644);
	CHECK_OK(fd);
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	int n = -1;
	CHECK_OK(ioctl(fd, FIONREAD, &n));
	CHECK_EQ(n, 0);
	CHECK_EQ(lseek(fd, 3, SEEK_SET), 3);
	CHECK_OK(ioctl(fd, FIONREAD, &n));
	CHECK_EQ(n, 7);
	CHECK_EQ(lseek(fd, 20, SEEK_SET), 20);
	CHECK_OK(ioctl(fd, FIONREAD, &n));
	CHECK_EQ(n, -10);	/* Linux: size - position, even past EOF */

	int on = 1;
	CHECK_OK(ioctl(fd, FIONBIO, &on));
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "FIONBIO on");
	on = 0;
	CHECK_OK(ioctl(fd, FIONBIO, &on));
	CHECK(!(fcntl(fd, F_GETFL) & O_NONBLOCK), "FIONBIO off");
	CHECK_OK(ioctl(fd, FIOCLEX));
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_OK(ioctl(fd, FIONCLEX));
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	CHECK_ERR(ioctl(fd, 0x12345678, &n), ENOTTY);

	int p[2];
	CHECK_OK(pipe(p));
	CHECK_OK(ioctl(p[0], FIONREAD, &n));
	CHECK_EQ(n, 0);
	CHECK_EQ(write(p[1], "abcde", 5), 5);
	CHECK_OK(ioctl(p[0], FIONREAD, &n));
	CHECK_EQ(n, 5);
	on = 1;
	CHECK_OK(ioctl(p[0], FIONBIO, &on));
	char buf[8];
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 5);
	CHECK_ERR(read(p[0], buf, sizeof(buf)), EAGAIN);
	CHECK_OK(ioctl(p[1], FIOCLEX));
	CHECK_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);

	int opath = open("f", O_PATH);
	CHECK_OK(opath);
	CHECK_ERR(ioctl(opath, FIONREAD, &n), EBADF);
	CHECK_ERR(ioctl(opath, FIOCLEX), EBADF);
	CHECK_ERR(ioctl(999, FIONREAD, &n), EBADF);
	close(opath);
	close(fd);
	tmpdir_remove();
	PASS();
}
