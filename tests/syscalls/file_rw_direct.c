/* read/write of regular files with large buffers at the edges of guest
 * memory (the sandbox moves them straight between the file and the
 * guest's pages): a buffer that stops being writable part way gives a
 * short read ending exactly there and the position follows it; no
 * writable byte at all is EFAULT with the position unchanged, except at
 * end of file (0); a write from a buffer that stops being readable is
 * short; readv stops at a bad vector; reads into a private file mapping
 * stay private; reads into a shared mapping reach its file; large and
 * unaligned transfers move the right bytes. */
#include "check.h"
#include "tmpdir.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#define P 4096L
#define BIG (3 * 1024 * 1024 + 123)

static unsigned char pat(long i)
{
	return (unsigned char)(i * 7 % 251);
}

static void check_pat(const unsigned char *b, long n, long from, const char *what)
{
	for (long i = 0; i < n; i++)
		CHECK(b[i] == pat(from + i), "%s: byte %ld is %d, want %d", what, i, b[i],
		      pat(from + i));
}

int main(void)
{
	tmpdir_make();
	unsigned char *src = malloc(BIG);
	CHECK(src != NULL, "malloc");
	for (long i = 0; i < BIG; i++)
		src[i] = pat(i);
	int fd = open("direct.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK_OK(fd);
	CHECK_EQ(write(fd, src, BIG), BIG);

	/* Large, unaligned reads. */
	unsigned char *dst = malloc(BIG + 64);
	CHECK(dst != NULL, "malloc");
	CHECK_EQ(pread(fd, dst + 3, BIG, 0), BIG);
	check_pat(dst + 3, BIG, 0, "big pread");
	CHECK_EQ(pread(fd, dst + 1, 2 * P + 77, 5 * P + 9), 2 * P + 77);
	check_pat(dst + 1, 2 * P + 77, 5 * P + 9, "unaligned pread");
	CHECK_EQ(pread(fd, dst, 100, BIG - 40), 40);
	check_pat(dst, 40, BIG - 40, "pread at the end");

	/* 16 pages: 8 writable, then 8 read-only. */
	unsigned char *m = mmap(NULL, 16 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
	CHECK(m != MAP_FAILED, "mmap");
	CHECK_OK(mprotect(m + 8 * P, 8 * P, PROT_READ));
	CHECK_EQ(lseek(fd, 10, SEEK_SET), 10);
	CHECK_EQ(read(fd, m + 100, 12 * P), 8 * P - 100);
	check_pat(m + 100, 8 * P - 100, 10, "short read");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10 + 8 * P - 100);
	CHECK_EQ(m[8 * P], 0);
	/* Nothing writable: EFAULT, the position stays. */
	CHECK_ERR(read(fd, m + 8 * P, 4 * P), EFAULT);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10 + 8 * P - 100);
	CHECK_ERR(pread(fd, m + 9 * P + 5, 3 * P, 0), EFAULT);
	/* At the end of the file nothing is copied: 0, not EFAULT. */
	CHECK_EQ(lseek(fd, 0, SEEK_END), BIG);
	CHECK_EQ(read(fd, m + 8 * P, 4 * P), 0);
	CHECK_EQ(syscall(SYS_read, fd, 0L, 4 * P), 0);
	/* An unmapped buffer. */
	CHECK_OK(munmap(m + 12 * P, 4 * P));
	CHECK_ERR(pread(fd, m + 12 * P, 4 * P, 0), EFAULT);
	/* readv: a good vector, then a bad one. */
	struct iovec iov[2] = { { m, 3 * P }, { m + 12 * P, 3 * P } };
	CHECK_EQ(preadv(fd, iov, 2, P), 3 * P);
	check_pat(m, 3 * P, P, "readv");

	/* A write whose buffer stops being readable part way is short. */
	CHECK_OK(mprotect(m + 4 * P, 4 * P, PROT_NONE));
	memset(m, 'w', 4 * P);
	int wfd = open("write.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK_OK(wfd);
	CHECK_EQ(write(wfd, m + 200, 6 * P), 4 * P - 200);
	CHECK_EQ(lseek(wfd, 0, SEEK_CUR), 4 * P - 200);
	CHECK_ERR(write(wfd, m + 4 * P, 3 * P), EFAULT);
	CHECK_ERR(pwrite(wfd, m + 12 * P, 3 * P, 0), EFAULT);
	struct stat st;
	CHECK_OK(fstat(wfd, &st));
	CHECK_EQ(st.st_size, 4 * P - 200);
	CHECK_OK(close(wfd));
	CHECK_OK(unlink("write.dat"));
	CHECK_OK(munmap(m, 12 * P));

	/* Reads into a private mapping of a file stay private. */
	unsigned char *pm = mmap(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(pm != MAP_FAILED, "mmap private");
	CHECK_EQ(pm[5], pat(5));
	CHECK_EQ(pread(fd, pm, 3 * P, 8 * P), 3 * P);
	check_pat(pm, 3 * P, 8 * P, "into a private mapping");
	CHECK_EQ(pread(fd, dst, 3 * P, 0), 3 * P);
	check_pat(dst, 3 * P, 0, "the file under a private mapping");
	CHECK_OK(munmap(pm, 4 * P));

	/* Reads into a shared mapping reach its file. */
	int sfd = open("shared.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK_OK(sfd);
	CHECK_OK(ftruncate(sfd, 4 * P));
	unsigned char *sm = mmap(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	CHECK(sm != MAP_FAILED, "mmap shared");
	CHECK_EQ(pread(fd, sm + 10, 3 * P, 7), 3 * P);
	CHECK_OK(msync(sm, 4 * P, MS_SYNC));
	CHECK_EQ(pread(sfd, dst, 3 * P, 10), 3 * P);
	check_pat(dst, 3 * P, 7, "through a shared mapping");
	/* And writes from a shared mapping of the file itself. */
	CHECK_EQ(pwrite(fd, sm + 10, 2 * P, 0), 2 * P);
	CHECK_EQ(pread(fd, dst, 2 * P, 0), 2 * P);
	check_pat(dst, 2 * P, 7, "written from a shared mapping");
	CHECK_OK(munmap(sm, 4 * P));
	CHECK_OK(close(sfd));

	CHECK_OK(close(fd));
	CHECK_OK(unlink("direct.dat"));
	CHECK_OK(unlink("shared.dat"));
	tmpdir_remove();
	PASS();
}
