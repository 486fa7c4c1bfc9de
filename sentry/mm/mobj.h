/* sentry/mm/mobj.h: memory objects: pages that several mappings see.
 *
 * A mobj holds memory-file pages by page index in a radix tree: the pages
 * of a MAP_SHARED anonymous mapping, the data of a tmpfs file or memfd
 * (read()/write() and every mapping use the very same pages), or the page
 * cache of a host file (goferfs), filled on first use by ops->fill. An
 * access at or beyond the object's size, rounded up to a page, is refused
 * (-EFAULT; a fault there is SIGBUS). The reverse map lists the address
 * spaces whose VMAs map the object, so that pages leaving it (truncate,
 * hole punching) are unmapped from every mirror before they are freed.
 *
 * Locks: mm->lock may be held when o->lock or o->rmap_lock is taken,
 * never the other way round; mobj_unmap_all, mobj_set_size and
 * mobj_discard take the mappers' mm->lock (hold none, or pass the one
 * held as locked). */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct mm;
struct mobj;

struct mobj_ops {
	/* Accounting before n pages are added / after n leave: 0 or
	 * -ENOSPC. Called under o->lock. */
	int (*charge)(struct mobj *o, uint64_t n);
	void (*uncharge)(struct mobj *o, uint64_t n);
	/* Fill a new zeroed page idx (the file's bytes); 0 or -errno.
	 * Called under o->lock. */
	int (*fill)(struct mobj *o, uint64_t idx, void *page);
	/* The last reference is going: pages are still there (write-back). */
	void (*release)(struct mobj *o);
};

struct mobj_mapper {
	struct mm *mm;
	unsigned n;		/* VMAs of mm on this object */
};

struct mobj {
	int refs;
	uint64_t size;		/* bytes */
	bool file;		/* size is a file's: mremap does not grow it */
	const struct mobj_ops *ops;
	void *priv;		/* the owner's */
	void *owner;		/* the owner's, cleared when it goes */
	pthread_mutex_t lock;	/* tree, size, nr_pages */
	void *root;		/* radix tree of page entries (mobj.c) */
	uint64_t nr_pages;
	pthread_mutex_t rmap_lock;
	struct mobj_mapper *maps;
	size_t nmaps, capmaps;
	int writable_maps;	/* shared VMAs that may write (seals) */
};

/* Anonymous shared memory of size bytes (rounded up to pages). */
struct mobj *mobj_new(uint64_t size);
/* A file's pages: size is the file size in bytes. */
struct mobj *mobj_new_file(uint64_t size, const struct mobj_ops *ops, void *priv);
void mobj_get(struct mobj *o);
void mobj_put(struct mobj *o);
/* The memfile offset of page idx, made on first use (charged, filled);
 * -EFAULT beyond the size, or -ENOMEM/-ENOSPC/-EIO. */
int64_t mobj_page(struct mobj *o, uint64_t idx);
/* The same with a memfile reference the caller drops (memfile_unref);
 * without alloc an absent page is -ENOENT. For use without mm->lock. */
int64_t mobj_page_ref(struct mobj *o, uint64_t idx, bool alloc);
/* For the pages mapped around a fault: an existing page, or a page of
 * a cache (ops->fill) read now; else -ENOENT (holes stay holes). */
int64_t mobj_page_window(struct mobj *o, uint64_t idx);
/* Make page idx exist, even beyond the size (fallocate): it stays a
 * hole to mobj_seek until written or mapped. */
int mobj_prealloc(struct mobj *o, uint64_t idx);
bool mobj_page_present(struct mobj *o, uint64_t idx);
/* The first page index >= idx and < limit that is data (present and
 * not merely preallocated) or a hole (!data); limit if none. */
uint64_t mobj_seek(struct mobj *o, uint64_t idx, uint64_t limit, bool data);
uint64_t mobj_pages(struct mobj *o);
/* Call fn on each present page in [first, last), under o->lock. */
void mobj_for_each(struct mobj *o, uint64_t first, uint64_t last,
		   void (*fn)(void *arg, uint64_t idx, uint64_t off), void *arg);
/* Anonymous objects grow with mremap; files ignore it. */
int mobj_grow(struct mobj *o, uint64_t size);
/* A file's new size: pages beyond it leave the object (and every
 * mirror); the tail of a partial last page is zeroed. */
void mobj_set_size(struct mobj *o, uint64_t size);
/* Drop n pages from idx (they read back as zero), unmapping them from
 * every mirror; locked: an mm whose lock the caller holds, or NULL. */
void mobj_discard(struct mobj *o, uint64_t idx, uint64_t n);
void mobj_discard_locked(struct mobj *o, uint64_t idx, uint64_t n, struct mm *locked);
/* Unmap pages [first, last) of o from every mapper's mirror. */
void mobj_unmap_all(struct mobj *o, uint64_t first, uint64_t last, struct mm *locked);

/* The reverse map, kept by the VMA code: one call per VMA on the object;
 * writable: a shared VMA that may write. */
int mobj_map_add(struct mobj *o, struct mm *mm, bool writable);
void mobj_map_del(struct mobj *o, struct mm *mm, bool writable);
int mobj_writable_maps(struct mobj *o);
