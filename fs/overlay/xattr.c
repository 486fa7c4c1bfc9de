/* fs/overlay/xattr.c: overlay extended attributes: read from the real
 * inode (the upper if there is one), changed on the upper after a
 * copy-up, and carried along by copy-up itself. */
#include "fs/overlay/overlay.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/xattr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

static struct dentry *real_dentry(struct dentry *d)
{
	struct ovl_inode *oi = d->inode->priv;
	return oi->upper ? oi->upper : oi->lower;
}

ssize_t ovl_getxattr(struct dentry *d, const char *name, void *buf, size_t size)
{
	vfs_lock();
	struct dentry *r = dget(real_dentry(d));
	vfs_unlock();
	struct inode *ri = r->inode;
	ssize_t n = ri->iops && ri->iops->getxattr ? ri->iops->getxattr(r, name, buf, size)
						   : -EOPNOTSUPP;
	dput(r);
	return n;
}

ssize_t ovl_listxattr(struct dentry *d, char *buf, size_t size)
{
	vfs_lock();
	struct dentry *r = dget(real_dentry(d));
	vfs_unlock();
	struct inode *ri = r->inode;
	ssize_t n = ri->iops && ri->iops->listxattr ? ri->iops->listxattr(r, buf, size) : 0;
	dput(r);
	return n;
}

int ovl_setxattr(struct dentry *d, const char *name, const void *value, size_t size,
		 int flags)
{
	vfs_lock();
	int r = ovl_copy_up(d);
	struct dentry *u = r == 0 ? dget(((struct ovl_inode *)d->inode->priv)->upper) : NULL;
	vfs_unlock();
	if (r < 0)
		return r;
	struct inode *ui = u->inode;
	r = ui->iops && ui->iops->setxattr ? ui->iops->setxattr(u, name, value, size, flags)
					   : -EOPNOTSUPP;
	dput(u);
	if (r == 0)
		ovl_sync(d->inode);
	return r;
}

int ovl_copy_xattrs(struct dentry *lower, struct dentry *upper)
{
	struct inode *li = lower->inode, *ui = upper->inode;
	if (!li->iops || !li->iops->listxattr || !li->iops->getxattr)
		return 0;
	ssize_t n = li->iops->listxattr(lower, NULL, 0);
	if (n <= 0)
		return (int)n;
	if (!ui->iops || !ui->iops->setxattr)
		return -EOPNOTSUPP;
	char *names = malloc((size_t)n), *value = malloc(XATTR_SIZE_MAX);
	int r = names && value ? 0 : -ENOMEM;
	if (r == 0)
		n = li->iops->listxattr(lower, names, (size_t)n);
	if (r == 0 && n < 0)
		r = (int)n;
	for (ssize_t off = 0; r == 0 && off < n; off += (ssize_t)strlen(names + off) + 1) {
		ssize_t v = li->iops->getxattr(lower, names + off, value, XATTR_SIZE_MAX);
		if (v == -ENODATA)
			continue;
		r = v < 0 ? (int)v : ui->iops->setxattr(upper, names + off, value, (size_t)v, 0);
		if (r == -EOPNOTSUPP)
			r = 0;	/* a namespace the upper lacks: skipped, as overlayfs */
	}
	free(names);
	free(value);
	return r;
}
