/* fs/vfs/create.c: making names: mknod, mkdir, symlink, link. */
#include "fs/vfs/vfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/fsnotify.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/namei.h"

#include <errno.h>

int vfs_mknod(const struct walk_start *ws, const char *name, mode_t mode, dev_t rdev)
{
	struct nameidata nd;
	struct dentry *d = NULL;
	vfs_lock();
	int r = nd_prepare_create(&nd, ws, name, false, &d);
	if (r == 0) {
		struct inode *dir = nd.cur.dentry->inode;
		r = dir->iops && dir->iops->mknod ? dir->iops->mknod(dir, d, mode, rdev) : -EPERM;
		if (r == 0)
			fsnotify_create(dir, d);
	}
	dput(d);
	nd_done(&nd);
	vfs_unlock();
	return r;
}

int vfs_mkdir(const struct walk_start *ws, const char *name, mode_t mode)
{
	struct nameidata nd;
	struct dentry *d = NULL;
	vfs_lock();
	int r = nd_prepare_create(&nd, ws, name, true, &d);
	if (r == 0) {
		struct inode *dir = nd.cur.dentry->inode;
		r = dir->iops && dir->iops->mkdir ? dir->iops->mkdir(dir, d, mode & 07777) : -EPERM;
		if (r == 0)
			fsnotify_create(dir, d);
	}
	dput(d);
	nd_done(&nd);
	vfs_unlock();
	return r;
}

int vfs_symlink(const char *target, const struct walk_start *ws, const char *name)
{
	if (!target[0])
		return -ENOENT;
	struct nameidata nd;
	struct dentry *d = NULL;
	vfs_lock();
	int r = nd_prepare_create(&nd, ws, name, false, &d);
	if (r == 0) {
		struct inode *dir = nd.cur.dentry->inode;
		r = dir->iops && dir->iops->symlink ? dir->iops->symlink(dir, d, target) : -EPERM;
		if (r == 0)
			fsnotify_create(dir, d);
	}
	dput(d);
	nd_done(&nd);
	vfs_unlock();
	return r;
}

int vfs_link(const struct path *old, const struct walk_start *ws, const char *name)
{
	struct nameidata nd;
	struct dentry *d = NULL;
	struct inode *inode = old->dentry->inode;
	if (S_ISDIR(inode->mode))
		return -EPERM;
	vfs_lock();
	int r = nd_prepare_create(&nd, ws, name, false, &d);
	if (r == 0 && nd.cur.mnt != old->mnt)
		r = -EXDEV;
	/* A removed file may get a name again while it has another one, or
	 * when it is an O_TMPFILE file made without O_EXCL (once). */
	if (r == 0 && (old->dentry->flags & D_DEAD) && !(old->dentry->flags & D_TMPFILE)) {
		pthread_mutex_lock(&inode->lock);
		bool gone = inode->nlink == 0;
		pthread_mutex_unlock(&inode->lock);
		if (gone)
			r = -ENOENT;
	}
	if (r == 0) {
		struct inode *dir = nd.cur.dentry->inode;
		r = dir->iops && dir->iops->link ? dir->iops->link(old->dentry, dir, d) : -EPERM;
		if (r == 0) {
			old->dentry->flags &= ~D_TMPFILE;
			fsnotify_link_count(inode);
			fsnotify_create(dir, d);
		}
	}
	dput(d);
	nd_done(&nd);
	vfs_unlock();
	return r;
}
