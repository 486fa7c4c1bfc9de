/* fs/tmpfs/tmpfs.c: tmpfs super blocks, page accounting, attributes and
 * symlinks. Directories are in tmpfs_dir.c, file data in tmpfs_file.c. */
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TMPFS_MAGIC 0x01021994

static uint64_t limit_pages = (2ULL << 30) / TMPFS_PAGE;	/* 2 GiB */
static uint64_t used_pages;

struct tmpfs_sb {
	uint64_t used;		/* pages of this instance */
};

void tmpfs_set_limit(uint64_t bytes)
{
	__atomic_store_n(&limit_pages, bytes / TMPFS_PAGE, __ATOMIC_RELAXED);
}

int tmpfs_page_charge(struct super_block *sb)
{
	uint64_t n = __atomic_add_fetch(&used_pages, 1, __ATOMIC_RELAXED);
	if (n > __atomic_load_n(&limit_pages, __ATOMIC_RELAXED)) {
		__atomic_sub_fetch(&used_pages, 1, __ATOMIC_RELAXED);
		return -ENOSPC;
	}
	struct tmpfs_sb *ts = sb->priv;
	__atomic_add_fetch(&ts->used, 1, __ATOMIC_RELAXED);
	return 0;
}

void tmpfs_page_uncharge(struct super_block *sb, uint64_t n)
{
	struct tmpfs_sb *ts = sb->priv;
	__atomic_sub_fetch(&used_pages, n, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&ts->used, n, __ATOMIC_RELAXED);
}

static void tmpfs_evict(struct inode *inode)
{
	if (S_ISREG(inode->mode))
		tmpfs_file_evict(inode);
	else if (S_ISLNK(inode->mode))
		free(inode->priv);
}

static int tmpfs_statfs(struct super_block *sb, struct statfs *st)
{
	struct tmpfs_sb *ts = sb->priv;
	uint64_t limit = __atomic_load_n(&limit_pages, __ATOMIC_RELAXED);
	uint64_t all = __atomic_load_n(&used_pages, __ATOMIC_RELAXED);
	st->f_type = TMPFS_MAGIC;
	st->f_bsize = TMPFS_PAGE;
	st->f_frsize = TMPFS_PAGE;
	st->f_blocks = limit;
	st->f_bfree = st->f_bavail = all < limit ? limit - all : 0;
	st->f_files = 1 << 20;
	st->f_ffree = (1 << 20) - (sb->next_ino & 0xfffff);
	st->f_namelen = 255;
	(void)ts;
	return 0;
}

static const struct super_ops tmpfs_super_ops = {
	.evict = tmpfs_evict,
	.statfs = tmpfs_statfs,
};

struct dentry *tmpfs_mount(mode_t root_mode)
{
	struct super_block *sb = calloc(1, sizeof(*sb));
	struct tmpfs_sb *ts = calloc(1, sizeof(*ts));
	if (!sb || !ts)
		goto fail;
	sb->ops = &tmpfs_super_ops;
	sb->type = "tmpfs";
	sb->dev = super_anon_dev();
	sb->priv = ts;
	struct inode *root = inode_new(sb, S_IFDIR | (root_mode & 07777));
	if (!root)
		goto fail;
	root->nlink = 2;
	root->size = 40;
	root->iops = &tmpfs_dir_iops;
	root->fops = &tmpfs_dir_fops;
	struct dentry *d = d_make_root(sb, root);
	if (!d) {
		iput(root);
		goto fail;
	}
	return d;
fail:
	free(sb);
	free(ts);
	return NULL;
}

int tmpfs_setattr(struct dentry *d, const struct iattr *ia)
{
	struct inode *inode = d->inode;
	struct timespec now = inode_now();
	pthread_mutex_lock(&inode->lock);
	if (ia->valid & ATTR_SIZE) {
		if (!S_ISREG(inode->mode)) {
			pthread_mutex_unlock(&inode->lock);
			return -EINVAL;
		}
		if (ia->size > TMPFS_MAX_FILE) {
			pthread_mutex_unlock(&inode->lock);
			return -EFBIG;
		}
		int r = tmpfs_file_check_size(inode, ia->size);
		if (r < 0) {
			pthread_mutex_unlock(&inode->lock);
			return r;
		}
		if (ia->size != inode->size) {
			tmpfs_file_truncate(inode, ia->size);
			inode->mtime = now;
		}
	}
	if (ia->valid & ATTR_MODE)
		inode->mode = (inode->mode & S_IFMT) | (ia->mode & 07777);
	if (ia->valid & ATTR_UID)
		inode->uid = ia->uid;
	if (ia->valid & ATTR_GID)
		inode->gid = ia->gid;
	if (ia->valid & ATTR_ATIME)
		inode->atime = ia->atime;
	if (ia->valid & ATTR_MTIME)
		inode->mtime = ia->mtime;
	inode->ctime = now;
	pthread_mutex_unlock(&inode->lock);
	return 0;
}

static ssize_t tmpfs_readlink(struct inode *inode, char *buf, size_t len)
{
	size_t n = (size_t)inode->size;
	if (n > len)
		n = len;
	memcpy(buf, inode->priv, n);
	return (ssize_t)n;
}

const struct inode_ops tmpfs_symlink_iops = {
	.readlink = tmpfs_readlink,
	.setattr = tmpfs_setattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
};

const struct inode_ops tmpfs_file_iops = {
	.setattr = tmpfs_setattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
};
