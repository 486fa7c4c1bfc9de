/* platform/systrap/mirror.c: the list of a stub's guest mappings (see
 * mirror.h). Entries never overlap; a change cuts the entries it covers
 * the way the kernel splits mappings. More pieces than fit make the list
 * lost: it is then only reset by a full unmap. */
#include "platform/systrap/mirror.h"

#include <string.h>

void mirror_reset(struct mirror *m)
{
	m->n = 0;
	m->lost = false;
	m->stale = false;
}

static void push(struct mirror *m, uint64_t addr, uint64_t len, uint64_t off, int prot)
{
	if (m->n == MIRROR_MAX) {
		m->lost = true;
		return;
	}
	m->e[m->n++] = (struct mirror_ent){ addr, len, off, prot };
}

/* Cut [addr, addr + len) out of every entry; with keep_prot >= 0, the
 * cut part stays, with that protection (an mprotect). */
static void cut(struct mirror *m, uint64_t addr, uint64_t len, int keep_prot)
{
	uint64_t end = addr + len;
	struct mirror_ent old[MIRROR_MAX];
	unsigned n = m->n;
	memcpy(old, m->e, n * sizeof(old[0]));
	m->n = 0;
	for (unsigned i = 0; i < n && !m->lost; i++) {
		struct mirror_ent e = old[i];
		uint64_t e_end = e.addr + e.len;
		if (e_end <= addr || e.addr >= end) {
			push(m, e.addr, e.len, e.off, e.prot);
			continue;
		}
		if (e.addr < addr)
			push(m, e.addr, addr - e.addr, e.off, e.prot);
		if (keep_prot >= 0) {
			uint64_t s = e.addr > addr ? e.addr : addr;
			uint64_t t = e_end < end ? e_end : end;
			push(m, s, t - s, e.off + (s - e.addr), keep_prot);
		}
		if (e_end > end)
			push(m, end, e_end - end, e.off + (end - e.addr), e.prot);
	}
}

void mirror_map(struct mirror *m, uint64_t addr, uint64_t len, uint64_t off, int prot)
{
	if (m->lost || mirror_has(m, addr, len, off, prot))
		return;
	cut(m, addr, len, -1);
	push(m, addr, len, off, prot);
}

void mirror_unmap(struct mirror *m, uint64_t addr, uint64_t len)
{
	if (!m->lost)
		cut(m, addr, len, -1);
}

void mirror_protect(struct mirror *m, uint64_t addr, uint64_t len, int prot)
{
	if (!m->lost)
		cut(m, addr, len, prot);
}

static bool ent_is(const struct mirror_ent *e, uint64_t addr, uint64_t len, uint64_t off,
		   int prot)
{
	return e->addr == addr && e->len == len && e->off == off && e->prot == prot;
}

bool mirror_has(const struct mirror *m, uint64_t addr, uint64_t len, uint64_t off, int prot)
{
	for (unsigned i = 0; i < m->n; i++)
		if (ent_is(&m->e[i], addr, len, off, prot))
			return true;
	return false;
}

/* Whether another op of ops[n] touches ops[i]'s range (its order then
 * matters: it is sent). */
static bool overlaps_other(const struct as_op *ops, unsigned n, unsigned i)
{
	for (unsigned j = 0; j < n; j++)
		if (j != i && ops[j].addr < ops[i].addr + ops[i].len &&
		    ops[i].addr < ops[j].addr + ops[j].len)
			return true;
	return false;
}

static bool same(const struct as_op *o, const struct mirror_ent *e)
{
	return ent_is(e, o->addr, o->len, o->off, o->prot);
}

static bool all_maps(const struct as_op *ops, unsigned n, int fd)
{
	for (unsigned i = 0; i < n; i++)
		if (ops[i].kind != AS_OP_MAP || ops[i].fd != fd)
			return false;
	return true;
}

/* Whether the batch makes entry e exactly (it stays). */
static bool wanted(const struct mirror_ent *e, const struct as_op *ops, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (same(&ops[i], e))
			return true;
	return false;
}

/* Whether ops[i] may be dropped: the stub has it, and its order does not
 * matter. */
static bool kept(const struct mirror *m, const struct as_op *ops, unsigned n, unsigned i)
{
	return mirror_has(m, ops[i].addr, ops[i].len, ops[i].off, ops[i].prot) &&
	       !overlaps_other(ops, n, i);
}

/* The requests of settling entry by entry. */
static unsigned diff_cost(const struct mirror *m, const struct as_op *ops, unsigned n)
{
	unsigned k = 0;
	for (unsigned j = 0; j < m->n; j++)
		k += !wanted(&m->e[j], ops, n);
	for (unsigned i = 0; i < n; i++)
		k += !kept(m, ops, n, i);
	return k;
}

unsigned mirror_cost(const struct mirror *m, const struct as_op *ops, unsigned n, int fd)
{
	if (!m->stale)
		return n;
	unsigned full = 2 + n;
	if (!all_maps(ops, n, fd))
		return full;
	unsigned d = diff_cost(m, ops, n);
	return d < full ? d : full;
}

unsigned mirror_settle(const struct mirror *m, const struct as_op *ops, unsigned n, int fd,
		       uint64_t keep_start, uint64_t keep_end, uint64_t top, struct as_op *out)
{
	unsigned k = 0;
	if (!all_maps(ops, n, fd) || diff_cost(m, ops, n) >= 2 + n) {
		/* Cheaper (or only possible) all at once. */
		if (keep_start)
			out[k++] = (struct as_op){ .kind = AS_OP_UNMAP, .addr = 0,
						   .len = keep_start };
		out[k++] = (struct as_op){ .kind = AS_OP_UNMAP, .addr = keep_end,
					   .len = top - keep_end };
		for (unsigned i = 0; i < n; i++)
			out[k++] = ops[i];
		return k;
	}
	for (unsigned j = 0; j < m->n; j++)
		if (!wanted(&m->e[j], ops, n))
			out[k++] = (struct as_op){ .kind = AS_OP_UNMAP, .addr = m->e[j].addr,
						   .len = m->e[j].len };
	for (unsigned i = 0; i < n; i++)
		if (!kept(m, ops, n, i))
			out[k++] = ops[i];
	return k;
}
