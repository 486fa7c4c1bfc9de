/* fs/overlay/file.c: overlay files: an open overlay file holds an open
 * file of the real inode (copied up first when opened for writing) and
 * passes I/O to it; attributes (setattr, copy-up first) and symlink
 * targets come from the real inode. */
#include "fs/overlay/overlay.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static struct ovl_inode *oi_of(struct inode *inode)
{
	return inode->priv;
}

static int ovl_open(struct inode *inode, struct file *f)
{
	struct ovl_inode *oi = oi_of(inode);
	if ((f->flags & O_ACCMODE) != O_RDONLY && !oi->upper) {
		vfs_lock();
		int r = ovl_copy_up(f->path.dentry);
		vfs_unlock();
		if (r < 0)
			return r;
	}
	struct path p = { NULL, oi->upper ? oi->upper : oi->lower };
	struct file *inner;
	int r = vfs_open_path(&p, f->flags & ~(O_CREAT | O_EXCL | O_TRUNC), &inner);
	if (r < 0)
		return r;
	f->priv = inner;
	return 0;
}

static ssize_t ovl_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	struct file *in = f->priv;
	if (!in->ops->read)
		return -EINVAL;
	return in->ops->read(in, buf, len, pos);
}

static ssize_t ovl_write(struct file *f, const void *buf, size_t len, int64_t *pos)
{
	struct file *in = f->priv;
	if (!in->ops->write)
		return -EINVAL;
	ssize_t n = in->ops->write(in, buf, len, pos);
	ovl_sync(f->inode);
	return n;
}

static int64_t ovl_llseek(struct file *f, int64_t off, int whence)
{
	struct file *in = f->priv;
	ovl_sync(f->inode);
	if ((whence == SEEK_DATA || whence == SEEK_HOLE) && in->ops->llseek) {
		in->pos = f->pos;
		int64_t r = in->ops->llseek(in, off, whence);
		if (r >= 0)
			f->pos = r;
		return r;
	}
	return generic_llseek(f, off, whence);
}

static int ovl_fsync(struct file *f, bool datasync)
{
	struct file *in = f->priv;
	return in->ops->fsync ? in->ops->fsync(in, datasync) : 0;
}

static void ovl_release(struct file *f)
{
	file_put(f->priv);
}

const struct file_ops ovl_file_fops = {
	.open = ovl_open,
	.read = ovl_read,
	.write = ovl_write,
	.llseek = ovl_llseek,
	.fsync = ovl_fsync,
	.release = ovl_release,
};

int ovl_setattr(struct dentry *d, const struct iattr *ia)
{
	vfs_lock();
	int r = ovl_copy_up(d);
	vfs_unlock();
	if (r < 0)
		return r;
	struct dentry *u = oi_of(d->inode)->upper;
	if (!u->inode->iops || !u->inode->iops->setattr)
		return -EPERM;
	r = u->inode->iops->setattr(u, ia);
	ovl_sync(d->inode);
	return r;
}

static ssize_t ovl_readlink(struct inode *inode, char *buf, size_t len)
{
	struct inode *real = ovl_real(inode);
	if (!real->iops || !real->iops->readlink)
		return -EINVAL;
	return real->iops->readlink(real, buf, len);
}

const struct inode_ops ovl_file_iops = {
	.readlink = ovl_readlink,
	.setattr = ovl_setattr,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
};
