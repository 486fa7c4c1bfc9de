/* sentry/mm/pagemap.h: a guest address space's private page map: guest
 * page -> memory file offset, a four-level radix tree over a 36-bit
 * guest page number (9 bits a level, 4 KiB tables). Shared mappings keep their pages in their mobj. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define PTE_PRESENT 0x1UL
#define PTE_OFF(e) ((e) & ~0xfffUL)

struct pagemap;

struct pagemap *pagemap_new(void);
/* Frees the tree only; the caller has released the pages. */
void pagemap_free(struct pagemap *pm);
/* The entry for the page holding addr; with create, the path is made.
 * NULL when absent (or out of memory with create). */
uint64_t *pagemap_slot(struct pagemap *pm, uint64_t addr, bool create);
/* Call fn on each present entry in [start, end), in address order. fn may
 * change or clear the entry. */
void pagemap_walk(struct pagemap *pm, uint64_t start, uint64_t end,
		  void (*fn)(void *arg, uint64_t addr, uint64_t *entry), void *arg);

/* Entry flag: mirrored into the platform read-only because the page is
 * shared copy-on-write; a protection fault on it means a write. */
#define PTE_RO_MAPPED 0x2UL
