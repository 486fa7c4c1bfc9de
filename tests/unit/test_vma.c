/* tests/unit/test_vma.c: the sorted VMA array of struct mm.
 *
 * vma_insert keeps the array sorted; vma_lower_bound/mm_find_vma; split_at
 * inside a VMA, at its boundaries and in holes (shared VMAs: offsets and
 * object references); merge_around joins only compatible neighbours
 * (adjacent, same prot/flags/name/object, contiguous object offsets);
 * remove_range cuts out pieces and releases their pages; range_used and
 * range_covered; find_free top-down below mmap_base, with hints, and
 * -ENOMEM when nothing fits. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/pagemap.h"
#include "sentry/mm/vma.h"

#define MAX_ADDR (1ULL << 47)
#define P PAGE_SIZE
#define MIN_ADDR 0x10000UL	/* vma.c's MMAP_MIN_ADDR */
#define RW (PROT_READ | PROT_WRITE)

static void setup(void)
{
	static bool inited;

	if (!inited) {
		cr_assert_eq(memfile_init(1ULL << 32), 0);
		inited = true;
	}
}

TestSuite(vma, .init = setup);

static struct mm *new_mm(uint64_t max_addr)
{
	struct mm *mm = mm_new(NULL, max_addr);

	cr_assert_not_null(mm);
	return mm;
}

static struct vma anon(uint64_t start, uint64_t end, int prot)
{
	return (struct vma){ .start = start, .end = end, .prot = prot };
}

static int insert(struct mm *mm, uint64_t start, uint64_t end, int prot)
{
	struct vma v = anon(start, end, prot);
	int i = vma_insert(mm, &v);

	cr_assert_geq(i, 0);
	return i;
}

/* The array is sorted, non-overlapping and made of page-aligned,
 * non-empty VMAs. */
static void check_sorted(struct mm *mm)
{
	for (size_t i = 0; i < mm->nvmas; i++) {
		struct vma *v = &mm->vmas[i];

		cr_assert_lt(v->start, v->end, "vma %zu empty", i);
		cr_assert_eq(v->start % P, 0);
		cr_assert_eq(v->end % P, 0);
		if (i > 0)
			cr_assert_leq(mm->vmas[i - 1].end, v->start, "vma %zu overlaps or out of order", i);
	}
}

static void expect_vma(struct mm *mm, size_t i, uint64_t start, uint64_t end, int prot)
{
	cr_assert_lt(i, mm->nvmas);
	cr_assert_eq(mm->vmas[i].start, start, "vma %zu start %#lx, want %#lx", i,
		     mm->vmas[i].start, start);
	cr_assert_eq(mm->vmas[i].end, end, "vma %zu end %#lx, want %#lx", i,
		     mm->vmas[i].end, end);
	cr_assert_eq(mm->vmas[i].prot, prot);
}

#define A 0x100000000UL

Test(vma, insert_keeps_order)
{
	struct mm *mm = new_mm(MAX_ADDR);

	cr_assert_eq(insert(mm, A + 5 * P, A + 6 * P, RW), 0);
	cr_assert_eq(insert(mm, A + 1 * P, A + 2 * P, RW), 0);
	cr_assert_eq(insert(mm, A + 7 * P, A + 9 * P, RW), 2);
	cr_assert_eq(insert(mm, A + 3 * P, A + 4 * P, RW), 1);
	cr_assert_eq(mm->nvmas, 4);
	check_sorted(mm);
	expect_vma(mm, 0, A + 1 * P, A + 2 * P, RW);
	expect_vma(mm, 1, A + 3 * P, A + 4 * P, RW);
	expect_vma(mm, 2, A + 5 * P, A + 6 * P, RW);
	expect_vma(mm, 3, A + 7 * P, A + 9 * P, RW);
	mm_put(mm);
}

/* Many inserts in scrambled order force the array to grow. */
Test(vma, insert_many)
{
	struct mm *mm = new_mm(MAX_ADDR);

	for (uint64_t k = 0; k < 500; k++) {
		uint64_t slot = (k * 263) % 500;
		insert(mm, A + 2 * slot * P, A + (2 * slot + 1) * P, RW);
	}
	cr_assert_eq(mm->nvmas, 500);
	check_sorted(mm);
	for (size_t i = 0; i < 500; i++)
		cr_assert_eq(mm->vmas[i].start, A + 2 * i * P);
	mm_put(mm);
}

Test(vma, lower_bound_and_find)
{
	struct mm *mm = new_mm(MAX_ADDR);

	insert(mm, A, A + 2 * P, RW);
	insert(mm, A + 4 * P, A + 5 * P, RW);
	cr_assert_eq(vma_lower_bound(mm, 0), 0);
	cr_assert_eq(vma_lower_bound(mm, A), 0);
	cr_assert_eq(vma_lower_bound(mm, A + 2 * P - 1), 0);
	cr_assert_eq(vma_lower_bound(mm, A + 2 * P), 1, "end is exclusive");
	cr_assert_eq(vma_lower_bound(mm, A + 3 * P), 1);
	cr_assert_eq(vma_lower_bound(mm, A + 5 * P), 2);
	cr_assert_eq(mm_find_vma(mm, A + P + 5), &mm->vmas[0]);
	cr_assert_null(mm_find_vma(mm, A - 1));
	cr_assert_null(mm_find_vma(mm, A + 2 * P));
	cr_assert_null(mm_find_vma(mm, A + 3 * P + 100));
	cr_assert_eq(mm_find_vma(mm, A + 4 * P), &mm->vmas[1]);
	cr_assert_null(mm_find_vma(mm, A + 5 * P));
	mm_put(mm);
}

Test(vma, split_inside)
{
	struct mm *mm = new_mm(MAX_ADDR);

	insert(mm, A, A + 4 * P, PROT_READ);
	mm->vmas[0].flags = VMA_NORESERVE;
	strcpy(mm->vmas[0].name, "[x]");
	cr_assert_eq(vma_split_at(mm, A + P), 0);
	cr_assert_eq(mm->nvmas, 2);
	expect_vma(mm, 0, A, A + P, PROT_READ);
	expect_vma(mm, 1, A + P, A + 4 * P, PROT_READ);
	cr_assert_eq(mm->vmas[1].flags, VMA_NORESERVE);
	cr_assert_str_eq(mm->vmas[1].name, "[x]");
	cr_assert_eq(vma_split_at(mm, A + 3 * P), 0);
	cr_assert_eq(mm->nvmas, 3);
	expect_vma(mm, 1, A + P, A + 3 * P, PROT_READ);
	expect_vma(mm, 2, A + 3 * P, A + 4 * P, PROT_READ);
	check_sorted(mm);
	mm_put(mm);
}

Test(vma, split_at_boundaries_and_holes_is_noop)
{
	struct mm *mm = new_mm(MAX_ADDR);

	insert(mm, A, A + 2 * P, RW);
	insert(mm, A + 3 * P, A + 4 * P, RW);
	cr_assert_eq(vma_split_at(mm, A), 0);
	cr_assert_eq(vma_split_at(mm, A + 2 * P), 0);
	cr_assert_eq(vma_split_at(mm, A + 3 * P), 0);
	cr_assert_eq(vma_split_at(mm, A + 4 * P), 0);
	cr_assert_eq(vma_split_at(mm, A - P), 0);
	cr_assert_eq(vma_split_at(mm, A + 100 * P), 0);
	cr_assert_eq(mm->nvmas, 2);
	expect_vma(mm, 0, A, A + 2 * P, RW);
	expect_vma(mm, 1, A + 3 * P, A + 4 * P, RW);
	mm_put(mm);
}

/* Splitting a shared VMA: the upper piece's object offset moves with its
 * start, and it holds its own reference on the object. */
Test(vma, split_shared)
{
	struct mm *mm = new_mm(MAX_ADDR);
	struct mobj *o = mobj_new(8 * P);
	struct vma v = anon(A, A + 4 * P, RW);

	v.flags = VMA_SHARED;
	v.obj = o;
	v.obj_off = 2 * P;
	cr_assert_eq(vma_insert(mm, &v), 0);	/* the VMA takes our reference */
	mobj_get(o);				/* ours, to look at it */
	cr_assert_eq(vma_split_at(mm, A + 3 * P), 0);
	cr_assert_eq(mm->nvmas, 2);
	cr_assert_eq(mm->vmas[0].obj_off, 2 * P);
	cr_assert_eq(mm->vmas[1].obj_off, 5 * P);
	cr_assert_eq(mm->vmas[1].obj, o);
	cr_assert_eq(o->refs, 3);
	/* Merged back: one reference dropped. */
	vma_merge_around(mm, 0);
	cr_assert_eq(mm->nvmas, 1);
	expect_vma(mm, 0, A, A + 4 * P, RW);
	cr_assert_eq(mm->vmas[0].obj_off, 2 * P);
	cr_assert_eq(o->refs, 2);
	mm_put(mm);
	cr_assert_eq(o->refs, 1);
	mobj_put(o);
}

Test(vma, merge_compatible_neighbours)
{
	struct mm *mm = new_mm(MAX_ADDR);

	insert(mm, A, A + P, RW);
	insert(mm, A + 2 * P, A + 3 * P, RW);
	int i = insert(mm, A + P, A + 2 * P, RW);
	cr_assert_eq(mm->nvmas, 3);
	vma_merge_around(mm, (size_t)i);
	cr_assert_eq(mm->nvmas, 1);
	expect_vma(mm, 0, A, A + 3 * P, RW);
	/* Merging an already merged VMA changes nothing. */
	vma_merge_around(mm, 0);
	cr_assert_eq(mm->nvmas, 1);
	mm_put(mm);
}

Test(vma, merge_only_with_compatible_side)
{
	struct mm *mm = new_mm(MAX_ADDR);

	insert(mm, A, A + P, PROT_READ);
	insert(mm, A + 2 * P, A + 3 * P, RW);
	int i = insert(mm, A + P, A + 2 * P, RW);
	vma_merge_around(mm, (size_t)i);
	cr_assert_eq(mm->nvmas, 2);
	expect_vma(mm, 0, A, A + P, PROT_READ);
	expect_vma(mm, 1, A + P, A + 3 * P, RW);
	mm_put(mm);
}

Test(vma, no_merge_when_incompatible)
{
	struct mm *mm = new_mm(MAX_ADDR);

	/* Different prot. */
	insert(mm, A, A + P, PROT_READ);
	insert(mm, A + P, A + 2 * P, RW);
	vma_merge_around(mm, 0);
	vma_merge_around(mm, 1);
	cr_assert_eq(mm->nvmas, 2);

	/* Not adjacent. */
	insert(mm, A + 3 * P, A + 4 * P, RW);
	vma_merge_around(mm, 2);
	cr_assert_eq(mm->nvmas, 3);

	/* Different flags. */
	insert(mm, A + 4 * P, A + 5 * P, RW);
	mm->vmas[3].flags = VMA_GROWSDOWN;
	vma_merge_around(mm, 3);
	cr_assert_eq(mm->nvmas, 4);

	/* Different name. */
	insert(mm, A + 5 * P, A + 6 * P, RW);
	mm->vmas[4].flags = VMA_GROWSDOWN;
	strcpy(mm->vmas[4].name, "[stack]");
	vma_merge_around(mm, 4);
	cr_assert_eq(mm->nvmas, 5);
	check_sorted(mm);
	mm_put(mm);
}

/* Shared VMAs merge only on the same object at contiguous offsets. */
Test(vma, no_merge_of_shared_unless_contiguous_in_object)
{
	struct mm *mm = new_mm(MAX_ADDR);
	struct mobj *o1 = mobj_new(8 * P), *o2 = mobj_new(8 * P);
	struct vma a = anon(A, A + P, RW), b = anon(A + P, A + 2 * P, RW);

	a.flags = b.flags = VMA_SHARED;
	a.obj = o1;
	b.obj = o2;
	vma_insert(mm, &a);
	vma_insert(mm, &b);
	vma_merge_around(mm, 0);
	cr_assert_eq(mm->nvmas, 2, "merged across two objects");

	/* Same object, offsets not contiguous (0 then 3 pages). */
	struct vma c = anon(A + 4 * P, A + 5 * P, RW), d = anon(A + 5 * P, A + 6 * P, RW);
	mobj_get(o1);
	mobj_get(o1);
	c.flags = d.flags = VMA_SHARED;
	c.obj = d.obj = o1;
	c.obj_off = 0;
	d.obj_off = 3 * P;
	vma_insert(mm, &c);
	vma_insert(mm, &d);
	vma_merge_around(mm, 2);
	cr_assert_eq(mm->nvmas, 4, "merged non-contiguous object ranges");

	/* Contiguous: merges. */
	mm->vmas[3].obj_off = P;
	vma_merge_around(mm, 2);
	cr_assert_eq(mm->nvmas, 3);
	expect_vma(mm, 2, A + 4 * P, A + 6 * P, RW);
	cr_assert_eq(o1->refs, 2);

	/* A private VMA next to a shared one. */
	insert(mm, A + 6 * P, A + 7 * P, RW);
	vma_merge_around(mm, 3);
	cr_assert_eq(mm->nvmas, 4);
	mm_put(mm);
}

static void poke_pages(struct mm *mm, uint64_t start, uint64_t end, unsigned char c)
{
	unsigned char buf[P];

	memset(buf, c, sizeof(buf));
	for (uint64_t a = start; a < end; a += P)
		cr_assert_eq(mm_poke(mm, a, buf, P), 0);
}

static bool present(struct mm *mm, uint64_t addr)
{
	uint64_t *slot = pagemap_slot(mm->pm, addr, false);

	return slot && (*slot & PTE_PRESENT);
}

Test(vma, remove_middle_leaves_two)
{
	struct mm *mm = new_mm(MAX_ADDR);

	insert(mm, A, A + 3 * P, RW);
	poke_pages(mm, A, A + 3 * P, 0x11);
	uint64_t used = memfile_used_pages();
	cr_assert_eq(mm->resident_pages, 3);

	cr_assert_eq(vma_remove_range(mm, A + P, A + 2 * P), 0);
	cr_assert_eq(mm->nvmas, 2);
	expect_vma(mm, 0, A, A + P, RW);
	expect_vma(mm, 1, A + 2 * P, A + 3 * P, RW);
	cr_assert_eq(mm->resident_pages, 2);
	cr_assert_eq(memfile_used_pages(), used - 1, "removed page not released");
	cr_assert(present(mm, A));
	cr_assert_not(present(mm, A + P));
	cr_assert(present(mm, A + 2 * P));
	mm_put(mm);
	cr_assert_eq(memfile_used_pages(), used - 3);
}

Test(vma, remove_across_vmas_and_holes)
{
	struct mm *mm = new_mm(MAX_ADDR);

	insert(mm, A, A + 2 * P, RW);
	insert(mm, A + 3 * P, A + 4 * P, PROT_READ);
	insert(mm, A + 5 * P, A + 8 * P, RW);
	cr_assert_eq(vma_remove_range(mm, A + P, A + 6 * P), 0);
	cr_assert_eq(mm->nvmas, 2);
	expect_vma(mm, 0, A, A + P, RW);
	expect_vma(mm, 1, A + 6 * P, A + 8 * P, RW);
	/* Nothing there: nothing changes. */
	cr_assert_eq(vma_remove_range(mm, A + P, A + 6 * P), 0);
	cr_assert_eq(vma_remove_range(mm, A + 100 * P, A + 200 * P), 0);
	cr_assert_eq(mm->nvmas, 2);
	/* Exactly one whole VMA. */
	cr_assert_eq(vma_remove_range(mm, A, A + P), 0);
	cr_assert_eq(mm->nvmas, 1);
	expect_vma(mm, 0, A + 6 * P, A + 8 * P, RW);
	mm_put(mm);
}

Test(vma, remove_shared_drops_references)
{
	struct mm *mm = new_mm(MAX_ADDR);
	struct mobj *o = mobj_new(4 * P);
	struct vma v = anon(A, A + 4 * P, RW);

	v.flags = VMA_SHARED;
	v.obj = o;
	vma_insert(mm, &v);
	mobj_get(o);
	cr_assert_eq(vma_remove_range(mm, A + P, A + 2 * P), 0);
	cr_assert_eq(mm->nvmas, 2);
	cr_assert_eq(mm->vmas[1].obj_off, 2 * P);
	cr_assert_eq(o->refs, 3);
	cr_assert_eq(vma_remove_range(mm, A, A + 4 * P), 0);
	cr_assert_eq(mm->nvmas, 0);
	cr_assert_eq(o->refs, 1);
	mobj_put(o);
	mm_put(mm);
}

Test(vma, range_used_and_covered)
{
	struct mm *mm = new_mm(MAX_ADDR);

	insert(mm, A, A + 2 * P, RW);
	insert(mm, A + 2 * P, A + 3 * P, PROT_READ);
	insert(mm, A + 4 * P, A + 5 * P, RW);
	cr_assert(vma_range_used(mm, A, A + P));
	cr_assert(vma_range_used(mm, A - P, A + 1));
	cr_assert_not(vma_range_used(mm, A - P, A));
	cr_assert_not(vma_range_used(mm, A + 3 * P, A + 4 * P));
	cr_assert(vma_range_used(mm, A + 3 * P, A + 4 * P + 1));
	cr_assert_not(vma_range_used(mm, A + 5 * P, A + 9 * P));

	cr_assert(vma_range_covered(mm, A, A + 3 * P), "adjacent VMAs cover");
	cr_assert(vma_range_covered(mm, A + P, A + 2 * P + 1));
	cr_assert_not(vma_range_covered(mm, A, A + 4 * P), "hole at 3");
	cr_assert_not(vma_range_covered(mm, A - P, A + P), "hole below");
	cr_assert_not(vma_range_covered(mm, A + 4 * P, A + 6 * P), "hole above");
	cr_assert(vma_range_covered(mm, A + 4 * P, A + 5 * P));
	cr_assert_not(vma_range_covered(mm, A + 3 * P, A + 4 * P));
	mm_put(mm);
}

Test(vma, find_free_top_down_below_mmap_base)
{
	struct mm *mm = new_mm(MAX_ADDR);
	uint64_t base = mm->mmap_base;

	cr_assert_eq(base % P, 0);
	cr_assert_lt(base, MAX_ADDR);
	int64_t a1 = vma_find_free(mm, 0, 2 * P);
	cr_assert_eq(a1, (int64_t)(base - 2 * P));
	insert(mm, (uint64_t)a1, (uint64_t)a1 + 2 * P, RW);
	int64_t a2 = vma_find_free(mm, 0, 3 * P);
	cr_assert_eq(a2, a1 - 3 * (int64_t)P, "next mapping right below the first");
	insert(mm, (uint64_t)a2, (uint64_t)a2 + 3 * P, RW);

	/* A one-page hole below mmap_base is used by a one-page request,
	 * skipped by a two-page one. */
	cr_assert_eq(vma_remove_range(mm, (uint64_t)a1, (uint64_t)a1 + P), 0);
	cr_assert_eq(vma_find_free(mm, 0, 2 * P), a2 - 2 * (int64_t)P);
	cr_assert_eq(vma_find_free(mm, 0, P), a1);
	mm_put(mm);
}

Test(vma, find_free_hint)
{
	struct mm *mm = new_mm(MAX_ADDR);

	/* A free hint is honoured, wherever it is (below and above
	 * mmap_base); an unaligned one is rounded down. */
	cr_assert_eq(vma_find_free(mm, 0x400000, 4 * P), 0x400000);
	cr_assert_eq(vma_find_free(mm, 0x400123, 4 * P), 0x400000);
	cr_assert_eq(vma_find_free(mm, mm->mmap_base + 16 * P, P),
		     (int64_t)(mm->mmap_base + 16 * P));

	/* An occupied hint is refused: the result does not overlap. */
	insert(mm, 0x400000, 0x402000, RW);
	int64_t r = vma_find_free(mm, 0x401000, 4 * P);
	cr_assert_geq(r, 0);
	cr_assert_neq(r, 0x401000);
	cr_assert_not(vma_range_used(mm, (uint64_t)r, (uint64_t)r + 4 * P));
	cr_assert_eq(r, (int64_t)(mm->mmap_base - 4 * P));
	/* Partly occupied (the tail would overlap) too. */
	r = vma_find_free(mm, 0x3ff000, 2 * P);
	cr_assert_neq(r, 0x3ff000);
	cr_assert_not(vma_range_used(mm, (uint64_t)r, (uint64_t)r + 2 * P));
	/* Just fitting below the occupied range is fine. */
	cr_assert_eq(vma_find_free(mm, 0x3fe000, 2 * P), 0x3fe000);

	/* Hints below the minimum address or running past the end are not
	 * used. */
	r = vma_find_free(mm, 0x1000, P);
	cr_assert_geq(r, (int64_t)MIN_ADDR);
	r = vma_find_free(mm, MAX_ADDR - P, 2 * P);
	cr_assert_geq(r, 0);
	cr_assert_leq((uint64_t)r + 2 * P, MAX_ADDR);
	mm_put(mm);
}

Test(vma, find_free_full)
{
	struct mm *mm = new_mm(MAX_ADDR);

	cr_assert_eq(vma_find_free(mm, 0, MAX_ADDR + P), -ENOMEM);
	insert(mm, MIN_ADDR, MAX_ADDR, RW);
	cr_assert_eq(vma_find_free(mm, 0, P), -ENOMEM);
	cr_assert_eq(vma_find_free(mm, 0x400000, P), -ENOMEM);
	cr_assert_eq(vma_find_free(mm, 0x1000, P), -ENOMEM, "below the minimum address");
	mm_put(mm);
}

/* Everything below mmap_base taken: the search goes on above it. */
Test(vma, find_free_above_mmap_base)
{
	struct mm *mm = new_mm(MAX_ADDR);
	uint64_t base = mm->mmap_base;

	insert(mm, MIN_ADDR, base, RW);
	cr_assert_eq(vma_find_free(mm, 0, P), (int64_t)base);
	insert(mm, base, base + P, RW);
	insert(mm, base + 2 * P, base + 3 * P, RW);
	cr_assert_eq(vma_find_free(mm, 0, P), (int64_t)(base + P));
	cr_assert_eq(vma_find_free(mm, 0, 2 * P), (int64_t)(base + 3 * P));
	/* Only a hole of one page left at the very top. */
	insert(mm, base + 3 * P, MAX_ADDR - P, RW);
	cr_assert_eq(vma_find_free(mm, 0, 2 * P), -ENOMEM);
	cr_assert_eq(vma_find_free(mm, 0, P), (int64_t)(base + P));
	insert(mm, base + P, base + 2 * P, RW);
	cr_assert_eq(vma_find_free(mm, 0, P), (int64_t)(MAX_ADDR - P));
	mm_put(mm);
}

/* Whatever the size of the address space, find_free hands out ranges
 * inside it (Linux keeps mmap_base within the task size). */
Test(vma, find_free_small_address_space)
{
	uint64_t sizes[] = { 64UL << 20, 512UL << 20, (1UL << 30) + (64UL << 20), 4UL << 30 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct mm *mm = new_mm(sizes[k]);

		cr_assert_lt(mm->mmap_base, sizes[k], "max_addr %#lx: mmap_base %#lx outside",
			     sizes[k], mm->mmap_base);
		cr_assert_geq(mm->mmap_base, MIN_ADDR);
		int64_t r = vma_find_free(mm, 0, 4 * P);
		cr_assert_geq(r, (int64_t)MIN_ADDR, "max_addr %#lx: %ld", sizes[k], (long)r);
		cr_assert_leq((uint64_t)r + 4 * P, sizes[k], "max_addr %#lx: %#lx beyond the end",
			      sizes[k], (uint64_t)r);
		mm_put(mm);
	}
}
