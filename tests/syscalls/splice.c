/*
 * splice, tee, vmsplice: file to pipe and pipe to file, with and without
 * offsets (the position advances only without one); pipe to pipe; tee
 * copies without consuming; vmsplice writes user memory into a pipe and
 * reads it back; EINVAL when neither side is a pipe, for bad flags, for
 * one pipe on both sides and for an O_APPEND output; ESPIPE for an
 * offset on a pipe; EBADF for wrong modes; SPLICE_F_NONBLOCK on an empty
 * pipe gives EAGAIN; EOF gives 0.
 */
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"

int main(void)
{
	tmpdir_make();
	char data[5000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 13 + 1);
	int f = open("f", O_RDWR | O_CREAT, 0644);
	CHECK_OK(f);
	CHECK_EQ(write(f, data, sizeof(data)), sizeof(data));
	int p[2], q[2];
	CHECK_OK(pipe(p));
	CHECK_OK(pipe(q));
	char buf[8192];

	/* File to pipe at an offset: the position stays. */
	loff_t off = 100;
	CHECK_EQ(splice(f, &off, p[1], NULL, 1000, 0), 1000);
	CHECK_EQ(off, 1100);
	CHECK_EQ(lseek(f, 0, SEEK_CUR), 5000);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 1000);
	CHECK(memcmp(buf, data + 100, 1000) == 0, "file to pipe");
	/* Without an offset: from the position, which advances. */
	CHECK_EQ(lseek(f, 4900, SEEK_SET), 4900);
	CHECK_EQ(splice(f, NULL, p[1], NULL, 1000, 0), 100);	/* EOF */
	CHECK_EQ(lseek(f, 0, SEEK_CUR), 5000);
	CHECK_EQ(splice(f, NULL, p[1], NULL, 1000, 0), 0);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 100);
	CHECK(memcmp(buf, data + 4900, 100) == 0, "to EOF");

	/* Pipe to file. */
	CHECK_EQ(write(p[1], "hello world", 11), 11);
	off = 10;
	CHECK_EQ(splice(p[0], NULL, f, &off, 5, 0), 5);
	CHECK_EQ(off, 15);
	CHECK_EQ(pread(f, buf, 5, 10), 5);
	CHECK(memcmp(buf, "hello", 5) == 0, "pipe to file");
	CHECK_EQ(lseek(f, 20, SEEK_SET), 20);
	CHECK_EQ(splice(p[0], NULL, f, NULL, 100, 0), 6);	/* what is there */
	CHECK_EQ(lseek(f, 0, SEEK_CUR), 26);
	CHECK_EQ(pread(f, buf, 6, 20), 6);
	CHECK(memcmp(buf, " world", 6) == 0, "pipe to file at position");

	/* Pipe to pipe, and tee. */
	CHECK_EQ(write(p[1], "abcdef", 6), 6);
	CHECK_EQ(tee(p[0], q[1], 4, 0), 4);
	CHECK_EQ(read(q[0], buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "abcd", 4) == 0, "tee");
	CHECK_EQ(splice(p[0], NULL, q[1], NULL, 100, 0), 6);	/* tee left it */
	CHECK_EQ(read(q[0], buf, sizeof(buf)), 6);
	CHECK(memcmp(buf, "abcdef", 6) == 0, "pipe to pipe");

	/* vmsplice both ways. */
	struct iovec iov[2] = { { "12", 2 }, { "345", 3 } };
	CHECK_EQ(vmsplice(p[1], iov, 2, 0), 5);
	char r1[3], r2[2];
	struct iovec riov[2] = { { r1, 3 }, { r2, 2 } };
	CHECK_EQ(vmsplice(p[0], riov, 2, 0), 5);
	CHECK(memcmp(r1, "123", 3) == 0 && memcmp(r2, "45", 2) == 0, "vmsplice read");
	CHECK_ERR(vmsplice(f, iov, 2, 0), EBADF);
	CHECK_ERR(vmsplice(p[1], iov, 2, 0x100), EINVAL);

	/* Nonblocking: an empty pipe. */
	CHECK_ERR(splice(p[0], NULL, f, NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
	CHECK_ERR(tee(p[0], q[1], 10, SPLICE_F_NONBLOCK), EAGAIN);

	/* Errors. */
	int g = open("g", O_RDWR | O_CREAT, 0644);
	CHECK_OK(g);
	CHECK_ERR(splice(f, NULL, g, NULL, 10, 0), EINVAL);	/* no pipe */
	CHECK_ERR(splice(p[0], NULL, p[1], NULL, 10, 0), EINVAL);	/* same pipe */
	CHECK_ERR(tee(p[0], p[1], 10, 0), EINVAL);
	CHECK_ERR(tee(f, q[1], 10, 0), EINVAL);
	off = 0;
	CHECK_ERR(splice(p[0], &off, f, NULL, 10, 0), ESPIPE);
	CHECK_ERR(splice(f, NULL, p[1], &off, 10, 0), ESPIPE);
	CHECK_ERR(splice(f, NULL, p[1], NULL, 10, 0x100), EINVAL);
	CHECK_ERR(splice(p[1], NULL, f, NULL, 10, 0), EBADF);	/* write end */
	CHECK_ERR(splice(f, NULL, p[0], NULL, 10, 0), EBADF);	/* read end */
	CHECK_ERR(splice(999, NULL, p[1], NULL, 10, 0), EBADF);
	int app = open("g", O_WRONLY | O_APPEND);
	CHECK_OK(app);
	CHECK_EQ(write(p[1], "z", 1), 1);
	CHECK_ERR(splice(p[0], NULL, app, NULL, 10, 0), EINVAL);
	off = -5;
	CHECK_ERR(splice(f, &off, p[1], NULL, 10, 0), EINVAL);
	CHECK_EQ(splice(f, NULL, p[1], NULL, 0, 0), 0);

	/* EOF: no writers left. */
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 1);
	close(p[1]);
	CHECK_EQ(splice(p[0], NULL, f, NULL, 10, 0), 0);
	close(app);
	close(g);
	close(f);
	tmpdir_remove();
	PASS();
}
