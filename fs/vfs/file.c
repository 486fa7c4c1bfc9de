/* fs/vfs/file.c: open file description lifetime and generic helpers. */
#include "fs/vfs/file.h"
#include "fs/anon/eventpoll.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/fsnotify.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

struct file *file_new(const struct file_ops *ops, int flags, void *priv)
{
	struct file *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->refs = 1;
	f->ops = ops;
	f->flags = flags;
	f->priv = priv;
	pthread_mutex_init(&f->pos_lock, NULL);
	int acc = flags & O_ACCMODE;
	if (acc == O_RDONLY || acc == O_RDWR)
		f->mode |= FMODE_READ;
	if (acc == O_WRONLY || acc == O_RDWR)
		f->mode |= FMODE_WRITE;
	return f;
}

void file_get(struct file *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

void file_put(struct file *f)
{
	if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (__atomic_load_n(&f->epitems, __ATOMIC_ACQUIRE))
		eventpoll_release_file(f);
	fsnotify_close(f);
	lock_remove_file(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	iput(f->inode);
	if (f->path.dentry)
		path_put(&f->path);
	pthread_mutex_destroy(&f->pos_lock);
	free(f);
}

int file_stat(struct file *f, struct stat *st)
{
	if (f->inode) {
		if (f->ops && f->ops->refresh)
			f->ops->refresh(f);
		inode_stat(f->inode, st);
		return 0;
	}
	return f->ops && f->ops->stat ? f->ops->stat(f, st) : -EINVAL;
}

int64_t generic_llseek(struct file *f, int64_t off, int whence)
{
	int64_t base;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		pthread_mutex_lock(&f->inode->lock);
		base = f->inode->size;
		pthread_mutex_unlock(&f->inode->lock);
		break;
	default:
		return -EINVAL;
	}
	int64_t pos;
	if (__builtin_add_overflow(base, off, &pos) || pos < 0)
		return -EINVAL;
	f->pos = pos;
	return pos;
}

int64_t dir_llseek(struct file *f, int64_t off, int whence)
{
	int64_t pos;
	switch (whence) {
	case SEEK_SET:
		pos = off;
		break;
	case SEEK_CUR:
		if (__builtin_add_overflow(f->pos, off, &pos))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (pos < 0)
		return -EINVAL;
	f->pos = pos;
	return pos;
}

int anon_inode_stat(struct file *f, struct stat *st)
{
	(void)f;
	memset(st, 0, sizeof(*st));
	st->st_mode = 0600;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	return 0;
}
