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
 * mobj_discard take each mapper's mm->lock in turn (hold none, or pass
 * the one held as locked to mobj_unmap_all). */
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
	/* Optional: fill n new zeroed pages idx.. at once (contiguous in
	 * the memory file; readahead); 0 or -errno. Under o->lock. */
	int (*fill_run)(struct mobj *o, uint64_t idx, uint64_t n, void *pages);
	/* The last reference is going: pages are still there (write-back). */
	void (*release)(struct mobj *o);
	/* Write changed pages back to their file (msync, munmap of a shared
	 * writable mapping): 0 or -EIO. May be called under mm->lock. */
	int (*sync)(struct mobj *o);
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
	int top;		/* the level of its root table (mobj.c) */
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
/* For the pages mapped around a fault: an existing page, or a page made
 * now for anonymous memory and caches (ops->fill); a file's hole stays a
 * hole (-ENOENT). */
int64_t mobj_page_window(struct mobj *o, uint64_t idx);
/* Readahead of a cache with ops->fill_run: the absent pages of
 * [idx, idx + n) below the size are made and filled, each gap as one
 * contiguous run and one fill. Best effort: a page it could not make is
 * left to mobj_page_window, which meets (and reports) the error again. */
void mobj_fill_range(struct mobj *o, uint64_t idx, uint64_t n);
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
 * every mirror (the caller holds no mm->lock). */
void mobj_discard(struct mobj *o, uint64_t idx, uint64_t n);
/* Unmap pages [first, last) of o from every mapper's mirror. */
void mobj_unmap_all(struct mobj *o, uint64_t first, uint64_t last, struct mm *locked);

/* The reverse map, kept by the VMA code: one call per VMA on the object;
 * writable: a shared VMA that may write. */
int mobj_map_add(struct mobj *o, struct mm *mm, bool writable);
void mobj_map_del(struct mobj *o, struct mm *mm, bool writable);
int mobj_writable_maps(struct mobj *o);
/* ops->sync if any: 0 or -EIO. */
int mobj_sync(struct mobj *o);
