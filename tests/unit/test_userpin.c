/* tests/unit/test_userpin.c: user_pin/user_pin_run/user_unpin on an mm
 * without a platform mirror: a pin covers the longest accessible prefix
 * (stopping at read-only memory for a write pin, at unmapped memory for
 * any), -EFAULT when nothing is accessible or the range leaves the
 * address space, at most USER_PIN_PAGES pages; runs follow contiguous
 * memory-file pages; bytes written into a pinned page that a fork and a
 * copy-on-write swapped out reach the page mapped now; references are
 * dropped at unpin. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"
#include "sentry/mm/userpin.h"

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

TestSuite(userpin, .init = setup);

static struct mm *new_mm(void)
{
	struct mm *mm = mm_new(NULL, MAX_ADDR);

	cr_assert_not_null(mm);
	return mm;
}

static void map(struct mm *mm, uint64_t addr, uint64_t len, int prot)
{
	cr_assert_eq(mm_mmap(mm, addr, len, prot, FIXED, NULL, 0), (int64_t)addr);
}

/* Fill the pinned bytes [0, n) with b through the runs. */
static void fill(struct user_pin *p, size_t n, unsigned char b)
{
	for (size_t at = 0; at < n;) {
		char *ptr;
		size_t k = user_pin_run(p, at, &ptr);
		cr_assert_gt(k, 0);
		if (k > n - at)
			k = n - at;
		memset(ptr, b, k);
		at += k;
	}
}

Test(userpin, write_pin_fills_guest_memory)
{
	struct mm *mm = new_mm();
	map(mm, A, 4 * P, RW);
	struct user_pin p;
	cr_assert_eq(user_pin(mm, A + 100, 3 * P, true, &p), 0);
	cr_assert_eq(p.len, 3 * P);
	cr_assert_eq(p.npages, 4);
	uint64_t first = p.pages[0];
	cr_assert_geq(memfile_refcount(first), 2);
	fill(&p, p.len, 'a');
	user_unpin(mm, &p, 3 * P);
	cr_assert_eq(memfile_refcount(first), 1);
	static unsigned char buf[4 * P];
	cr_assert_eq(copy_in(mm, buf, A, 4 * P), 0);
	cr_assert_eq(buf[99], 0);
	for (size_t i = 100; i < 100 + 3 * P; i++)
		cr_assert_eq(buf[i], 'a');
	cr_assert_eq(buf[100 + 3 * P], 0);
	mm_put(mm);
}

Test(userpin, prefix_stops_at_protection_and_holes)
{
	struct mm *mm = new_mm();
	map(mm, A, 2 * P, RW);
	map(mm, A + 2 * P, 2 * P, PROT_READ);
	struct user_pin p;
	cr_assert_eq(user_pin(mm, A + P + 10, 3 * P, true, &p), 0);
	cr_assert_eq(p.len, P - 10);
	user_unpin(mm, &p, 0);
	/* A read pin goes on through read-only memory, up to the hole. */
	cr_assert_eq(user_pin(mm, A + P + 10, 8 * P, false, &p), 0);
	cr_assert_eq(p.len, 3 * P - 10);
	user_unpin(mm, &p, 0);
	cr_assert_eq(user_pin(mm, A + 2 * P, P, true, &p), -EFAULT);
	cr_assert_eq(p.npages, 0);
	cr_assert_eq(user_pin(mm, A + 4 * P, P, false, &p), -EFAULT);
	cr_assert_eq(user_pin(mm, MAX_ADDR - P, 2 * P, false, &p), -EFAULT);
	cr_assert_eq(user_pin(mm, A, 0, false, &p), -EFAULT);
	mm_put(mm);
}

Test(userpin, at_most_user_pin_pages)
{
	struct mm *mm = new_mm();
	map(mm, A, (USER_PIN_PAGES + 8) * P, RW);
	struct user_pin p;
	cr_assert_eq(user_pin(mm, A + 8, (USER_PIN_PAGES + 4) * P, false, &p), 0);
	cr_assert_eq(p.npages, USER_PIN_PAGES);
	cr_assert_eq(p.len, USER_PIN_PAGES * P - 8);
	/* The runs cover the pin exactly. */
	size_t at = 0, runs = 0;
	while (at < p.len) {
		char *ptr;
		at += user_pin_run(&p, at, &ptr);
		runs++;
	}
	cr_assert_eq(at, p.len);
	cr_assert_leq(runs, p.npages);
	user_unpin(mm, &p, 0);
	mm_put(mm);
}

Test(userpin, bytes_follow_a_page_swapped_while_pinned)
{
	struct mm *mm = new_mm();
	map(mm, A, 2 * P, RW);
	cr_assert_eq(copy_out(mm, A, "x", 1), 0);
	struct user_pin p;
	cr_assert_eq(user_pin(mm, A, 100, true, &p), 0);
	uint64_t pinned = p.pages[0];
	/* A fork shares the page; the parent's next write copies it. */
	struct mm *child = mm_fork(mm, NULL);
	cr_assert_not_null(child);
	cr_assert_eq(copy_out(mm, A + 200, "p", 1), 0);
	fill(&p, 100, 'r');
	user_unpin(mm, &p, 100);
	unsigned char buf[201];
	cr_assert_eq(copy_in(mm, buf, A, sizeof(buf)), 0);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(buf[i], 'r');
	cr_assert_eq(buf[200], 'p');
	/* The child kept the pinned page: the snapshot at fork plus what
	 * landed there. */
	cr_assert_eq(copy_in(child, buf, A, sizeof(buf)), 0);
	cr_assert_eq(buf[200], 0);
	cr_assert_eq(memfile_refcount(pinned), 1);
	mm_put(child);
	mm_put(mm);
}
