/* tests/unit/test_usercopy.c: copy_in/copy_out/clear_user,
 * copy_string_in and iovec_import on an mm without a platform mirror.
 *
 * Copies across page and VMA boundaries; -EFAULT for unmapped memory,
 * PROT_NONE, writes to read-only memory, ranges that wrap or leave the
 * address space, and for shared mappings past their object; strings that
 * end on page and mapping boundaries, -ENAMETOOLONG when no NUL is found
 * in max-1 bytes; iovec arrays: count limit, negative lengths, the
 * MAX_RW_COUNT clamp. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"

#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE 1
#endif

#define MAX_ADDR (1ULL << 47)
#define P PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define FIXED (MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS)
#define A 0x300000000UL

static void setup(void)
{
	static bool inited;

	if (!inited) {
		cr_assert_eq(memfile_init(1ULL << 32), 0);
		inited = true;
	}
}

TestSuite(usercopy, .init = setup);

static struct mm *new_mm(void)
{
	struct mm *mm = mm_new(NULL, MAX_ADDR);

	cr_assert_not_null(mm);
	return mm;
}

static void map(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags)
{
	cr_assert_eq(mm_mmap(mm, addr, len, prot, flags, NULL, 0), (int64_t)addr);
}

static void pattern(unsigned char *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(seed + i * 31 + (i >> 8));
}

/* ---- copy_in / copy_out ---- */

Test(usercopy, roundtrip_across_pages)
{
	struct mm *mm = new_mm();
	enum { N = 3 * P + 123 };
	unsigned char *src = malloc(N), *dst = malloc(N);

	map(mm, A, 5 * P, RW, FIXED);
	pattern(src, N, 1);
	/* Unaligned start, crossing three page boundaries. */
	cr_assert_eq(copy_out(mm, A + P - 17, src, N), 0);
	memset(dst, 0, N);
	cr_assert_eq(copy_in(mm, dst, A + P - 17, N), 0);
	cr_assert_eq(memcmp(src, dst, N), 0);
	/* Bytes around it are untouched (zero). */
	unsigned char c;
	cr_assert_eq(copy_in(mm, &c, A + P - 18, 1), 0);
	cr_assert_eq(c, 0);
	cr_assert_eq(copy_in(mm, &c, A + P - 17 + N, 1), 0);
	cr_assert_eq(c, 0);
	/* Length 0 is fine anywhere, even unmapped. */
	cr_assert_eq(copy_in(mm, dst, 0, 0), 0);
	cr_assert_eq(copy_out(mm, A + 100 * P, src, 0), 0);
	free(src);
	free(dst);
	mm_put(mm);
}

/* Adjacent VMAs of different kinds (private RW, shared, private R): one
 * copy crosses them all. */
Test(usercopy, across_vmas)
{
	struct mm *mm = new_mm();
	enum { N = 3 * P };
	unsigned char src[N], dst[N];

	map(mm, A, P, RW, FIXED);
	map(mm, A + P, P, RW, MAP_FIXED | MAP_SHARED | MAP_ANONYMOUS);
	map(mm, A + 2 * P, 2 * P, PROT_READ | PROT_WRITE | PROT_EXEC, FIXED);
	cr_assert_eq(mm->nvmas, 3);
	pattern(src, N, 7);
	cr_assert_eq(copy_out(mm, A + 100, src, N), 0);
	cr_assert_eq(copy_in(mm, dst, A + 100, N), 0);
	cr_assert_eq(memcmp(src, dst, N), 0);
	/* Read-only on the far side: copy_in still fine. */
	cr_assert_eq(mm_mprotect(mm, A + 2 * P, 2 * P, PROT_READ), 0);
	cr_assert_eq(copy_in(mm, dst, A + 100, N), 0);
	cr_assert_eq(memcmp(src, dst, N), 0);
	/* Exec-only is readable on x86. */
	cr_assert_eq(mm_mprotect(mm, A + 2 * P, 2 * P, PROT_EXEC), 0);
	cr_assert_eq(copy_in(mm, dst, A + 100, N), 0);
	mm_put(mm);
}

Test(usercopy, efault_unmapped)
{
	struct mm *mm = new_mm();
	char buf[2 * P];

	memset(buf, 'x', sizeof(buf));
	cr_assert_eq(copy_in(mm, buf, A, 1), -EFAULT);
	cr_assert_eq(copy_out(mm, A, buf, 1), -EFAULT);
	cr_assert_eq(clear_user(mm, A, 1), -EFAULT);
	cr_assert_eq(copy_in(mm, buf, 0, 1), -EFAULT, "NULL");
	map(mm, A, P, RW, FIXED);
	map(mm, A + 2 * P, P, RW, FIXED);
	/* Running off the end of a mapping, or over a hole. */
	cr_assert_eq(copy_in(mm, buf, A + P - 1, 2), -EFAULT);
	cr_assert_eq(copy_out(mm, A + P - 1, buf, 2), -EFAULT);
	cr_assert_eq(copy_in(mm, buf, A, 3 * P), -EFAULT);
	cr_assert_eq(copy_in(mm, buf, A - 1, 2), -EFAULT, "starting below");
	cr_assert_eq(copy_in(mm, buf, A + P - 1, 1), 0);
	mm_put(mm);
}

Test(usercopy, efault_prot_none)
{
	struct mm *mm = new_mm();
	char buf[16] = "abc";

	map(mm, A, 2 * P, RW, FIXED);
	cr_assert_eq(mm_mprotect(mm, A + P, P, PROT_NONE), 0);
	cr_assert_eq(copy_in(mm, buf, A + P, 1), -EFAULT);
	cr_assert_eq(copy_out(mm, A + P, buf, 1), -EFAULT);
	cr_assert_eq(copy_in(mm, buf, A + P - 8, 16), -EFAULT, "into PROT_NONE");
	cr_assert_eq(copy_in(mm, buf, A, 8), 0);
	mm_put(mm);
}

Test(usercopy, copy_out_to_read_only)
{
	struct mm *mm = new_mm();
	char buf[16];

	map(mm, A, P, PROT_READ, FIXED);
	map(mm, A + P, P, RW, FIXED);
	cr_assert_eq(copy_out(mm, A, "x", 1), -EFAULT);
	cr_assert_eq(clear_user(mm, A, 1), -EFAULT);
	cr_assert_eq(copy_out(mm, A + P - 4, "12345678", 8), -EFAULT, "from RW into R");
	map(mm, A + 2 * P, P, PROT_READ, FIXED);
	cr_assert_eq(copy_out(mm, A + 2 * P - 4, "12345678", 8), -EFAULT, "from R into RW");
	/* The read-only page was not written through copy_out. */
	cr_assert_eq(copy_in(mm, buf, A, 16), 0);
	for (int i = 0; i < 16; i++)
		cr_assert_eq(buf[i], 0);
	cr_assert_eq(copy_out(mm, A + P, "ok", 2), 0);
	mm_put(mm);
}

Test(usercopy, efault_overflow_and_end)
{
	struct mm *mm = new_mm();
	char buf[64];

	map(mm, MAX_ADDR - P, P, RW, FIXED);
	cr_assert_eq(copy_in(mm, buf, MAX_ADDR - 16, 16), 0, "up to the last byte");
	cr_assert_eq(copy_in(mm, buf, MAX_ADDR - 16, 17), -EFAULT, "past the end");
	cr_assert_eq(copy_in(mm, buf, UINT64_MAX - 10, 20), -EFAULT, "addr + len wraps");
	cr_assert_eq(copy_out(mm, UINT64_MAX - 10, buf, 20), -EFAULT);
	cr_assert_eq(copy_in(mm, buf, A, SIZE_MAX), -EFAULT, "huge len");
	cr_assert_eq(copy_in(mm, buf, MAX_ADDR, 1), -EFAULT);
	mm_put(mm);
}

/* A shared mapping grown past its object: the pages beyond it fault. */
Test(usercopy, shared_mapping_past_object)
{
	struct mm *mm = new_mm();
	struct mobj *o = mobj_new(P);
	char buf[8];

	cr_assert_eq(mm_mmap(mm, A, 2 * P, RW, MAP_FIXED | MAP_SHARED, o, 0), (int64_t)A);
	cr_assert_eq(copy_out(mm, A, "in", 2), 0);
	cr_assert_eq(copy_in(mm, buf, A + P, 1), -EFAULT);
	cr_assert_eq(copy_out(mm, A + P - 1, "xy", 2), -EFAULT);
	mobj_put(o);
	mm_put(mm);
}

Test(usercopy, clear_user)
{
	struct mm *mm = new_mm();
	unsigned char buf[2 * P];

	map(mm, A, 2 * P, RW, FIXED);
	memset(buf, 0xff, sizeof(buf));
	cr_assert_eq(copy_out(mm, A, buf, sizeof(buf)), 0);
	cr_assert_eq(clear_user(mm, A + 10, P), 0);
	cr_assert_eq(copy_in(mm, buf, A, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], i >= 10 && i < 10 + P ? 0 : 0xff, "byte %zu", i);
	mm_put(mm);
}

/* ---- copy_string_in ---- */

Test(usercopy, string_normal)
{
	struct mm *mm = new_mm();
	char buf[64];

	map(mm, A, 2 * P, RW, FIXED);
	cr_assert_eq(copy_out(mm, A + 8, "hello", 6), 0);
	memset(buf, 'x', sizeof(buf));
	cr_assert_eq(copy_string_in(mm, buf, A + 8, sizeof(buf)), 5);
	cr_assert_str_eq(buf, "hello");
	/* Empty string. */
	cr_assert_eq(copy_string_in(mm, buf, A + 100, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "");
	/* Across a page boundary. */
	cr_assert_eq(copy_out(mm, A + P - 3, "abcdef", 7), 0);
	cr_assert_eq(copy_string_in(mm, buf, A + P - 3, sizeof(buf)), 6);
	cr_assert_str_eq(buf, "abcdef");
	mm_put(mm);
}

Test(usercopy, string_length_limit)
{
	struct mm *mm = new_mm();
	char s[32], buf[16];

	map(mm, A, P, RW, FIXED);
	/* max - 2 characters: fits. */
	memset(s, 'a', sizeof(s));
	s[14] = 0;
	cr_assert_eq(copy_out(mm, A, s, 15), 0);
	cr_assert_eq(copy_string_in(mm, buf, A, sizeof(buf)), 14);
	cr_assert_eq(strlen(buf), 14);
	/* Exactly max - 1 characters: the NUL is the max-th byte; fits, as
	 * a 4095-character path fits PATH_MAX on Linux. */
	s[14] = 'a';
	s[15] = 0;
	cr_assert_eq(copy_out(mm, A, s, 16), 0);
	cr_assert_eq(copy_string_in(mm, buf, A, sizeof(buf)), 15);
	cr_assert_eq(strlen(buf), 15);
	/* max characters: no NUL within max bytes. */
	s[15] = 'a';
	s[16] = 0;
	cr_assert_eq(copy_out(mm, A, s, 17), 0);
	cr_assert_eq(copy_string_in(mm, buf, A, sizeof(buf)), -ENAMETOOLONG);
	cr_assert_eq(buf[sizeof(buf) - 1], 0, "buffer not terminated");
	/* Longer still. */
	cr_assert_eq(copy_out(mm, A, s, 31), 0);
	cr_assert_eq(copy_string_in(mm, buf, A, sizeof(buf)), -ENAMETOOLONG);
	cr_assert_eq(buf[sizeof(buf) - 1], 0);
	cr_assert_eq(copy_string_in(mm, buf, A, 0), -ENAMETOOLONG);
	cr_assert_eq(copy_string_in(mm, buf, A, 1), -ENAMETOOLONG);
	cr_assert_eq(buf[0], 0);
	mm_put(mm);
}

/* A string whose NUL is the last byte of a mapping, with nothing mapped
 * after it, reads fine; one that has no NUL before the end faults, even
 * with plenty of room left in buf. */
Test(usercopy, string_at_end_of_mapping)
{
	struct mm *mm = new_mm();
	char buf[256];

	map(mm, A, P, RW, FIXED);
	cr_assert_eq(copy_out(mm, A + P - 4, "abc", 4), 0);
	cr_assert_eq(copy_string_in(mm, buf, A + P - 4, sizeof(buf)), 3);
	cr_assert_str_eq(buf, "abc");
	cr_assert_eq(copy_out(mm, A + P - 4, "abcd", 4), 0);
	cr_assert_eq(copy_string_in(mm, buf, A + P - 4, sizeof(buf)), -EFAULT);
	/* Before a PROT_NONE page too. */
	map(mm, A + P, P, PROT_NONE, FIXED);
	cr_assert_eq(copy_string_in(mm, buf, A + P - 4, sizeof(buf)), -EFAULT);
	/* The limit reached before the end of the mapping wins. */
	cr_assert_eq(copy_string_in(mm, buf, A + P - 4, 4), -ENAMETOOLONG);
	/* A NUL-terminated string never reads past its NUL. */
	cr_assert_eq(copy_out(mm, A + P - 2, "z", 2), 0);
	cr_assert_eq(copy_string_in(mm, buf, A + P - 2, sizeof(buf)), 1);
	/* Unmapped start. */
	cr_assert_eq(copy_string_in(mm, buf, A + 4 * P, sizeof(buf)), -EFAULT);
	mm_put(mm);
}

/* ---- iovec_import ---- */

Test(usercopy, iovec_basic)
{
	struct mm *mm = new_mm();
	struct uiovec in[3] = { { A, 10 }, { A + 100, 0 }, { A + 200, 32 } }, out[3];

	map(mm, A, P, RW, FIXED);
	cr_assert_eq(copy_out(mm, A + 64, in, sizeof(in)), 0);
	cr_assert_eq(iovec_import(mm, A + 64, 3, out), 42);
	cr_assert_eq(memcmp(in, out, sizeof(in)), 0);
	cr_assert_eq(iovec_import(mm, A + 64, 0, out), 0);
	cr_assert_eq(iovec_import(mm, A + 8 * P, 1, out), -EFAULT);
	/* The array running off the mapping. */
	cr_assert_eq(copy_out(mm, A + P - sizeof(in[0]), in, sizeof(in[0])), 0);
	cr_assert_eq(iovec_import(mm, A + P - sizeof(in[0]), 1, out), 10);
	cr_assert_eq(iovec_import(mm, A + P - sizeof(in[0]), 2, out), -EFAULT);
	mm_put(mm);
}

Test(usercopy, iovec_too_many)
{
	struct mm *mm = new_mm();
	static struct uiovec out[UIO_MAXIOV + 1];
	static struct uiovec in[UIO_MAXIOV + 1];

	map(mm, A, 8 * P, RW, FIXED);
	for (size_t i = 0; i <= UIO_MAXIOV; i++)
		in[i] = (struct uiovec){ A, 1 };
	cr_assert_eq(copy_out(mm, A, in, sizeof(in)), 0);
	cr_assert_eq(iovec_import(mm, A, UIO_MAXIOV, out), UIO_MAXIOV);
	cr_assert_eq(iovec_import(mm, A, UIO_MAXIOV + 1, out), -EINVAL);
	cr_assert_eq(iovec_import(mm, A, UINT64_MAX, out), -EINVAL);
	cr_assert_eq(iovec_import(mm, A, 1ULL << 60, out), -EINVAL);
	mm_put(mm);
}

Test(usercopy, iovec_negative_len)
{
	struct mm *mm = new_mm();
	struct uiovec in[3] = { { A, 1 }, { A, (uint64_t)-1 }, { A, 1 } }, out[3];

	map(mm, A, P, RW, FIXED);
	cr_assert_eq(copy_out(mm, A, in, sizeof(in)), 0);
	cr_assert_eq(iovec_import(mm, A, 3, out), -EINVAL);
	in[1].len = 1ULL << 63;
	cr_assert_eq(copy_out(mm, A, in, sizeof(in)), 0);
	cr_assert_eq(iovec_import(mm, A, 3, out), -EINVAL);
	/* Even after the total reached the clamp. */
	in[0].len = MAX_RW_COUNT;
	in[1].len = 5;
	in[2].len = (uint64_t)-5;
	cr_assert_eq(copy_out(mm, A, in, sizeof(in)), 0);
	cr_assert_eq(iovec_import(mm, A, 3, out), -EINVAL);
	/* Just below the sign bit is a (huge) valid length. */
	in[0].len = 1;
	in[1].len = (1ULL << 63) - 1;
	in[2].len = 1;
	cr_assert_eq(copy_out(mm, A, in, sizeof(in)), 0);
	cr_assert_eq(iovec_import(mm, A, 3, out), MAX_RW_COUNT);
	mm_put(mm);
}

Test(usercopy, iovec_total_clamped)
{
	struct mm *mm = new_mm();
	struct uiovec in[4] = {
		{ A, 0x40000000 }, { A, 0x40000000 }, { A, 0x10 }, { A, 0x7fffffff },
	}, out[4];

	map(mm, A, P, RW, FIXED);
	cr_assert_eq(copy_out(mm, A, in, sizeof(in)), 0);
	ssize_t total = iovec_import(mm, A, 4, out);
	cr_assert_eq(total, MAX_RW_COUNT);
	cr_assert_eq(out[0].len, 0x40000000);
	cr_assert_eq(out[1].len, MAX_RW_COUNT - 0x40000000, "second entry clamped");
	cr_assert_eq(out[2].len, 0);
	cr_assert_eq(out[3].len, 0);
	uint64_t sum = 0;
	for (int i = 0; i < 4; i++)
		sum += out[i].len;
	cr_assert_eq(sum, (uint64_t)total, "entries do not add up to the total");
	/* Exactly MAX_RW_COUNT is not clamped. */
	in[0].len = MAX_RW_COUNT;
	cr_assert_eq(copy_out(mm, A, in, sizeof(in[0])), 0);
	cr_assert_eq(iovec_import(mm, A, 1, out), MAX_RW_COUNT);
	cr_assert_eq(out[0].len, MAX_RW_COUNT);
	mm_put(mm);
}

/* Guest memory written through one mapping and moved by mremap reads the
 * same through copy_in at its new place. */
Test(usercopy, after_mremap)
{
	struct mm *mm = new_mm();
	unsigned char src[2 * P], dst[2 * P];

	map(mm, A, 2 * P, RW, FIXED);
	map(mm, A + 2 * P, P, PROT_READ, FIXED);
	pattern(src, sizeof(src), 3);
	cr_assert_eq(copy_out(mm, A, src, sizeof(src)), 0);
	int64_t n = mm_mremap(mm, A, 2 * P, 3 * P, MREMAP_MAYMOVE, 0);
	cr_assert_geq(n, 0);
	cr_assert_eq(copy_in(mm, dst, A, 1), -EFAULT);
	cr_assert_eq(copy_in(mm, dst, (uint64_t)n, sizeof(dst)), 0);
	cr_assert_eq(memcmp(src, dst, sizeof(dst)), 0);
	mm_put(mm);
}
