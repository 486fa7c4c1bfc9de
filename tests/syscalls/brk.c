/*
 * brk: the raw brk system call (which returns the new break, or the
 * unchanged old break on failure). brk(0) queries; growing by several
 * pages makes every byte readable (zero) and writable; a break that is not
 * page aligned is returned exactly; shrinking unmaps the pages above the
 * new break (mincore -> ENOMEM) and keeps those below; growing again gives
 * zero-filled memory, not the old contents; a break below the start of the
 * heap is refused (the old break is returned).
 */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#define PG 4096UL

static uintptr_t sys_brk(uintptr_t addr)
{
	return (uintptr_t)syscall(SYS_brk, addr);
}

static int mapped(uintptr_t addr)
{
	unsigned char v;
	errno = 0;
	if (mincore((void *)(addr & ~(PG - 1)), PG, &v) == 0)
		return 1;
	CHECK(errno == ENOMEM, "mincore(%#lx) failed unexpectedly", (unsigned long)addr);
	return 0;
}

int main(void)
{
	uintptr_t start = sys_brk(0);
	CHECK(start != 0 && start != (uintptr_t)-1, "brk(0) = %#lx", (unsigned long)start);
	CHECK_EQ(sys_brk(0), start);	/* a query changes nothing */

	/* Grow by 1 MiB + 123 bytes: the exact break is returned. */
	size_t grow = (1UL << 20) + 123;
	uintptr_t nb = sys_brk(start + grow);
	CHECK_EQ(nb, start + grow);
	CHECK_EQ(sys_brk(0), start + grow);
	unsigned char *h = (unsigned char *)start;
	for (size_t i = 0; i < grow; i++)
		CHECK(h[i] == 0, "new heap byte %zu is %#x", i, h[i]);
	for (size_t i = 0; i < grow; i++)
		h[i] = (unsigned char)(i * 11 + 3);
	for (size_t i = 0; i < grow; i++)
		CHECK(h[i] == (unsigned char)(i * 11 + 3), "heap byte %zu is %#x", i, h[i]);
	/* The page holding the last byte is mapped; the next page is not. */
	uintptr_t end_page = (start + grow + PG - 1) & ~(PG - 1);
	CHECK(mapped(start + grow - 1), "last heap byte's page not mapped");
	CHECK(!mapped(end_page), "page after the heap is mapped");

	/* Shrink to half: the upper part is unmapped, the lower part kept. */
	size_t half = grow / 2;
	CHECK_EQ(sys_brk(start + half), start + half);
	CHECK_EQ(sys_brk(0), start + half);
	uintptr_t half_page = (start + half + PG - 1) & ~(PG - 1);
	CHECK(!mapped(half_page), "page above the shrunk break still mapped");
	CHECK(!mapped(end_page - PG), "last page of the old heap still mapped");
	for (size_t i = 0; i < half; i++)
		CHECK(h[i] == (unsigned char)(i * 11 + 3), "kept heap byte %zu is %#x", i, h[i]);

	/* Grow again: the pages that were released come back zeroed. */
	CHECK_EQ(sys_brk(start + grow), start + grow);
	for (size_t i = half_page - start; i < grow; i++)
		CHECK(h[i] == 0, "re-grown heap byte %zu is %#x, want 0", i, h[i]);
	for (size_t i = 0; i < half; i++)
		CHECK(h[i] == (unsigned char)(i * 11 + 3), "kept heap byte %zu after re-grow", i);

	/* A break below the heap's start is refused: the old break comes back. */
	CHECK_EQ(sys_brk(1), start + grow);
	CHECK_EQ(sys_brk(0), start + grow);

	/* Back to where we started. */
	CHECK_EQ(sys_brk(start), start);
	CHECK_EQ(sys_brk(0), start);
	CHECK(!mapped((start + PG - 1) & ~(PG - 1)), "heap page still mapped after shrinking back");
	PASS();
}
