/* lseek SEEK_DATA/SEEK_HOLE on tmpfs (a memfd): holes are pages never
 * written (or punched), data the pages that exist; ENXIO at and beyond
 * the end, and for SEEK_DATA in a trailing hole; the end of the file is
 * a hole. */
#include "check.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define P 4096

int main(void)
{
	int fd = (int)syscall(SYS_memfd_create, "seek", 0);
	CHECK_OK(fd);
	/* Empty file: everything is past the end. */
	CHECK_ERR(lseek(fd, 0, SEEK_DATA), ENXIO);
	CHECK_ERR(lseek(fd, 0, SEEK_HOLE), ENXIO);

	/* [hole 0-1][data 2][hole 3-5][data 6-7][hole 8-9], size 10 pages. */
	CHECK_OK(ftruncate(fd, 10 * P));
	CHECK_EQ(pwrite(fd, "a", 1, 2 * P + 100), 1);
	char page[2 * P];
	memset(page, 'b', sizeof(page));
	CHECK_EQ(pwrite(fd, page, sizeof(page), 6 * P), (long)sizeof(page));

	CHECK_EQ(lseek(fd, 0, SEEK_DATA), 2 * P);
	CHECK_EQ(lseek(fd, 0, SEEK_HOLE), 0);
	CHECK_EQ(lseek(fd, 2 * P + 5, SEEK_DATA), 2 * P + 5);
	CHECK_EQ(lseek(fd, 2 * P + 5, SEEK_HOLE), 3 * P);
	CHECK_EQ(lseek(fd, 3 * P, SEEK_DATA), 6 * P);
	CHECK_EQ(lseek(fd, 4 * P + 1, SEEK_HOLE), 4 * P + 1);
	CHECK_EQ(lseek(fd, 6 * P, SEEK_HOLE), 8 * P);
	CHECK_ERR(lseek(fd, 8 * P, SEEK_DATA), ENXIO);
	CHECK_EQ(lseek(fd, 9 * P, SEEK_HOLE), 9 * P);
	CHECK_ERR(lseek(fd, 10 * P, SEEK_DATA), ENXIO);
	CHECK_ERR(lseek(fd, 10 * P, SEEK_HOLE), ENXIO);
	CHECK_ERR(lseek(fd, 20 * P, SEEK_HOLE), ENXIO);
	CHECK_ERR(lseek(fd, -1, SEEK_DATA), ENXIO);
	/* The position moved to the answer. */
	CHECK_EQ(lseek(fd, 3 * P, SEEK_DATA), 6 * P);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6 * P);

	/* Data written through a shared mapping is data. */
	char *m = mmap(NULL, 10 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap");
	m[4 * P] = 'm';
	CHECK_EQ(lseek(fd, 3 * P, SEEK_DATA), 4 * P);
	CHECK_EQ(lseek(fd, 4 * P, SEEK_HOLE), 5 * P);
	CHECK_OK(munmap(m, 10 * P));

	/* Punching makes holes again. */
	CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 6 * P, P));
	CHECK_EQ(lseek(fd, 5 * P, SEEK_DATA), 7 * P);
	CHECK_EQ(lseek(fd, 6 * P, SEEK_HOLE), 6 * P);

	/* A size within a page: the hole at the end is at the size. */
	CHECK_OK(ftruncate(fd, 7 * P + 10));
	CHECK_EQ(lseek(fd, 7 * P, SEEK_HOLE), 7 * P + 10);
	CHECK_EQ(lseek(fd, 7 * P + 3, SEEK_DATA), 7 * P + 3);
	CHECK_OK(close(fd));
	PASS();
}
