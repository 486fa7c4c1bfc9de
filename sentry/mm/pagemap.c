/* sentry/mm/pagemap.c: the radix-tree page map (see pagemap.h).
 *
 * Four levels of 512 entries (9 bits of the page number each), like the
 * hardware's: every table is one 4 KiB page, a leaf covers 2 MiB. A fork
 * copies, and an exit walks and frees, only the tables a process uses, so
 * small tables keep both proportional to the pages it has rather than to
 * the spread of its mappings (with 32 KiB tables, the few mappings of a
 * small static program cost over 200 KiB of tables to zero, walk and
 * free). */
#include "sentry/mm/pagemap.h"

#include <stdlib.h>

#define LEVELS 4
#define LEVEL_BITS 9
#define LEVEL_SIZE (1UL << LEVEL_BITS)
#define LEVEL_MASK (LEVEL_SIZE - 1)
#define VPN_BITS (LEVELS * LEVEL_BITS)

struct pagemap {
	void **root;		/* levels 0..2: void *[LEVEL_SIZE]; level 3: uint64_t[LEVEL_SIZE] */
};

static inline unsigned idx(uint64_t vpn, int level)
{
	return (unsigned)((vpn >> (LEVEL_BITS * (LEVELS - 1 - level))) & LEVEL_MASK);
}

/* Pages covered by one entry of a table at level. */
static inline uint64_t span(int level)
{
	return 1UL << (LEVEL_BITS * (LEVELS - 1 - level));
}

struct pagemap *pagemap_new(void)
{
	struct pagemap *pm = calloc(1, sizeof(*pm));
	if (!pm)
		return NULL;
	pm->root = calloc(LEVEL_SIZE, sizeof(void *));
	if (!pm->root) {
		free(pm);
		return NULL;
	}
	return pm;
}

static void table_free(void **t, int level)
{
	if (level < LEVELS - 1)
		for (size_t i = 0; i < LEVEL_SIZE; i++)
			if (t[i])
				table_free(t[i], level + 1);
	free(t);
}

void pagemap_free(struct pagemap *pm)
{
	if (!pm)
		return;
	table_free(pm->root, 0);
	free(pm);
}

uint64_t *pagemap_slot(struct pagemap *pm, uint64_t addr, bool create)
{
	uint64_t vpn = addr >> 12;
	if (vpn >> VPN_BITS)
		return NULL;
	void **t = pm->root;
	for (int level = 0; level < LEVELS - 1; level++) {
		void **next = &t[idx(vpn, level)];
		if (!*next) {
			size_t esz = level == LEVELS - 2 ? sizeof(uint64_t) : sizeof(void *);
			if (!create || !(*next = calloc(LEVEL_SIZE, esz)))
				return NULL;
		}
		t = *next;
	}
	return &((uint64_t *)t)[idx(vpn, LEVELS - 1)];
}

void pagemap_walk(struct pagemap *pm, uint64_t start, uint64_t end,
		  void (*fn)(void *arg, uint64_t addr, uint64_t *entry), void *arg)
{
	uint64_t vpn = start >> 12, last = (end + 4095) >> 12;
	if (last > (1UL << VPN_BITS))
		last = 1UL << VPN_BITS;
	while (vpn < last) {
		void **t = pm->root;
		int level = 0;
		for (; level < LEVELS - 1; level++) {
			void *next = t[idx(vpn, level)];
			if (!next)
				break;
			t = next;
		}
		if (level < LEVELS - 1) {
			/* No table below this entry: skip the range it covers. */
			vpn = (vpn | (span(level) - 1)) + 1;
			continue;
		}
		uint64_t *leaf = (uint64_t *)t;
		for (unsigned i = idx(vpn, LEVELS - 1); i < LEVEL_SIZE && vpn < last; i++, vpn++) {
			if (leaf[i] & PTE_PRESENT)
				fn(arg, vpn << 12, &leaf[i]);
		}
	}
}
