/*
 * mmap_basic: anonymous mmap/munmap. Private and shared anonymous mappings
 * start zeroed and are writable; MAP_FIXED replaces what was there (fresh
 * zero pages); MAP_FIXED_NOREPLACE fails with EEXIST over a mapping and
 * succeeds in a hole; munmap punches holes (probed with mincore -> ENOMEM
 * and MAP_FIXED_NOREPLACE) and unmapping nothing succeeds; MAP_GROWSDOWN
 * maps usable memory; the EINVAL cases: length 0, unaligned address with
 * MAP_FIXED, unaligned offset, neither MAP_PRIVATE nor MAP_SHARED, munmap
 * of an unaligned address or length 0.
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

static void check_zero(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		CHECK(p[i] == 0, "byte %zu of fresh mapping %p is %#x", i, (void *)p, p[i]);
}

int main(void)
{
	/* Private anonymous: zeroed, writable, readable back. */
	size_t len = 16 * PG;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap private anon");
	CHECK(((uintptr_t)p & (PG - 1)) == 0, "mmap result %p not page aligned", (void *)p);
	check_zero(p, len);
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 13 + 7);
	for (size_t i = 0; i < len; i++)
		CHECK(p[i] == (unsigned char)(i * 13 + 7), "private byte %zu", i);

	/* Shared anonymous: same. */
	unsigned char *s = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(s != MAP_FAILED, "mmap shared anon");
	check_zero(s, len);
	for (size_t i = 0; i < len; i++)
		s[i] = (unsigned char)(i * 5 + 1);
	for (size_t i = 0; i < len; i++)
		CHECK(s[i] == (unsigned char)(i * 5 + 1), "shared byte %zu", i);
	/* The private mapping is untouched by writes to the shared one. */
	for (size_t i = 0; i < len; i++)
		CHECK(p[i] == (unsigned char)(i * 13 + 7), "private byte %zu after shared writes", i);

	/* Length not a multiple of the page size is rounded up. */
	unsigned char *odd = mmap(NULL, PG + 1, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(odd != MAP_FAILED, "mmap PG+1");
	odd[2 * PG - 1] = 0x5a;	/* last byte of the rounded-up second page */
	CHECK(odd[2 * PG - 1] == 0x5a, "second page of PG+1 mapping");
	CHECK_OK(munmap(odd, PG + 1));
	CHECK(!mapped(odd) && !mapped(odd + PG), "PG+1 mapping gone after munmap");

	/* MAP_FIXED over part of p replaces those pages with fresh zero pages. */
	unsigned char *f = mmap(p + 4 * PG, 2 * PG, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(f == p + 4 * PG, "MAP_FIXED returned %p, want %p", (void *)f, (void *)(p + 4 * PG));
	check_zero(f, 2 * PG);
	for (size_t i = 0; i < len; i++) {
		if (i >= 4 * PG && i < 6 * PG)
			continue;
		CHECK(p[i] == (unsigned char)(i * 13 + 7), "byte %zu around MAP_FIXED", i);
	}

	/* MAP_FIXED_NOREPLACE over an existing mapping: EEXIST, contents kept. */
	p[8 * PG] = 0xab;
	CHECK_ERR(mmap(p + 8 * PG, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED ? -1 : 0,
		  EEXIST);
	/* Overlapping only partly (one page mapped, one not) is EEXIST too. */
	CHECK_ERR(mmap(p + len - PG, 2 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED ? -1 : 0,
		  EEXIST);
	CHECK(p[8 * PG] == 0xab, "contents changed by failed MAP_FIXED_NOREPLACE");

	/* munmap holes: pages 2 and 10..11 of p. */
	CHECK_OK(munmap(p + 2 * PG, PG));
	CHECK_OK(munmap(p + 10 * PG, 2 * PG));
	CHECK(mapped(p + 1 * PG) && !mapped(p + 2 * PG) && mapped(p + 3 * PG), "hole at page 2");
	CHECK(mapped(p + 9 * PG) && !mapped(p + 10 * PG) && !mapped(p + 11 * PG) &&
	      mapped(p + 12 * PG), "hole at pages 10-11");
	CHECK(p[1 * PG] == (unsigned char)(1 * PG * 13 + 7), "page 1 kept");
	CHECK(p[3 * PG] == (unsigned char)(3 * PG * 13 + 7), "page 3 kept");
	CHECK(p[12 * PG] == (unsigned char)(12 * PG * 13 + 7), "page 12 kept");
	/* munmap on a range that is already (partly or wholly) unmapped succeeds. */
	CHECK_OK(munmap(p + 10 * PG, 2 * PG));
	CHECK_OK(munmap(p + 9 * PG, 2 * PG));
	CHECK(!mapped(p + 9 * PG) && mapped(p + 8 * PG), "page 9 unmapped, 8 kept");
	/* MAP_FIXED_NOREPLACE fits exactly into a hole. */
	unsigned char *h = mmap(p + 9 * PG, 3 * PG, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(h == p + 9 * PG, "MAP_FIXED_NOREPLACE into hole returned %p, want %p",
	      (void *)h, (void *)(p + 9 * PG));
	check_zero(h, 3 * PG);

	/* A hint address that is free is honoured by Linux... only as a hint:
	 * just check the result is a usable, aligned mapping. */
	unsigned char *hint = mmap(p + 2 * PG, PG, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(hint != MAP_FAILED, "mmap with hint");
	CHECK(((uintptr_t)hint & (PG - 1)) == 0, "hinted mapping %p unaligned", (void *)hint);
	hint[0] = 1;
	CHECK_OK(munmap(hint, PG));

	/* MAP_GROWSDOWN: a usable mapping (no growth is exercised here). */
	unsigned char *g = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
	CHECK(g != MAP_FAILED, "mmap MAP_GROWSDOWN");
	g[4 * PG - 1] = 0x77;
	g[PG] = 0x66;
	CHECK(g[4 * PG - 1] == 0x77 && g[PG] == 0x66, "MAP_GROWSDOWN contents");
	CHECK_OK(munmap(g, 4 * PG));

	/* EINVAL cases. */
	CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0,
		  EINVAL);
	CHECK_ERR(mmap(p + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		  MAP_FAILED ? -1 : 0, EINVAL);
	CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0, EINVAL);
	CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1) == MAP_FAILED ? -1 : 0,
		  EINVAL);
	CHECK_ERR(munmap(p + 1, PG), EINVAL);
	CHECK_ERR(munmap(p, 0), EINVAL);
	/* Failed calls changed nothing. */
	CHECK(p[0] == (unsigned char)7 && mapped(p), "page 0 intact after EINVAL calls");

	CHECK_OK(munmap(p, len));
	for (size_t i = 0; i < len; i += PG)
		CHECK(!mapped(p + i), "page %zu still mapped after full munmap", i / PG);
	CHECK_OK(munmap(s, len));
	CHECK(!mapped(s), "shared mapping gone");
	PASS();
}
