/* tests/unit/test_mobj.c: memory objects (sentry/mm/mobj.c): sparse page
 * trees over the whole 36-bit index range, the size limit (-EFAULT
 * beyond, PAGE ALIGN of a partial last page), set_size cutting pages and
 * zeroing the tail, SEEK_DATA/HOLE scans (fallocated pages are holes until
 * written), fill and charge ops, readahead in runs (fill_range), for_each, and the reverse map (one entry
 * per address space, counted per VMA; writable shared VMAs counted for
 * seals); private file mappings: reads see the object's page, a write
 * copies it. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "sentry/mm/fault.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/vma.h"

#define P PAGE_SIZE

static void setup(void)
{
	static bool inited;
	if (!inited) {
		cr_assert_eq(memfile_init(1ULL << 32), 0);
		inited = true;
	}
}

TestSuite(mobj, .init = setup);

Test(mobj, sparse_pages_and_limit)
{
	uint64_t big = 1ULL << 46;	/* 2^34 pages */
	struct mobj *o = mobj_new_file(big, NULL, NULL);
	cr_assert_not_null(o);
	int64_t a = mobj_page(o, 0), b = mobj_page(o, (big / P) - 1);
	cr_assert_geq(a, 0);
	cr_assert_geq(b, 0);
	cr_assert_neq(a, b);
	cr_assert_eq(mobj_page(o, 0), a, "a page is found again");
	cr_assert_eq(mobj_page(o, big / P), -EFAULT, "beyond the size");
	cr_assert_eq(mobj_pages(o), 2);
	cr_assert(mobj_page_present(o, 0));
	cr_assert_not(mobj_page_present(o, 1));
	cr_assert_eq(mobj_page_ref(o, 5, false), -ENOENT);
	mobj_put(o);

	/* A partial last page is usable. */
	o = mobj_new_file(P + 1, NULL, NULL);
	cr_assert_geq(mobj_page(o, 1), 0);
	cr_assert_eq(mobj_page(o, 2), -EFAULT);
	mobj_put(o);
}

/* The tree is as high as its largest index needs: a page beyond it
 * raises it without losing what it held, seeks see beyond its top as
 * holes, and a tree cut empty starts small again. */
Test(mobj, tree_grows_and_shrinks)
{
	struct mobj *o = mobj_new_file(1ULL << 46, NULL, NULL);
	uint64_t lim = (1ULL << 46) / P;
	int64_t a = mobj_page(o, 7);
	cr_assert_geq(a, 0);
	cr_assert_eq(mobj_seek(o, 8, lim, false), 8);
	cr_assert_eq(mobj_seek(o, 8, lim, true), lim, "nothing past a one-table tree");
	cr_assert_eq(mobj_seek(o, 600, lim, false), 600, "past the top: a hole");
	int64_t b = mobj_page(o, 1ULL << 30);	/* three levels up */
	cr_assert_geq(b, 0);
	cr_assert_eq(mobj_page(o, 7), a, "the raised tree keeps its pages");
	cr_assert_eq(mobj_seek(o, 8, lim, true), 1ULL << 30);
	cr_assert_eq(mobj_seek(o, 0, lim, true), 7);
	cr_assert_eq(mobj_pages(o), 2);
	mobj_discard(o, 0, lim);
	cr_assert_eq(mobj_pages(o), 0);
	cr_assert_eq(mobj_seek(o, 0, lim, true), lim, "cut empty");
	cr_assert_geq(mobj_page(o, 3), 0, "and usable again");
	cr_assert_eq(mobj_seek(o, 0, lim, true), 3);
	cr_assert_eq(mobj_seek(o, 4, lim, true), lim);
	mobj_put(o);
}

Test(mobj, set_size_cuts_and_zeroes_the_tail)
{
	struct mobj *o = mobj_new_file(4 * P, NULL, NULL);
	for (uint64_t i = 0; i < 4; i++) {
		int64_t off = mobj_page(o, i);
		cr_assert_geq(off, 0);
		memset(memfile_ptr((uint64_t)off), 'x', P);
	}
	uint64_t used = memfile_used_pages();
	mobj_set_size(o, P + 100);
	cr_assert_eq(mobj_pages(o), 2);
	cr_assert_eq(memfile_used_pages(), used - 2, "cut pages are freed");
	char *p1 = memfile_ptr((uint64_t)mobj_page(o, 1));
	cr_assert_eq(p1[99], 'x');
	cr_assert_eq(p1[100], 0);
	cr_assert_eq(p1[P - 1], 0);
	cr_assert_eq(mobj_page(o, 2), -EFAULT);
	mobj_set_size(o, 8 * P);
	cr_assert_not(mobj_page_present(o, 3), "growing brings nothing back");
	mobj_put(o);
}

Test(mobj, seek_data_and_holes)
{
	struct mobj *o = mobj_new_file(1ULL << 40, NULL, NULL);
	uint64_t lim = (1ULL << 40) / P;
	cr_assert_eq(mobj_seek(o, 0, lim, true), lim, "empty: no data");
	cr_assert_eq(mobj_seek(o, 7, lim, false), 7);
	mobj_page(o, 3);
	mobj_page(o, 4);
	mobj_page(o, 1ULL << 20);
	cr_assert_eq(mobj_seek(o, 0, lim, true), 3);
	cr_assert_eq(mobj_seek(o, 3, lim, false), 5);
	cr_assert_eq(mobj_seek(o, 5, lim, true), 1ULL << 20, "skips empty subtrees");
	cr_assert_eq(mobj_seek(o, (1ULL << 20) + 1, lim, true), lim);
	cr_assert_eq(mobj_seek(o, 0, 4, true), 3, "bounded by limit");
	cr_assert_eq(mobj_seek(o, 0, 3, true), 3, "nothing below the limit");
	/* Preallocated pages are holes until written. */
	cr_assert_eq(mobj_prealloc(o, 10), 0);
	cr_assert(mobj_page_present(o, 10));
	cr_assert_eq(mobj_seek(o, 5, lim, true), 1ULL << 20);
	cr_assert_eq(mobj_seek(o, 10, lim, false), 10);
	cr_assert_geq(mobj_page_ref(o, 10, false), 0, "a read does not write it");
	memfile_unref((uint64_t)mobj_page_ref(o, 10, false));
	memfile_unref((uint64_t)mobj_page_ref(o, 10, false));
	cr_assert_eq(mobj_seek(o, 5, lim, true), 1ULL << 20);
	cr_assert_geq(mobj_page(o, 10), 0, "a fault writes it");
	cr_assert_eq(mobj_seek(o, 5, lim, true), 10);
	/* Preallocation reaches beyond the size. */
	struct mobj *s = mobj_new_file(P, NULL, NULL);
	cr_assert_eq(mobj_prealloc(s, 5), 0);
	cr_assert_eq(mobj_page(s, 5), -EFAULT, "still beyond the size");
	mobj_set_size(s, 6 * P);
	cr_assert(mobj_page_present(s, 5));
	mobj_put(s);
	mobj_put(o);
}

static int fills, charged;

static int t_fill(struct mobj *o, uint64_t idx, void *page)
{
	(void)o;
	fills++;
	if (idx == 7)
		return -EIO;
	memset(page, 'a' + (int)idx, P);
	return 0;
}

static int t_charge(struct mobj *o, uint64_t n)
{
	(void)o;
	if (charged + (int)n > 3)
		return -ENOSPC;
	charged += (int)n;
	return 0;
}

static void t_uncharge(struct mobj *o, uint64_t n)
{
	(void)o;
	charged -= (int)n;
}

static const struct mobj_ops tops = { .fill = t_fill, .charge = t_charge, .uncharge = t_uncharge };

static void count(void *arg, uint64_t idx, uint64_t off)
{
	(void)off;
	*(uint64_t *)arg += idx;
}

Test(mobj, fill_charge_for_each)
{
	fills = charged = 0;
	struct mobj *o = mobj_new_file(16 * P, &tops, NULL);
	int64_t off = mobj_page(o, 2);
	cr_assert_geq(off, 0);
	cr_assert_eq(((char *)memfile_ptr((uint64_t)off))[0], 'c');
	cr_assert_eq(fills, 1);
	cr_assert_eq(mobj_page(o, 2), off);
	cr_assert_eq(fills, 1, "filled once");
	cr_assert_eq(mobj_page(o, 7), -EIO);
	cr_assert_eq(charged, 1, "a failed fill is uncharged");
	cr_assert_geq(mobj_page(o, 3), 0);
	cr_assert_geq(mobj_page(o, 4), 0);
	cr_assert_eq(mobj_page(o, 5), -ENOSPC);
	cr_assert_eq(mobj_page_window(o, 9), (int64_t)-ENOSPC, "a cache fills around faults");
	uint64_t sum = 0;
	mobj_for_each(o, 0, 16, count, &sum);
	cr_assert_eq(sum, 2 + 3 + 4);
	mobj_discard(o, 3, 1);
	cr_assert_eq(charged, 2);
	mobj_put(o);
	cr_assert_eq(charged, 0, "all uncharged at the end");

	/* A file without fill: the window maps only existing pages;
	 * anonymous memory is made. */
	struct mobj *f = mobj_new_file(4 * P, NULL, NULL);
	cr_assert_eq(mobj_page_window(f, 1), -ENOENT);
	mobj_put(f);
	struct mobj *a = mobj_new(4 * P);
	cr_assert_geq(mobj_page_window(a, 1), 0);
	mobj_put(a);
}

static int runs, run_pages;

static int t_fill_run(struct mobj *o, uint64_t idx, uint64_t n, void *pages)
{
	(void)o;
	runs++;
	run_pages += (int)n;
	for (uint64_t k = 0; k < n; k++) {
		if (idx + k == 7)
			return -EIO;
		memset((char *)pages + k * P, 'a' + (int)(idx + k), P);
	}
	return 0;
}

static int t_charge_big(struct mobj *o, uint64_t n)
{
	(void)o;
	if (charged + (int)n > 12)
		return -ENOSPC;
	charged += (int)n;
	return 0;
}

static const struct mobj_ops rops = { .fill = t_fill, .fill_run = t_fill_run,
				      .charge = t_charge_big, .uncharge = t_uncharge };

Test(mobj, fill_range_reads_gaps_in_runs)
{
	fills = charged = runs = run_pages = 0;
	/* Nine and a half pages: the last one is partial, index 10 is beyond. */
	struct mobj *o = mobj_new_file(9 * P + 100, &rops, NULL);
	int64_t two = mobj_page(o, 2);
	cr_assert_geq(two, 0);
	cr_assert_eq(fills, 1);
	mobj_fill_range(o, 0, 6);
	cr_assert_eq(runs, 2, "the gaps 0-1 and 3-5: one fill each");
	cr_assert_eq(run_pages, 5);
	cr_assert_eq(mobj_page(o, 2), two, "a present page stays");
	for (uint64_t i = 0; i < 6; i++) {
		int64_t off = mobj_page(o, i);
		cr_assert_geq(off, 0);
		cr_assert_eq(((char *)memfile_ptr((uint64_t)off))[P - 1], (char)('a' + (int)i));
	}
	cr_assert_eq(fills, 1, "no page was filled alone");
	cr_assert_eq(charged, 6);
	/* A run that fails is given back whole (uncharged, absent). */
	mobj_fill_range(o, 6, 2);
	cr_assert_eq(charged, 6, "a failed fill is uncharged");
	cr_assert_not(mobj_page_present(o, 6));
	cr_assert_not(mobj_page_present(o, 7));
	/* Only up to the size; the charge limit stops it without a trace. */
	runs = 0;
	mobj_fill_range(o, 8, 100);
	cr_assert_eq(runs, 1);
	cr_assert(mobj_page_present(o, 8) && mobj_page_present(o, 9));
	cr_assert_not(mobj_page_present(o, 10), "beyond the size");
	cr_assert_eq(charged, 8);
	struct mobj *big = mobj_new_file(64 * P, &rops, NULL);
	mobj_fill_range(big, 20, 10);
	cr_assert_not(mobj_page_present(big, 20), "over the charge limit: nothing");
	cr_assert_eq(charged, 8);
	mobj_put(big);
	mobj_put(o);
	cr_assert_eq(charged, 0, "all uncharged at the end");
	/* Without fill_run it does nothing: pages come one by one. */
	struct mobj *f = mobj_new_file(4 * P, &tops, NULL);
	mobj_fill_range(f, 0, 4);
	cr_assert_not(mobj_page_present(f, 0));
	mobj_put(f);
}

Test(mobj, reverse_map_and_private_file_pages)
{
	struct mobj *o = mobj_new_file(4 * P, NULL, NULL);
	struct mm *mm = mm_new(NULL, 1ULL << 47);
	uint64_t A = 0x100000;
	int64_t r = mm_mmap_obj(mm, A, 4 * P, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_FIXED, o, 0, VMA_MAYWRITE);
	cr_assert_eq(r, (int64_t)A);
	cr_assert_eq(o->nmaps, 1);
	cr_assert_eq(mobj_writable_maps(o), 1);
	cr_assert_eq(mm_mmap_obj(mm, A + 8 * P, 2 * P, PROT_READ, MAP_PRIVATE | MAP_FIXED,
				 o, 0, 0), (int64_t)(A + 8 * P));
	cr_assert_eq(o->nmaps, 1, "one entry per address space");
	cr_assert_eq(o->maps[0].n, 2);
	cr_assert_eq(mm_mprotect(mm, A + P, P, PROT_READ), 0);	/* split */
	cr_assert_eq(o->maps[0].n, 4);
	cr_assert_eq(mobj_writable_maps(o), 3, "split pieces count");

	/* The private mapping reads the object's page; a write copies it. */
	pthread_mutex_lock(&mm->lock);
	struct vma *pv = mm_find_vma(mm, A + 8 * P);
	int64_t shared = mm_page_get(mm, pv, A + 8 * P, false);
	cr_assert_eq(shared, mobj_page(o, 0));
	memset(memfile_ptr((uint64_t)shared), 's', P);
	int64_t priv = mm_page_get(mm, pv, A + 8 * P, true);
	cr_assert_neq(priv, shared);
	cr_assert_eq(((char *)memfile_ptr((uint64_t)priv))[5], 's');
	pthread_mutex_unlock(&mm->lock);

	struct mm *child = mm_fork(mm, NULL);
	cr_assert_eq(o->nmaps, 2);
	mm_put(child);
	cr_assert_eq(o->nmaps, 1);
	cr_assert_eq(mm_munmap(mm, A, 4 * P), 0);
	cr_assert_eq(mobj_writable_maps(o), 0);
	mm_put(mm);
	cr_assert_eq(o->nmaps, 0);
	cr_assert_eq(o->refs, 1);
	mobj_put(o);
}
