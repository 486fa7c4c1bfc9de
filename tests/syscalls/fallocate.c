/* fallocate on tmpfs (a memfd): mode 0 allocates and grows, KEEP_SIZE
 * allocates without growing (st_blocks counts it), PUNCH_HOLE|KEEP_SIZE
 * zeroes (whole pages become holes, also in shared mappings), ZERO_RANGE,
 * COLLAPSE_RANGE and INSERT_RANGE are EOPNOTSUPP as on Linux's tmpfs; the
 * generic checks (EINVAL, EBADF, EOPNOTSUPP, ESPIPE, EISDIR, EFBIG) on any
 * file system. */
#include "check.h"
#include "tmpdir.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define P 4096

static long size_of(int fd)
{
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	return (long)st.st_size;
}

static long blocks_of(int fd)
{
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	return (long)st.st_blocks;
}

int main(void)
{
	int fd = (int)syscall(SYS_memfd_create, "falloc", 0);
	CHECK_OK(fd);

	/* Generic checks. */
	CHECK_ERR(fallocate(fd, 0, -1, P), EINVAL);
	CHECK_ERR(fallocate(fd, 0, 0, 0), EINVAL);
	CHECK_ERR(fallocate(fd, 0, 0, -5), EINVAL);
	CHECK_ERR(fallocate(fd, 0x10000, 0, P), EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, P), EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, P),
		  EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, 0, LLONG_MAX - 10, 100), EFBIG);
	CHECK_ERR(fallocate(-1, 0, 0, P), EBADF);

	/* Mode 0: allocates and grows. */
	CHECK_EQ(blocks_of(fd), 0);
	CHECK_OK(fallocate(fd, 0, 0, 3 * P));
	CHECK_EQ(size_of(fd), 3 * P);
	CHECK_EQ(blocks_of(fd), 3 * P / 512);
	/* Allocated but never written: still a hole to SEEK_DATA. */
	CHECK_ERR(lseek(fd, 0, SEEK_DATA), ENXIO);
	CHECK_EQ(lseek(fd, 0, SEEK_HOLE), 0);
	CHECK_EQ(pwrite(fd, "w", 1, P + 1), 1);
	CHECK_EQ(lseek(fd, 0, SEEK_DATA), P);
	CHECK_EQ(lseek(fd, P, SEEK_HOLE), 2 * P);
	/* A range within the size changes no size. */
	CHECK_OK(fallocate(fd, 0, P, 10));
	CHECK_EQ(size_of(fd), 3 * P);
	/* Growing to an unaligned end. */
	CHECK_OK(fallocate(fd, 0, 3 * P, 100));
	CHECK_EQ(size_of(fd), 3 * P + 100);
	CHECK_EQ(blocks_of(fd), 4 * P / 512);

	/* KEEP_SIZE: blocks beyond the end, size unchanged. */
	CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 8 * P, 2 * P));
	CHECK_EQ(size_of(fd), 3 * P + 100);
	CHECK_EQ(blocks_of(fd), 6 * P / 512);
	/* Growing over them later: they read as zeros. */
	CHECK_OK(ftruncate(fd, 10 * P));
	char buf[P];
	CHECK_EQ(pread(fd, buf, 10, 8 * P), 10);
	for (int i = 0; i < 10; i++)
		CHECK_EQ(buf[i], 0);

	/* Punch: partial pages are zeroed, whole pages become holes, and a
	 * shared mapping sees it at once. */
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < 4; i++)
		CHECK_EQ(pwrite(fd, buf, P, (off_t)i * P), P);
	char *m = mmap(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap");
	CHECK_EQ(m[P + 5], 'x');
	long before = blocks_of(fd);
	CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, P - 10, P + 20));
	CHECK_EQ(size_of(fd), 10 * P);
	CHECK_EQ(blocks_of(fd), before - P / 512);
	CHECK_EQ(lseek(fd, P, SEEK_HOLE), P);
	CHECK_EQ(lseek(fd, P, SEEK_DATA), 2 * P);
	CHECK_EQ(m[P - 11], 'x');
	CHECK_EQ(m[P - 10], 0);
	CHECK_EQ(m[P + 5], 0);
	CHECK_EQ(m[2 * P + 9], 0);
	CHECK_EQ(m[2 * P + 10], 'x');
	m[P + 1] = 'y';				/* the hole fills again */
	CHECK_EQ(pread(fd, buf, 2, P), 2);
	CHECK(buf[0] == 0 && buf[1] == 'y', "after refill");
	CHECK_OK(munmap(m, 4 * P));
	/* Punching beyond the end changes nothing, not even the size. */
	CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 20 * P, P));
	CHECK_EQ(size_of(fd), 10 * P);

	/* What tmpfs does not do. */
	CHECK_ERR(fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, P), EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, P), EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, P), EOPNOTSUPP);

	/* Seals: growing with SEAL_GROW, punching with SEAL_WRITE. */
	int sfd = (int)syscall(SYS_memfd_create, "sealed", MFD_ALLOW_SEALING);
	CHECK_OK(sfd);
	CHECK_OK(ftruncate(sfd, P));
	CHECK_OK(fcntl(sfd, F_ADD_SEALS, F_SEAL_GROW));
	CHECK_ERR(fallocate(sfd, 0, 0, 2 * P), EPERM);
	CHECK_OK(fallocate(sfd, 0, 0, P));
	CHECK_OK(fcntl(sfd, F_ADD_SEALS, F_SEAL_WRITE));
	CHECK_ERR(fallocate(sfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, P), EPERM);
	CHECK_OK(close(sfd));
	CHECK_OK(close(fd));

	/* Descriptors that cannot: read-only, a pipe, a directory. */
	tmpdir_make();
	int wfd = open("f", O_RDWR | O_CREAT, 0600);
	CHECK_OK(wfd);
	CHECK_OK(close(wfd));
	int rfd = open("f", O_RDONLY);
	CHECK_OK(rfd);
	CHECK_ERR(fallocate(rfd, 0, 0, P), EBADF);
	CHECK_OK(close(rfd));
	int pfd[2];
	CHECK_OK(pipe(pfd));
	CHECK_ERR(fallocate(pfd[1], 0, 0, P), ESPIPE);
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_OK(dfd);
	CHECK_ERR(fallocate(dfd, 0, 0, P), EBADF);
	tmpdir_remove();
	PASS();
}
