/* Shared writable file mappings reach the file: a file in $MMAP_DIR (the
 * workloads/mmap_volume test points it at a -v host directory and then
 * compares the host file with a native run's), else in a temporary
 * directory. Writes through the mapping are seen by read() at once and
 * survive msync(MS_SYNC), munmap without msync, close of the descriptor
 * with the mapping alive, and exit; write() is seen by the mapping; a
 * private mapping's writes never reach the file. Leaves "mapped.dat". */
#include "check.h"
#include "tmpdir.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define P 4096

int main(void)
{
	const char *dir = getenv("MMAP_DIR");
	if (dir)
		CHECK_OK(chdir(dir));
	else
		tmpdir_make();
	int fd = open("mapped.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_OK(fd);
	CHECK_OK(ftruncate(fd, 4 * P));

	char *m = mmap(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap shared");
	/* Page 0: msync. */
	memcpy(m, "msync", 5);
	char buf[8] = { 0 };
	CHECK_EQ(pread(fd, buf, 5, 0), 5);
	CHECK(memcmp(buf, "msync", 5) == 0, "read() sees the mapping");
	CHECK_OK(msync(m, P, MS_SYNC));
	/* write() is seen by the mapping. */
	CHECK_EQ(pwrite(fd, "pwrite", 6, P + 100), 6);
	CHECK(memcmp(m + P + 100, "pwrite", 6) == 0, "mapping sees write()");
	/* A private mapping never writes the file. */
	char *p = mmap(NULL, P, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED, "mmap private");
	CHECK(memcmp(p, "msync", 5) == 0, "private sees the file");
	memcpy(p, "PRIV", 4);
	CHECK_OK(munmap(p, P));
	/* Page 1: munmap without msync. */
	memcpy(m + P, "munmap", 6);
	CHECK_OK(munmap(m + P, P));
	/* Page 2: close with the mapping alive; page 3 at exit. */
	memcpy(m + 2 * P, "close", 5);
	CHECK_OK(close(fd));
	memcpy(m + 3 * P + P - 4, "exit", 4);
	fd = open("mapped.dat", O_RDONLY);
	CHECK_OK(fd);
	CHECK_EQ(pread(fd, buf, 6, P), 6);
	CHECK(memcmp(buf, "munmap", 6) == 0, "after munmap: %.6s", buf);
	CHECK_EQ(pread(fd, buf, 5, 2 * P), 5);
	CHECK(memcmp(buf, "close", 5) == 0, "after close: %.5s", buf);
	CHECK_EQ(pread(fd, buf, 4, 0), 4);
	CHECK(memcmp(buf, "msyn", 4) == 0, "private write leaked: %.4s", buf);
	CHECK_OK(close(fd));
	if (!dir)
		tmpdir_remove();
	PASS();
}
