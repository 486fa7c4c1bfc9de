/* fs/tmpfs/tmpfs_dir.c: tmpfs directories: the namespace ops (the VFS
 * holds vfs_lock) and readdir over the cached children. */
#include "fs/tmpfs/tmpfs.h"
#include "fs/pipefs/pipe.h"
#include "fs/vfs/chrdev.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <dirent.h>
#include <errno.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>

#define BOGO_DIRENT_SIZE 20

/* The directory gained (delta 1) or lost (-1) an entry. */
static void dir_changed(struct inode *dir, int delta, int nlink_delta)
{
	pthread_mutex_lock(&dir->lock);
	dir->size += delta * BOGO_DIRENT_SIZE;
	dir->nlink += nlink_delta;
	dir->mtime = dir->ctime = inode_now();
	pthread_mutex_unlock(&dir->lock);
}

/* Give d its new inode and pin it: the tree holds tmpfs's dentries. */
static void tmpfs_instantiate(struct inode *dir, struct dentry *d, struct inode *inode)
{
	d_instantiate(d, inode);
	dget(d);
	d->flags |= D_PINNED;
	dir_changed(dir, 1, S_ISDIR(inode->mode) ? 1 : 0);
}

static int tmpfs_mknod(struct inode *dir, struct dentry *d, mode_t mode, dev_t rdev)
{
	struct inode *inode = inode_new(dir->sb, mode);
	if (!inode)
		return -ENOMEM;
	inode_init_owner(inode, dir);
	switch (mode & S_IFMT) {
	case S_IFREG:
		inode->iops = &tmpfs_file_iops;
		inode->fops = &tmpfs_file_fops;
		break;
	case S_IFCHR:
		inode->rdev = rdev;
		inode->iops = &tmpfs_file_iops;
		inode->fops = chrdev_lookup(rdev);
		break;
	case S_IFIFO:
		inode->iops = &tmpfs_file_iops;
		inode->fops = &pipe_fifo_fops;
		break;
	case S_IFBLK:
	case S_IFSOCK:
		inode->rdev = rdev;
		inode->iops = &tmpfs_file_iops;
		break;
	default:
		iput(inode);
		return -EINVAL;
	}
	tmpfs_instantiate(dir, d, inode);
	return 0;
}

static int tmpfs_mkdir(struct inode *dir, struct dentry *d, mode_t mode)
{
	struct inode *inode = inode_new(dir->sb, S_IFDIR | mode);
	if (!inode)
		return -ENOMEM;
	inode_init_owner(inode, dir);
	inode->nlink = 2;
	inode->size = 2 * BOGO_DIRENT_SIZE;
	inode->iops = &tmpfs_dir_iops;
	inode->fops = &tmpfs_dir_fops;
	tmpfs_instantiate(dir, d, inode);
	return 0;
}

static int tmpfs_symlink(struct inode *dir, struct dentry *d, const char *target)
{
	struct inode *inode = inode_new(dir->sb, S_IFLNK | 0777);
	if (!inode)
		return -ENOMEM;
	inode_init_owner(inode, dir);
	inode->priv = strdup(target);
	if (!inode->priv) {
		iput(inode);
		return -ENOMEM;
	}
	inode->size = (int64_t)strlen(target);
	inode->iops = &tmpfs_symlink_iops;
	tmpfs_instantiate(dir, d, inode);
	return 0;
}

static int tmpfs_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	struct inode *inode = old->inode;
	pthread_mutex_lock(&inode->lock);
	if (inode->nlink >= 65000) {
		pthread_mutex_unlock(&inode->lock);
		return -EMLINK;
	}
	inode->nlink++;
	inode->ctime = inode_now();
	pthread_mutex_unlock(&inode->lock);
	iget(inode);
	tmpfs_instantiate(dir, d, inode);
	return 0;
}

/* The inode lost the name d (unlink, rmdir, or replaced by rename). */
static void drop_name(struct inode *inode)
{
	pthread_mutex_lock(&inode->lock);
	if (S_ISDIR(inode->mode))
		inode->nlink = 0;
	else if (inode->nlink > 0)
		inode->nlink--;
	inode->ctime = inode_now();
	pthread_mutex_unlock(&inode->lock);
}

static int tmpfs_unlink(struct inode *dir, struct dentry *d)
{
	drop_name(d->inode);
	dir_changed(dir, -1, 0);
	return 0;
}

static int tmpfs_rmdir(struct inode *dir, struct dentry *d)
{
	if (d_has_children(d))
		return -ENOTEMPTY;
	drop_name(d->inode);
	dir_changed(dir, -1, -1);
	return 0;
}

static int tmpfs_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
			struct dentry *nd, unsigned flags)
{
	bool odirent = S_ISDIR(od->inode->mode);
	if (flags & RENAME_EXCHANGE) {
		bool ndirent = S_ISDIR(nd->inode->mode);
		if (odir != ndir && odirent != ndirent) {
			int move = odirent ? 1 : -1;	/* a directory changes parent */
			dir_changed(odir, 0, -move);
			dir_changed(ndir, 0, move);
		} else {
			dir_changed(odir, 0, 0);
			dir_changed(ndir, 0, 0);
		}
		od->inode->ctime = nd->inode->ctime = inode_now();
		return 0;
	}
	if (nd->inode) {
		bool ndirent = S_ISDIR(nd->inode->mode);
		drop_name(nd->inode);
		dir_changed(ndir, -1, ndirent ? -1 : 0);
	}
	dir_changed(odir, -1, odirent ? -1 : 0);
	dir_changed(ndir, 1, odirent ? 1 : 0);
	pthread_mutex_lock(&od->inode->lock);
	od->inode->ctime = inode_now();
	pthread_mutex_unlock(&od->inode->lock);
	return 0;
}

const struct inode_ops tmpfs_dir_iops = {
	.mknod = tmpfs_mknod,
	.mkdir = tmpfs_mkdir,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.setattr = tmpfs_setattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
};

/* readdir: "." at 0, ".." at 1, then the children in creation order,
 * each at its cookie, so removals never shift a reader's position. */
static int tmpfs_iterate(struct file *f, struct dir_context *ctx)
{
	struct dentry *dir = f->path.dentry;
	vfs_lock();
	if (ctx->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, dir->inode->ino, DT_DIR, 1))
			goto out;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		if (!ctx->emit(ctx, "..", 2, dir->parent->inode->ino, DT_DIR, 2))
			goto out;
		ctx->pos = 2;
	}
	for (struct dentry *d = dir->child_first; d; d = d->sib_next) {
		if ((int64_t)d->cookie < ctx->pos)
			continue;
		if (!ctx->emit(ctx, d->name, d->namelen, d->inode->ino,
			       IFTODT(d->inode->mode), (int64_t)d->cookie + 1))
			break;
		ctx->pos = (int64_t)d->cookie + 1;
	}
out:
	vfs_unlock();
	return 0;
}

const struct file_ops tmpfs_dir_fops = {
	.iterate = tmpfs_iterate,
	.llseek = dir_llseek,
};
