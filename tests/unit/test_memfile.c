/* tests/unit/test_memfile.c: the memory file's page allocator.
 *
 * Offsets are page aligned and inside the file; new pages read as zero,
 * also when they are reused after a free (dirty reuse is zeroed, freed
 * runs punched back to the host read as zero without a memset);
 * refcounts and used_pages; runs are contiguous and never overlap; freed
 * neighbours coalesce into one run; memfile_resident follows writes.
 *
 * Criterion runs each test in its own process, so each starts with an
 * empty allocator. Exhaustion with a small limit is in
 * test_memfile_limit.c (memfile_init is once per process). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sentry/mm/memfile.h"

#define LIMIT (1ULL << 32)

static void setup(void)
{
	static bool inited;

	if (!inited) {
		cr_assert_eq(memfile_init(LIMIT), 0);
		inited = true;
	}
}

TestSuite(memfile, .init = setup);

static bool page_is(uint64_t off, unsigned char c)
{
	const unsigned char *p = memfile_ptr(off);

	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (p[i] != c)
			return false;
	return true;
}

static void unref_run(uint64_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		memfile_unref(off + i * PAGE_SIZE);
}

Test(memfile, init_sizes)
{
	cr_assert_eq(memfile_limit_pages(), LIMIT / PAGE_SIZE);
	cr_assert_eq(memfile_used_pages(), 0);
	cr_assert_geq(memfile_fd(), 0);
}

Test(memfile, alloc_aligned_in_file_and_zeroed)
{
	size_t wants[] = { 1, 2, 3, 16, 100 };

	for (size_t w = 0; w < sizeof(wants) / sizeof(wants[0]); w++) {
		size_t got = 0;
		int64_t off = memfile_alloc(wants[w], &got);

		cr_assert_geq(off, 0, "alloc(%zu) = %ld", wants[w], (long)off);
		cr_assert_eq(off % PAGE_SIZE, 0, "offset %#lx not page aligned", (long)off);
		cr_assert(got >= 1 && got <= wants[w], "alloc(%zu) got %zu", wants[w], got);
		cr_assert_leq((uint64_t)off + got * PAGE_SIZE, LIMIT);
		for (size_t i = 0; i < got; i++) {
			cr_assert(page_is((uint64_t)off + i * PAGE_SIZE, 0),
				  "page %zu of alloc(%zu) not zero", i, wants[w]);
			cr_assert_eq(memfile_refcount((uint64_t)off + i * PAGE_SIZE), 1);
		}
	}
}

Test(memfile, alloc_zero_means_one_page)
{
	size_t got = 99;
	int64_t off = memfile_alloc(0, &got);

	cr_assert_geq(off, 0);
	cr_assert_eq(got, 1);
	cr_assert_eq(memfile_used_pages(), 1);
}

/* A page written, freed and handed out again reads as zero. */
Test(memfile, reuse_after_free_is_zeroed)
{
	size_t got;
	int64_t first = memfile_alloc(1, &got);

	cr_assert_geq(first, 0);
	memset(memfile_ptr((uint64_t)first), 0xab, PAGE_SIZE);
	memfile_unref((uint64_t)first);
	cr_assert_eq(memfile_refcount((uint64_t)first), 0);

	int64_t held[64];
	size_t nheld = 0;
	bool found = false;

	while (nheld < 64) {
		int64_t off = memfile_alloc(1, &got);

		cr_assert_geq(off, 0);
		cr_assert_eq(got, 1);
		if (off == first) {
			found = true;
			break;
		}
		held[nheld++] = off;
	}
	cr_assert(found, "the freed page was not handed out again");
	cr_assert(page_is((uint64_t)first, 0), "reused page still holds old data");
	cr_assert_eq(memfile_refcount((uint64_t)first), 1);
	for (size_t i = 0; i < nheld; i++)
		memfile_unref((uint64_t)held[i]);
	memfile_unref((uint64_t)first);
	cr_assert_eq(memfile_used_pages(), 0);
}

/* A whole dirty run freed and reallocated is zero in every page. */
Test(memfile, reuse_of_run_is_zeroed)
{
	size_t got;
	int64_t off = memfile_alloc(8, &got);

	cr_assert_geq(off, 0);
	cr_assert_eq(got, 8);
	memset(memfile_ptr((uint64_t)off), 0x5a, 8 * PAGE_SIZE);
	unref_run((uint64_t)off, 8);
	cr_assert_eq(memfile_used_pages(), 0);

	int64_t again = memfile_alloc(8, &got);

	cr_assert_eq(again, off, "first fit should reuse the freed run");
	cr_assert_eq(got, 8);
	for (size_t i = 0; i < 8; i++)
		cr_assert(page_is((uint64_t)again + i * PAGE_SIZE, 0), "page %zu not zero", i);
}

/* Part of a freed run reused: the rest of the extent, taken later, must
 * also be zeroed. */
Test(memfile, partial_reuse_of_dirty_extent_is_zeroed)
{
	size_t got;
	int64_t off = memfile_alloc(8, &got);

	cr_assert_eq(got, 8);
	memset(memfile_ptr((uint64_t)off), 0x77, 8 * PAGE_SIZE);
	unref_run((uint64_t)off, 8);
	for (size_t i = 0; i < 8; i++) {
		int64_t p = memfile_alloc(1, &got);

		cr_assert_eq(p, off + (int64_t)(i * PAGE_SIZE));
		cr_assert(page_is((uint64_t)p, 0), "page %zu not zero", i);
	}
}

/* Freed pages coalesce, in any order, into one run that a later alloc
 * hands out whole; the pages still held are not touched. */
Test(memfile, free_extents_coalesce)
{
	size_t got;
	int64_t off = memfile_alloc(8, &got);

	cr_assert_eq(got, 8);
	for (size_t i = 0; i < 8; i++)
		memset(memfile_ptr((uint64_t)off + i * PAGE_SIZE), (int)(0x10 + i), PAGE_SIZE);
	/* Free pages 2..5 out of order: 5, 3, 2, 4. */
	size_t order[] = { 5, 3, 2, 4 };
	for (size_t k = 0; k < 4; k++)
		memfile_unref((uint64_t)off + order[k] * PAGE_SIZE);
	cr_assert_eq(memfile_used_pages(), 4);

	int64_t run = memfile_alloc(4, &got);

	cr_assert_eq(run, off + 2 * (int64_t)PAGE_SIZE);
	cr_assert_eq(got, 4, "coalesced extent handed out in %zu pages", got);
	for (size_t i = 0; i < 4; i++)
		cr_assert(page_is((uint64_t)run + i * PAGE_SIZE, 0));
	cr_assert(page_is((uint64_t)off, 0x10));
	cr_assert(page_is((uint64_t)off + PAGE_SIZE, 0x11));
	cr_assert(page_is((uint64_t)off + 6 * PAGE_SIZE, 0x16));
	cr_assert(page_is((uint64_t)off + 7 * PAGE_SIZE, 0x17));
	cr_assert_eq(memfile_used_pages(), 8);
}

/* A request larger than any free extent is served from the free list in
 * part, or from the bump; never more than asked, never overlapping. */
Test(memfile, allocations_never_overlap)
{
	enum { N = 200 };
	struct { int64_t off; size_t n; } r[N];
	size_t nr = 0;
	unsigned seed = 12345;

	for (int round = 0; round < 2000; round++) {
		seed = seed * 1103515245 + 12345;
		if (nr > 0 && (nr == N || (seed >> 16) % 3 == 0)) {
			size_t k = (seed >> 8) % nr;
			unref_run((uint64_t)r[k].off, r[k].n);
			r[k] = r[--nr];
			continue;
		}
		size_t want = 1 + (seed >> 20) % 20, got;
		int64_t off = memfile_alloc(want, &got);

		cr_assert_geq(off, 0);
		cr_assert(got >= 1 && got <= want);
		for (size_t i = 0; i < got; i++)
			cr_assert(page_is((uint64_t)off + i * PAGE_SIZE, 0),
				  "round %d: page not zero", round);
		memset(memfile_ptr((uint64_t)off), 0xee, got * PAGE_SIZE);
		for (size_t k = 0; k < nr; k++) {
			bool apart = (uint64_t)off + got * PAGE_SIZE <= (uint64_t)r[k].off ||
				     (uint64_t)r[k].off + r[k].n * PAGE_SIZE <= (uint64_t)off;
			cr_assert(apart, "round %d: [%#lx,+%zu) overlaps [%#lx,+%zu)", round,
				  (long)off, got, (long)r[k].off, r[k].n);
		}
		r[nr].off = off;
		r[nr].n = got;
		nr++;
	}
	uint64_t held = 0;
	for (size_t k = 0; k < nr; k++)
		held += r[k].n;
	cr_assert_eq(memfile_used_pages(), held);
	for (size_t k = 0; k < nr; k++)
		unref_run((uint64_t)r[k].off, r[k].n);
	cr_assert_eq(memfile_used_pages(), 0);
}

Test(memfile, refcounts_and_used_pages)
{
	size_t got;
	uint64_t base = memfile_used_pages();
	int64_t off = memfile_alloc(1, &got);

	cr_assert_geq(off, 0);
	cr_assert_eq(memfile_used_pages(), base + 1);
	cr_assert_eq(memfile_refcount((uint64_t)off), 1);
	memset(memfile_ptr((uint64_t)off), 0x42, PAGE_SIZE);

	memfile_ref((uint64_t)off);
	memfile_ref((uint64_t)off);
	cr_assert_eq(memfile_refcount((uint64_t)off), 3);
	cr_assert_eq(memfile_used_pages(), base + 1, "a ref is not a new page");

	memfile_unref((uint64_t)off);
	memfile_unref((uint64_t)off);
	cr_assert_eq(memfile_refcount((uint64_t)off), 1);
	cr_assert_eq(memfile_used_pages(), base + 1);
	cr_assert(page_is((uint64_t)off, 0x42), "data lost while still referenced");

	/* Not free while referenced: the next alloc must not return it. */
	int64_t other = memfile_alloc(1, &got);
	cr_assert_neq(other, off);
	memfile_unref((uint64_t)other);

	memfile_unref((uint64_t)off);
	cr_assert_eq(memfile_refcount((uint64_t)off), 0);
	cr_assert_eq(memfile_used_pages(), base);
}

Test(memfile, used_pages_counts_runs)
{
	size_t got;
	int64_t off = memfile_alloc(16, &got);

	cr_assert_geq(off, 0);
	cr_assert_eq(memfile_used_pages(), got);
	memfile_unref((uint64_t)off + PAGE_SIZE);
	cr_assert_eq(memfile_used_pages(), got - 1);
	cr_assert_eq(memfile_refcount((uint64_t)off), 1, "neighbour page freed too");
	cr_assert_eq(memfile_refcount((uint64_t)off + 2 * PAGE_SIZE), 1);
	memfile_unref((uint64_t)off);
	for (size_t i = 2; i < got; i++)
		memfile_unref((uint64_t)off + i * PAGE_SIZE);
	cr_assert_eq(memfile_used_pages(), 0);
}

/* A run is consecutive pages of the file, consecutive in the sentry's
 * view, each separately usable. */
Test(memfile, contiguous_run)
{
	size_t got;
	int64_t off = memfile_alloc(16, &got);

	cr_assert_geq(off, 0);
	cr_assert(got >= 1 && got <= 16);
	cr_assert_eq(got, 16, "an empty allocator should give the whole run");
	unsigned char *base = memfile_ptr((uint64_t)off);
	for (size_t i = 0; i < got; i++) {
		cr_assert_eq((unsigned char *)memfile_ptr((uint64_t)off + i * PAGE_SIZE),
			     base + i * PAGE_SIZE);
		memset(base + i * PAGE_SIZE, (int)(i + 1), PAGE_SIZE);
	}
	for (size_t i = 0; i < got; i++) {
		cr_assert(page_is((uint64_t)off + i * PAGE_SIZE, (unsigned char)(i + 1)),
			  "page %zu aliased or lost", i);
		cr_assert_eq(memfile_refcount((uint64_t)off + i * PAGE_SIZE), 1);
	}
	/* The memfd sees the same bytes at the same offsets. */
	unsigned char b = 0;
	cr_assert_eq(pread(memfile_fd(), &b, 1, (off_t)off + 5 * PAGE_SIZE + 17), 1);
	cr_assert_eq(b, 6);
}

Test(memfile, resident_after_write)
{
	size_t got;
	int64_t off = memfile_alloc(2, &got);

	cr_assert_eq(got, 2);
	/* Never-used pages come from the untouched part of the file. */
	cr_assert_not(memfile_resident((uint64_t)off), "fresh page already resident");
	*(volatile char *)memfile_ptr((uint64_t)off) = 1;
	cr_assert(memfile_resident((uint64_t)off), "written page not resident");
	cr_assert_not(memfile_resident((uint64_t)off + PAGE_SIZE), "neighbour became resident");
}

/* Big freed runs go back to the host (every 4096 frees): they stop being
 * resident, and handed out again they read as zero. */
Test(memfile, punched_runs_read_zero)
{
	enum { N = 4096 };
	size_t got;
	int64_t off = memfile_alloc(N, &got);

	cr_assert_eq(got, N);
	memset(memfile_ptr((uint64_t)off), 0xcd, (size_t)N * PAGE_SIZE);
	cr_assert(memfile_resident((uint64_t)off));
	unref_run((uint64_t)off, N);
	cr_assert_eq(memfile_used_pages(), 0);
	cr_assert_not(memfile_resident((uint64_t)off), "freed run not given back");
	cr_assert_not(memfile_resident((uint64_t)off + (N - 1) * PAGE_SIZE));

	int64_t again = memfile_alloc(N, &got);

	cr_assert_eq(again, off);
	cr_assert_eq(got, N);
	for (size_t i = 0; i < N; i++)
		cr_assert(page_is((uint64_t)again + i * PAGE_SIZE, 0), "page %zu not zero", i);
}

/* A page freed next to a punched (clean) extent makes it dirty: the
 * merged extent must be zeroed when reused. */
Test(memfile, dirty_page_next_to_punched_extent)
{
	enum { N = 4096 };
	size_t got;
	int64_t off = memfile_alloc(N + 1, &got);

	cr_assert_eq(got, N + 1);
	memset(memfile_ptr((uint64_t)off), 0x99, (size_t)(N + 1) * PAGE_SIZE);
	unref_run((uint64_t)off, N);	/* punched: clean */
	memfile_unref((uint64_t)off + N * PAGE_SIZE);	/* dirty, coalesces */
	int64_t again = memfile_alloc(N + 1, &got);

	cr_assert_eq(again, off);
	cr_assert_eq(got, N + 1);
	cr_assert(page_is((uint64_t)off + N * PAGE_SIZE, 0), "dirty page reused unzeroed");
	cr_assert(page_is((uint64_t)off, 0));
}
