/* fs/vfs/inode.c: inode lifetime, attributes to struct stat, access
 * checks. */
#include "fs/vfs/inode.h"
#include "fs/vfs/xattr.h"
#include "sentry/kernel/cred.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

struct inode *inode_new(struct super_block *sb, mode_t mode)
{
	struct inode *inode = calloc(1, sizeof(*inode));
	if (!inode)
		return NULL;
	inode->refs = 1;
	pthread_mutex_init(&inode->lock, NULL);
	inode->sb = sb;
	inode->ino = __atomic_add_fetch(&sb->next_ino, 1, __ATOMIC_RELAXED);
	inode->mode = mode;
	inode->nlink = 1;
	inode->atime = inode->mtime = inode->ctime = inode->btime = inode_now();
	return inode;
}

void iget(struct inode *inode)
{
	__atomic_add_fetch(&inode->refs, 1, __ATOMIC_RELAXED);
}

void iput(struct inode *inode)
{
	if (!inode || __atomic_sub_fetch(&inode->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (inode->sb && inode->sb->ops && inode->sb->ops->evict)
		inode->sb->ops->evict(inode);
	simple_xattr_free(inode);
	pthread_mutex_destroy(&inode->lock);
	free(inode);
}

struct timespec inode_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

void inode_stat(struct inode *inode, struct stat *st)
{
	*st = (struct stat){ 0 };
	pthread_mutex_lock(&inode->lock);
	st->st_dev = inode->sb ? inode->sb->dev : 0;
	st->st_ino = inode->ino;
	st->st_mode = inode->mode;
	st->st_nlink = inode->nlink;
	st->st_uid = inode->uid;
	st->st_gid = inode->gid;
	st->st_rdev = inode->rdev;
	st->st_size = inode->size;
	st->st_blksize = 4096;
	st->st_blocks = inode->blocks;
	st->st_atim = inode->atime;
	st->st_mtim = inode->mtime;
	st->st_ctim = inode->ctime;
	pthread_mutex_unlock(&inode->lock);
}

dev_t super_anon_dev(void)
{
	static int next = 16;
	return makedev(0, (unsigned)__atomic_add_fetch(&next, 1, __ATOMIC_RELAXED));
}

int inode_permission(struct inode *inode, int mask)
{
	return cred_permission(cred_current(), inode->mode, inode->uid, inode->gid, mask);
}

void inode_init_owner(struct inode *inode, const struct inode *dir)
{
	const struct cred *c = cred_current();
	inode->uid = c->fsuid;
	inode->gid = dir && (dir->mode & S_ISGID) ? dir->gid : c->fsgid;
	if (dir && (dir->mode & S_ISGID) && S_ISDIR(inode->mode))
		inode->mode |= S_ISGID;
}
