/* fs/tmpfs/tmpfs_file.c: tmpfs regular file data: pages in a three-level
 * radix table (9 bits per level), absent pages read as zeros (holes).
 * inode->lock covers the table, the size and the block count. */
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FANOUT	 512
#define MAX_PAGE ((uint64_t)(TMPFS_MAX_FILE / TMPFS_PAGE))

struct tmpfs_data {
	void **top;	/* [FANOUT] of [FANOUT] of [FANOUT] pages */
};

static struct tmpfs_data *data_of(struct inode *inode)
{
	if (!inode->priv)
		inode->priv = calloc(1, sizeof(struct tmpfs_data));
	return inode->priv;
}

/* The page at index i, or NULL; with alloc, make it (and its table). */
static char *page_at(struct inode *inode, uint64_t i, bool alloc, int *err)
{
	struct tmpfs_data *fd = data_of(inode);
	if (!fd) {
		*err = -ENOMEM;
		return NULL;
	}
	void ***slot1 = (void ***)&fd->top;
	size_t idx[3] = { (i >> 18) & (FANOUT - 1), (i >> 9) & (FANOUT - 1), i & (FANOUT - 1) };
	void **level = (void **)slot1;
	for (int l = 0; l < 3; l++) {
		void **table = *(void ***)level;
		if (!table) {
			if (!alloc)
				return NULL;
			table = calloc(FANOUT, sizeof(void *));
			if (!table) {
				*err = -ENOMEM;
				return NULL;
			}
			*(void ***)level = table;
		}
		level = &table[idx[l]];
	}
	char *page = *level;
	if (!page && alloc) {
		int r = tmpfs_page_charge(inode->sb);
		if (r < 0) {
			*err = r;
			return NULL;
		}
		page = calloc(1, TMPFS_PAGE);
		if (!page) {
			tmpfs_page_uncharge(inode->sb, 1);
			*err = -ENOMEM;
			return NULL;
		}
		*level = page;
		inode->blocks += TMPFS_PAGE / 512;
	}
	return page;
}

/* Free the pages at index >= first; returns how many were freed. */
static uint64_t free_from(void **table, int level, uint64_t base, uint64_t first)
{
	uint64_t n = 0, span = level == 0 ? (1ULL << 18) : level == 1 ? (1ULL << 9) : 1;
	for (size_t k = 0; k < FANOUT; k++) {
		uint64_t lo = base + k * span;
		if (!table[k] || lo + span <= first)
			continue;
		if (level == 2) {
			free(table[k]);
			table[k] = NULL;
			n++;
			continue;
		}
		n += free_from(table[k], level + 1, lo, first);
		if (lo >= first) {
			free(table[k]);
			table[k] = NULL;
		}
	}
	return n;
}

void tmpfs_file_truncate(struct inode *inode, int64_t size)
{
	struct tmpfs_data *fd = inode->priv;
	if (fd && fd->top) {
		uint64_t first = ((uint64_t)size + TMPFS_PAGE - 1) / TMPFS_PAGE;
		uint64_t n = free_from(fd->top, 0, 0, first);
		if (first == 0) {
			free(fd->top);
			fd->top = NULL;
		}
		inode->blocks -= (int64_t)(n * (TMPFS_PAGE / 512));
		tmpfs_page_uncharge(inode->sb, n);
		if (size % TMPFS_PAGE) {
			int err = 0;
			char *p = page_at(inode, (uint64_t)size / TMPFS_PAGE, false, &err);
			if (p)
				memset(p + size % TMPFS_PAGE, 0, TMPFS_PAGE - size % TMPFS_PAGE);
		}
	}
	inode->size = size;
}

void tmpfs_file_evict(struct inode *inode)
{
	tmpfs_file_truncate(inode, 0);
	free(inode->priv);
	inode->priv = NULL;
}

static ssize_t tmpfs_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	struct inode *inode = f->inode;
	int64_t off = *pos;
	if (off < 0)
		return -EINVAL;
	pthread_mutex_lock(&inode->lock);
	size_t done = 0;
	if (off < inode->size) {
		if ((uint64_t)(inode->size - off) < len)
			len = (size_t)(inode->size - off);
		while (done < len) {
			uint64_t o = (uint64_t)off + done;
			size_t in = o % TMPFS_PAGE, n = TMPFS_PAGE - in;
			if (n > len - done)
				n = len - done;
			int err = 0;
			char *p = page_at(inode, o / TMPFS_PAGE, false, &err);
			if (p)
				memcpy((char *)buf + done, p + in, n);
			else
				memset((char *)buf + done, 0, n);
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
	int64_t off = (f->flags & O_APPEND) ? inode->size : *pos;
	if (off < 0) {
		pthread_mutex_unlock(&inode->lock);
		return -EINVAL;
	}
	if (off >= TMPFS_MAX_FILE) {
		pthread_mutex_unlock(&inode->lock);
		return len ? -EFBIG : 0;
	}
	if ((uint64_t)(TMPFS_MAX_FILE - off) < len)
		len = (size_t)(TMPFS_MAX_FILE - off);
	size_t done = 0;
	int err = 0;
	while (done < len) {
		uint64_t o = (uint64_t)off + done;
		size_t in = o % TMPFS_PAGE, n = TMPFS_PAGE - in;
		if (n > len - done)
			n = len - done;
		char *p = page_at(inode, o / TMPFS_PAGE, true, &err);
		if (!p)
			break;
		memcpy(p + in, (const char *)buf + done, n);
		done += n;
	}
	if (done) {
		if (off + (int64_t)done > inode->size)
			inode->size = off + (int64_t)done;
		inode->mtime = inode->ctime = inode_now();
		/* Writing clears set-user-ID (and set-group-ID if group-exec). */
		if (inode->mode & (S_ISUID | S_ISGID)) {
			inode->mode &= ~S_ISUID;
			if (inode->mode & S_IXGRP)
				inode->mode &= ~S_ISGID;
		}
	}
	pthread_mutex_unlock(&inode->lock);
	if (!done && len)
		return err;
	*pos = off + (int64_t)done;
	return (ssize_t)done;
}

/* SEEK_DATA/SEEK_HOLE at page granularity: a page written is data. */
static int64_t seek_data_hole(struct inode *inode, int64_t off, bool data)
{
	pthread_mutex_lock(&inode->lock);
	int64_t size = inode->size, r;
	if (off < 0 || off >= size) {
		pthread_mutex_unlock(&inode->lock);
		return -ENXIO;
	}
	uint64_t last = ((uint64_t)size + TMPFS_PAGE - 1) / TMPFS_PAGE;
	uint64_t i = (uint64_t)off / TMPFS_PAGE;
	int err = 0;
	for (; i < last; i++)
		if ((page_at(inode, i, false, &err) != NULL) == data)
			break;
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

const struct file_ops tmpfs_file_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.llseek = tmpfs_llseek,
	.fsync = tmpfs_fsync,
};
