/* fallocate on a regular file in a directory (tmpfs in the sandbox's
 * /tmp, the host's file system natively and under a -v mount when
 * $VOL_DIR is set, see tmpdir.h): mode 0 allocates and grows, KEEP_SIZE
 * allocates without growing, PUNCH_HOLE|KEEP_SIZE zeroes the range (a
 * shared mapping sees it at once), and what a file system does not do is
 * EOPNOTSUPP; when it does ZERO_RANGE, COLLAPSE_RANGE or INSERT_RANGE,
 * the data moves as Linux says. Each step's outcome is printed, so that
 * tests/workloads/volume_syscalls.sh can compare a -v mount with the
 * host file system it serves. */
#include "check.h"
#include "tmpdir.h"

#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define P 4096L

static struct stat st_of(int fd)
{
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	return st;
}

/* A checksum of the whole file, for the transcript. */
static unsigned long sum_of(int fd)
{
	static char buf[64 * 1024];
	unsigned long s = 0;
	off_t off = 0;
	ssize_t n;
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			s = s * 31 + (unsigned char)buf[i];
		off += n;
	}
	CHECK(n == 0, "pread");
	return s;
}

/* fallocate, printed: 0 or -errno. */
static int falloc(const char *what, int fd, int mode, off_t off, off_t len)
{
	int r = fallocate(fd, mode, off, len) < 0 ? -errno : 0;
	printf("%s: %s", what, r ? strerror(-r) : "ok");
	if (r == 0)
		printf(" size=%ld sum=%lx", (long)st_of(fd).st_size, sum_of(fd));
	printf("\n");
	return r;
}

int main(void)
{
	tmpdir_make();
	char buf[4 * P];
	int fd = open("f", O_RDWR | O_CREAT, 0600);
	CHECK_OK(fd);

	/* Mode 0: allocates and grows; the new bytes read as zeros. */
	CHECK_EQ(falloc("mode 0", fd, 0, 0, 3 * P), 0);
	CHECK_EQ(st_of(fd).st_size, 3 * P);
	CHECK(st_of(fd).st_blocks >= 3 * P / 512, "blocks %ld", (long)st_of(fd).st_blocks);
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 3 * P);
	for (long i = 0; i < 3 * P; i++)
		CHECK_EQ(buf[i], 0);
	/* Within the size: nothing changes. */
	CHECK_EQ(falloc("inside", fd, 0, P, 10), 0);
	CHECK_EQ(st_of(fd).st_size, 3 * P);
	/* KEEP_SIZE: more blocks, the same size. */
	long blocks = (long)st_of(fd).st_blocks;
	CHECK_EQ(falloc("keep size", fd, FALLOC_FL_KEEP_SIZE, 8 * P, 2 * P), 0);
	CHECK_EQ(st_of(fd).st_size, 3 * P);
	CHECK(st_of(fd).st_blocks >= blocks + 2 * P / 512, "blocks %ld", (long)st_of(fd).st_blocks);

	/* Punch a hole: zeros in the range, the size stays, and a shared
	 * mapping sees the zeros at once. */
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(pwrite(fd, buf, 4 * P, 0), 4 * P);
	char *m = mmap(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap");
	CHECK_EQ(m[P + 5], 'x');
	m[3 * P] = 'm';
	CHECK_EQ(falloc("punch", fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, P - 10, P + 20), 0);
	CHECK_EQ(st_of(fd).st_size, 4 * P);
	CHECK_EQ(lseek(fd, P, SEEK_HOLE), P);	/* the whole page P is a hole */
	CHECK_EQ(m[P - 11], 'x');
	CHECK_EQ(m[P - 10], 0);
	CHECK_EQ(m[P + 5], 0);
	CHECK_EQ(m[2 * P + 9], 0);
	CHECK_EQ(m[2 * P + 10], 'x');
	CHECK_EQ(m[3 * P], 'm');		/* written through the mapping before */
	CHECK_EQ(pread(fd, buf, 30, P - 15), 30);
	CHECK(memcmp(buf, "xxxxx", 5) == 0 && buf[5] == 0 && buf[29] == 0, "punched bytes");
	m[P + 1] = 'y';				/* the hole fills again */
	CHECK_OK(msync(m, 4 * P, MS_SYNC));
	CHECK_EQ(pread(fd, buf, 2, P), 2);
	CHECK(buf[0] == 0 && buf[1] == 'y', "after refill");
	CHECK_OK(munmap(m, 4 * P));
	/* Beyond the end: nothing changes, not even the size. */
	CHECK_EQ(falloc("punch beyond", fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 20 * P, P), 0);
	CHECK_EQ(st_of(fd).st_size, 4 * P);

	/* What not every file system does. */
	CHECK_EQ(pwrite(fd, "0123456789abcdef", 16, 0), 16);
	int r = falloc("zero range", fd, FALLOC_FL_ZERO_RANGE, 2, 4);
	CHECK(r == 0 || r == -EOPNOTSUPP, "zero range: %d", r);
	CHECK_EQ(pread(fd, buf, 8, 0), 8);
	CHECK(memcmp(buf, r ? "01234567" : "01\0\0\0\0" "67", 8) == 0, "zero range bytes");
	r = falloc("collapse unaligned", fd, FALLOC_FL_COLLAPSE_RANGE, 1, P);
	CHECK(r == -EINVAL || r == -EOPNOTSUPP, "collapse unaligned: %d", r);
	CHECK_EQ(pwrite(fd, "P2", 2, 2 * P), 2);
	r = falloc("collapse", fd, FALLOC_FL_COLLAPSE_RANGE, P, P);
	CHECK(r == 0 || r == -EOPNOTSUPP, "collapse: %d", r);
	CHECK_EQ(st_of(fd).st_size, r ? 4 * P : 3 * P);
	CHECK_EQ(pread(fd, buf, 2, r ? 2 * P : P), 2);
	CHECK(memcmp(buf, "P2", 2) == 0, "collapsed data");
	r = falloc("insert", fd, FALLOC_FL_INSERT_RANGE, 0, P);
	CHECK(r == 0 || r == -EOPNOTSUPP, "insert: %d", r);
	CHECK_EQ(pread(fd, buf, 2, r ? 0 : P), 2);
	CHECK(memcmp(buf, "01", 2) == 0, "inserted before");
	CHECK_OK(close(fd));

	/* Descriptors that cannot. */
	fd = open("f", O_RDONLY);
	CHECK_OK(fd);
	CHECK_ERR(fallocate(fd, 0, 0, P), EBADF);
	CHECK_OK(close(fd));
	fd = open("f", O_WRONLY | O_APPEND);
	CHECK_OK(fd);
	CHECK_OK(fallocate(fd, 0, 0, 6 * P));
	CHECK_EQ(st_of(fd).st_size, 6 * P);
	CHECK_ERR(fallocate(fd, 0, -1, P), EINVAL);
	CHECK_ERR(fallocate(fd, 0, 0, 0), EINVAL);
	CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, P), EOPNOTSUPP);
	CHECK_OK(close(fd));
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_OK(dfd);
	CHECK_ERR(fallocate(dfd, 0, 0, P), EBADF);
	CHECK_OK(close(dfd));
	tmpdir_remove();
	PASS();
}
