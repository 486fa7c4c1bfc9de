/*
 * mincore: residency of anonymous pages. Pages that were written report
 * resident (bit 0 set, and only bit 0), private and shared; the vector is
 * written for exactly the pages asked (an unaligned length rounds up).
 * Errors: a range with unmapped pages ENOMEM, an unaligned start EINVAL, an
 * unwritable vector EFAULT. Length 0 succeeds. (That untouched and
 * MADV_DONTNEED'd pages are NOT resident is checked in mincore_lazy.c.)
 */
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define PG 4096UL
#define NPAGES 8

int main(void)
{
	unsigned char vec[NPAGES + 8];
	size_t len = NPAGES * PG;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap");

	/* Touch pages 0, 3, 4 and 7. */
	p[0] = 1;
	p[3 * PG + 100] = 2;
	p[4 * PG + PG - 1] = 3;
	p[7 * PG] = 4;
	memset(vec, 0xff, sizeof(vec));
	CHECK_OK(mincore(p, len, vec));
	for (int i = 0; i < NPAGES; i++) {
		int touched = (i == 0 || i == 3 || i == 4 || i == 7);
		CHECK((vec[i] & ~1) == 0, "page %d: bits other than bit 0 set (%#x)", i, vec[i]);
		if (touched)
			CHECK((vec[i] & 1) == 1, "written page %d not resident", i);
	}
	CHECK(vec[NPAGES] == 0xff, "mincore wrote past the end of the vector");

	/* A sub-range, with an unaligned length (rounded up). */
	memset(vec, 0xff, sizeof(vec));
	CHECK_OK(mincore(p + 3 * PG, PG + 1, vec));
	CHECK(vec[0] == 1 && vec[1] == 1 && vec[2] == 0xff, "sub-range pages 3-4: %#x %#x %#x",
	      vec[0], vec[1], vec[2]);

	/* Shared anonymous: written pages resident too. */
	unsigned char *s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(s != MAP_FAILED, "mmap shared");
	s[PG] = 9;
	CHECK_OK(mincore(s, 2 * PG, vec));
	CHECK((vec[1] & 1) == 1, "written shared page not resident");

	/* Length 0. */
	CHECK_OK(mincore(p, 0, vec));

	/* Errors. */
	CHECK_OK(munmap(p + 5 * PG, PG));
	CHECK_ERR(mincore(p + 5 * PG, PG, vec), ENOMEM);
	CHECK_ERR(mincore(p, len, vec), ENOMEM);
	CHECK_ERR(mincore(p + 1, PG, vec), EINVAL);
	CHECK_ERR(mincore(p, PG, (unsigned char *)8), EFAULT);

	CHECK_OK(munmap(p, len));
	CHECK_ERR(mincore(p, PG, vec), ENOMEM);
	CHECK_OK(munmap(s, 2 * PG));
	PASS();
}
