/* tests/unit/test_pagemap.c: the radix-tree page map.
 *
 * Entries at both ends of the 36-bit page range and across table
 * boundaries (2 MiB, 1 GiB, 512 GiB) are found again by pagemap_slot and
 * visited by pagemap_walk in address order, once each, only inside
 * [start, end), with empty subtrees skipped; without create a missing
 * path gives NULL, a missing entry of a present leaf an empty slot; an
 * address beyond the range has no slot. */
#include <criterion/criterion.h>
#include <stdint.h>
#include "sentry/mm/pagemap.h"

#define P 4096UL

struct seen {
	uint64_t addr[16];
	unsigned n;
};

static void note(void *arg, uint64_t addr, uint64_t *entry)
{
	struct seen *s = arg;
	(void)entry;
	if (s->n < 16)
		s->addr[s->n] = addr;
	s->n++;
}

static const uint64_t addrs[] = {
	0,
	(2UL << 20) - P,		/* last page of the first leaf */
	2UL << 20,			/* first page of the second */
	(1UL << 30) + 5 * P,		/* another middle table */
	(512UL << 30) - P,		/* end of the first top-level entry */
	512UL << 30,
	(1UL << 48) - P,		/* the last page */
};
#define NADDR (sizeof(addrs) / sizeof(addrs[0]))

Test(pagemap, slots_and_walk)
{
	struct pagemap *pm = pagemap_new();
	cr_assert_not_null(pm);
	for (unsigned i = 0; i < NADDR; i++) {
		uint64_t *had = pagemap_slot(pm, addrs[i], false);
		cr_assert(!had || *had == 0);
		uint64_t *e = pagemap_slot(pm, addrs[i], true);
		cr_assert_not_null(e);
		cr_assert_eq(*e, 0);
		*e = (i + 1) * P | PTE_PRESENT;
	}
	for (unsigned i = 0; i < NADDR; i++) {
		uint64_t *e = pagemap_slot(pm, addrs[i], false);
		cr_assert_not_null(e);
		cr_assert_eq(PTE_OFF(*e), (i + 1) * P);
	}
	cr_assert_null(pagemap_slot(pm, 1UL << 48, true));
	cr_assert_null(pagemap_slot(pm, 3UL << 30, false));
	cr_assert_eq(*pagemap_slot(pm, P, false), 0, "same leaf as page 0: present, empty");

	struct seen all = { 0 };
	pagemap_walk(pm, 0, 1UL << 48, note, &all);
	cr_assert_eq(all.n, NADDR);
	for (unsigned i = 0; i < NADDR; i++)
		cr_assert_eq(all.addr[i], addrs[i]);

	/* A range that starts and ends inside leaves. */
	struct seen mid = { 0 };
	pagemap_walk(pm, (2UL << 20) - P, (512UL << 30), note, &mid);
	cr_assert_eq(mid.n, 4);
	cr_assert_eq(mid.addr[0], (2UL << 20) - P);
	cr_assert_eq(mid.addr[3], (512UL << 30) - P);

	/* An end that is not page aligned takes in its page. */
	struct seen one = { 0 };
	pagemap_walk(pm, 2UL << 20, (2UL << 20) + 1, note, &one);
	cr_assert_eq(one.n, 1);

	/* Cleared entries are not visited. */
	*pagemap_slot(pm, 0, false) = 0;
	struct seen rest = { 0 };
	pagemap_walk(pm, 0, 1UL << 48, note, &rest);
	cr_assert_eq(rest.n, NADDR - 1);
	cr_assert_eq(rest.addr[0], addrs[1]);
	pagemap_free(pm);
}
