/* sentry/mm/mobj.c: memory objects (see mobj.h): MAP_SHARED anonymous
 * memory, tmpfs/memfd file data and the page cache of host files, kept as
 * refcounted memory-file pages in a radix tree; and the reverse map of
 * address spaces that map each object, so that pages leaving an object
 * (truncate, hole punching) leave every mirror first. */
#include "sentry/mm/mm.h"
#include "sentry/mm/mobj.h"
#include "sentry/mm/vma.h"
#include "platform/platform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Four levels of 512 entries: a 36-bit page index (2^48 bytes). */
#define FAN_BITS 9
#define FAN	 (1U << FAN_BITS)
#define LEVELS	 4
#define MAX_IDX	 (1ULL << (FAN_BITS * LEVELS))

static unsigned slot_of(uint64_t idx, int level)
{
	return (unsigned)(idx >> (FAN_BITS * (LEVELS - 1 - level))) & (FAN - 1);
}

/* Leaf entries: the memfile offset | E_PRESENT, plus E_UNWRITTEN for a
 * page fallocate made that nobody has written or mapped yet (a hole to
 * SEEK_DATA, as on Linux's tmpfs). */
#define E_PRESENT   0x1UL
#define E_UNWRITTEN 0x2UL
#define E_OFF(e)    ((e) & ~0xfffUL)

/* page_locked flags */
#define PG_ALLOC   0x1	/* make it if absent */
#define PG_BEYOND  0x2	/* even beyond the size */
#define PG_WRITE   0x4	/* a writer or a mapping: no longer unwritten */
#define PG_PREALLOC 0x8	/* made by fallocate: unwritten */

/* Indices a tree whose root table is at level top holds: the tree is
 * only as high as its largest index needs (a small object's is one leaf
 * table, one page, rather than four). */
static uint64_t cover(int top)
{
	return 1ULL << (FAN_BITS * (LEVELS - top));
}

/* The leaf entry for idx (0 if absent); with create, the
 * path is made (and the tree raised). NULL when absent (or out of sentry
 * memory). */
static uint64_t *entry_of(struct mobj *o, uint64_t idx, bool create)
{
	if (idx >= MAX_IDX)
		return NULL;
	while (idx >= cover(o->top)) {
		if (!create)
			return NULL;
		if (o->root) {
			void **up = calloc(FAN, sizeof(void *));
			if (!up)
				return NULL;
			up[0] = o->root;
			o->root = up;
		}
		o->top--;
	}
	void **node = (void **)&o->root;
	for (int l = o->top; l < LEVELS; l++) {
		void **table = *node;
		if (!table) {
			if (!create)
				return NULL;
			table = calloc(FAN, l == LEVELS - 1 ? sizeof(uint64_t) : sizeof(void *));
			if (!table)
				return NULL;
			*node = table;
		}
		if (l == LEVELS - 1)
			return &((uint64_t *)table)[slot_of(idx, l)];
		node = &table[slot_of(idx, l)];
	}
	return NULL;
}

/* Remove the pages with index in [first, last) from the subtree at node
 * (covering base.. at level l), appending their offsets to *out (a list
 * the caller frees after unmapping). Frees emptied tables. Returns the
 * number removed, or stops with *err on allocation failure of out. */
struct cut {
	uint64_t *offs;
	size_t n, cap;
	bool oom;
};

static void cut_push(struct cut *c, uint64_t off)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		uint64_t *p = realloc(c->offs, cap * sizeof(*p));
		if (!p) {
			/* Cannot defer: the caller unmaps before this page is
			 * reused only if we keep it; keep it leaked rather than
			 * risk a stale mapping. */
			c->oom = true;
			return;
		}
		c->offs = p;
		c->cap = cap;
	}
	c->offs[c->n++] = off;
}

static bool cut_range(void **table, int l, uint64_t base, uint64_t first, uint64_t last,
		      struct cut *c)
{
	uint64_t span = 1ULL << (FAN_BITS * (LEVELS - 1 - l));
	bool empty = true;
	for (unsigned k = 0; k < FAN; k++) {
		uint64_t lo = base + k * span;
		if (l == LEVELS - 1) {
			uint64_t *e = &((uint64_t *)table)[k];
			if (*e && lo >= first && lo < last) {
				cut_push(c, E_OFF(*e));
				*e = 0;
			}
			if (*e)
				empty = false;
			continue;
		}
		if (!table[k])
			continue;
		if (lo + span > first && lo < last) {
			if (cut_range(table[k], l + 1, lo, first, last, c)) {
				free(table[k]);
				table[k] = NULL;
				continue;
			}
		}
		empty = false;
	}
	return empty;
}

static void free_tree(void **table, int l)
{
	if (!table)
		return;
	for (unsigned k = 0; k < FAN; k++) {
		if (l == LEVELS - 1) {
			uint64_t e = ((uint64_t *)table)[k];
			if (e)
				memfile_unref(E_OFF(e));
		} else {
			free_tree(table[k], l + 1);
		}
	}
	free(table);
}

static struct mobj *mobj_alloc(uint64_t size)
{
	struct mobj *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->refs = 1;
	o->size = size;
	o->top = LEVELS - 1;
	pthread_mutex_init(&o->lock, NULL);
	pthread_mutex_init(&o->rmap_lock, NULL);
	return o;
}

struct mobj *mobj_new(uint64_t size)
{
	return mobj_alloc(PAGE_ALIGN_UP(size));
}

struct mobj *mobj_new_file(uint64_t size, const struct mobj_ops *ops, void *priv)
{
	struct mobj *o = mobj_alloc(size);
	if (o) {
		o->file = true;
		o->ops = ops;
		o->priv = priv;
	}
	return o;
}

void mobj_get(struct mobj *o)
{
	__atomic_add_fetch(&o->refs, 1, __ATOMIC_RELAXED);
}

void mobj_put(struct mobj *o)
{
	if (__atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (o->ops && o->ops->release)
		o->ops->release(o);
	free_tree(o->root, o->top);
	if (o->ops && o->ops->uncharge && o->nr_pages)
		o->ops->uncharge(o, o->nr_pages);
	free(o->maps);
	pthread_mutex_destroy(&o->lock);
	pthread_mutex_destroy(&o->rmap_lock);
	free(o);
}

/* Pages an access may touch: up to the size rounded up to a page. */
static uint64_t page_limit(struct mobj *o)
{
	return (o->size + PAGE_SIZE - 1) / PAGE_SIZE;
}

int mobj_grow(struct mobj *o, uint64_t size)
{
	if (o->file)
		return 0;	/* a file's size is the file's */
	size = PAGE_ALIGN_UP(size);
	pthread_mutex_lock(&o->lock);
	if (size > o->size)
		o->size = size;
	pthread_mutex_unlock(&o->lock);
	return 0;
}

/* Under o->lock: the page at idx, made (charged, zeroed, filled) if
 * absent and alloc. */
static int64_t page_locked(struct mobj *o, uint64_t idx, int how)
{
	if ((!(how & PG_BEYOND) && idx >= page_limit(o)) || idx >= MAX_IDX)
		return -EFAULT;	/* beyond the object: SIGBUS territory */
	uint64_t *e = entry_of(o, idx, false);
	if (e && *e) {
		if (how & PG_WRITE)
			*e &= ~E_UNWRITTEN;
		return (int64_t)E_OFF(*e);
	}
	if (!(how & PG_ALLOC))
		return -ENOENT;
	e = entry_of(o, idx, true);
	if (!e)
		return -ENOMEM;
	if (o->ops && o->ops->charge) {
		int r = o->ops->charge(o, 1);
		if (r < 0)
			return r;
	}
	size_t got;
	int64_t off = memfile_alloc(1, &got);
	if (off >= 0 && o->ops && o->ops->fill) {
		int r = o->ops->fill(o, idx, memfile_ptr((uint64_t)off));
		if (r < 0) {
			memfile_unref((uint64_t)off);
			off = r;
		}
	}
	if (off < 0) {
		if (o->ops && o->ops->uncharge)
			o->ops->uncharge(o, 1);
		return off;
	}
	*e = (uint64_t)off | E_PRESENT | ((how & PG_PREALLOC) ? E_UNWRITTEN : 0);
	o->nr_pages++;
	return off;
}

int64_t mobj_page(struct mobj *o, uint64_t idx)
{
	pthread_mutex_lock(&o->lock);
	int64_t off = page_locked(o, idx, PG_ALLOC | PG_WRITE);
	pthread_mutex_unlock(&o->lock);
	return off;
}

int64_t mobj_page_ref(struct mobj *o, uint64_t idx, bool alloc)
{
	pthread_mutex_lock(&o->lock);
	int64_t off = page_locked(o, idx, alloc ? PG_ALLOC | PG_WRITE : 0);
	if (off >= 0)
		memfile_ref((uint64_t)off);
	pthread_mutex_unlock(&o->lock);
	return off;
}

int64_t mobj_page_window(struct mobj *o, uint64_t idx)
{
	pthread_mutex_lock(&o->lock);
	bool alloc = !o->file || (o->ops && o->ops->fill);
	int64_t off = page_locked(o, idx, alloc ? PG_ALLOC | PG_WRITE : PG_WRITE);
	pthread_mutex_unlock(&o->lock);
	return off;
}

static bool absent_locked(struct mobj *o, uint64_t idx)
{
	uint64_t *e = entry_of(o, idx, false);
	return !e || !*e;
}

/* Make and fill the n absent pages idx.. (one memory-file run, maybe
 * shorter): how many were made, or -errno. Under o->lock. */
static int64_t fill_run_locked(struct mobj *o, uint64_t idx, uint64_t n)
{
	if (o->ops->charge) {
		int r = o->ops->charge(o, n);
		if (r < 0)
			return r;
	}
	size_t got = 0;
	int64_t off = memfile_alloc(n, &got);
	if (off >= 0 && o->ops->fill_run(o, idx, got, memfile_ptr((uint64_t)off)) < 0) {
		for (size_t k = 0; k < got; k++)
			memfile_unref((uint64_t)off + k * PAGE_SIZE);
		off = -EIO;
	}
	if (off < 0)
		got = 0;
	for (size_t k = 0; k < got; k++) {
		uint64_t *e = entry_of(o, idx + k, true);
		if (!e) {
			for (size_t r = k; r < got; r++)
				memfile_unref((uint64_t)off + r * PAGE_SIZE);
			got = k;
			break;
		}
		*e = ((uint64_t)off + k * PAGE_SIZE) | E_PRESENT;
		o->nr_pages++;
	}
	if (o->ops->uncharge && got < n)
		o->ops->uncharge(o, n - got);
	return got ? (int64_t)got : (off < 0 ? off : -ENOMEM);
}

void mobj_fill_range(struct mobj *o, uint64_t idx, uint64_t n)
{
	if (!o->ops || !o->ops->fill_run)
		return;
	pthread_mutex_lock(&o->lock);
	uint64_t end = page_limit(o);
	if (idx < end && n < end - idx)
		end = idx + n;
	while (idx < end) {
		if (!absent_locked(o, idx)) {
			idx++;
			continue;
		}
		uint64_t want = 1;
		while (idx + want < end && absent_locked(o, idx + want))
			want++;
		int64_t got = fill_run_locked(o, idx, want);
		if (got < 0)
			break;
		idx += (uint64_t)got;
	}
	pthread_mutex_unlock(&o->lock);
}

int mobj_prealloc(struct mobj *o, uint64_t idx)
{
	pthread_mutex_lock(&o->lock);
	int64_t off = page_locked(o, idx, PG_ALLOC | PG_BEYOND | PG_PREALLOC);
	pthread_mutex_unlock(&o->lock);
	return off < 0 ? (int)off : 0;
}

bool mobj_page_present(struct mobj *o, uint64_t idx)
{
	pthread_mutex_lock(&o->lock);
	uint64_t *e = entry_of(o, idx, false);
	bool p = e && *e;
	pthread_mutex_unlock(&o->lock);
	return p;
}

/* First index >= idx below limit whose presence is want; limit if none.
 * Skips absent subtrees whole. */
static uint64_t scan(void **table, int l, uint64_t base, uint64_t idx, uint64_t limit, bool want,
		     bool written)
{
	uint64_t span = 1ULL << (FAN_BITS * (LEVELS - 1 - l));
	for (unsigned k = slot_of(idx > base ? idx : base, l); k < FAN; k++) {
		uint64_t lo = base + k * span;
		if (lo >= limit)
			return limit;
		uint64_t from = lo > idx ? lo : idx;
		if (l == LEVELS - 1) {
			uint64_t e = ((uint64_t *)table)[k];
			bool data = e && !(written && (e & E_UNWRITTEN));
			if (data == want)
				return from;
			continue;
		}
		if (!table[k]) {
			if (!want)
				return from;
			continue;
		}
		uint64_t r = scan(table[k], l + 1, lo, from, limit, want, written);
		if (r < limit && r < lo + span)
			return r;
	}
	return limit;
}

/* scan from the root: the tree holds nothing at or above cover(top). */
static uint64_t scan_root(struct mobj *o, uint64_t idx, uint64_t limit, bool want, bool written)
{
	uint64_t end = cover(o->top);
	if (idx >= end)
		return want ? limit : idx;
	uint64_t lim = limit < end ? limit : end;
	uint64_t r = scan(o->root, o->top, 0, idx, lim, want, written);
	if (r == lim && lim < limit)
		return want ? limit : end;
	return r;
}

uint64_t mobj_seek(struct mobj *o, uint64_t idx, uint64_t limit, bool data)
{
	pthread_mutex_lock(&o->lock);
	uint64_t r;
	if (idx >= limit)
		r = limit;
	else if (!o->root)
		r = data ? limit : idx;
	else
		r = scan_root(o, idx, limit, data, true);
	pthread_mutex_unlock(&o->lock);
	return r;
}

uint64_t mobj_pages(struct mobj *o)
{
	pthread_mutex_lock(&o->lock);
	uint64_t n = o->nr_pages;
	pthread_mutex_unlock(&o->lock);
	return n;
}

/* --- the reverse map --- */

int mobj_map_add(struct mobj *o, struct mm *mm, bool writable)
{
	int r = 0;
	pthread_mutex_lock(&o->rmap_lock);
	size_t i;
	for (i = 0; i < o->nmaps && o->maps[i].mm != mm; i++)
		;
	if (i == o->nmaps) {
		if (o->nmaps == o->capmaps) {
			size_t cap = o->capmaps ? o->capmaps * 2 : 4;
			struct mobj_mapper *p = realloc(o->maps, cap * sizeof(*p));
			if (!p) {
				r = -ENOMEM;
				goto out;
			}
			o->maps = p;
			o->capmaps = cap;
		}
		o->maps[o->nmaps++] = (struct mobj_mapper){ mm, 0 };
	}
	o->maps[i].n++;
	if (writable)
		o->writable_maps++;
out:
	pthread_mutex_unlock(&o->rmap_lock);
	return r;
}

void mobj_map_del(struct mobj *o, struct mm *mm, bool writable)
{
	pthread_mutex_lock(&o->rmap_lock);
	for (size_t i = 0; i < o->nmaps; i++) {
		if (o->maps[i].mm != mm)
			continue;
		if (--o->maps[i].n == 0)
			o->maps[i] = o->maps[--o->nmaps];
		if (writable)
			o->writable_maps--;
		break;
	}
	pthread_mutex_unlock(&o->rmap_lock);
}

int mobj_writable_maps(struct mobj *o)
{
	pthread_mutex_lock(&o->rmap_lock);
	int n = o->writable_maps;
	pthread_mutex_unlock(&o->rmap_lock);
	return n;
}

/* Take a reference on mm unless it is already dying. */
static bool mm_tryget(struct mm *mm)
{
	int r = __atomic_load_n(&mm->refs, __ATOMIC_RELAXED);
	while (r > 0)
		if (__atomic_compare_exchange_n(&mm->refs, &r, r + 1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return true;
	return false;
}

/* Unmap from one address space every mirror page of o's pages [first,
 * last). The caller holds mm->lock. */
static void unmap_in(struct mm *mm, struct mobj *o, uint64_t first, uint64_t last)
{
	if (!mm->as)
		return;
	for (size_t i = 0; i < mm->nvmas; i++) {
		struct vma *v = &mm->vmas[i];
		if (v->obj != o)
			continue;
		uint64_t vfirst = v->obj_off / PAGE_SIZE;
		uint64_t vlast = vfirst + (v->end - v->start) / PAGE_SIZE;
		uint64_t a = first > vfirst ? first : vfirst;
		uint64_t b = last < vlast ? last : vlast;
		if (a >= b)
			continue;
		as_unmap(mm->as, v->start + (a - vfirst) * PAGE_SIZE, (b - a) * PAGE_SIZE);
		mm_mirror_grew(mm);
	}
}

void mobj_unmap_all(struct mobj *o, uint64_t first, uint64_t last, struct mm *locked)
{
	pthread_mutex_lock(&o->rmap_lock);
	size_t n = o->nmaps;
	struct mm **mms = n ? malloc(n * sizeof(*mms)) : NULL;
	size_t k = 0;
	for (size_t i = 0; i < n && mms; i++)
		if (o->maps[i].mm == locked || mm_tryget(o->maps[i].mm))
			mms[k++] = o->maps[i].mm;
	pthread_mutex_unlock(&o->rmap_lock);
	if (n && !mms)
		return;	/* callers keep the pages: see mobj_cut */
	for (size_t i = 0; i < k; i++) {
		if (mms[i] == locked) {
			unmap_in(mms[i], o, first, last);
			continue;
		}
		pthread_mutex_lock(&mms[i]->lock);
		unmap_in(mms[i], o, first, last);
		pthread_mutex_unlock(&mms[i]->lock);
		mm_put(mms[i]);
	}
	free(mms);
}

/* Remove [first, last) from o: unmapped everywhere before the pages are
 * released, so no mirror keeps a page the allocator hands out again. */
static void mobj_cut(struct mobj *o, uint64_t first, uint64_t last, struct mm *locked)
{
	struct cut c = { 0 };
	pthread_mutex_lock(&o->lock);
	if (o->root && cut_range(o->root, o->top, 0, first, last, &c)) {
		free(o->root);
		o->root = NULL;
		o->top = LEVELS - 1;
	}
	o->nr_pages -= c.n;
	pthread_mutex_unlock(&o->lock);
	mobj_unmap_all(o, first, last, locked);
	for (size_t i = 0; i < c.n; i++)
		memfile_unref(c.offs[i]);
	if (c.n && o->ops && o->ops->uncharge)
		o->ops->uncharge(o, c.n);
	free(c.offs);
}

void mobj_discard(struct mobj *o, uint64_t idx, uint64_t n)
{
	uint64_t last = idx + n < idx || idx + n > MAX_IDX ? MAX_IDX : idx + n;
	if (idx >= last)
		return;
	mobj_cut(o, idx, last, NULL);
}

void mobj_set_size(struct mobj *o, uint64_t size)
{
	pthread_mutex_lock(&o->lock);
	uint64_t old = o->size;
	o->size = size;
	pthread_mutex_unlock(&o->lock);
	if (size >= old)
		return;
	uint64_t first = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	mobj_cut(o, first, MAX_IDX, NULL);
	if (size % PAGE_SIZE) {
		/* The tail of the last page reads as zeros from now on. */
		pthread_mutex_lock(&o->lock);
		uint64_t *e = entry_of(o, size / PAGE_SIZE, false);
		if (e && *e)
			memset((char *)memfile_ptr(E_OFF(*e)) + size % PAGE_SIZE, 0,
			       PAGE_SIZE - size % PAGE_SIZE);
		pthread_mutex_unlock(&o->lock);
	}
}

void mobj_for_each(struct mobj *o, uint64_t first, uint64_t last,
		   void (*fn)(void *arg, uint64_t idx, uint64_t off), void *arg)
{
	pthread_mutex_lock(&o->lock);
	for (uint64_t i = first; o->root && i < last;) {
		uint64_t j = scan_root(o, i, last, true, false);
		if (j >= last)
			break;
		fn(arg, j, E_OFF(*entry_of(o, j, false)));
		i = j + 1;
	}
	pthread_mutex_unlock(&o->lock);
}

int mobj_sync(struct mobj *o)
{
	return o->ops && o->ops->sync ? o->ops->sync(o) : 0;
}
