/* fs/tmpfs/tmpfs_file.c: tmpfs regular file data. A file's pages are a
 * memory object (sentry/mm/mobj.h) of memory-file pages: read() and
 * write() copy through the sentry's view of them and every mapping maps
 * the very same pages, so MAP_SHARED mappings, read() and write() are
 * coherent at once and MAP_PRIVATE copies a page only at its first
 * write. Absent pages are holes (read as zeros, SEEK_HOLE finds them).
 * Also fallocate, SEEK_DATA/SEEK_HOLE and memfd seals.
 *
 * inode->lock covers the size and serialises writers, truncation and
 * fallocate; the object has its own lock for its page tree. */
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"
#include "sentry/mm/mm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_PAGE ((uint64_t)(TMPFS_MAX_FILE / TMPFS_PAGE))

struct tmpfs_data {
	struct mobj *obj;
	unsigned seals;		/* F_SEAL_*; F_SEAL_SEAL unless sealable */
};

static int charge(struct mobj *o, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		int r = tmpfs_page_charge(o->priv);
		if (r < 0) {
			tmpfs_page_uncharge(o->priv, i);
			return r;
		}
	}
	struct inode *inode = o->owner;
	if (inode)
		__atomic_add_fetch(&inode->blocks, (int64_t)(n * (TMPFS_PAGE / 512)), __ATOMIC_RELAXED);
	return 0;
}

static void uncharge(struct mobj *o, uint64_t n)
{
	tmpfs_page_uncharge(o->priv, n);
	struct inode *inode = o->owner;
	if (inode)
		__atomic_sub_fetch(&inode->blocks, (int64_t)(n * (TMPFS_PAGE / 512)), __ATOMIC_RELAXED);
}

static const struct mobj_ops tmpfs_mobj_ops = {
	.charge = charge,
	.uncharge = uncharge,
};

static struct tmpfs_data *data_of(struct inode *inode)
{
	struct tmpfs_data *td = inode->priv;
	if (td)
		return td;
	td = calloc(1, sizeof(*td));
	if (!td)
		return NULL;
	td->obj = mobj_new_file((uint64_t)inode->size, &tmpfs_mobj_ops, inode->sb);
	if (!td->obj) {
		free(td);
		return NULL;
	}
	td->obj->owner = inode;
	td->seals = F_SEAL_SEAL;
	inode->priv = td;
	return td;
}

int tmpfs_file_init(struct inode *inode)
{
	return data_of(inode) ? 0 : -ENOMEM;
}

void tmpfs_file_truncate(struct inode *inode, int64_t size)
{
	struct tmpfs_data *td = inode->priv;
	if (td)
		mobj_set_size(td->obj, (uint64_t)size);
	inode->size = size;
}

void tmpfs_file_evict(struct inode *inode)
{
	struct tmpfs_data *td = inode->priv;
	if (!td)
		return;
	/* Mappings may keep the pages alive; the inode goes now. */
	pthread_mutex_lock(&td->obj->lock);
	td->obj->owner = NULL;
	pthread_mutex_unlock(&td->obj->lock);
	mobj_put(td->obj);
	free(td);
	inode->priv = NULL;
}

int tmpfs_file_check_size(struct inode *inode, int64_t size)
{
	struct tmpfs_data *td = inode->priv;
	unsigned seals = td ? td->seals : 0;
	if (size < inode->size && (seals & F_SEAL_SHRINK))
		return -EPERM;
	if (size > inode->size && (seals & F_SEAL_GROW))
		return -EPERM;
	return 0;
}

static ssize_t tmpfs_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	struct inode *inode = f->inode;
	int64_t off = *pos;
	if (off < 0)
		return -EINVAL;
	pthread_mutex_lock(&inode->lock);
	struct tmpfs_data *td = data_of(inode);
	if (!td) {
		pthread_mutex_unlock(&inode->lock);
		return -ENOMEM;
	}
	size_t done = 0;
	if (off < inode->size) {
		if ((uint64_t)(inode->size - off) < len)
			len = (size_t)(inode->size - off);
		while (done < len) {
			uint64_t o = (uint64_t)off + done;
			size_t in = o % TMPFS_PAGE, n = TMPFS_PAGE - in;
			if (n > len - done)
				n = len - done;
			int64_t pg = mobj_page_ref(td->obj, o / TMPFS_PAGE, false);
			if (pg >= 0) {
				memcpy((char *)buf + done, (char *)memfile_ptr((uint64_t)pg) + in, n);
				memfile_unref((uint64_t)pg);
			} else {
				memset((char *)buf + done, 0, n);
			}
			done += n;
		}
		if (!(f->flags & O_NOATIME))
			inode->atime = inode_now();
	}
	pthread_mutex_unlock(&inode->lock);
	*pos = off + (int64_t)done;
	return (ssize_t)done;
}

static ssize_t tmpfs_write(struct file *f, const void *buf, size_t len, int64_t *pos)
{
	struct inode *inode = f->inode;
	pthread_mutex_lock(&inode->lock);
	struct tmpfs_data *td = data_of(inode);
	int64_t off = (f->flags & O_APPEND) ? inode->size : *pos;
	ssize_t err = 0;
	if (!td)
		err = -ENOMEM;
	else if (td->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		err = -EPERM;
	else if (off < 0)
		err = -EINVAL;
	else if (off >= TMPFS_MAX_FILE)
		err = len ? -EFBIG : 0;
	if (err || len == 0) {
		pthread_mutex_unlock(&inode->lock);
		return err;
	}
	if ((uint64_t)(TMPFS_MAX_FILE - off) < len)
		len = (size_t)(TMPFS_MAX_FILE - off);
	int64_t end = off + (int64_t)len;
	if (end > inode->size && (td->seals & F_SEAL_GROW)) {
		pthread_mutex_unlock(&inode->lock);
		return -EPERM;
	}
	/* The object's size first: its pages beyond the end cannot be made. */
	if (end > inode->size)
		mobj_set_size(td->obj, (uint64_t)end);
	size_t done = 0;
	while (done < len) {
		uint64_t o = (uint64_t)off + done;
		size_t in = o % TMPFS_PAGE, n = TMPFS_PAGE - in;
		if (n > len - done)
			n = len - done;
		int64_t pg = mobj_page_ref(td->obj, o / TMPFS_PAGE, true);
		if (pg < 0) {
			err = pg;
			break;
		}
		memcpy((char *)memfile_ptr((uint64_t)pg) + in, (const char *)buf + done, n);
		memfile_unref((uint64_t)pg);
		done += n;
	}
	if (off + (int64_t)done > inode->size)
		inode->size = off + (int64_t)done;
	mobj_set_size(td->obj, (uint64_t)inode->size);
	if (done) {
		inode->mtime = inode->ctime = inode_now();
		/* Writing clears set-user-ID (and set-group-ID if group-exec). */
		if (inode->mode & (S_ISUID | S_ISGID)) {
			inode->mode &= ~S_ISUID;
			if (inode->mode & S_IXGRP)
				inode->mode &= ~S_ISGID;
		}
	}
	pthread_mutex_unlock(&inode->lock);
	if (!done)
		return err;
	*pos = off + (int64_t)done;
	return (ssize_t)done;
}

/* SEEK_DATA/SEEK_HOLE at page granularity: a page that exists is data. */
static int64_t seek_data_hole(struct inode *inode, int64_t off, bool data)
{
	pthread_mutex_lock(&inode->lock);
	struct tmpfs_data *td = data_of(inode);
	int64_t size = inode->size, r;
	if (off < 0 || off >= size || !td) {
		pthread_mutex_unlock(&inode->lock);
		return td ? -ENXIO : -ENOMEM;
	}
	uint64_t last = ((uint64_t)size + TMPFS_PAGE - 1) / TMPFS_PAGE;
	uint64_t i = mobj_seek(td->obj, (uint64_t)off / TMPFS_PAGE, last, data);
	pthread_mutex_unlock(&inode->lock);
	if (i >= last)
		return data ? -ENXIO : size;
	r = (int64_t)(i * TMPFS_PAGE);
	if (r < off)
		r = off;
	if (r > size)
		r = size;
	return r;
}

static int64_t tmpfs_llseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_DATA || whence == SEEK_HOLE) {
		int64_t r = seek_data_hole(f->inode, off, whence == SEEK_DATA);
		if (r >= 0)
			f->pos = r;
		return r;
	}
	return generic_llseek(f, off, whence);
}

static int tmpfs_fsync(struct file *f, bool datasync)
{
	(void)f;
	(void)datasync;
	return 0;
}

static int tmpfs_mmap(struct file *f, int prot, int flags, struct mobj **obj, bool *maywrite)
{
	struct inode *inode = f->inode;
	bool shared = (flags & MAP_TYPE) != MAP_PRIVATE;
	pthread_mutex_lock(&inode->lock);
	struct tmpfs_data *td = data_of(inode);
	int r = 0;
	if (!td) {
		r = -ENOMEM;
	} else if (shared && (td->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) &&
		   (prot & PROT_WRITE)) {
		r = -EPERM;
	} else {
		mobj_get(td->obj);
		*obj = td->obj;
		*maywrite = shared && (f->mode & FMODE_WRITE) &&
			    !(td->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE));
	}
	pthread_mutex_unlock(&inode->lock);
	return r;
}

/* Make the pages of [first, last) exist (fallocate mode 0/KEEP_SIZE). */
static int alloc_range(struct mobj *o, uint64_t first, uint64_t last)
{
	for (uint64_t i = mobj_seek(o, first, last, false); i < last;
	     i = mobj_seek(o, i + 1, last, false)) {
		int r = mobj_prealloc(o, i);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Zero [off, off+len) within one page, if the page exists. */
static void zero_part(struct mobj *o, int64_t off, int64_t len)
{
	int64_t pg = mobj_page_ref(o, (uint64_t)off / TMPFS_PAGE, false);
	if (pg < 0)
		return;
	memset((char *)memfile_ptr((uint64_t)pg) + off % TMPFS_PAGE, 0, (size_t)len);
	memfile_unref((uint64_t)pg);
}

/* As shmem: allocation (KEEP_SIZE or not) and PUNCH_HOLE|KEEP_SIZE;
 * ZERO_RANGE, COLLAPSE_RANGE and INSERT_RANGE are not supported. */
static int tmpfs_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	struct inode *inode = f->inode;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	if ((uint64_t)off + (uint64_t)len > (uint64_t)TMPFS_MAX_FILE)
		return -EFBIG;
	pthread_mutex_lock(&inode->lock);
	struct tmpfs_data *td = data_of(inode);
	int r = 0;
	if (!td) {
		r = -ENOMEM;
		goto out;
	}
	struct mobj *o = td->obj;
	int64_t end = off + len;
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		if (td->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) {
			r = -EPERM;
			goto out;
		}
		int64_t first = (off + TMPFS_PAGE - 1) / TMPFS_PAGE * TMPFS_PAGE;
		int64_t last = end / TMPFS_PAGE * TMPFS_PAGE;
		if (first > last) {	/* within one page */
			zero_part(o, off, len);
		} else {
			if (off < first)
				zero_part(o, off, first - off);
			if (last < end)
				zero_part(o, last, end - last);
			if (first < last)
				mobj_discard(o, (uint64_t)first / TMPFS_PAGE,
					     (uint64_t)(last - first) / TMPFS_PAGE);
		}
		inode->mtime = inode->ctime = inode_now();
		goto out;
	}
	bool grow = !(mode & FALLOC_FL_KEEP_SIZE) && end > inode->size;
	if (grow && (td->seals & F_SEAL_GROW)) {
		r = -EPERM;
		goto out;
	}
	if (grow)
		mobj_set_size(o, (uint64_t)end);
	r = alloc_range(o, (uint64_t)off / TMPFS_PAGE,
			((uint64_t)end + TMPFS_PAGE - 1) / TMPFS_PAGE);
	if (r == 0 && grow) {
		inode->size = end;
		inode->ctime = inode_now();
	} else if (grow) {
		mobj_set_size(o, (uint64_t)inode->size);
	}
out:
	pthread_mutex_unlock(&inode->lock);
	return r;
}

static int tmpfs_seals(struct file *f, bool add, unsigned seals)
{
	struct inode *inode = f->inode;
	pthread_mutex_lock(&inode->lock);
	struct tmpfs_data *td = data_of(inode);
	int r = 0;
	if (!td) {
		r = -ENOMEM;
	} else if (!add) {
		r = (int)td->seals;
	} else if (seals & ~(unsigned)(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW |
				       F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)) {
		r = -EINVAL;
	} else if (!(f->mode & FMODE_WRITE)) {
		r = -EPERM;
	} else if (td->seals & F_SEAL_SEAL) {
		r = -EPERM;
	} else if ((seals & F_SEAL_WRITE) && !(td->seals & F_SEAL_WRITE) &&
		   mobj_writable_maps(td->obj) > 0) {
		r = -EBUSY;
	} else {
		td->seals |= seals;
	}
	pthread_mutex_unlock(&inode->lock);
	return r;
}

const struct file_ops tmpfs_file_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.llseek = tmpfs_llseek,
	.fsync = tmpfs_fsync,
	.mmap = tmpfs_mmap,
	.fallocate = tmpfs_fallocate,
	.seals = tmpfs_seals,
};

void tmpfs_file_allow_sealing(struct inode *inode, bool allow)
{
	struct tmpfs_data *td = data_of(inode);
	if (td)
		td->seals = allow ? 0 : F_SEAL_SEAL;
}
