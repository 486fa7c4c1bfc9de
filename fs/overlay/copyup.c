/* fs/overlay/copyup.c: copying a lower object into the upper file system
 * before it changes: parents first, then the object (directory, file with
 * its data, symlink with its target, or special file), its extended
 * attributes, then its mode, owner and times. Under vfs_lock; the file data is read through the
 * lower file system's own file ops. */
#include "fs/overlay/overlay.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>

#define COPY_CHUNK (64 * 1024)

static int copy_data(struct dentry *lower, struct dentry *upper)
{
	struct path lp = { NULL, lower }, up = { NULL, upper };
	struct file *in, *out;
	int r = vfs_open_path(&lp, O_RDONLY, &in);
	if (r < 0)
		return r;
	r = vfs_open_path(&up, O_WRONLY, &out);
	if (r < 0) {
		file_put(in);
		return r;
	}
	char *buf = malloc(COPY_CHUNK);
	int64_t ipos = 0, opos = 0;
	r = buf ? 0 : -ENOMEM;
	while (r == 0) {
		ssize_t n = in->ops->read(in, buf, COPY_CHUNK, &ipos);
		if (n <= 0) {
			r = (int)n;
			break;
		}
		for (ssize_t done = 0; done < n;) {
			ssize_t w = out->ops->write(out, buf + done, (size_t)(n - done), &opos);
			if (w <= 0) {
				r = w < 0 ? (int)w : -EIO;
				break;
			}
			done += w;
		}
	}
	free(buf);
	file_put(in);
	file_put(out);
	return r;
}

int ovl_copy_up(struct dentry *d)
{
	struct ovl_inode *oi = d->inode->priv;
	if (oi->upper)
		return 0;
	if (d->parent == d)
		return -EIO;	/* the root always has its upper */
	int r = ovl_copy_up(d->parent);
	if (r < 0)
		return r;
	struct ovl_inode *poi = d->parent->inode->priv;
	struct inode *udir = poi->upper->inode;
	struct inode *real = oi->lower->inode;
	struct dentry *u = d_alloc(poi->upper, d->name, d->namelen);
	if (!u)
		return -ENOMEM;
	mode_t mode = real->mode;
	switch (mode & S_IFMT) {
	case S_IFDIR:
		r = udir->iops->mkdir(udir, u, mode & 07777);
		break;
	case S_IFREG:
		r = udir->iops->mknod(udir, u, S_IFREG | (mode & 07777), 0);
		if (r == 0)
			r = copy_data(oi->lower, u);
		break;
	case S_IFLNK: {
		char *buf = malloc(PATH_MAX);
		ssize_t n = buf ? real->iops->readlink(real, buf, PATH_MAX - 1) : -ENOMEM;
		if (n >= 0) {
			buf[n] = 0;
			r = udir->iops->symlink(udir, u, buf);
		} else {
			r = (int)n;
		}
		free(buf);
		break;
	}
	default:
		r = udir->iops->mknod(udir, u, mode, real->rdev);
		break;
	}
	if (r < 0) {
		if (u->inode) {
			udir->iops->unlink(udir, u);
			d_delete(u);
		}
		dput(u);
		return r;
	}
	struct iattr ia = { .valid = ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_ATIME | ATTR_MTIME,
			    .mode = mode, .uid = real->uid, .gid = real->gid,
			    .atime = real->atime, .mtime = real->mtime };
	r = ovl_copy_xattrs(oi->lower, u);
	if (r < 0) {
		if (S_ISDIR(mode))
			udir->iops->rmdir(udir, u);
		else
			udir->iops->unlink(udir, u);
		d_delete(u);
		dput(u);
		return r;
	}
	if (u->inode->iops && u->inode->iops->setattr)
		u->inode->iops->setattr(u, &ia);
	oi->upper = u;
	ovl_sync(d->inode);
	return 0;
}
