/*
 * mprotect: changing protections of anonymous mappings. PROT_NONE then back
 * to read/write keeps the contents (private and shared); protecting part of
 * a mapping splits it and leaves the rest usable; PROT_READ pages stay
 * readable. Errors: unaligned address EINVAL, unknown prot bits EINVAL, a
 * range with an unmapped page ENOMEM (the mapped part is left as it was).
 * Writes to a read-only page are NOT tested here (that needs a SIGSEGV
 * handler); see segv.c for the fatal-fault case.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define PG 4096UL

static void fill(unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

static void verify(const unsigned char *p, size_t len, unsigned seed, const char *what)
{
	for (size_t i = 0; i < len; i++)
		CHECK(p[i] == (unsigned char)(i * 31 + seed), "%s: byte %zu is %#x", what, i, p[i]);
}

static void roundtrip(int flags, const char *what)
{
	size_t len = 8 * PG;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap %s", what);
	fill(p, len, 3);

	/* Whole mapping: NONE, then READ, then READ|WRITE. */
	CHECK_OK(mprotect(p, len, PROT_NONE));
	CHECK_OK(mprotect(p, len, PROT_READ));
	verify(p, len, 3, what);
	CHECK_OK(mprotect(p, len, PROT_READ | PROT_WRITE));
	verify(p, len, 3, what);
	fill(p, len, 9);
	verify(p, len, 9, what);

	/* Middle pages only: the mapping splits, the outer pages stay writable. */
	CHECK_OK(mprotect(p + 2 * PG, 3 * PG, PROT_NONE));
	p[0] = 0x11;
	p[PG + 5] = 0x22;
	p[5 * PG] = 0x33;
	p[len - 1] = 0x44;
	CHECK(p[0] == 0x11 && p[PG + 5] == 0x22 && p[5 * PG] == 0x33 && p[len - 1] == 0x44,
	      "%s: pages around the PROT_NONE hole", what);
	CHECK_OK(mprotect(p + 3 * PG, PG, PROT_READ));	/* split the split */
	CHECK(p[3 * PG + 7] == (unsigned char)((3 * PG + 7) * 31 + 9), "%s: read-only middle page", what);
	CHECK_OK(mprotect(p, len, PROT_READ | PROT_WRITE));	/* merge back */
	verify(p + 2 * PG, 3 * PG, (unsigned)(2 * PG * 31 + 9), what);
	fill(p, len, 1);
	verify(p, len, 1, what);

	/* PROT_EXEC combinations are accepted on anonymous memory. */
	CHECK_OK(mprotect(p, PG, PROT_READ | PROT_EXEC));
	CHECK_OK(mprotect(p, PG, PROT_READ | PROT_WRITE | PROT_EXEC));
	CHECK_OK(mprotect(p, PG, PROT_READ | PROT_WRITE));
	verify(p, len, 1, what);

	/* A length that is not page aligned is rounded up. */
	CHECK_OK(mprotect(p, PG + 1, PROT_READ));
	CHECK_OK(mprotect(p, 2 * PG, PROT_READ | PROT_WRITE));
	p[PG] = 0x55;
	CHECK(p[PG] == 0x55, "%s: page 1 writable again", what);

	CHECK_OK(munmap(p, len));
}

int main(void)
{
	roundtrip(MAP_PRIVATE, "private");
	roundtrip(MAP_SHARED, "shared");

	size_t len = 4 * PG;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap");
	fill(p, len, 5);

	/* Errors. */
	CHECK_ERR(mprotect(p + 1, PG, PROT_READ), EINVAL);
	CHECK_ERR(mprotect(p, PG, 0x1000 /* not a PROT_ bit */), EINVAL);
	/* Length 0 is a successful no-op. */
	CHECK_OK(mprotect(p, 0, PROT_NONE));
	p[0] = 5;	/* still writable */
	/* A range with a hole in it: ENOMEM. */
	CHECK_OK(munmap(p + 2 * PG, PG));
	CHECK_ERR(mprotect(p, len, PROT_READ), ENOMEM);
	/* Wholly unmapped: ENOMEM. */
	CHECK_ERR(mprotect(p + 2 * PG, PG, PROT_READ), ENOMEM);
	/* Linux changes the pages before the hole (to PROT_READ here) before it
	 * fails; either way they and the page after the hole stay readable. */
	CHECK(p[PG + 1] == (unsigned char)((PG + 1) * 31 + 5), "page 1 readable after ENOMEM");
	CHECK(p[3 * PG + 1] == (unsigned char)((3 * PG + 1) * 31 + 5), "page 3 readable after ENOMEM");
	CHECK_OK(munmap(p, len));
	PASS();
}
