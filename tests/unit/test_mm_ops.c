/* tests/unit/test_mm_ops.c: the address-space operations of struct mm
 * against Linux semantics, on an mm without a platform mirror.
 *
 * mmap (anonymous private/shared, hints, MAP_FIXED replacing,
 * MAP_FIXED_NOREPLACE, argument errors), munmap (holes, splits),
 * mprotect (unmapped ranges, split and re-merge), mremap (shrink, grow in
 * place, move with contents, FIXED, DONTUNMAP, shared duplicates,
 * errors), brk, madvise (DONTNEED private/shared, REMOVE), mincore,
 * mm_fault (unmapped, protections, fault-around, growsdown stacks) and
 * copy-on-write of a page shared by two address spaces. Every test also
 * checks that tearing the mm down gives back every page. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "platform/platform.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/pagemap.h"
#include "sentry/mm/usercopy.h"
#include "sentry/mm/vma.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define MAX_ADDR (1ULL << 47)
#define P PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define PRIV (MAP_PRIVATE | MAP_ANONYMOUS)
#define SHARED (MAP_SHARED | MAP_ANONYMOUS)
#define FIXED (MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS)
#define A 0x200000000UL

static uint64_t used_at_start;

static void setup(void)
{
	static bool inited;

	if (!inited) {
		cr_assert_eq(memfile_init(1ULL << 32), 0);
		inited = true;
	}
	used_at_start = memfile_used_pages();
}

TestSuite(mm, .init = setup);

static struct mm *new_mm(void)
{
	struct mm *mm = mm_new(NULL, MAX_ADDR);

	cr_assert_not_null(mm);
	return mm;
}

/* Tear down and check that no page of the memory file leaked. */
static void done(struct mm *mm)
{
	mm_put(mm);
	cr_assert_eq(memfile_used_pages(), used_at_start, "pages leaked: %lu",
		     memfile_used_pages() - used_at_start);
}

static uint64_t map(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags)
{
	int64_t r = mm_mmap(mm, addr, len, prot, flags, NULL, 0);

	cr_assert_geq(r, 0, "mmap(%#lx, %#lx, %d, %#x) = %ld", addr, len, prot, flags, (long)r);
	return (uint64_t)r;
}

/* The pattern byte at offset x of a filled range. */
static unsigned char pat(unsigned char seed, uint64_t x)
{
	return (unsigned char)(seed + x * 13 / 7);
}

/* Fill [addr, addr+len) with the pattern from offset 0. */
static void fill(struct mm *mm, uint64_t addr, uint64_t len, unsigned char seed)
{
	unsigned char buf[P];

	for (uint64_t a = addr; a < addr + len; a += P) {
		for (size_t i = 0; i < P; i++)
			buf[i] = pat(seed, a - addr + i);
		cr_assert_eq(mm_poke(mm, a, buf, P), 0);
	}
}

/* [addr, addr+len) holds the pattern from offset from. */
static void check_from(struct mm *mm, uint64_t addr, uint64_t len, unsigned char seed,
		       uint64_t from)
{
	unsigned char buf[P];

	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < P ? len - done : P;
		cr_assert_eq(copy_in(mm, buf, addr + done, n), 0, "copy_in %#lx", addr + done);
		for (size_t i = 0; i < n; i++)
			cr_assert_eq(buf[i], pat(seed, from + done + i), "byte %#lx differs",
				     addr + done + i);
		done += n;
	}
}

static void check_fill(struct mm *mm, uint64_t addr, uint64_t len, unsigned char seed)
{
	check_from(mm, addr, len, seed, 0);
}

static void check_zero(struct mm *mm, uint64_t addr, uint64_t len)
{
	unsigned char buf[P];

	for (uint64_t a = addr; a < addr + len; a += P) {
		cr_assert_eq(copy_in(mm, buf, a, P), 0, "copy_in %#lx", a);
		for (size_t i = 0; i < P; i++)
			cr_assert_eq(buf[i], 0, "byte %#lx not zero", a + i);
	}
}

static void check_unmapped(struct mm *mm, uint64_t addr, uint64_t len)
{
	char c;

	for (uint64_t a = addr; a < addr + len; a += P) {
		cr_assert_null(mm_find_vma(mm, a), "%#lx still mapped", a);
		cr_assert_eq(copy_in(mm, &c, a, 1), -EFAULT);
	}
}

static struct vma *vma_at(struct mm *mm, uint64_t addr)
{
	struct vma *v = mm_find_vma(mm, addr);

	cr_assert_not_null(v, "nothing mapped at %#lx", addr);
	return v;
}

static void expect_vma(struct mm *mm, uint64_t addr, uint64_t start, uint64_t end, int prot)
{
	struct vma *v = vma_at(mm, addr);

	cr_assert_eq(v->start, start, "vma at %#lx starts at %#lx, want %#lx", addr, v->start, start);
	cr_assert_eq(v->end, end, "vma at %#lx ends at %#lx, want %#lx", addr, v->end, end);
	cr_assert_eq(v->prot, prot, "vma at %#lx prot %d, want %d", addr, v->prot, prot);
}

/* ---- mmap ---- */

Test(mm, mmap_anon_private)
{
	struct mm *mm = new_mm();
	uint64_t a = map(mm, 0, 3 * P - 100, RW, PRIV);

	cr_assert_eq(a % P, 0);
	cr_assert_lt(a, mm->mmap_base);
	cr_assert_eq(mm->nvmas, 1);
	expect_vma(mm, a, a, a + 3 * P, RW);
	cr_assert_eq(vma_at(mm, a)->flags & VMA_SHARED, 0);
	cr_assert_null(vma_at(mm, a)->obj);
	check_zero(mm, a, 3 * P);
	/* A second mapping does not overlap the first. */
	uint64_t b = map(mm, 0, P, PROT_READ, PRIV);
	cr_assert(b + P <= a || b >= a + 3 * P);
	done(mm);
}

Test(mm, mmap_anon_shared)
{
	struct mm *mm = new_mm();
	uint64_t a = map(mm, 0, 2 * P, RW, SHARED);
	struct vma *v = vma_at(mm, a);

	cr_assert(v->flags & VMA_SHARED);
	cr_assert_not_null(v->obj);
	cr_assert_geq(v->obj->size, 2 * P);
	check_zero(mm, a, 2 * P);
	fill(mm, a, 2 * P, 7);
	check_fill(mm, a, 2 * P, 7);
	/* MAP_SHARED_VALIDATE is a shared mapping too; unknown flags with
	 * it are EOPNOTSUPP. */
	uint64_t b = map(mm, 0, P, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS);
	cr_assert(vma_at(mm, b)->flags & VMA_SHARED);
	cr_assert_eq(mm_mmap(mm, 0, P, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | 0x400000,
			     NULL, 0), -EOPNOTSUPP);
	done(mm);
}

Test(mm, mmap_hint)
{
	struct mm *mm = new_mm();

	cr_assert_eq(map(mm, 0x500000, P, RW, PRIV), 0x500000);
	/* The hint taken: another free place, not an error. */
	uint64_t b = map(mm, 0x500000, P, RW, PRIV);
	cr_assert_neq(b, 0x500000);
	expect_vma(mm, 0x500000, 0x500000, 0x500000 + P, RW);
	done(mm);
}

Test(mm, mmap_fixed_replaces)
{
	struct mm *mm = new_mm();
	uint64_t a = map(mm, A, 3 * P, RW, FIXED);

	cr_assert_eq(a, A);
	fill(mm, A, 3 * P, 1);
	uint64_t used = memfile_used_pages();
	/* Same prot over the middle: contents gone, one VMA again. */
	cr_assert_eq(map(mm, A + P, P, RW, FIXED), A + P);
	cr_assert_eq(memfile_used_pages(), used - 1, "replaced page not freed");
	cr_assert_eq(mm->nvmas, 1);
	expect_vma(mm, A, A, A + 3 * P, RW);
	check_fill(mm, A, P, 1);
	check_zero(mm, A + P, P);
	check_from(mm, A + 2 * P, P, 1, 2 * P);
	/* Other prot over the middle: three VMAs. */
	cr_assert_eq(map(mm, A + P, P, PROT_READ, FIXED), A + P);
	cr_assert_eq(mm->nvmas, 3);
	expect_vma(mm, A + P, A + P, A + 2 * P, PROT_READ);
	/* Over several VMAs and a hole. */
	cr_assert_eq(map(mm, A + 2 * P, 4 * P, PROT_EXEC, FIXED), A + 2 * P);
	cr_assert_eq(mm->nvmas, 3);
	expect_vma(mm, A + 5 * P, A + 2 * P, A + 6 * P, PROT_EXEC);
	done(mm);
}

Test(mm, mmap_fixed_noreplace)
{
	struct mm *mm = new_mm();

	cr_assert_eq(mm_mmap(mm, A, 2 * P, RW, PRIV | MAP_FIXED_NOREPLACE, NULL, 0), (int64_t)A);
	fill(mm, A, 2 * P, 3);
	cr_assert_eq(mm_mmap(mm, A + P, 2 * P, PROT_READ, PRIV | MAP_FIXED_NOREPLACE, NULL, 0),
		     -EEXIST);
	cr_assert_eq(mm_mmap(mm, A - P, 2 * P, PROT_READ, PRIV | MAP_FIXED_NOREPLACE, NULL, 0),
		     -EEXIST);
	cr_assert_eq(mm_mmap(mm, A - P, P, PROT_READ, SHARED | MAP_FIXED_NOREPLACE, NULL, 0),
		     (int64_t)(A - P), "adjacent is not overlapping");
	cr_assert_eq(mm->nvmas, 2);
	expect_vma(mm, A, A, A + 2 * P, RW);
	check_fill(mm, A, 2 * P, 3);
	done(mm);
}

Test(mm, mmap_errors)
{
	struct mm *mm = new_mm();

	cr_assert_eq(mm_mmap(mm, 0, 0, RW, PRIV, NULL, 0), -EINVAL, "len 0");
	cr_assert_eq(mm_mmap(mm, A, 0, RW, FIXED, NULL, 0), -EINVAL, "len 0 fixed");
	cr_assert_eq(mm_mmap(mm, A + 1, P, RW, FIXED, NULL, 0), -EINVAL, "unaligned fixed");
	cr_assert_eq(mm_mmap(mm, A + 1, P, RW, PRIV | MAP_FIXED_NOREPLACE, NULL, 0), -EINVAL);
	cr_assert_eq(mm_mmap(mm, 0, P, RW, MAP_ANONYMOUS, NULL, 0), -EINVAL,
		     "neither shared nor private");
	cr_assert_eq(mm_mmap(mm, 0, P, 0x80, PRIV, NULL, 0), -EINVAL, "bad prot");
	cr_assert_eq(mm_mmap(mm, 0, MAX_ADDR + P, RW, PRIV, NULL, 0), -ENOMEM, "too long");
	cr_assert_eq(mm_mmap(mm, 0, UINT64_MAX - 10, RW, PRIV, NULL, 0), -ENOMEM, "huge");
	cr_assert_eq(mm_mmap(mm, MAX_ADDR - P, 2 * P, RW, FIXED, NULL, 0), -ENOMEM,
		     "fixed past the end");
	cr_assert_eq(mm->nvmas, 0);
	/* An unaligned hint is fine without MAP_FIXED. */
	cr_assert_eq(mm_mmap(mm, 0x500123, P, RW, PRIV, NULL, 0), 0x500000);
	done(mm);
}

/* ---- munmap ---- */

Test(mm, munmap)
{
	struct mm *mm = new_mm();

	cr_assert_eq(mm_munmap(mm, A, 10 * P), 0, "unmapping a hole is fine");
	map(mm, A, 4 * P, RW, FIXED);
	map(mm, A + 6 * P, 2 * P, RW, FIXED);
	fill(mm, A, 4 * P, 9);
	cr_assert_eq(mm_munmap(mm, A + P, P), 0);
	cr_assert_eq(mm->nvmas, 3);
	check_unmapped(mm, A + P, P);
	check_fill(mm, A, P, 9);
	/* Partial last page is rounded up; across VMAs and holes. */
	cr_assert_eq(mm_munmap(mm, A + 3 * P, 3 * P + 1), 0);
	check_unmapped(mm, A + 3 * P, 4 * P);
	expect_vma(mm, A + 7 * P, A + 7 * P, A + 8 * P, RW);
	cr_assert_eq(mm_munmap(mm, A + 1, P), -EINVAL, "unaligned");
	cr_assert_eq(mm_munmap(mm, A, 0), -EINVAL, "len 0");
	cr_assert_eq(mm_munmap(mm, MAX_ADDR - P, 2 * P), -EINVAL, "past the end");
	cr_assert_eq(mm_munmap(mm, A, UINT64_MAX), -EINVAL, "wraps");
	/* The page reads back as zero after being mapped again. */
	map(mm, A + P, P, RW, FIXED);
	check_zero(mm, A + P, P);
	done(mm);
}

/* ---- mprotect ---- */

Test(mm, mprotect_unmapped)
{
	struct mm *mm = new_mm();

	cr_assert_eq(mm_mprotect(mm, A, P, PROT_READ), -ENOMEM);
	map(mm, A, 2 * P, RW, FIXED);
	cr_assert_eq(mm_mprotect(mm, A, 3 * P, PROT_READ), -ENOMEM, "hole at the end");
	cr_assert_eq(mm_mprotect(mm, A - P, 2 * P, PROT_READ), -ENOMEM, "hole at the start");
	expect_vma(mm, A, A, A + 2 * P, RW);
	cr_assert_eq(mm_mprotect(mm, A + 1, P, PROT_READ), -EINVAL, "unaligned");
	cr_assert_eq(mm_mprotect(mm, A, P, 0x80), -EINVAL, "bad prot");
	cr_assert_eq(mm_mprotect(mm, A, 0, PROT_READ), 0, "len 0");
	cr_assert_eq(mm_mprotect(mm, A + 5 * P, 0, PROT_READ), 0, "len 0 unmapped");
	done(mm);
}

Test(mm, mprotect_split_and_merge)
{
	struct mm *mm = new_mm();

	map(mm, A, 4 * P, RW, FIXED);
	fill(mm, A, 4 * P, 5);
	cr_assert_eq(mm_mprotect(mm, A + P, 2 * P, PROT_READ), 0);
	cr_assert_eq(mm->nvmas, 3);
	expect_vma(mm, A, A, A + P, RW);
	expect_vma(mm, A + P, A + P, A + 3 * P, PROT_READ);
	expect_vma(mm, A + 3 * P, A + 3 * P, A + 4 * P, RW);
	/* Read-only: readable, not writable. */
	check_fill(mm, A, 4 * P, 5);
	cr_assert_eq(copy_out(mm, A + P, "x", 1), -EFAULT);
	cr_assert_eq(mm_fault(mm, A + P, ACCESS_WRITE, false), -EACCES);
	/* Back to RW: one VMA again, contents kept. */
	cr_assert_eq(mm_mprotect(mm, A + P, 2 * P, RW), 0);
	cr_assert_eq(mm->nvmas, 1);
	expect_vma(mm, A, A, A + 4 * P, RW);
	check_fill(mm, A, 4 * P, 5);
	/* Across two VMAs, covering both: they merge. */
	map(mm, A + 4 * P, 2 * P, PROT_READ, FIXED);
	cr_assert_eq(mm->nvmas, 2);
	cr_assert_eq(mm_mprotect(mm, A, 6 * P, PROT_NONE), 0);
	cr_assert_eq(mm->nvmas, 1);
	expect_vma(mm, A, A, A + 6 * P, PROT_NONE);
	char c;
	cr_assert_eq(copy_in(mm, &c, A, 1), -EFAULT);
	cr_assert_eq(mm_fault(mm, A, ACCESS_READ, false), -EACCES);
	done(mm);
}

/* ---- mremap ---- */

Test(mm, mremap_shrink)
{
	struct mm *mm = new_mm();

	map(mm, A, 4 * P, RW, FIXED);
	fill(mm, A, 4 * P, 2);
	uint64_t used = memfile_used_pages();
	cr_assert_eq(mm_mremap(mm, A, 4 * P, 2 * P, 0, 0), (int64_t)A);
	expect_vma(mm, A, A, A + 2 * P, RW);
	check_unmapped(mm, A + 2 * P, 2 * P);
	check_fill(mm, A, 2 * P, 2);
	cr_assert_eq(memfile_used_pages(), used - 2);
	/* Same size: nothing to do. */
	cr_assert_eq(mm_mremap(mm, A, 2 * P, 2 * P, 0, 0), (int64_t)A);
	/* Grown back in place: the new part is zero. */
	cr_assert_eq(mm_mremap(mm, A, 2 * P, 4 * P, 0, 0), (int64_t)A);
	check_fill(mm, A, 2 * P, 2);
	check_zero(mm, A + 2 * P, 2 * P);
	done(mm);
}

Test(mm, mremap_grow_in_place)
{
	struct mm *mm = new_mm();

	map(mm, A, 2 * P, RW, FIXED);
	fill(mm, A, 2 * P, 4);
	cr_assert_eq(mm_mremap(mm, A, 2 * P, 5 * P - 10, 0, 0), (int64_t)A);
	cr_assert_eq(mm->nvmas, 1);
	expect_vma(mm, A, A, A + 5 * P, RW);
	check_fill(mm, A, 2 * P, 4);
	check_zero(mm, A + 2 * P, 3 * P);
	/* Growing the tail of a VMA from its middle. */
	cr_assert_eq(mm_mremap(mm, A + 3 * P, 2 * P, 3 * P, 0, 0), (int64_t)(A + 3 * P));
	expect_vma(mm, A, A, A + 6 * P, RW);
	/* Shared mappings grow too, and the new part is usable. */
	uint64_t s = map(mm, A + 16 * P, P, RW, SHARED | MAP_FIXED);
	cr_assert_eq(mm_mremap(mm, s, P, 3 * P, 0, 0), (int64_t)s);
	fill(mm, s, 3 * P, 8);
	check_fill(mm, s, 3 * P, 8);
	done(mm);
}

Test(mm, mremap_grow_blocked)
{
	struct mm *mm = new_mm();

	map(mm, A, 2 * P, RW, FIXED);
	map(mm, A + 3 * P, P, PROT_READ, FIXED);
	fill(mm, A, 2 * P, 6);
	cr_assert_eq(mm_mremap(mm, A, 2 * P, 4 * P, 0, 0), -ENOMEM);
	/* Not the end of its VMA: cannot grow in place. */
	cr_assert_eq(mm_mremap(mm, A, P, 2 * P, 0, 0), -ENOMEM);
	expect_vma(mm, A, A, A + 2 * P, RW);
	check_fill(mm, A, 2 * P, 6);
	done(mm);
}

Test(mm, mremap_maymove_keeps_contents)
{
	struct mm *mm = new_mm();

	map(mm, A, 3 * P, RW, FIXED);
	map(mm, A + 3 * P, P, PROT_READ, FIXED);
	fill(mm, A, 3 * P, 10);
	uint64_t used = memfile_used_pages();
	int64_t n = mm_mremap(mm, A, 3 * P, 6 * P, MREMAP_MAYMOVE, 0);
	cr_assert_geq(n, 0);
	cr_assert_neq(n, (int64_t)A);
	cr_assert_eq(n % P, 0);
	expect_vma(mm, (uint64_t)n, (uint64_t)n, (uint64_t)n + 6 * P, RW);
	check_unmapped(mm, A, 3 * P);
	check_fill(mm, (uint64_t)n, 3 * P, 10);
	check_zero(mm, (uint64_t)n + 3 * P, 3 * P);
	/* The pages moved, not copied (the zero tail was just faulted in). */
	cr_assert_eq(memfile_used_pages(), used + 3);
	expect_vma(mm, A + 3 * P, A + 3 * P, A + 4 * P, PROT_READ);
	done(mm);
}

/* Moving a piece out of the middle of a VMA splits it. */
Test(mm, mremap_move_from_middle)
{
	struct mm *mm = new_mm();

	map(mm, A, 4 * P, RW, FIXED);
	fill(mm, A, 4 * P, 12);
	int64_t n = mm_mremap(mm, A + P, P, 2 * P, MREMAP_MAYMOVE, 0);
	cr_assert_geq(n, 0);
	check_unmapped(mm, A + P, P);
	expect_vma(mm, A, A, A + P, RW);
	expect_vma(mm, A + 2 * P, A + 2 * P, A + 4 * P, RW);
	check_fill(mm, A, P, 12);
	check_from(mm, (uint64_t)n, P, 12, P);
	check_zero(mm, (uint64_t)n + P, P);
	check_from(mm, A + 2 * P, P, 12, 2 * P);
	done(mm);
}

Test(mm, mremap_fixed)
{
	struct mm *mm = new_mm();
	uint64_t B = A + 64 * P;

	map(mm, A, 2 * P, RW, FIXED);
	fill(mm, A, 2 * P, 20);
	map(mm, B, 4 * P, PROT_READ, FIXED);
	fill(mm, B, 4 * P, 30);
	/* Replaces what was at the target. */
	cr_assert_eq(mm_mremap(mm, A, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, B + P),
		     (int64_t)(B + P));
	check_unmapped(mm, A, 2 * P);
	expect_vma(mm, B + P, B + P, B + 3 * P, RW);
	check_fill(mm, B + P, 2 * P, 20);
	expect_vma(mm, B, B, B + P, PROT_READ);
	check_fill(mm, B, P, 30);
	expect_vma(mm, B + 3 * P, B + 3 * P, B + 4 * P, PROT_READ);
	/* FIXED to a smaller size: the tail is dropped. */
	cr_assert_eq(mm_mremap(mm, B + P, 2 * P, P, MREMAP_MAYMOVE | MREMAP_FIXED, A),
		     (int64_t)A);
	expect_vma(mm, A, A, A + P, RW);
	check_fill(mm, A, P, 20);
	check_unmapped(mm, B + P, 2 * P);
	/* Errors. */
	cr_assert_eq(mm_mremap(mm, A, P, P, MREMAP_FIXED, B + 16 * P), -EINVAL,
		     "FIXED without MAYMOVE");
	cr_assert_eq(mm_mremap(mm, A, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, B + 16 * P + 1),
		     -EINVAL, "unaligned new address");
	cr_assert_eq(mm_mremap(mm, A, P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, A - P),
		     -EINVAL, "overlapping");
	cr_assert_eq(mm_mremap(mm, A, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, A),
		     -EINVAL, "same place");
	cr_assert_eq(mm_mremap(mm, A, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, MAX_ADDR), -EINVAL,
		     "past the end");
	expect_vma(mm, A, A, A + P, RW);
	done(mm);
}

Test(mm, mremap_errors)
{
	struct mm *mm = new_mm();

	cr_assert_eq(mm_mremap(mm, A, P, 2 * P, MREMAP_MAYMOVE, 0), -EFAULT, "unmapped old");
	map(mm, A, 2 * P, RW, FIXED);
	cr_assert_eq(mm_mremap(mm, A, 3 * P, 4 * P, MREMAP_MAYMOVE, 0), -EFAULT,
		     "old range past its VMA");
	cr_assert_eq(mm_mremap(mm, A + 4 * P, P, 2 * P, 0, 0), -EFAULT);
	cr_assert_eq(mm_mremap(mm, A + 1, P, 2 * P, MREMAP_MAYMOVE, 0), -EINVAL, "unaligned");
	cr_assert_eq(mm_mremap(mm, A, P, 0, MREMAP_MAYMOVE, 0), -EINVAL, "new_len 0");
	cr_assert_eq(mm_mremap(mm, A, P, 2 * P, 0x80, 0), -EINVAL, "bad flags");
	cr_assert_eq(mm_mremap(mm, A, 0, P, MREMAP_MAYMOVE, 0), -EINVAL,
		     "old_len 0 of a private mapping");
	cr_assert_eq(mm_mremap(mm, A, P, 2 * P, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, 0), -EINVAL,
		     "DONTUNMAP with a new size");
	cr_assert_eq(mm_mremap(mm, A, P, P, MREMAP_DONTUNMAP, 0), -EINVAL,
		     "DONTUNMAP without MAYMOVE");
	cr_assert_eq(mm_mremap(mm, A, P, MAX_ADDR + P, MREMAP_MAYMOVE, 0), -ENOMEM);
	expect_vma(mm, A, A, A + 2 * P, RW);
	done(mm);
}

Test(mm, mremap_dontunmap)
{
	struct mm *mm = new_mm();

	map(mm, A, 2 * P, RW, FIXED);
	fill(mm, A, 2 * P, 40);
	int64_t n = mm_mremap(mm, A, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	cr_assert_geq(n, 0);
	cr_assert_neq(n, (int64_t)A);
	check_fill(mm, (uint64_t)n, 2 * P, 40);
	/* The old range stays mapped, empty. */
	expect_vma(mm, A, A, A + 2 * P, RW);
	check_zero(mm, A, 2 * P);
	done(mm);
}

/* old_len 0 on a shared mapping: a second mapping of the same pages. */
Test(mm, mremap_shared_duplicate)
{
	struct mm *mm = new_mm();
	uint64_t a = map(mm, 0, 2 * P, RW, SHARED);

	fill(mm, a, 2 * P, 50);
	int64_t n = mm_mremap(mm, a, 0, 2 * P, MREMAP_MAYMOVE, 0);
	cr_assert_geq(n, 0);
	cr_assert_neq(n, (int64_t)a);
	check_fill(mm, (uint64_t)n, 2 * P, 50);
	cr_assert_eq(copy_out(mm, (uint64_t)n + 5, "shared", 6), 0);
	char buf[6];
	cr_assert_eq(copy_in(mm, buf, a + 5, 6), 0);
	cr_assert_eq(memcmp(buf, "shared", 6), 0);
	check_fill(mm, a, 5, 50);
	check_from(mm, a + 11, 2 * P - 11, 50, 11);
	/* Without MAYMOVE it is refused. */
	cr_assert_eq(mm_mremap(mm, a, 0, 2 * P, 0, 0), -EINVAL);
	done(mm);
}

/* A moved shared mapping still shows the same object. */
Test(mm, mremap_move_shared)
{
	struct mm *mm = new_mm();
	uint64_t a = map(mm, A, 2 * P, RW, SHARED | MAP_FIXED);
	uint64_t dup = (uint64_t)mm_mremap(mm, a, 0, 2 * P, MREMAP_MAYMOVE, 0);

	fill(mm, a, 2 * P, 60);
	map(mm, A + 2 * P, P, PROT_READ, FIXED);
	int64_t n = mm_mremap(mm, a, 2 * P, 3 * P, MREMAP_MAYMOVE, 0);
	cr_assert_geq(n, 0);
	cr_assert_neq(n, (int64_t)a);
	check_fill(mm, (uint64_t)n, 2 * P, 60);
	check_zero(mm, (uint64_t)n + 2 * P, P);
	cr_assert_eq(copy_out(mm, (uint64_t)n, "moved", 5), 0);
	char buf[5];
	cr_assert_eq(copy_in(mm, buf, dup, 5), 0);
	cr_assert_eq(memcmp(buf, "moved", 5), 0);
	done(mm);
}

/* ---- brk ---- */

Test(mm, brk)
{
	struct mm *mm = new_mm();
	uint64_t start = 0x600000;

	mm->brk_start = mm->brk = start;
	cr_assert_eq(mm_brk(mm, 0), (int64_t)start, "brk(0) reports the break");
	cr_assert_eq(mm_brk(mm, start + 100), (int64_t)(start + 100));
	expect_vma(mm, start, start, start + P, RW);
	cr_assert_str_eq(vma_at(mm, start)->name, "[heap]");
	cr_assert_eq(mm_brk(mm, start + 3 * P + 1), (int64_t)(start + 3 * P + 1));
	cr_assert_eq(mm->nvmas, 1);
	expect_vma(mm, start, start, start + 4 * P, RW);
	fill(mm, start, 4 * P, 70);
	uint64_t used = memfile_used_pages();

	/* Shrinking frees the pages above the new break. */
	cr_assert_eq(mm_brk(mm, start + P), (int64_t)(start + P));
	expect_vma(mm, start, start, start + P, RW);
	check_unmapped(mm, start + P, 3 * P);
	cr_assert_eq(memfile_used_pages(), used - 3);
	/* ... and growing again gives zeroed pages. */
	cr_assert_eq(mm_brk(mm, start + 2 * P), (int64_t)(start + 2 * P));
	check_fill(mm, start, P, 70);
	check_zero(mm, start + P, P);

	/* Below the start: refused, the break is unchanged. */
	cr_assert_eq(mm_brk(mm, start - P), (int64_t)(start + 2 * P));

	/* Cannot grow into a mapping. */
	map(mm, start + 8 * P, P, PROT_READ, FIXED);
	cr_assert_eq(mm_brk(mm, start + 10 * P), (int64_t)(start + 2 * P));
	expect_vma(mm, start, start, start + 2 * P, RW);
	expect_vma(mm, start + 8 * P, start + 8 * P, start + 9 * P, PROT_READ);
	/* Up to just below it is fine. */
	cr_assert_eq(mm_brk(mm, start + 6 * P), (int64_t)(start + 6 * P));
	/* Past the end of the address space: refused. */
	cr_assert_eq(mm_brk(mm, MAX_ADDR + P), (int64_t)(start + 6 * P));

	/* Shrinking to the start removes the heap. */
	cr_assert_eq(mm_brk(mm, start), (int64_t)start);
	check_unmapped(mm, start, 6 * P);
	done(mm);
}

/* ---- madvise ---- */

Test(mm, madvise_dontneed)
{
	struct mm *mm = new_mm();
	uint64_t a = map(mm, A, 4 * P, RW, FIXED);
	uint64_t s = map(mm, A + 8 * P, 2 * P, RW, SHARED | MAP_FIXED);

	fill(mm, a, 4 * P, 80);
	fill(mm, s, 2 * P, 90);
	uint64_t used = memfile_used_pages();
	uint64_t res = mm->resident_pages;
	cr_assert_eq(mm_madvise(mm, a + P, 2 * P, MADV_DONTNEED), 0);
	cr_assert_eq(memfile_used_pages(), used - 2);
	cr_assert_eq(mm->resident_pages, res - 2);
	check_fill(mm, a, P, 80);
	check_zero(mm, a + P, 2 * P);
	check_from(mm, a + 3 * P, P, 80, 3 * P);
	expect_vma(mm, a, a, a + 4 * P, RW);

	/* Shared pages stay. */
	cr_assert_eq(mm_madvise(mm, s, 2 * P, MADV_DONTNEED), 0);
	check_fill(mm, s, 2 * P, 90);

	/* MADV_REMOVE frees shared pages: they read back as zero. */
	cr_assert_eq(mm_madvise(mm, s, P, MADV_REMOVE), 0);
	check_zero(mm, s, P);
	check_from(mm, s + P, P, 90, P);
	done(mm);
}

Test(mm, madvise_errors)
{
	struct mm *mm = new_mm();
	uint64_t a = map(mm, A, 2 * P, RW, FIXED);

	fill(mm, a, 2 * P, 11);
	cr_assert_eq(mm_madvise(mm, a + 1, P, MADV_DONTNEED), -EINVAL, "unaligned");
	cr_assert_eq(mm_madvise(mm, a, P, 12345), -EINVAL, "unknown advice");
	cr_assert_eq(mm_madvise(mm, a, 0, MADV_DONTNEED), 0, "len 0");
	cr_assert_eq(mm_madvise(mm, a + 4 * P, P, MADV_NORMAL), -ENOMEM, "unmapped");
	/* Partly unmapped: ENOMEM, the mapped part is still dropped. */
	cr_assert_eq(mm_madvise(mm, a + P, 2 * P, MADV_DONTNEED), -ENOMEM);
	check_fill(mm, a, P, 11);
	check_zero(mm, a + P, P);
	cr_assert_eq(mm_madvise(mm, a, 2 * P, MADV_WILLNEED), 0);
	done(mm);
}

/* ---- mincore ---- */

Test(mm, mincore)
{
	struct mm *mm = new_mm();
	uint64_t a = map(mm, A, 4 * P, RW, FIXED);
	uint64_t s = map(mm, A + 4 * P, 2 * P, RW, SHARED | MAP_FIXED);
	unsigned char vec[6];

	memset(vec, 0xff, sizeof(vec));
	cr_assert_eq(mm_mincore(mm, a, 6 * P, vec), 0);
	for (size_t i = 0; i < 6; i++)
		cr_assert_eq(vec[i], 0, "untouched page %zu resident", i);

	cr_assert_eq(copy_out(mm, a, "x", 1), 0);
	cr_assert_eq(copy_out(mm, a + 2 * P + 100, "y", 1), 0);
	cr_assert_eq(copy_out(mm, s + P, "z", 1), 0);
	cr_assert_eq(mm_mincore(mm, a, 6 * P, vec), 0);
	unsigned char want[6] = { 1, 0, 1, 0, 0, 1 };
	for (size_t i = 0; i < 6; i++)
		cr_assert_eq(vec[i], want[i], "page %zu: %d, want %d", i, vec[i], want[i]);
	/* Length is rounded up to pages. */
	memset(vec, 0xff, sizeof(vec));
	cr_assert_eq(mm_mincore(mm, a + 2 * P, 1, vec), 0);
	cr_assert_eq(vec[0], 1);
	cr_assert_eq(vec[1], 0xff, "wrote past the pages asked for");

	/* Dropped pages are not resident. */
	cr_assert_eq(mm_madvise(mm, a, P, MADV_DONTNEED), 0);
	cr_assert_eq(mm_mincore(mm, a, P, vec), 0);
	cr_assert_eq(vec[0], 0);

	cr_assert_eq(mm_mincore(mm, a + 1, P, vec), -EINVAL, "unaligned");
	cr_assert_eq(mm_mincore(mm, a + 4 * P, 3 * P, vec), -ENOMEM, "runs into a hole");
	cr_assert_eq(mm_mincore(mm, A - P, P, vec), -ENOMEM, "unmapped");
	done(mm);
}

/* ---- faults ---- */

static bool present(struct mm *mm, uint64_t addr)
{
	uint64_t *slot = pagemap_slot(mm->pm, addr, false);

	return slot && (*slot & PTE_PRESENT);
}

Test(mm, fault_errors)
{
	struct mm *mm = new_mm();

	cr_assert_eq(mm_fault(mm, A, ACCESS_READ, false), -EFAULT, "unmapped");
	cr_assert_eq(mm_fault(mm, A, 0, false), -EFAULT);
	map(mm, A, P, PROT_NONE, FIXED);
	cr_assert_eq(mm_fault(mm, A, ACCESS_READ, false), -EACCES, "PROT_NONE");
	cr_assert_eq(mm_fault(mm, A + 10, 0, false), -EACCES);
	map(mm, A + P, P, PROT_READ, FIXED);
	cr_assert_eq(mm_fault(mm, A + P, ACCESS_WRITE, false), -EACCES, "write to read-only");
	cr_assert_eq(mm_fault(mm, A + P, ACCESS_EXEC, false), -EACCES, "exec of non-exec");
	cr_assert_eq(mm_fault(mm, A + P, ACCESS_READ, false), 0);
	cr_assert_eq(mm_fault(mm, A + 2 * P, ACCESS_READ, false), -EFAULT, "just past the end");
	map(mm, A + 2 * P, P, PROT_WRITE, FIXED);
	cr_assert_eq(mm_fault(mm, A + 2 * P, ACCESS_READ, false), 0,
		     "x86: writable implies readable");
	/* A protection fault on a present private page that is not
	 * copy-on-write is a violation unless another thread changed the
	 * mirror since the host's fault: -EAGAIN, and the caller compares
	 * mm_mirror_seq (nothing changed it here: a real violation). The
	 * page and the mirror are left as they were. */
	uint64_t seq = mm_mirror_seq(mm);
	cr_assert_eq(mm_fault(mm, A + P, ACCESS_READ, true), -EAGAIN);
	cr_assert_eq(mm_fault(mm, A + 2 * P, ACCESS_WRITE, true), -EAGAIN);
	cr_assert_eq(mm_fault(mm, A + 2 * P, 0, true), -EAGAIN);
	cr_assert_eq(mm_mirror_seq(mm), seq);
	/* A write known as such to a read-only VMA needs no such check. */
	cr_assert_eq(mm_fault(mm, A + P, ACCESS_WRITE, true), -EACCES);
	done(mm);
}

/* A fault populates the aligned window around it, inside the VMA only. */
Test(mm, fault_populates_window)
{
	struct mm *mm = new_mm();

	map(mm, A, 64 * P, RW, FIXED);
	cr_assert_eq(mm_fault(mm, A + 17 * P + 5, ACCESS_WRITE, false), 0);
	cr_assert(present(mm, A + 17 * P));
	cr_assert_eq(mm->resident_pages, 16);
	cr_assert(present(mm, A + 16 * P));
	cr_assert(present(mm, A + 31 * P));
	cr_assert_not(present(mm, A + 15 * P));
	cr_assert_not(present(mm, A + 32 * P));
	/* Again: nothing new. */
	cr_assert_eq(mm_fault(mm, A + 20 * P, ACCESS_READ, false), 0);
	cr_assert_eq(mm->resident_pages, 16);

	/* A small VMA: only its own pages. */
	map(mm, A + 66 * P, 3 * P, RW, FIXED);
	cr_assert_eq(mm_fault(mm, A + 67 * P, ACCESS_READ, false), 0);
	cr_assert_eq(mm->resident_pages, 19);
	cr_assert_not(present(mm, A + 65 * P));
	cr_assert_not(present(mm, A + 69 * P));
	/* Fault-around pages the guest has not touched are not resident. */
	unsigned char vec[3];
	cr_assert_eq(mm_mincore(mm, A + 66 * P, 3 * P, vec), 0);
	cr_assert_eq(vec[0] | vec[1] | vec[2], 0);
	check_zero(mm, A + 16 * P, 16 * P);
	done(mm);
}

Test(mm, fault_shared_no_private_pages)
{
	struct mm *mm = new_mm();
	uint64_t s = map(mm, A, 4 * P, RW, SHARED | MAP_FIXED);

	cr_assert_eq(mm_fault(mm, s, ACCESS_WRITE, false), 0);
	cr_assert_eq(mm->resident_pages, 0);
	cr_assert_not(present(mm, s));
	done(mm);
}

Test(mm, growsdown_stack)
{
	struct mm *mm = new_mm();
	uint64_t top = A + 1024 * P;
	uint64_t s = map(mm, top - P, P, RW, FIXED | MAP_GROWSDOWN);

	mm->stack_limit = 16 * P;
	cr_assert(vma_at(mm, s)->flags & VMA_GROWSDOWN);
	/* Just below: grows by a page. */
	cr_assert_eq(mm_fault(mm, s - 8, ACCESS_WRITE, false), 0);
	expect_vma(mm, s - 8, s - P, top, RW);
	/* Further, within the limit (exactly the limit is fine). */
	cr_assert_eq(mm_fault(mm, top - 16 * P, ACCESS_READ, false), 0);
	expect_vma(mm, top - 16 * P, top - 16 * P, top, RW);
	cr_assert_eq(mm->nvmas, 1);
	/* Beyond the limit: SEGV, the VMA unchanged. */
	cr_assert_eq(mm_fault(mm, top - 16 * P - 1, ACCESS_READ, false), -EFAULT);
	cr_assert_eq(mm_fault(mm, top - 100 * P, ACCESS_READ, false), -EFAULT);
	expect_vma(mm, top - 16 * P, top - 16 * P, top, RW);
	cr_assert_null(mm_find_vma(mm, top - 16 * P - 1));
	check_zero(mm, top - 16 * P, 16 * P);
	/* Only just below a growsdown VMA: a hole below an ordinary VMA
	 * stays a hole. */
	map(mm, A, P, RW, FIXED);
	cr_assert_eq(mm_fault(mm, A - 8, ACCESS_READ, false), -EFAULT);
	done(mm);
}

/* A stack does not grow into (or right up against) the VMA below it. */
Test(mm, growsdown_guard)
{
	struct mm *mm = new_mm();
	uint64_t top = A + 1024 * P;

	map(mm, top - P, P, RW, FIXED | MAP_GROWSDOWN);
	map(mm, top - 10 * P, P, PROT_READ, FIXED);	/* ends at top - 9 pages */
	cr_assert_eq(mm_fault(mm, top - 9 * P, ACCESS_READ, false), -EFAULT,
		     "would touch the VMA below");
	cr_assert_eq(mm_fault(mm, top - 8 * P, ACCESS_READ, false), 0, "one page gap kept");
	expect_vma(mm, top - 8 * P, top - 8 * P, top, RW);
	cr_assert_eq(mm->nvmas, 2);
	done(mm);
}

/* ---- copy-on-write ---- */

/* Share a's private page at addr into b's page map, as fork would. */
static uint64_t share_page(struct mm *a, struct mm *b, uint64_t addr)
{
	uint64_t *sa = pagemap_slot(a->pm, addr, false);

	cr_assert(sa && (*sa & PTE_PRESENT));
	uint64_t off = PTE_OFF(*sa);
	uint64_t *sb = pagemap_slot(b->pm, addr, true);
	cr_assert_not_null(sb);
	cr_assert_eq(*sb, 0);
	memfile_ref(off);
	*sb = off | PTE_PRESENT;
	b->resident_pages++;
	return off;
}

static uint64_t page_off(struct mm *mm, uint64_t addr)
{
	uint64_t *s = pagemap_slot(mm->pm, addr, false);

	cr_assert(s && (*s & PTE_PRESENT));
	return PTE_OFF(*s);
}

Test(mm, copy_on_write)
{
	struct mm *a = new_mm(), *b = new_mm();

	map(a, A, P, RW, FIXED);
	map(b, A, P, RW, FIXED);
	fill(a, A, P, 100);
	uint64_t off = share_page(a, b, A);
	cr_assert_eq(memfile_refcount(off), 2);

	/* Reading does not copy. */
	check_fill(b, A, P, 100);
	check_fill(a, A, P, 100);
	cr_assert_eq(page_off(a, A), off);
	cr_assert_eq(page_off(b, A), off);
	cr_assert_eq(memfile_refcount(off), 2);

	/* A write through a copies: b keeps the old page and data. */
	cr_assert_eq(copy_out(a, A + 10, "new", 3), 0);
	cr_assert_neq(page_off(a, A), off);
	cr_assert_eq(page_off(b, A), off);
	cr_assert_eq(memfile_refcount(off), 1);
	check_fill(b, A, P, 100);
	char buf[3];
	cr_assert_eq(copy_in(a, buf, A + 10, 3), 0);
	cr_assert_eq(memcmp(buf, "new", 3), 0);
	cr_assert_eq(copy_in(a, buf, A + 13, 1), 0);
	cr_assert_eq((unsigned char)buf[0], pat(100, 13), "rest not copied");

	/* b now holds the only reference: writing does not copy. */
	cr_assert_eq(copy_out(b, A, "b", 1), 0);
	cr_assert_eq(page_off(b, A), off);

	/* mm_poke (the loader's write) breaks sharing too. */
	map(a, A + P, P, RW, FIXED);
	map(b, A + P, P, RW, FIXED);
	fill(b, A + P, P, 110);
	uint64_t off2 = share_page(b, a, A + P);
	cr_assert_eq(mm_poke(a, A + P, "p", 1), 0);
	cr_assert_neq(page_off(a, A + P), off2);
	cr_assert_eq(memfile_refcount(off2), 1);
	check_fill(b, A + P, P, 110);
	mm_put(b);
	done(a);
}

/* The platform mirrors a shared page read-only (PTE_RO_MAPPED); the write
 * that then takes a protection fault gets its own copy. */
Test(mm, copy_on_write_protection_fault)
{
	struct mm *a = new_mm(), *b = new_mm();

	map(a, A, P, RW, FIXED);
	map(b, A, P, RW, FIXED);
	fill(a, A, P, 120);
	uint64_t off = share_page(a, b, A);
	*pagemap_slot(b->pm, A, false) |= PTE_RO_MAPPED;
	cr_assert_eq(mm_fault(b, A + 4, ACCESS_WRITE, true), 0);
	uint64_t *slot = pagemap_slot(b->pm, A, false);
	cr_assert_neq(PTE_OFF(*slot), off);
	cr_assert_eq(*slot & PTE_RO_MAPPED, 0);
	cr_assert_eq(memfile_refcount(off), 1);
	check_fill(b, A, P, 120);
	check_fill(a, A, P, 120);
	/* Only a writable VMA: on a read-only one it is a real violation. */
	map(b, A + P, P, PROT_READ, FIXED);
	fill(b, A + P, P, 1);
	share_page(b, a, A + P);
	*pagemap_slot(b->pm, A + P, false) |= PTE_RO_MAPPED;
	cr_assert_eq(mm_fault(b, A + P, ACCESS_WRITE, true), -EACCES);
	mm_put(b);
	mm_put(a);
	cr_assert_eq(memfile_used_pages(), used_at_start);
}
