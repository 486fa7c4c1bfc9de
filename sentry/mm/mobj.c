/* sentry/mm/mobj.c: shared memory objects (MAP_SHARED anonymous memory):
 * a page array that several mappings, and later several processes, see. */
#include "sentry/mm/mm.h"

#include <errno.h>
#include <stdlib.h>

struct mobj *mobj_new(uint64_t size)
{
	struct mobj *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->refs = 1;
	o->size = PAGE_ALIGN_UP(size);
	o->npages = o->size / PAGE_SIZE;
	o->pages = calloc(o->npages ? o->npages : 1, sizeof(uint64_t));
	if (!o->pages) {
		free(o);
		return NULL;
	}
	pthread_mutex_init(&o->lock, NULL);
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
	for (size_t i = 0; i < o->npages; i++)
		if (o->pages[i])
			memfile_unref(o->pages[i] - 1);
	free(o->pages);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

int mobj_grow(struct mobj *o, uint64_t size)
{
	size = PAGE_ALIGN_UP(size);
	pthread_mutex_lock(&o->lock);
	if (size > o->size) {
		size_t n = size / PAGE_SIZE;
		uint64_t *p = realloc(o->pages, n * sizeof(uint64_t));
		if (!p) {
			pthread_mutex_unlock(&o->lock);
			return -ENOMEM;
		}
		for (size_t i = o->npages; i < n; i++)
			p[i] = 0;
		o->pages = p;
		o->npages = n;
		o->size = size;
	}
	pthread_mutex_unlock(&o->lock);
	return 0;
}

int64_t mobj_page(struct mobj *o, uint64_t idx)
{
	int64_t off;
	pthread_mutex_lock(&o->lock);
	if (idx >= o->npages) {
		off = -EFAULT;	/* beyond the object: SIGBUS territory */
	} else if (o->pages[idx]) {
		off = (int64_t)(o->pages[idx] - 1);
	} else {
		size_t got;
		off = memfile_alloc(1, &got);
		if (off >= 0)
			o->pages[idx] = (uint64_t)off + 1;
	}
	pthread_mutex_unlock(&o->lock);
	return off;
}

bool mobj_page_present(struct mobj *o, uint64_t idx)
{
	pthread_mutex_lock(&o->lock);
	bool p = idx < o->npages && o->pages[idx];
	pthread_mutex_unlock(&o->lock);
	return p;
}

void mobj_discard(struct mobj *o, uint64_t idx, uint64_t n)
{
	pthread_mutex_lock(&o->lock);
	for (uint64_t i = idx; i < idx + n && i < o->npages; i++) {
		if (o->pages[i]) {
			memfile_unref(o->pages[i] - 1);
			o->pages[i] = 0;
		}
	}
	pthread_mutex_unlock(&o->lock);
}
