/*
 * mremap: growing in place when the pages after the mapping are free;
 * ENOMEM instead of moving when they are not and MREMAP_MAYMOVE is absent;
 * MREMAP_MAYMOVE moving a mapping keeps its contents and unmaps the old
 * range; MREMAP_FIXED moves to a chosen address, replacing what was there;
 * shrinking keeps the start and unmaps the tail; grown parts read as zero;
 * shared anonymous mappings keep their contents when moved and shrunk. Errors:
 * unaligned old address EINVAL, new size 0 EINVAL, unknown flags EINVAL,
 * MREMAP_FIXED without MREMAP_MAYMOVE EINVAL, overlapping MREMAP_FIXED
 * EINVAL, an unmapped old address EFAULT.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define PG 4096UL

static int mapped(void *addr)
{
	unsigned char v;
	errno = 0;
	if (mincore(addr, PG, &v) == 0)
		return 1;
	CHECK(errno == ENOMEM, "mincore(%p) failed unexpectedly", addr);
	return 0;
}

static void fill(unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)((i >> 3) * 17 + i + seed);
}

static void verify(const unsigned char *p, size_t len, unsigned seed, const char *what)
{
	for (size_t i = 0; i < len; i++)
		CHECK(p[i] == (unsigned char)((i >> 3) * 17 + i + seed),
		      "%s: byte %zu is %#x", what, i, p[i]);
}

static void verify_zero(const unsigned char *p, size_t len, const char *what)
{
	for (size_t i = 0; i < len; i++)
		CHECK(p[i] == 0, "%s: byte %zu is %#x, want 0", what, i, p[i]);
}

static unsigned char *map(size_t len, int flags)
{
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap %zu", len);
	return p;
}

int main(void)
{
	/* Grow in place: reserve 12 pages, keep 4, grow to 8 (pages 8-11 stay
	 * free for the blocker below). */
	unsigned char *p = map(12 * PG, MAP_PRIVATE);
	CHECK_OK(munmap(p + 4 * PG, 8 * PG));
	fill(p, 4 * PG, 1);
	unsigned char *q = mremap(p, 4 * PG, 8 * PG, 0);
	CHECK(q == p, "grow in place returned %p, want %p", (void *)q, (void *)p);
	verify(p, 4 * PG, 1, "grown in place");
	verify_zero(p + 4 * PG, 4 * PG, "grown part");
	fill(p, 8 * PG, 2);
	verify(p, 8 * PG, 2, "grown in place, refilled");

	/* Grow blocked by a neighbour, without MAYMOVE: ENOMEM, nothing changes. */
	unsigned char *blk = mmap(p + 8 * PG, PG, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(blk == p + 8 * PG, "block page at %p got %p", (void *)(p + 8 * PG), (void *)blk);
	blk[0] = 0xee;
	CHECK(mremap(p, 8 * PG, 16 * PG, 0) == MAP_FAILED && errno == ENOMEM,
	      "blocked grow without MAYMOVE should be ENOMEM");
	verify(p, 8 * PG, 2, "after failed grow");
	CHECK(blk[0] == 0xee, "blocker page changed");

	/* Grow with MAYMOVE: must move; contents kept; old range unmapped. */
	q = mremap(p, 8 * PG, 16 * PG, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED, "mremap MAYMOVE grow");
	CHECK(q != p, "mremap moved to the same address although blocked");
	CHECK(((uintptr_t)q & (PG - 1)) == 0, "moved mapping unaligned");
	verify(q, 8 * PG, 2, "moved");
	verify_zero(q + 8 * PG, 8 * PG, "moved, grown part");
	for (size_t i = 0; i < 8; i++)
		CHECK(!mapped(p + i * PG), "old page %zu still mapped after move", i);
	CHECK(blk[0] == 0xee, "blocker page changed by move");
	fill(q, 16 * PG, 3);

	/* Shrink: same address, tail unmapped, head kept. */
	unsigned char *r = mremap(q, 16 * PG, 6 * PG, 0);
	CHECK(r == q, "shrink returned %p, want %p", (void *)r, (void *)q);
	verify(q, 6 * PG, 3, "shrunk");
	for (size_t i = 6; i < 16; i++)
		CHECK(!mapped(q + i * PG), "page %zu still mapped after shrink", i);
	/* Shrinking to an unaligned size rounds up. */
	r = mremap(q, 6 * PG, 5 * PG + 1, 0);
	CHECK(r == q, "shrink to 5 pages + 1");
	CHECK(mapped(q + 5 * PG) && !mapped(q + 6 * PG), "rounded shrink");
	verify(q, 6 * PG, 3, "shrunk to 5 pages + 1");

	/* MREMAP_FIXED to a chosen address that holds another mapping. */
	unsigned char *dst = map(8 * PG, MAP_PRIVATE);
	fill(dst, 8 * PG, 99);
	r = mremap(q, 6 * PG, 6 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst + PG);
	CHECK(r == dst + PG, "MREMAP_FIXED returned %p, want %p", (void *)r, (void *)(dst + PG));
	verify(dst + PG, 6 * PG, 3, "fixed move");
	verify(dst, PG, 99, "page before fixed target");
	verify(dst + 7 * PG, PG, (unsigned)(7 * PG + 7 * PG / 8 * 17 + 99), "page after fixed target");
	for (size_t i = 0; i < 6; i++)
		CHECK(!mapped(q + i * PG), "source page %zu still mapped after MREMAP_FIXED", i);
	/* MREMAP_FIXED that also grows. */
	unsigned char *dst2 = map(16 * PG, MAP_PRIVATE);
	CHECK_OK(munmap(dst2, 16 * PG));	/* a known-free range */
	r = mremap(dst + PG, 6 * PG, 12 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst2 + 2 * PG);
	CHECK(r == dst2 + 2 * PG, "MREMAP_FIXED grow returned %p, want %p", (void *)r,
	      (void *)(dst2 + 2 * PG));
	verify(r, 6 * PG, 3, "fixed grow");
	verify_zero(r + 6 * PG, 6 * PG, "fixed grow, grown part");
	CHECK(mapped(dst) && !mapped(dst + PG) && !mapped(dst + 6 * PG) && mapped(dst + 7 * PG),
	      "hole left in dst by the move");
	CHECK_OK(munmap(r, 12 * PG));
	CHECK_OK(munmap(dst, 8 * PG));

	/* Shared anonymous: moving keeps the contents and the sharing object.
	 * (Growing a shared anonymous mapping does not grow the object behind
	 * it: touching the grown part is SIGBUS on Linux, so it is not done.) */
	unsigned char *s = map(4 * PG, MAP_SHARED);
	fill(s, 4 * PG, 40);
	unsigned char *sdst = map(8 * PG, MAP_PRIVATE);
	unsigned char *s2 = mremap(s, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, sdst + 2 * PG);
	CHECK(s2 == sdst + 2 * PG, "mremap shared to %p returned %p", (void *)(sdst + 2 * PG), (void *)s2);
	verify(s2, 4 * PG, 40, "shared moved");
	CHECK(!mapped(s), "old shared range still mapped");
	fill(s2, 4 * PG, 41);
	s2 = mremap(s2, 4 * PG, 2 * PG, 0);
	CHECK(s2 == sdst + 2 * PG, "shrink shared");
	verify(s2, 2 * PG, 41, "shared shrunk");
	CHECK(!mapped(s2 + 2 * PG), "shared tail still mapped after shrink");
	CHECK_OK(munmap(sdst, 8 * PG));

	/* Errors. */
	unsigned char *e = map(4 * PG, MAP_PRIVATE);
	fill(e, 4 * PG, 7);
	CHECK(mremap(e + 1, PG, 2 * PG, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL,
	      "unaligned old address should be EINVAL");
	CHECK(mremap(e, 4 * PG, 0, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL,
	      "new size 0 should be EINVAL");
	CHECK(mremap(e, 4 * PG, 8 * PG, 0x100 /* unknown */) == MAP_FAILED && errno == EINVAL,
	      "unknown flag should be EINVAL");
	CHECK(mremap(e, 4 * PG, 4 * PG, MREMAP_FIXED, dst2) == MAP_FAILED && errno == EINVAL,
	      "MREMAP_FIXED without MREMAP_MAYMOVE should be EINVAL");
	CHECK(mremap(e, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, e + 2 * PG) == MAP_FAILED &&
	      errno == EINVAL, "overlapping MREMAP_FIXED should be EINVAL");
	CHECK(mremap(e, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, e + 1) == MAP_FAILED &&
	      errno == EINVAL, "unaligned MREMAP_FIXED target should be EINVAL");
	CHECK_OK(munmap(e + 2 * PG, 2 * PG));
	CHECK(mremap(e + 2 * PG, PG, 2 * PG, MREMAP_MAYMOVE) == MAP_FAILED && errno == EFAULT,
	      "unmapped old address should be EFAULT");
	verify(e, 2 * PG, 7, "after failed mremaps");
	/* Same size: a no-op returning the same address. */
	CHECK(mremap(e, 2 * PG, 2 * PG, 0) == e, "same-size mremap");
	verify(e, 2 * PG, 7, "after same-size mremap");
	CHECK_OK(munmap(e, 2 * PG));
	CHECK_OK(munmap(blk, PG));
	PASS();
}
