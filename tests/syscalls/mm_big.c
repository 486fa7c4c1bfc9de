/*
 * mm_big: the address space at scale. Maps 1 GiB as 16 regions of 64 MiB
 * (private and shared), writes a pattern to every page (every 64-bit word
 * of the "full" regions; one word per page of the "sparse" ones, whose
 * other bytes must stay zero), then grows, moves (MREMAP_MAYMOVE and
 * MREMAP_FIXED) and shrinks some regions with mremap, unmaps halves and
 * every other MiB of others, drops pages with MADV_DONTNEED, toggles
 * PROT_NONE, and checks every byte of everything still mapped after each
 * phase, and that every unmapped range really is unmapped. Then maps 1 GiB
 * in one piece and writes one word per page (every other byte must read
 * as zero: no stale data from the memory released before) and checks every
 * byte; finally grows brk by
 * 64 MiB and checks every byte.
 */
// timeout: 300
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#define PG 4096UL
#define MiB (1UL << 20)
#define NREG 16
#define REG (64 * MiB)
#define MAXSEG 96

/* A mapped piece of a region: addr[i] holds the pattern of logical offset
 * off0 + i of region `seed`. */
struct seg {
	unsigned char *addr;
	size_t len;
	uint64_t seed;
	int full;	/* every word patterned, or one word per page */
	size_t off0;
};

static struct seg segs[MAXSEG];
static int nseg;

static inline uint64_t pattern(uint64_t seed, uint64_t off)
{
	uint64_t x = (seed << 40) ^ off ^ 0x5bd1e995u;
	x *= 0x9E3779B97F4A7C15ULL;
	x ^= x >> 29;
	return x | 1;	/* never zero */
}

/* Word offset inside a page that a sparse region patterns. */
static inline size_t sparse_word(uint64_t off)
{
	return ((off / PG) * 8 * 37) % PG;
}

static void fill(const struct seg *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i += PG) {
		uint64_t *w = (uint64_t *)(s->addr + i);
		uint64_t off = s->off0 + i;
		if (s->full) {
			for (size_t k = 0; k < PG / 8; k++)
				w[k] = pattern(s->seed, off + 8 * k);
		} else {
			size_t sw = sparse_word(off);
			w[sw / 8] = pattern(s->seed, off + sw);
		}
	}
}

static void verify(const struct seg *s, size_t from, size_t to, const char *what)
{
	for (size_t i = from; i < to; i += PG) {
		const uint64_t *w = (const uint64_t *)(s->addr + i);
		uint64_t off = s->off0 + i;
		size_t sw = sparse_word(off);
		for (size_t k = 0; k < PG / 8; k++) {
			uint64_t want = s->full ? pattern(s->seed, off + 8 * k)
						: (k == sw / 8 ? pattern(s->seed, off + sw) : 0);
			CHECK(w[k] == want,
			      "%s: region %llu (%s) at %p offset %#zx: word %#llx, want %#llx", what,
			      (unsigned long long)s->seed, s->full ? "full" : "sparse",
			      (void *)(s->addr + i + 8 * k), (size_t)(off + 8 * k),
			      (unsigned long long)w[k], (unsigned long long)want);
		}
	}
}

static void verify_all(const char *what)
{
	for (int i = 0; i < nseg; i++)
		verify(&segs[i], 0, segs[i].len, what);
}

static void verify_zero(const unsigned char *p, size_t len, const char *what)
{
	const uint64_t *w = (const uint64_t *)p;
	for (size_t k = 0; k < len / 8; k++)
		CHECK(w[k] == 0, "%s: word at %p is %#llx, want 0", what, (void *)(w + k),
		      (unsigned long long)w[k]);
}

/* [addr, addr+len) is entirely unmapped iff MAP_FIXED_NOREPLACE fits. */
static void check_unmapped(void *addr, size_t len, const char *what)
{
	void *r = mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(r == addr, "%s: [%p, +%#zx) is not entirely unmapped (mmap returned %p)", what, addr,
	      len, r);
	CHECK_OK(munmap(r, len));
	unsigned char v;
	CHECK_ERR(mincore(addr, PG, &v), ENOMEM);
}

static struct seg *find(uint64_t seed)
{
	for (int i = 0; i < nseg; i++)
		if (segs[i].seed == seed)
			return &segs[i];
	CHECK(0, "no segment for region %llu", (unsigned long long)seed);
	return NULL;
}

static struct seg *add_seg(unsigned char *addr, size_t len, uint64_t seed, int full, size_t off0)
{
	CHECK(nseg < MAXSEG, "too many segments");
	segs[nseg] = (struct seg){ addr, len, seed, full, off0 };
	return &segs[nseg++];
}

static void *reserve(size_t len)
{
	void *r = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(r != MAP_FAILED, "reserve %zu", len);
	return r;
}

int main(void)
{
	/* Phase 1: 16 x 64 MiB; even regions full, odd sparse; every fourth
	 * region (3, 7, 11, 15) shared. */
	for (int i = 0; i < NREG; i++) {
		int shared = (i % 4 == 3);
		unsigned char *p = mmap(NULL, REG, PROT_READ | PROT_WRITE,
					(shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
		CHECK(p != MAP_FAILED, "mmap region %d", i);
		struct seg *s = add_seg(p, REG, (uint64_t)i, i % 2 == 0, 0);
		fill(s, 0, REG);
	}
	verify_all("after filling");

	/* Phase 2: mremap. */
	struct seg *s;
	unsigned char *old, *r;

	/* Region 1 (sparse, private): grow to 96 MiB, moving if needed. */
	s = find(1);
	old = s->addr;
	r = mremap(old, REG, 96 * MiB, MREMAP_MAYMOVE);
	CHECK(r != MAP_FAILED, "grow region 1");
	if (r != old)
		check_unmapped(old, REG, "old place of region 1");
	s->addr = r;
	verify(s, 0, REG, "region 1 after grow");
	verify_zero(r + REG, 32 * MiB, "grown part of region 1");
	s->len = 96 * MiB;
	fill(s, REG, s->len);

	/* Region 2 (full, private): grow to 128 MiB, forced to move. */
	s = find(2);
	old = s->addr;
	unsigned char *blocker = mmap(old + REG, PG, PROT_NONE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	r = mremap(old, REG, 128 * MiB, MREMAP_MAYMOVE);
	CHECK(r != MAP_FAILED, "grow region 2");
	if (blocker != MAP_FAILED) {
		CHECK(r != old, "region 2 grew in place over a mapped page");
		CHECK_OK(munmap(blocker, PG));
	}
	if (r != old)
		check_unmapped(old, REG, "old place of region 2");
	s->addr = r;
	verify(s, 0, REG, "region 2 after grow");
	verify_zero(r + REG, REG, "grown part of region 2");
	s->len = 128 * MiB;
	fill(s, REG, s->len);

	/* Region 4 (full, private) and region 7 (sparse, shared): MREMAP_FIXED
	 * onto reserved (PROT_NONE) ranges, which they replace. */
	uint64_t fixed_ids[2] = { 4, 7 };
	for (int k = 0; k < 2; k++) {
		s = find(fixed_ids[k]);
		unsigned char *dst = reserve(REG + 2 * MiB);
		old = s->addr;
		r = mremap(old, REG, REG, MREMAP_MAYMOVE | MREMAP_FIXED, dst + MiB);
		CHECK(r == dst + MiB, "MREMAP_FIXED region %llu to %p returned %p",
		      (unsigned long long)s->seed, (void *)(dst + MiB), (void *)r);
		check_unmapped(old, REG, "old place of a MREMAP_FIXED region");
		s->addr = r;
		verify(s, 0, REG, "after MREMAP_FIXED");
		CHECK_OK(munmap(dst, MiB));
		CHECK_OK(munmap(dst + MiB + REG, MiB));
	}

	/* Region 5 (sparse, private) shrinks to 16 MiB; region 3 (sparse,
	 * shared) to 40 MiB. */
	uint64_t shrink_ids[2] = { 5, 3 };
	size_t shrink_to[2] = { 16 * MiB, 40 * MiB };
	for (int k = 0; k < 2; k++) {
		s = find(shrink_ids[k]);
		r = mremap(s->addr, REG, shrink_to[k], 0);
		CHECK(r == s->addr, "shrink region %llu", (unsigned long long)s->seed);
		check_unmapped(s->addr + shrink_to[k], REG - shrink_to[k], "shrunk tail");
		s->len = shrink_to[k];
	}

	/* Region 6 (full, private): grow (moving) to 80 MiB, then shrink to
	 * 64 MiB again. */
	s = find(6);
	r = mremap(s->addr, REG, 80 * MiB, MREMAP_MAYMOVE);
	CHECK(r != MAP_FAILED, "grow region 6");
	s->addr = r;
	verify_zero(r + REG, 16 * MiB, "grown part of region 6");
	CHECK(mremap(r, 80 * MiB, REG, 0) == r, "shrink region 6 back");
	check_unmapped(r + REG, 16 * MiB, "tail of region 6");
	verify_all("after mremap");

	/* Phase 3: munmap halves. */
	/* Regions 8 (full) and 9 (sparse): first half. */
	for (uint64_t id = 8; id <= 9; id++) {
		s = find(id);
		CHECK_OK(munmap(s->addr, REG / 2));
		check_unmapped(s->addr, REG / 2, "first half");
		s->addr += REG / 2;
		s->off0 += REG / 2;
		s->len = REG / 2;
	}
	/* Regions 10 (full) and 11 (sparse, shared): second half. */
	for (uint64_t id = 10; id <= 11; id++) {
		s = find(id);
		CHECK_OK(munmap(s->addr + REG / 2, REG / 2));
		check_unmapped(s->addr + REG / 2, REG / 2, "second half");
		s->len = REG / 2;
	}
	/* Region 12 (full): every other MiB. */
	s = find(12);
	{
		unsigned char *base = s->addr;
		s->len = MiB;	/* keep the first MiB in this segment */
		for (size_t off = MiB; off < REG; off += 2 * MiB) {
			CHECK_OK(munmap(base + off, MiB));
			check_unmapped(base + off, MiB, "odd MiB of region 12");
			if (off + MiB < REG)
				add_seg(base + off + MiB, MiB, 12, 1, off + MiB);
		}
	}
	/* Region 13 (sparse): the middle half, in one call. */
	s = find(13);
	{
		unsigned char *base = s->addr;
		CHECK_OK(munmap(base + REG / 4, REG / 2));
		check_unmapped(base + REG / 4, REG / 2, "middle of region 13");
		s->len = REG / 4;
		add_seg(base + 3 * REG / 4, REG / 4, 13, 0, 3 * REG / 4);
	}
	verify_all("after munmap");

	/* Phase 4: MADV_DONTNEED. Region 14 (full, private): the second half
	 * reads as zero, then is refilled. Region 15 (sparse, shared): kept. */
	s = find(14);
	CHECK_OK(madvise(s->addr + REG / 2, REG / 2, MADV_DONTNEED));
	verify(s, 0, REG / 2, "region 14, first half after DONTNEED of the second");
	verify_zero(s->addr + REG / 2, REG / 2, "region 14 after DONTNEED");
	fill(s, REG / 2, REG);
	s = find(15);
	CHECK_OK(madvise(s->addr, REG, MADV_DONTNEED));
	verify(s, 0, REG, "shared region 15 after DONTNEED");

	/* Phase 5: region 0 (full, private) through PROT_NONE and back. */
	s = find(0);
	CHECK_OK(mprotect(s->addr, REG, PROT_NONE));
	CHECK_OK(mprotect(s->addr, REG / 2, PROT_READ));
	verify(s, 0, REG / 2, "region 0, read-only half");
	CHECK_OK(mprotect(s->addr, REG, PROT_READ | PROT_WRITE));
	fill(s, 0, REG);
	verify_all("after madvise and mprotect");

	/* Phase 6: unmap everything; 1 GiB in one piece must read as zero. */
	for (int i = 0; i < nseg; i++) {
		CHECK_OK(munmap(segs[i].addr, segs[i].len));
		check_unmapped(segs[i].addr, segs[i].len, "after the final munmap");
	}
	nseg = 0;
	size_t giant = 1024 * MiB;
	unsigned char *g = mmap(NULL, giant, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(g != MAP_FAILED, "mmap 1 GiB");
	/* Sparse: one word per page written, every other word must be zero. */
	s = add_seg(g, giant, 100, 0, 0);
	fill(s, 0, giant);
	verify(s, 0, giant, "1 GiB mapping");
	CHECK_OK(munmap(g, giant));
	check_unmapped(g, giant, "1 GiB mapping after munmap");
	nseg = 0;

	/* Phase 7: brk + 64 MiB, every byte. */
	uintptr_t b0 = (uintptr_t)syscall(SYS_brk, 0);
	uintptr_t b1 = (uintptr_t)syscall(SYS_brk, b0 + REG);
	CHECK_EQ(b1, b0 + REG);
	unsigned char *h = (unsigned char *)b0;
	for (size_t i = 0; i < REG; i++)
		CHECK(h[i] == 0, "new brk byte %zu is %#x", i, h[i]);
	for (size_t i = 0; i < REG; i++)
		h[i] = (unsigned char)((i >> 12) * 131 + i * 7 + 1);
	for (size_t i = 0; i < REG; i++)
		CHECK(h[i] == (unsigned char)((i >> 12) * 131 + i * 7 + 1), "brk byte %zu is %#x", i,
		      h[i]);
	CHECK_EQ(syscall(SYS_brk, b0), b0);
	PASS();
}
