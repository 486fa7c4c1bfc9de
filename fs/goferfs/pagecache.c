/* fs/goferfs/pagecache.c: the page cache of a goferfs regular file, made
 * at its first mmap: a memory object (sentry/mm/mobj.h) whose pages are
 * filled from the host file on first use (pread on a donated fd the cache
 * owns). Every private mapping of the file (the loader's segments of
 * executables and libraries included) maps these pages copy-on-write,
 * so a second exec of the same file reads nothing again. MAP_SHARED
 * mappings map them writable; pages of a cache that was ever mapped
 * shared-writable are written back to the host (pwrite on a second
 * donated fd) on msync, munmap, fsync, close of a file and when the last
 * mapping goes. read() and write() through this sentry stay coherent: a
 * write updates the cached pages it covers, and a read takes the cached
 * pages of a cache that was ever mapped shared-writable over the host's
 * bytes (other caches hold what the host has). Changes made to the host file from outside the
 * sandbox while it is cached are not seen in cached pages. */
#include "fs/goferfs/goferfs.h"
#include "fs/vfs/inode.h"
#include "sentry/mm/mm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#ifndef FALLOC_FL_WRITE_ZEROES
#define FALLOC_FL_WRITE_ZEROES 0x80
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct gofer_cache {
	int rofd;		/* fills */
	int rwfd;		/* write-back, once mapped shared-writable */
	bool wb;		/* ever mapped shared-writable */
};

/* Pages idx.. (n of them, zeroed) from the host file: copied in the
 * kernel (memfile_fill_from), else one pread for the run; past the end of
 * the file they stay zero. */
static int gc_fill_run(struct mobj *o, uint64_t idx, uint64_t n, void *pages)
{
	struct gofer_cache *gc = o->priv;
	size_t got = 0, len = (size_t)n * PAGE_SIZE;
	uint64_t off = (uint64_t)((char *)pages - (char *)memfile_ptr(0));
	if (memfile_fill_from(gc->rofd, idx * PAGE_SIZE, off, len) >= 0)
		return 0;	/* short at the end of the file: the rest is zero */
	memfile_prepare(off, n);
	while (got < len) {
		ssize_t k = pread(gc->rofd, (char *)pages + got, len - got,
				  (off_t)(idx * PAGE_SIZE + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -EIO;
		if (k == 0)
			break;	/* the rest is zero */
		got += (size_t)k;
	}
	return 0;
}

static int gc_fill(struct mobj *o, uint64_t idx, void *page)
{
	return gc_fill_run(o, idx, 1, page);
}

struct wb_arg {
	struct gofer_cache *gc;
	uint64_t size;
	int err;
};

static void wb_page(void *arg, uint64_t idx, uint64_t off)
{
	struct wb_arg *w = arg;
	uint64_t at = idx * PAGE_SIZE;
	if (at >= w->size)
		return;
	size_t n = w->size - at < PAGE_SIZE ? (size_t)(w->size - at) : PAGE_SIZE;
	const char *p = memfile_ptr(off);
	for (size_t done = 0; done < n;) {
		ssize_t k = pwrite(w->gc->rwfd, p + done, n - done, (off_t)(at + done));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			w->err = -EIO;
			return;
		}
		done += (size_t)k;
	}
}

static int gc_sync(struct mobj *o)
{
	struct gofer_cache *gc = o->priv;
	if (!__atomic_load_n(&gc->wb, __ATOMIC_ACQUIRE) || gc->rwfd < 0)
		return 0;
	pthread_mutex_lock(&o->lock);
	uint64_t size = o->size;
	pthread_mutex_unlock(&o->lock);
	struct wb_arg w = { gc, size, 0 };
	mobj_for_each(o, 0, (size + PAGE_SIZE - 1) / PAGE_SIZE, wb_page, &w);
	return w.err;
}

static void gc_release(struct mobj *o)
{
	struct gofer_cache *gc = o->priv;
	gc_sync(o);
	if (gc->rofd >= 0)
		close(gc->rofd);
	if (gc->rwfd >= 0)
		close(gc->rwfd);
	free(gc);
}

static const struct mobj_ops gofer_cache_ops = {
	.fill = gc_fill,
	.fill_run = gc_fill_run,
	.release = gc_release,
	.sync = gc_sync,
};

struct mobj *goferfs_cache_get(struct inode *inode, bool writable, int *err)
{
	struct gofer_inode *gi = inode->priv;
	pthread_mutex_lock(&inode->lock);
	struct mobj *o = gi->cache;
	bool need_rw = writable && (!o || ((struct gofer_cache *)o->priv)->rwfd < 0);
	pthread_mutex_unlock(&inode->lock);
	int rofd = -1, rwfd = -1;
	if (!o && (rofd = goferfs_open_fd(inode, O_RDONLY)) < 0) {
		*err = rofd;
		return NULL;
	}
	if (need_rw && (rwfd = goferfs_open_fd(inode, O_RDWR)) < 0) {
		if (rofd >= 0)
			close(rofd);
		*err = rwfd;
		return NULL;
	}
	pthread_mutex_lock(&inode->lock);
	if (!gi->cache && rofd >= 0) {
		struct gofer_cache *gc = calloc(1, sizeof(*gc));
		struct stat st;
		uint64_t size = fstat(rofd, &st) == 0 ? (uint64_t)st.st_size : (uint64_t)inode->size;
		o = gc ? mobj_new_file(size, &gofer_cache_ops, gc) : NULL;
		if (!o) {
			free(gc);
			pthread_mutex_unlock(&inode->lock);
			close(rofd);
			if (rwfd >= 0)
				close(rwfd);
			*err = -ENOMEM;
			return NULL;
		}
		gc->rofd = rofd;
		gc->rwfd = -1;
		rofd = -1;
		gi->cache = o;
	}
	o = gi->cache;
	struct gofer_cache *gc = o->priv;
	if (rwfd >= 0 && gc->rwfd < 0) {
		gc->rwfd = rwfd;
		rwfd = -1;
	}
	if (writable)
		__atomic_store_n(&gc->wb, true, __ATOMIC_RELEASE);
	mobj_get(o);
	pthread_mutex_unlock(&inode->lock);
	if (rofd >= 0)
		close(rofd);
	if (rwfd >= 0)
		close(rwfd);
	return o;
}

/* The cache, referenced, or NULL. */
static struct mobj *cache_of(struct inode *inode)
{
	struct gofer_inode *gi = inode->priv;
	pthread_mutex_lock(&inode->lock);
	struct mobj *o = gi->cache;
	if (o)
		mobj_get(o);
	pthread_mutex_unlock(&inode->lock);
	return o;
}

/* Copies between a read/write buffer and the cached pages of [pos,
 * pos + n): memmove, as the buffer may be a mapping of this very cache
 * (read and write move data straight to and from guest pages). */
struct rd_arg {
	char *buf;
	uint64_t pos, n;
};

static void rd_page(void *arg, uint64_t idx, uint64_t off)
{
	struct rd_arg *r = arg;
	uint64_t at = idx * PAGE_SIZE, lo = at > r->pos ? at : r->pos;
	uint64_t hi = at + PAGE_SIZE < r->pos + r->n ? at + PAGE_SIZE : r->pos + r->n;
	if (lo < hi)
		memmove(r->buf + (lo - r->pos), (char *)memfile_ptr(off) + (lo - at), hi - lo);
}

static void wr_page(void *arg, uint64_t idx, uint64_t off)
{
	struct rd_arg *r = arg;
	uint64_t at = idx * PAGE_SIZE, lo = at > r->pos ? at : r->pos;
	uint64_t hi = at + PAGE_SIZE < r->pos + r->n ? at + PAGE_SIZE : r->pos + r->n;
	if (lo < hi)
		memmove((char *)memfile_ptr(off) + (lo - at), r->buf + (lo - r->pos), hi - lo);
}

/* Only pages of a cache that was mapped shared-writable can hold bytes
 * the host file does not have yet (write() and truncate change both);
 * other caches are skipped, so reads cost nothing extra and see the
 * host's current bytes. */
void goferfs_cache_read(struct inode *inode, void *buf, size_t n, int64_t pos)
{
	struct mobj *o = cache_of(inode);
	if (!o)
		return;
	struct gofer_cache *gc = o->priv;
	if (__atomic_load_n(&gc->wb, __ATOMIC_ACQUIRE)) {
		struct rd_arg r = { buf, (uint64_t)pos, n };
		mobj_for_each(o, (uint64_t)pos / PAGE_SIZE,
			      ((uint64_t)pos + n + PAGE_SIZE - 1) / PAGE_SIZE, rd_page, &r);
	}
	mobj_put(o);
}

void goferfs_cache_write(struct inode *inode, const void *buf, size_t n, int64_t pos,
			 int64_t size)
{
	struct mobj *o = cache_of(inode);
	if (!o)
		return;
	if (size >= 0 && (uint64_t)size != o->size)
		mobj_set_size(o, (uint64_t)size);
	struct rd_arg w = { (char *)buf, (uint64_t)pos, n };
	mobj_for_each(o, (uint64_t)pos / PAGE_SIZE, ((uint64_t)pos + n + PAGE_SIZE - 1) / PAGE_SIZE,
		      wr_page, &w);
	mobj_put(o);
}

void goferfs_cache_resize(struct inode *inode, int64_t size)
{
	struct mobj *o = cache_of(inode);
	if (!o)
		return;
	mobj_set_size(o, (uint64_t)size);
	mobj_put(o);
}

void goferfs_cache_fallocated(struct inode *inode, int mode, int64_t off, int64_t len,
			      int64_t size)
{
	struct mobj *o = cache_of(inode);
	if (!o)
		return;
	uint64_t first = (uint64_t)off / PAGE_SIZE;
	uint64_t last = ((uint64_t)off + (uint64_t)len + PAGE_SIZE - 1) / PAGE_SIZE;
	if (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE))
		last = UINT64_MAX / PAGE_SIZE;	/* the data after off moved */
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_COLLAPSE_RANGE |
		    FALLOC_FL_INSERT_RANGE | FALLOC_FL_WRITE_ZEROES))
		mobj_discard(o, first, last - first);
	if (size >= 0 && (uint64_t)size != o->size)
		mobj_set_size(o, (uint64_t)size);
	mobj_put(o);
}

int goferfs_cache_sync(struct inode *inode)
{
	struct mobj *o = cache_of(inode);
	if (!o)
		return 0;
	int r = gc_sync(o);
	mobj_put(o);
	return r;
}

void goferfs_cache_evict(struct inode *inode)
{
	struct gofer_inode *gi = inode->priv;
	if (gi->cache)
		mobj_put(gi->cache);
	gi->cache = NULL;
}
