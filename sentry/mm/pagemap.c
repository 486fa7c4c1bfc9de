/* sentry/mm/pagemap.c: the radix-tree page map (see pagemap.h). */
#include "sentry/mm/pagemap.h"

#include <stdlib.h>

#define LEVEL_BITS 12
#define LEVEL_SIZE (1UL << LEVEL_BITS)
#define LEVEL_MASK (LEVEL_SIZE - 1)
#define VPN_BITS 36

struct pagemap {
	void **root;		/* [LEVEL_SIZE] -> void *[LEVEL_SIZE] -> uint64_t[LEVEL_SIZE] */
};

static inline unsigned idx(uint64_t vpn, int level)
{
	return (unsigned)((vpn >> (LEVEL_BITS * (2 - level))) & LEVEL_MASK);
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

void pagemap_free(struct pagemap *pm)
{
	if (!pm)
		return;
	for (size_t i = 0; i < LEVEL_SIZE; i++) {
		void **mid = pm->root[i];
		if (!mid)
			continue;
		for (size_t j = 0; j < LEVEL_SIZE; j++)
			free(mid[j]);
		free(mid);
	}
	free(pm->root);
	free(pm);
}

uint64_t *pagemap_slot(struct pagemap *pm, uint64_t addr, bool create)
{
	uint64_t vpn = addr >> 12;
	if (vpn >> VPN_BITS)
		return NULL;
	void ***mid = (void ***)&pm->root[idx(vpn, 0)];
	if (!*mid) {
		if (!create || !(*mid = calloc(LEVEL_SIZE, sizeof(void *))))
			return NULL;
	}
	uint64_t **leaf = (uint64_t **)&(*mid)[idx(vpn, 1)];
	if (!*leaf) {
		if (!create || !(*leaf = calloc(LEVEL_SIZE, sizeof(uint64_t))))
			return NULL;
	}
	return &(*leaf)[idx(vpn, 2)];
}

void pagemap_walk(struct pagemap *pm, uint64_t start, uint64_t end,
		  void (*fn)(void *arg, uint64_t addr, uint64_t *entry), void *arg)
{
	uint64_t vpn = start >> 12, last = (end + 4095) >> 12;
	if (last > (1UL << VPN_BITS))
		last = 1UL << VPN_BITS;
	while (vpn < last) {
		void **mid = pm->root[idx(vpn, 0)];
		if (!mid) {
			vpn = (vpn | ((1UL << (2 * LEVEL_BITS)) - 1)) + 1;
			continue;
		}
		uint64_t *leaf = mid[idx(vpn, 1)];
		if (!leaf) {
			vpn = (vpn | LEVEL_MASK) + 1;
			continue;
		}
		for (unsigned i = idx(vpn, 2); i < LEVEL_SIZE && vpn < last; i++, vpn++) {
			if (leaf[i] & PTE_PRESENT)
				fn(arg, vpn << 12, &leaf[i]);
		}
	}
}
