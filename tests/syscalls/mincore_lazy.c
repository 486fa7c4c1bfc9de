/*
 * mincore_lazy: anonymous memory is populated lazily, page by page, as on
 * Linux. In a fresh private anonymous mapping no page is resident; writing
 * pages 0, 3, 4 and 7 makes exactly those resident (their neighbours stay
 * non-resident); MADV_DONTNEED makes a page non-resident again. (Small
 * mappings only, so that transparent huge pages cannot make untouched
 * neighbours resident natively.) A kernel that faults in neighbouring pages
 * ahead of use fails this test but not mincore.c.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define PG 4096UL
#define NPAGES 8

int main(void)
{
	unsigned char vec[NPAGES];
	size_t len = NPAGES * PG;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap");

	CHECK_OK(mincore(p, len, vec));
	for (int i = 0; i < NPAGES; i++)
		CHECK(vec[i] == 0, "untouched page %d of a fresh mapping reported %#x", i, vec[i]);

	p[0] = 1;
	p[3 * PG + 100] = 2;
	p[4 * PG + PG - 1] = 3;
	p[7 * PG] = 4;
	CHECK_OK(mincore(p, len, vec));
	for (int i = 0; i < NPAGES; i++) {
		int want = (i == 0 || i == 3 || i == 4 || i == 7);
		CHECK(vec[i] == want, "page %d reported %#x, want %d (written: 0, 3, 4, 7)", i, vec[i],
		      want);
	}

	CHECK_OK(madvise(p + 3 * PG, PG, MADV_DONTNEED));
	CHECK_OK(mincore(p, len, vec));
	CHECK(vec[3] == 0, "page 3 resident after MADV_DONTNEED");
	CHECK(vec[4] == 1, "page 4 not resident after MADV_DONTNEED of page 3");
	CHECK_OK(munmap(p, len));
	PASS();
}
