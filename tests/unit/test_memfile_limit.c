/* tests/unit/test_memfile_limit.c: the memory file with a 1 MiB limit
 * (256 pages): runs are clamped to what is left, exhaustion gives -ENOMEM
 * without changing the accounting, and freed pages make room again.
 * (memfile_init is once per process, hence its own file.) */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include "sentry/mm/memfile.h"

#define LIMIT (1ULL << 20)
#define NPAGES (LIMIT / PAGE_SIZE)

static void setup(void)
{
	static bool inited;

	if (!inited) {
		cr_assert_eq(memfile_init(LIMIT), 0);
		inited = true;
	}
}

TestSuite(memfile_limit, .init = setup);

Test(memfile_limit, big_request_clamped)
{
	size_t got;
	int64_t off = memfile_alloc(1000, &got);

	cr_assert_geq(off, 0);
	cr_assert_eq(got, NPAGES);
	cr_assert_eq(memfile_used_pages(), NPAGES);
	cr_assert_eq(memfile_alloc(1, &got), -ENOMEM);
}

Test(memfile_limit, exhaustion)
{
	size_t got, total = 0;
	int64_t offs[NPAGES];
	size_t n = 0;

	cr_assert_eq(memfile_limit_pages(), NPAGES);
	for (;;) {
		int64_t off = memfile_alloc(7, &got);

		if (off < 0) {
			cr_assert_eq(off, -ENOMEM);
			break;
		}
		cr_assert_lt(n, NPAGES);
		cr_assert_leq((uint64_t)off + got * PAGE_SIZE, LIMIT, "run beyond the limit");
		for (size_t i = 0; i < got; i++)
			offs[n++] = off + (int64_t)(i * PAGE_SIZE);
		total += got;
	}
	cr_assert_eq(total, NPAGES);
	cr_assert_eq(memfile_used_pages(), NPAGES);
	/* Failing again changes nothing. */
	cr_assert_eq(memfile_alloc(1, &got), -ENOMEM);
	cr_assert_eq(memfile_used_pages(), NPAGES);

	/* One page freed: a bigger request gets that one page. */
	memset(memfile_ptr((uint64_t)offs[100]), 0x3c, PAGE_SIZE);
	memfile_unref((uint64_t)offs[100]);
	cr_assert_eq(memfile_used_pages(), NPAGES - 1);
	int64_t off = memfile_alloc(4, &got);
	cr_assert_eq(off, offs[100]);
	cr_assert_eq(got, 1);
	const unsigned char *p = memfile_ptr((uint64_t)off);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		cr_assert_eq(p[i], 0);
	cr_assert_eq(memfile_alloc(1, &got), -ENOMEM);

	for (size_t i = 0; i < n; i++)
		memfile_unref((uint64_t)offs[i]);
	cr_assert_eq(memfile_used_pages(), 0);
	off = memfile_alloc(NPAGES, &got);
	cr_assert_geq(off, 0);
	cr_assert_eq(got, NPAGES, "freed pages did not coalesce back into one run");
}

/* A shared page (refcount 2) is not freed by one unref, so it does not
 * make room. */
Test(memfile_limit, referenced_page_not_freed)
{
	size_t got;
	int64_t off = memfile_alloc(NPAGES, &got);

	cr_assert_eq(got, NPAGES);
	memfile_ref((uint64_t)off);
	memfile_unref((uint64_t)off);
	cr_assert_eq(memfile_alloc(1, &got), -ENOMEM);
	memfile_unref((uint64_t)off);
	cr_assert_eq(memfile_alloc(1, &got), off);
}
