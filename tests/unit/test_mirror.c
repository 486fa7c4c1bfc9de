/* Unit tests: the systrap platform's record of a stub's guest mappings
 * (platform/systrap/mirror.c) and the settling of a recycled stub's old
 * mappings against its next owner's first batch: nothing the new owner
 * did not ask for exactly may survive. */
#include "platform/systrap/mirror.h"

#include <criterion/criterion.h>
#include <sys/mman.h>

#define P 0x1000UL
#define FD 7

static struct mirror m;

static void setup(void)
{
	mirror_reset(&m);
}

static struct as_op map_op(uint64_t addr, uint64_t len, uint64_t off, int prot)
{
	return (struct as_op){ .kind = AS_OP_MAP, .addr = addr, .len = len, .off = off,
			       .prot = prot, .fd = FD };
}

/* Whether out[0..k) unmaps exactly [addr, addr + len) in one op. */
static bool unmaps(const struct as_op *out, unsigned k, uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < k; i++)
		if (out[i].kind == AS_OP_UNMAP && out[i].addr == addr && out[i].len == len)
			return true;
	return false;
}

static bool sends(const struct as_op *out, unsigned k, const struct as_op *o)
{
	for (unsigned i = 0; i < k; i++)
		if (out[i].kind == o->kind && out[i].addr == o->addr && out[i].len == o->len &&
		    out[i].off == o->off && out[i].prot == o->prot)
			return true;
	return false;
}

TestSuite(mirror, .init = setup);

Test(mirror, map_then_has_exactly)
{
	mirror_map(&m, 0x400000, 4 * P, 0x10000, PROT_READ);
	cr_assert(mirror_has(&m, 0x400000, 4 * P, 0x10000, PROT_READ));
	cr_assert(!mirror_has(&m, 0x400000, 4 * P, 0x11000, PROT_READ));
	cr_assert(!mirror_has(&m, 0x400000, 4 * P, 0x10000, PROT_READ | PROT_WRITE));
	cr_assert(!mirror_has(&m, 0x400000, 3 * P, 0x10000, PROT_READ));
}

Test(mirror, unmap_splits)
{
	mirror_map(&m, 0x400000, 4 * P, 0x10000, PROT_READ);
	mirror_unmap(&m, 0x401000, P);
	cr_assert_eq(m.n, 2);
	cr_assert(mirror_has(&m, 0x400000, P, 0x10000, PROT_READ));
	cr_assert(mirror_has(&m, 0x402000, 2 * P, 0x12000, PROT_READ));
}

Test(mirror, protect_splits_and_changes)
{
	mirror_map(&m, 0x400000, 4 * P, 0x10000, PROT_READ | PROT_WRITE);
	mirror_protect(&m, 0x401000, 2 * P, PROT_READ);
	cr_assert_eq(m.n, 3);
	cr_assert(mirror_has(&m, 0x400000, P, 0x10000, PROT_READ | PROT_WRITE));
	cr_assert(mirror_has(&m, 0x401000, 2 * P, 0x11000, PROT_READ));
	cr_assert(mirror_has(&m, 0x403000, P, 0x13000, PROT_READ | PROT_WRITE));
}

Test(mirror, map_over_replaces)
{
	mirror_map(&m, 0x400000, 4 * P, 0x10000, PROT_READ);
	mirror_map(&m, 0x402000, P, 0x90000, PROT_READ | PROT_WRITE);
	cr_assert_eq(m.n, 3);
	cr_assert(mirror_has(&m, 0x400000, 2 * P, 0x10000, PROT_READ));
	cr_assert(mirror_has(&m, 0x402000, P, 0x90000, PROT_READ | PROT_WRITE));
	cr_assert(mirror_has(&m, 0x403000, P, 0x13000, PROT_READ));
}

Test(mirror, too_many_pieces_is_lost)
{
	for (unsigned i = 0; i <= MIRROR_MAX; i++)
		mirror_map(&m, 0x400000 + 2 * i * P, P, i * P, PROT_READ);
	cr_assert(m.lost);
	mirror_reset(&m);
	cr_assert(!m.lost);
	cr_assert_eq(m.n, 0);
}

Test(mirror, settle_keeps_exact_and_unmaps_the_rest)
{
	mirror_map(&m, 0x400000, 4 * P, 0x10000, PROT_READ | PROT_EXEC);	/* same next time */
	mirror_map(&m, 0x410000, P, 0x15000, PROT_READ);			/* same */
	mirror_map(&m, 0x420000, P, 0x16000, PROT_READ);			/* same */
	mirror_map(&m, 0x600000, 2 * P, 0x20000, PROT_READ | PROT_WRITE);	/* other offset next */
	mirror_map(&m, 0x700000, P, 0x30000, PROT_READ | PROT_WRITE);	/* other prot next */
	mirror_map(&m, 0x800000, P, 0x40000, PROT_READ);			/* not asked for */
	struct as_op ops[] = {
		map_op(0x400000, 4 * P, 0x10000, PROT_READ | PROT_EXEC),
		map_op(0x600000, 2 * P, 0x50000, PROT_READ | PROT_WRITE),
		map_op(0x700000, P, 0x30000, PROT_READ),
		map_op(0x900000, P, 0x60000, PROT_READ),
		map_op(0x410000, P, 0x15000, PROT_READ),
		map_op(0x420000, P, 0x16000, PROT_READ),
	};
	struct as_op out[6 + MIRROR_MAX + 2];
	m.stale = true;
	cr_assert_eq(mirror_cost(&m, ops, 6, FD), 6);
	unsigned k = mirror_settle(&m, ops, 6, FD, 0x60000, 0x70000, 0x7ff000000000UL, out);
	cr_assert_eq(k, 6);
	for (unsigned i = 0; i < 6; i += 4)
		cr_assert(!sends(out, k, &ops[i]), "an identical mapping is made again");
	cr_assert(!unmaps(out, k, 0x400000, 4 * P), "an identical mapping is unmapped");
	cr_assert(unmaps(out, k, 0x600000, 2 * P), "a mapping of other pages survives");
	cr_assert(unmaps(out, k, 0x700000, P), "a mapping with other rights survives");
	cr_assert(unmaps(out, k, 0x800000, P), "a mapping not asked for survives");
	for (unsigned i = 1; i < 4; i++)
		cr_assert(sends(out, k, &ops[i]), "op %u is not sent", i);
	/* Unmaps come before the maps. */
	bool mapped = false;
	for (unsigned i = 0; i < k; i++) {
		if (out[i].kind == AS_OP_MAP)
			mapped = true;
		else
			cr_assert(!mapped, "an unmap after a map");
	}
}

Test(mirror, settle_all_at_once_when_cheaper)
{
	mirror_map(&m, 0x400000, P, 0x10000, PROT_READ);
	mirror_map(&m, 0x500000, P, 0x20000, PROT_READ);
	mirror_map(&m, 0x600000, P, 0x30000, PROT_READ);
	mirror_map(&m, 0x700000, P, 0x40000, PROT_READ);
	struct as_op ops[] = { map_op(0x400000, P, 0x10000, PROT_READ) };
	struct as_op out[1 + MIRROR_MAX + 2];
	unsigned k = mirror_settle(&m, ops, 1, FD, 0x60000, 0x70000, 0x7ff000000000UL, out);
	cr_assert_eq(k, 3);
	cr_assert(unmaps(out, 2, 0, 0x60000));
	cr_assert(unmaps(out, 2, 0x70000, 0x7ff000000000UL - 0x70000));
	cr_assert(sends(out + 2, 1, &ops[0]));
	m.stale = true;
	cr_assert_eq(mirror_cost(&m, ops, 1, FD), 3);
	m.stale = false;
	cr_assert_eq(mirror_cost(&m, ops, 1, FD), 1);
}

Test(mirror, settle_sends_identical_ops_that_overlap_others)
{
	mirror_map(&m, 0x400000, 2 * P, 0x10000, PROT_READ);
	struct as_op ops[] = {
		map_op(0x401000, 2 * P, 0x70000, PROT_READ),
		map_op(0x400000, 2 * P, 0x10000, PROT_READ),
	};
	struct as_op out[2 + MIRROR_MAX + 2];
	unsigned k = mirror_settle(&m, ops, 2, FD, 0x60000, 0x70000, 0x7ff000000000UL, out);
	cr_assert(sends(out, k, &ops[0]));
	cr_assert(sends(out, k, &ops[1]), "the order of overlapping ops is lost");
}

Test(mirror, settle_other_batches_unmap_everything_first)
{
	mirror_map(&m, 0x400000, 4 * P, 0x10000, PROT_READ);
	struct as_op ops[] = {
		map_op(0x400000, 4 * P, 0x10000, PROT_READ),
		{ .kind = AS_OP_PROTECT, .addr = 0x400000, .len = P, .prot = PROT_NONE },
	};
	struct as_op out[2 + MIRROR_MAX + 2];
	unsigned k = mirror_settle(&m, ops, 2, FD, 0x60000, 0x70000, 0x7ff000000000UL, out);
	cr_assert_eq(k, 4);
	cr_assert(unmaps(out, 2, 0, 0x60000));
	cr_assert(unmaps(out, 2, 0x70000, 0x7ff000000000UL - 0x70000));
	cr_assert(sends(out + 2, 2, &ops[0]) && out[3].kind == AS_OP_PROTECT);
}

Test(mirror, settle_other_memory_file_unmaps_everything_first)
{
	mirror_map(&m, 0x400000, P, 0x10000, PROT_READ);
	struct as_op ops[] = { map_op(0x400000, P, 0x10000, PROT_READ) };
	ops[0].fd = FD + 1;
	struct as_op out[1 + MIRROR_MAX + 2];
	unsigned k = mirror_settle(&m, ops, 1, FD, 0x60000, 0x70000, 0x7ff000000000UL, out);
	cr_assert_eq(k, 3);
	cr_assert_eq(out[0].kind, AS_OP_UNMAP);
	cr_assert_eq(out[1].kind, AS_OP_UNMAP);
}

Test(mirror, settle_all_at_once_keeps_nothing_without_a_trap_table)
{
	mirror_map(&m, 0x60000, P, 0x10000, PROT_READ | PROT_WRITE);
	struct as_op ops[] = {
		{ .kind = AS_OP_UNMAP, .addr = 0x400000, .len = P },
	};
	struct as_op out[1 + MIRROR_MAX + 2];
	unsigned k = mirror_settle(&m, ops, 1, FD, 0, 0, 0x7ff000000000UL, out);
	cr_assert_eq(k, 2);
	cr_assert(unmaps(out, 1, 0, 0x7ff000000000UL), "the whole guest range is not unmapped");
	cr_assert_eq(out[1].kind, AS_OP_UNMAP);
}
