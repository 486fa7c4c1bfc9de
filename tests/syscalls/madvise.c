/*
 * madvise: MADV_DONTNEED on private anonymous memory drops the pages, so
 * they read back as zero (only the advised range; neighbours keep their
 * contents) and can be written again; on shared anonymous memory the
 * contents are kept. Advice that needs no action (NORMAL, RANDOM,
 * SEQUENTIAL, WILLNEED) succeeds and changes nothing. Errors: unaligned
 * start EINVAL, unknown advice EINVAL, a range with unmapped pages ENOMEM.
 * MADV_REMOVE zeroes shared memory and refuses private mappings
 * (anonymous EINVAL, file EACCES).
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define PG 4096UL

static void fill(unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + seed);
}

static void verify(const unsigned char *p, size_t len, unsigned seed, const char *what)
{
	for (size_t i = 0; i < len; i++)
		CHECK(p[i] == (unsigned char)(i * 7 + seed), "%s: byte %zu is %#x", what, i, p[i]);
}

static void verify_zero(const unsigned char *p, size_t len, const char *what)
{
	for (size_t i = 0; i < len; i++)
		CHECK(p[i] == 0, "%s: byte %zu is %#x, want 0", what, i, p[i]);
}

int main(void)
{
	size_t len = 8 * PG;

	/* Private: DONTNEED zeroes exactly the advised pages. */
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap private");
	fill(p, len, 1);
	CHECK_OK(madvise(p + 2 * PG, 3 * PG, MADV_DONTNEED));
	verify(p, 2 * PG, 1, "private before advised range");
	verify_zero(p + 2 * PG, 3 * PG, "private after DONTNEED");
	verify(p + 5 * PG, 3 * PG, (unsigned)(5 * PG * 7 + 1), "private after advised range");
	/* Writable again, and the new contents stay. */
	fill(p + 2 * PG, 3 * PG, 9);
	verify(p + 2 * PG, 3 * PG, 9, "private rewritten");
	/* The whole mapping. */
	CHECK_OK(madvise(p, len, MADV_DONTNEED));
	verify_zero(p, len, "private, whole mapping after DONTNEED");
	/* An unaligned length is rounded up. */
	fill(p, len, 3);
	CHECK_OK(madvise(p, PG + 1, MADV_DONTNEED));
	verify_zero(p, 2 * PG, "private after DONTNEED of PG+1");
	verify(p + 2 * PG, len - 2 * PG, (unsigned)(2 * PG * 7 + 3), "private after the rounded range");

	/* Shared: DONTNEED keeps the contents. */
	unsigned char *s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(s != MAP_FAILED, "mmap shared");
	fill(s, len, 5);
	CHECK_OK(madvise(s + PG, 4 * PG, MADV_DONTNEED));
	verify(s, len, 5, "shared after DONTNEED");
	CHECK_OK(madvise(s, len, MADV_DONTNEED));
	verify(s, len, 5, "shared after DONTNEED of everything");

	/* Harmless advice. */
	fill(p, len, 11);
	CHECK_OK(madvise(p, len, MADV_NORMAL));
	CHECK_OK(madvise(p, len, MADV_RANDOM));
	CHECK_OK(madvise(p, len, MADV_SEQUENTIAL));
	CHECK_OK(madvise(p, len, MADV_WILLNEED));
	CHECK_OK(madvise(p, len, MADV_NORMAL));
	verify(p, len, 11, "private after harmless advice");
	/* Length 0 is a successful no-op. */
	CHECK_OK(madvise(p, 0, MADV_DONTNEED));
	verify(p, len, 11, "private after DONTNEED of length 0");

	/* Errors. */
	CHECK_ERR(madvise(p + 1, PG, MADV_DONTNEED), EINVAL);
	CHECK_ERR(madvise(p, PG, 12345), EINVAL);
	CHECK_OK(munmap(p + 6 * PG, PG));
	CHECK_ERR(madvise(p + 6 * PG, PG, MADV_DONTNEED), ENOMEM);
	CHECK_ERR(madvise(p + 4 * PG, 4 * PG, MADV_NORMAL), ENOMEM);
	verify(p, 6 * PG, 11, "private after ENOMEM");
	verify(p + 7 * PG, PG, (unsigned)(7 * PG * 7 + 11), "page after the hole");

	/* MADV_REMOVE frees a shared mapping's pages (they read back as
	 * zero); a private anonymous mapping has no file (EINVAL), a private
	 * file mapping may not write its file (EACCES). */
	fill(s, len, 13);
	CHECK_OK(madvise(s + PG, 2 * PG, MADV_REMOVE));
	verify_zero(s + PG, 2 * PG, "shared after REMOVE");
	verify(s + 3 * PG, len - 3 * PG, (unsigned)(3 * PG * 7 + 13), "shared after the removed range");
	CHECK_ERR(madvise(p, PG, MADV_REMOVE), EINVAL);
	verify(p, PG, 11, "private after refused REMOVE");
	char path[] = "/tmp/madvise-XXXXXX";
	int fd = mkstemp(path);
	CHECK_OK(fd);
	CHECK_OK(unlink(path));
	CHECK_OK(ftruncate(fd, (off_t)PG));
	unsigned char *f = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(f != MAP_FAILED, "mmap private file");
	CHECK_ERR(madvise(f, PG, MADV_REMOVE), EACCES);
	CHECK_OK(munmap(f, PG));
	CHECK_OK(close(fd));

	CHECK_OK(munmap(p, len));
	CHECK_OK(munmap(s, len));
	PASS();
}
