/*
 * sendfile: file to file and file to pipe; with an offset pointer (read
 * from there, pointer advanced, the file position untouched) and without
 * (the position advances); short counts at EOF and 0 past it; count 0;
 * EBADF for wrong modes, EINVAL for an O_APPEND output, ESPIPE for an
 * offset on a pipe input, EINVAL for a negative offset, EFAULT.
 */
#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"

int main(void)
{
	tmpdir_make();
	char data[100000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + 3);
	int in = open("in", O_RDWR | O_CREAT, 0644);
	CHECK_OK(in);
	CHECK_EQ(write(in, data, sizeof(data)), sizeof(data));
	int out = open("out", O_RDWR | O_CREAT, 0644);
	CHECK_OK(out);

	/* With an offset: the input's position stays. */
	CHECK_EQ(lseek(in, 5, SEEK_SET), 5);
	off_t off = 1000;
	CHECK_EQ(sendfile(out, in, &off, 90000), 90000);
	CHECK_EQ(off, 91000);
	CHECK_EQ(lseek(in, 0, SEEK_CUR), 5);
	CHECK_EQ(lseek(out, 0, SEEK_CUR), 90000);
	char buf[100000];
	CHECK_EQ(pread(out, buf, sizeof(buf), 0), 90000);
	CHECK(memcmp(buf, data + 1000, 90000) == 0, "data with offset");

	/* Without: the position advances; a short count at EOF, 0 past it. */
	CHECK_EQ(lseek(in, 99990, SEEK_SET), 99990);
	CHECK_EQ(sendfile(out, in, NULL, 100), 10);
	CHECK_EQ(lseek(in, 0, SEEK_CUR), 100000);
	CHECK_EQ(sendfile(out, in, NULL, 100), 0);
	off = 200000;
	CHECK_EQ(sendfile(out, in, &off, 100), 0);
	CHECK_EQ(off, 200000);
	CHECK_EQ(pread(out, buf, 10, 90000), 10);
	CHECK(memcmp(buf, data + 99990, 10) == 0, "tail");
	CHECK_EQ(sendfile(out, in, NULL, 0), 0);

	/* To a pipe. */
	int p[2];
	CHECK_OK(pipe(p));
	off = 10;
	CHECK_EQ(sendfile(p[1], in, &off, 1000), 1000);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 1000);
	CHECK(memcmp(buf, data + 10, 1000) == 0, "to a pipe");

	/* Errors. */
	int rdonly = open("out", O_RDONLY), wronly = open("in", O_WRONLY);
	CHECK_OK(rdonly);
	CHECK_OK(wronly);
	CHECK_ERR(sendfile(rdonly, in, NULL, 10), EBADF);
	CHECK_ERR(sendfile(out, wronly, NULL, 10), EBADF);
	CHECK_ERR(sendfile(out, 999, NULL, 10), EBADF);
	CHECK_ERR(sendfile(999, in, NULL, 10), EBADF);
	int app = open("out", O_WRONLY | O_APPEND);
	CHECK_OK(app);
	CHECK_ERR(sendfile(app, in, NULL, 10), EINVAL);
	off = -1;
	CHECK_ERR(sendfile(out, in, &off, 10), EINVAL);
	CHECK_EQ(write(p[1], "xyz", 3), 3);
	off = 0;
	CHECK_ERR(sendfile(out, p[0], &off, 10), ESPIPE);
	CHECK_ERR(sendfile(out, in, (off_t *)8, 10), EFAULT);
	close(app);
	close(rdonly);
	close(wronly);
	close(in);
	close(out);
	tmpdir_remove();
	PASS();
}
