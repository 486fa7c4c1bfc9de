/*
 * stdio: the inherited standard descriptors. write and writev to fd 1 and
 * fd 2 return the full count (writev: the sum of the iovecs, empty iovecs
 * included); read and readv on stdin, which the runner makes /dev/null,
 * return 0 (end of file); zero-length reads and writes return 0; /dev/null
 * is not a terminal (TCGETS and TIOCGWINSZ are ENOTTY). Errors: a closed
 * or negative fd EBADF, a bad buffer EFAULT, a negative or > IOV_MAX
 * iovec count EINVAL, a bad iovec array EFAULT.
 * Run it with stdin from /dev/null.
 */
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"

#define S(str) str, sizeof(str) - 1

int main(void)
{
	CHECK_EQ(write(1, S("stdio: write to stdout\n")), 23);
	CHECK_EQ(write(2, S("stdio: write to stderr\n")), 23);
	CHECK_EQ(syscall(SYS_write, 1, S("stdio: raw write to stdout\n")), 27);
	CHECK_EQ(write(1, "", 0), 0);

	struct iovec iov[4] = {
		{ "stdio: ", 7 },
		{ "", 0 },
		{ "writev to ", 10 },
		{ NULL, 0 },
	};
	iov[3].iov_base = "stdout\n";
	iov[3].iov_len = 7;
	CHECK_EQ(writev(1, iov, 4), 24);
	iov[3].iov_base = "stderr\n";
	CHECK_EQ(writev(2, iov, 4), 24);
	CHECK_EQ(writev(1, iov, 0), 0);

	/* Many small iovecs. */
	char line[64];
	struct iovec many[64];
	for (int i = 0; i < 63; i++) {
		line[i] = (char)('a' + i % 26);
		many[i].iov_base = &line[i];
		many[i].iov_len = 1;
	}
	line[63] = '\n';
	many[63].iov_base = &line[63];
	many[63].iov_len = 1;
	CHECK_EQ(writev(1, many, 64), 64);

	/* stdin is /dev/null. */
	char buf[32];
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(read(0, buf, sizeof(buf)), 0);
	CHECK_EQ(read(0, buf, 0), 0);
	CHECK_EQ(syscall(SYS_read, 0, buf, sizeof(buf)), 0);
	struct iovec riov[3] = { { buf, 4 }, { buf + 8, 0 }, { buf + 16, 8 } };
	CHECK_EQ(readv(0, riov, 3), 0);
	CHECK_EQ(readv(0, riov, 0), 0);
	CHECK(buf[0] == 'x' && buf[31] == 'x', "read at EOF changed the buffer");

	struct termios t;
	CHECK_ERR(ioctl(0, TCGETS, &t), ENOTTY);
	struct winsize ws;
	CHECK_ERR(ioctl(0, TIOCGWINSZ, &ws), ENOTTY);

	/* Errors. */
	CHECK_ERR(write(100000, "x", 1), EBADF);
	CHECK_ERR(write(-1, "x", 1), EBADF);
	CHECK_ERR(read(100000, buf, 1), EBADF);
	CHECK_ERR(writev(100000, iov, 1), EBADF);
	/* Raw calls: libc's access attributes reject these at compile time. */
	CHECK_ERR(syscall(SYS_write, 1, (void *)8, 4), EFAULT);
	CHECK_ERR(syscall(SYS_write, 2, (void *)8, 4), EFAULT);
	CHECK_ERR(syscall(SYS_writev, 1, iov, -1), EINVAL);
	CHECK_ERR(syscall(SYS_writev, 1, many, IOV_MAX + 1), EINVAL);
	CHECK_ERR(syscall(SYS_readv, 0, riov, -1), EINVAL);
	CHECK_ERR(syscall(SYS_writev, 1, (void *)8, 2), EFAULT);
	struct iovec bad[2] = { { (void *)8, 4 }, { "y", 1 } };
	CHECK_ERR(writev(1, bad, 2), EFAULT);
	PASS();
}
