/* File I/O on a fresh file: open flags (O_CREAT, O_EXCL, O_TRUNC,
 * O_APPEND, O_CLOEXEC, O_DIRECTORY, O_PATH), read/write/pread/pwrite,
 * readv/writev/preadv/pwritev, lseek with SEEK_DATA/SEEK_HOLE, ftruncate,
 * fstat sizes, and the error cases. */
#include "check.h"
#include "tmpdir.h"

#include <sys/uio.h>
#include <sys/syscall.h>

int main(void)
{
	tmpdir_make();
	char buf[8192];

	/* O_CREAT | O_EXCL */
	int fd = open("f", O_CREAT | O_EXCL | O_RDWR, 0600);
	CHECK_OK(fd);
	CHECK_ERR(open("f", O_CREAT | O_EXCL | O_RDWR, 0600), EEXIST);
	CHECK_ERR(open("missing", O_RDONLY), ENOENT);
	CHECK_ERR(open("f/x", O_RDONLY), ENOTDIR);
	CHECK_ERR(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_ERR(open(".", O_WRONLY), EISDIR);
	CHECK_ERR(open("new/", O_CREAT | O_RDWR, 0600), EISDIR);
	CHECK_ERR(open("", O_RDONLY), ENOENT);
	memset(buf, 'a', 300);
	buf[300] = 0;
	CHECK_ERR(open(buf, O_RDONLY), ENAMETOOLONG);

	/* write, read, lseek, pread, pwrite */
	CHECK_EQ(write(fd, "hello world", 11), 11);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(read(fd, buf, 5), 5);
	CHECK(memcmp(buf, "hello", 5) == 0, "read back");
	CHECK_EQ(pread(fd, buf, 5, 6), 5);
	CHECK(memcmp(buf, "world", 5) == 0, "pread");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);
	CHECK_EQ(pwrite(fd, "W", 1, 6), 1);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);
	CHECK_ERR(pread(fd, buf, 1, -1), EINVAL);
	CHECK_ERR(lseek(fd, -100, SEEK_CUR), EINVAL);
	CHECK_ERR(lseek(fd, 0, 42), EINVAL);
	CHECK_EQ(lseek(fd, -1, SEEK_END), 10);
	CHECK_EQ(read(fd, buf, 10), 1);
	CHECK_EQ(buf[0], 'd');

	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK(S_ISREG(st.st_mode), "regular");
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(st.st_size, 11);
	CHECK_EQ(st.st_nlink, 1);

	/* readv / writev / preadv / pwritev */
	struct iovec iov[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(writev(fd, iov, 3), 5);
	CHECK_EQ(pwritev(fd, iov, 1, 20), 2);
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 22);
	char a[3], b[4];
	struct iovec riov[2] = { { a, 3 }, { b, 4 } };
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(readv(fd, riov, 2), 7);
	CHECK(memcmp(a, "abc", 3) == 0 && memcmp(b, "de W", 4) == 0, "readv");
	CHECK_EQ(preadv(fd, riov, 2, 18), 4);
	CHECK(a[0] == 0 && a[1] == 0 && a[2] == 'a' && b[0] == 'b', "preadv over a hole");

	/* holes and SEEK_DATA / SEEK_HOLE */
	CHECK_OK(ftruncate(fd, 0));
	CHECK_EQ(lseek(fd, 3 * 4096, SEEK_SET), 3 * 4096);
	CHECK_EQ(write(fd, "x", 1), 1);
	CHECK_EQ(lseek(fd, 0, SEEK_DATA), 3 * 4096);
	CHECK_EQ(lseek(fd, 0, SEEK_HOLE), 0);
	CHECK_EQ(lseek(fd, 3 * 4096, SEEK_HOLE), 3 * 4096 + 1);
	CHECK_ERR(lseek(fd, 3 * 4096 + 1, SEEK_DATA), ENXIO);
	CHECK_EQ(pread(fd, buf, 4, 100), 4);
	CHECK(buf[0] == 0 && buf[3] == 0, "hole reads zero");

	/* ftruncate grows with zeros, shrinks */
	CHECK_OK(ftruncate(fd, 5));
	CHECK_OK(ftruncate(fd, 10000));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 10000);
	CHECK_EQ(pread(fd, buf, 10, 9995), 5);
	CHECK(buf[0] == 0, "truncated tail is zero");
	CHECK_ERR(ftruncate(fd, -1), EINVAL);
	CHECK_OK(close(fd));
	CHECK_ERR(close(fd), EBADF);

	/* O_TRUNC, O_APPEND, access modes */
	fd = open("f", O_WRONLY | O_TRUNC | O_APPEND);
	CHECK_OK(fd);
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 0);
	CHECK_ERR(read(fd, buf, 1), EBADF);
	CHECK_EQ(write(fd, "123", 3), 3);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, "45", 2), 2);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);
	CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND), O_WRONLY | O_APPEND);
	CHECK_OK(close(fd));
	fd = open("f", O_RDONLY | O_CLOEXEC);
	CHECK_OK(fd);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_ERR(write(fd, "x", 1), EBADF);
	CHECK_ERR(ftruncate(fd, 0), EINVAL);
	CHECK_EQ(read(fd, buf, 100), 5);
	CHECK(memcmp(buf, "12345", 5) == 0, "append wrote at the end");
	CHECK_OK(fsync(fd));
	CHECK_OK(fdatasync(fd));
	CHECK_OK(close(fd));

	/* creat truncates */
	fd = creat("f", 0644);
	CHECK_OK(fd);
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(st.st_mode & 07777, 0600);	/* existing mode kept */
	CHECK_OK(close(fd));

	/* O_PATH: no I/O, but fstat and fchdir work */
	fd = open(".", O_PATH | O_DIRECTORY);
	CHECK_OK(fd);
	CHECK_ERR(read(fd, buf, 1), EBADF);
	CHECK_OK(fstat(fd, &st));
	CHECK(S_ISDIR(st.st_mode), "O_PATH fstat");
	CHECK_OK(fchdir(fd));
	int f2 = openat(fd, "f", O_RDONLY);
	CHECK_OK(f2);
	CHECK_OK(close(f2));
	CHECK_OK(close(fd));

	/* dirfd rules */
	fd = open("f", O_RDONLY);
	CHECK_ERR(openat(fd, "x", O_RDONLY), ENOTDIR);
	CHECK_ERR(openat(12345, "x", O_RDONLY), EBADF);
	f2 = openat(12345, tmpdir_path, O_RDONLY | O_DIRECTORY);	/* absolute: dirfd ignored */
	CHECK_OK(f2);
	CHECK_OK(close(f2));
	CHECK_OK(close(fd));

	/* reading a directory */
	fd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_ERR(read(fd, buf, 1), EISDIR);
	CHECK_OK(close(fd));

	tmpdir_remove();
	PASS();
}
