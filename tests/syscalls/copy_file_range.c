/*
 * copy_file_range: between two files and within one, with offsets (the
 * positions stay, the offsets advance) and without (the positions
 * advance); shortened at the input's end, 0 past it; overlapping ranges
 * of one file EINVAL; flags EINVAL; EBADF for wrong modes and an
 * O_APPEND output; EISDIR for directories; EINVAL for pipes; EOVERFLOW
 * for a negative offset.
 */
#include <fcntl.h>
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"

int main(void)
{
	tmpdir_make();
	char data[70000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 5 + 11);
	int a = open("a", O_RDWR | O_CREAT, 0644);
	CHECK_OK(a);
	CHECK_EQ(write(a, data, sizeof(data)), sizeof(data));
	int b = open("b", O_RDWR | O_CREAT, 0644);
	CHECK_OK(b);
	char buf[70000];

	loff_t oi = 10, oo = 0;
	CHECK_EQ(copy_file_range(a, &oi, b, &oo, 69000, 0), 69000);
	CHECK_EQ(oi, 69010);
	CHECK_EQ(oo, 69000);
	CHECK_EQ(lseek(a, 0, SEEK_CUR), 70000);
	CHECK_EQ(lseek(b, 0, SEEK_CUR), 0);
	CHECK_EQ(pread(b, buf, sizeof(buf), 0), 69000);
	CHECK(memcmp(buf, data + 10, 69000) == 0, "copied data");

	/* Positions: short at the end of the input, 0 past it. */
	CHECK_EQ(lseek(a, 69990, SEEK_SET), 69990);
	CHECK_EQ(lseek(b, 5, SEEK_SET), 5);
	CHECK_EQ(copy_file_range(a, NULL, b, NULL, 100, 0), 10);
	CHECK_EQ(lseek(a, 0, SEEK_CUR), 70000);
	CHECK_EQ(lseek(b, 0, SEEK_CUR), 15);
	CHECK_EQ(copy_file_range(a, NULL, b, NULL, 100, 0), 0);
	CHECK_EQ(pread(b, buf, 10, 5), 10);
	CHECK(memcmp(buf, data + 69990, 10) == 0, "tail");
	CHECK_EQ(copy_file_range(a, NULL, b, NULL, 0, 0), 0);

	/* Within one file: apart is fine, overlapping is not. */
	oi = 0;
	oo = 100000;
	CHECK_EQ(copy_file_range(a, &oi, a, &oo, 1000, 0), 1000);
	CHECK_EQ(pread(a, buf, 1000, 100000), 1000);
	CHECK(memcmp(buf, data, 1000) == 0, "same file");
	oi = 0;
	oo = 500;
	CHECK_ERR(copy_file_range(a, &oi, a, &oo, 1000, 0), EINVAL);

	/* Errors. */
	oi = oo = 0;
	CHECK_ERR(copy_file_range(a, &oi, b, &oo, 10, 1), EINVAL);
	int rd = open("b", O_RDONLY), wr = open("a", O_WRONLY), app = open("b", O_WRONLY | O_APPEND);
	CHECK_OK(rd);
	CHECK_OK(wr);
	CHECK_OK(app);
	CHECK_ERR(copy_file_range(a, NULL, rd, NULL, 10, 0), EBADF);
	CHECK_ERR(copy_file_range(wr, NULL, b, NULL, 10, 0), EBADF);
	CHECK_ERR(copy_file_range(a, NULL, app, NULL, 10, 0), EBADF);
	CHECK_ERR(copy_file_range(999, NULL, b, NULL, 10, 0), EBADF);
	CHECK_OK(mkdir("d", 0755));
	int d = open("d", O_RDONLY | O_DIRECTORY);
	CHECK_OK(d);
	CHECK_ERR(copy_file_range(d, NULL, b, NULL, 10, 0), EISDIR);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(copy_file_range(a, NULL, p[1], NULL, 10, 0), EINVAL);
	oi = -1;	/* Linux: EOVERFLOW, not EINVAL */
	CHECK_ERR(copy_file_range(a, &oi, b, NULL, 10, 0), EOVERFLOW);
	close(d);
	close(rd);
	close(wr);
	close(app);
	close(a);
	close(b);
	tmpdir_remove();
	PASS();
}
