/* platform/systrap/mirror.h: what a stub has mapped in its guest range,
 * as the sentry asked for it (mirror.c).
 *
 * Every change to a stub's guest range is a map request of the sentry's
 * (the guest cannot map on the host), so the platform can know the
 * mappings exactly: a list of (address, length, memory-file offset,
 * protection). A recycled stub keeps its mappings when the list is exact
 * (not lost); the next owner's first batch then leaves in place those it
 * would make identically and unmaps the rest before any of its code runs
 * (systrap.c), instead of a full unmap at recycling and every mapping
 * made again. */
#pragma once
#include "platform/platform.h"

#include <stdbool.h>
#include <stdint.h>

#define MIRROR_MAX 64

struct mirror_ent {
	uint64_t addr, len, off;
	int prot;
};

struct mirror {
	struct mirror_ent e[MIRROR_MAX];
	unsigned n;
	bool lost;	/* not known exactly (too many pieces, a failed request) */
	bool stale;	/* an earlier owner's: the next batch must settle them */
};

/* Nothing mapped (a new stub, or after a full unmap of the guest range). */
void mirror_reset(struct mirror *m);
/* Record a successful mmap / munmap / mprotect of [addr, addr + len). */
void mirror_map(struct mirror *m, uint64_t addr, uint64_t len, uint64_t off, int prot);
void mirror_unmap(struct mirror *m, uint64_t addr, uint64_t len);
void mirror_protect(struct mirror *m, uint64_t addr, uint64_t len, int prot);
/* Whether exactly this mapping is one of m's entries. */
bool mirror_has(const struct mirror *m, uint64_t addr, uint64_t len, uint64_t off, int prot);
/* The first batch into a stub with an earlier owner's mappings (m
 * stale): the ops to send instead of ops[n], written to out (room for
 * n + m->n + 2); returns their count. Of a batch of maps of memory file
 * fd, those m has exactly (and no other op touches) are dropped, and each
 * mapping of m the batch does not make exactly is unmapped first; any
 * other batch, or where that would take more requests, starts with an
 * unmap of the guest range [0, top) but [keep_start, keep_end) (the trap
 * table; both 0 for none). Either way no mapping of the earlier owner survives that the
 * new one did not ask for. */
unsigned mirror_settle(const struct mirror *m, const struct as_op *ops, unsigned n, int fd,
		       uint64_t keep_start, uint64_t keep_end, uint64_t top, struct as_op *out);
/* How many requests ops[n] (maps of fd) take in a stub with m: settled
 * if stale, else as they are. */
unsigned mirror_cost(const struct mirror *m, const struct as_op *ops, unsigned n, int fd);
