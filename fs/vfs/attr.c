/* fs/vfs/attr.c: attributes and per-inode operations on resolved paths:
 * setattr (chmod, chown, utimes, truncate), readlink, statfs, readdir. */
#include "fs/vfs/vfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>

static bool path_rdonly(const struct path *p)
{
	return (p->mnt->flags & MNT_RDONLY) || p->dentry->sb->rdonly;
}

int vfs_setattr(const struct path *p, struct iattr *ia)
{
	struct inode *inode = p->dentry->inode;
	if (path_rdonly(p))
		return -EROFS;
	if (!inode->iops || !inode->iops->setattr)
		return -EPERM;
	return inode->iops->setattr(p->dentry, ia);
}

int vfs_truncate(const struct path *p, int64_t size)
{
	struct inode *inode = p->dentry->inode;
	if (size < 0)
		return -EINVAL;
	if (S_ISDIR(inode->mode))
		return -EISDIR;
	if (!S_ISREG(inode->mode))
		return -EINVAL;
	int r = inode_permission(inode, MAY_WRITE);
	if (r < 0)
		return r;
	struct iattr ia = { .valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME, .size = size };
	ia.mtime = inode_now();
	return vfs_setattr(p, &ia);
}

int vfs_stat(const struct path *p, bool follow, struct stat *st)
{
	struct inode *inode = p->dentry->inode;
	if (follow && S_ISLNK(inode->mode) && inode->iops && inode->iops->get_link) {
		struct path target = { 0 };
		struct file *f = NULL;
		vfs_lock();
		int r = inode->iops->get_link(inode, &target, &f);
		vfs_unlock();
		if (r < 0)
			return r;
		if (f) {
			r = file_stat(f, st);
			file_put(f);
			return r;
		}
		inode_stat(target.dentry->inode, st);
		path_put(&target);
		return 0;
	}
	inode_stat(inode, st);
	return 0;
}

ssize_t vfs_readlink(const struct path *p, char *buf, size_t len)
{
	struct inode *inode = p->dentry->inode;
	if (!S_ISLNK(inode->mode) || !inode->iops || !inode->iops->readlink)
		return -EINVAL;
	return inode->iops->readlink(inode, buf, len);
}

int vfs_statfs(const struct path *p, struct statfs *st)
{
	struct super_block *sb = p->dentry->sb;
	memset(st, 0, sizeof(*st));
	if (!sb->ops || !sb->ops->statfs)
		return -ENOSYS;
	int r = sb->ops->statfs(sb, st);
	if (r == 0 && path_rdonly(p))
		st->f_flags |= ST_RDONLY;
	return r;
}

int vfs_iterate(struct file *f, struct dir_context *ctx)
{
	if (!f->inode || !S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	if (!f->ops->iterate)
		return -ENOTDIR;
	if (f->path.dentry->flags & D_DEAD)
		return -ENOENT;
	return f->ops->iterate(f, ctx);
}
