/* fs/vfs/open.c: open(2) on paths: the last component's walk with
 * O_CREAT (creating through dangling symlinks, unless O_EXCL), O_EXCL,
 * O_NOFOLLOW, O_DIRECTORY, O_PATH, O_TRUNC, and the new open file. */
#include "fs/vfs/vfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/namei.h"

#include <errno.h>
#include <fcntl.h>

static const struct file_ops path_only_ops;

static int file_from_path(const struct path *p, int oflags, struct file **out)
{
	struct inode *inode = p->dentry->inode;
	bool opath = oflags & O_PATH;
	const struct file_ops *ops = opath ? &path_only_ops : inode->fops;
	if (!ops)
		return -ENXIO;
	int keep = opath ? (O_PATH | (oflags & (O_DIRECTORY | O_NOFOLLOW))) :
		(oflags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC));
	struct file *f = file_new(ops, keep, NULL);
	if (!f)
		return -ENOMEM;
	if (opath)
		f->mode = FMODE_PATH;
	f->path = *p;
	path_get(&f->path);
	iget(inode);
	f->inode = inode;
	if (!opath && (S_ISREG(inode->mode) || S_ISDIR(inode->mode) || S_ISBLK(inode->mode)))
		f->mode |= FMODE_PREAD | FMODE_ATOMIC_POS;
	if (!opath && ops->open) {
		int r = ops->open(inode, f);
		if (r < 0) {
			f->ops = &path_only_ops;	/* no release for a failed open */
			file_put(f);
			return r;
		}
	}
	*out = f;
	return 0;
}

int vfs_open_path(const struct path *p, int oflags, struct file **out)
{
	return file_from_path(p, oflags, out);
}

/* The access checks of an existing inode for oflags. */
static int may_open(const struct path *p, int oflags)
{
	struct inode *inode = p->dentry->inode;
	int acc = oflags & O_ACCMODE;
	if (oflags & O_PATH) {
		if ((oflags & O_DIRECTORY) && !S_ISDIR(inode->mode))
			return -ENOTDIR;
		return 0;
	}
	if (S_ISLNK(inode->mode))
		return -ELOOP;
	if ((oflags & O_DIRECTORY) && !S_ISDIR(inode->mode))
		return -ENOTDIR;
	if (S_ISDIR(inode->mode) && (acc != O_RDONLY || (oflags & (O_CREAT | O_TRUNC))))
		return -EISDIR;
	if (acc == 3)
		return -EINVAL;
	bool write = acc != O_RDONLY || (oflags & O_TRUNC);
	if (write && ((p->mnt->flags & MNT_RDONLY) || p->dentry->sb->rdonly) &&
	    (S_ISREG(inode->mode) || S_ISDIR(inode->mode)))
		return -EROFS;
	int mask = (acc != O_WRONLY ? MAY_READ : 0) | (write ? MAY_WRITE : 0);
	return inode_permission(inode, mask);
}

static int magic_reopen(struct file *f, int oflags)
{
	if (oflags & O_PATH)
		return 0;
	int acc = oflags & O_ACCMODE;
	if (acc == 3)
		return -EINVAL;
	if ((oflags & O_DIRECTORY) || (f->mode & FMODE_PATH))
		return (f->mode & FMODE_PATH) ? -ENXIO : -ENOTDIR;
	if ((acc != O_WRONLY && !(f->mode & FMODE_READ)) ||
	    (acc != O_RDONLY && !(f->mode & FMODE_WRITE)))
		return -EACCES;
	return 0;
}

/* Create the regular file for negative dentry d in nd->cur. */
static int open_create(struct nameidata *nd, struct dentry *d, mode_t mode)
{
	struct inode *dir = nd->cur.dentry->inode;
	if (nd->cur.dentry->flags & D_DEAD)
		return -ENOENT;
	if ((nd->cur.mnt->flags & MNT_RDONLY) || dir->sb->rdonly)
		return -EROFS;
	int r = inode_permission(dir, MAY_WRITE | MAY_EXEC);
	if (r < 0)
		return r;
	if (!dir->iops || !dir->iops->mknod)
		return -EACCES;
	return dir->iops->mknod(dir, d, S_IFREG | (mode & 07777), 0);
}

int vfs_open(const struct walk_start *ws, const char *name, int oflags, mode_t mode,
	     unsigned lookup_flags, struct file **out)
{
	struct nameidata nd;
	bool created = false;
	vfs_lock();
	int r = nd_init(&nd, ws, name, lookup_flags);
	if (r == 0)
		r = nd_walk_parent(&nd, name);
	if (r < 0)
		goto out;
	if (!(oflags & O_CREAT)) {
		bool follow = !(oflags & O_NOFOLLOW) || nd.trailing;
		/* O_NOFOLLOW|O_PATH opens the symlink itself. */
		r = nd_walk_last(&nd, follow);
		if (r < 0)
			goto out;
		if (nd.magic_file)
			goto magic;
		if ((oflags & O_NOFOLLOW) && !(oflags & O_PATH) &&
		    S_ISLNK(nd.cur.dentry->inode->mode))
			r = -ELOOP;
		goto opened;
	}
	/* O_CREAT. */
	for (;;) {
		if (nd.type != LAST_NORM || nd.trailing) {
			r = -EISDIR;
			goto out;
		}
		struct dentry *d;
		r = nd_lookup_child(&nd, nd.last, nd.lastlen, &d);
		if (r < 0)
			goto out;
		if (!d->inode) {
			r = open_create(&nd, d, mode);
			if (r == 0) {
				struct path p = { nd.cur.mnt, d };
				path_get(&p);
				path_put(&nd.cur);
				nd.cur = p;
				created = true;
			}
			dput(d);
			if (r < 0)
				goto out;
			break;
		}
		if (oflags & O_EXCL) {
			dput(d);
			r = -EEXIST;
			goto out;
		}
		if (S_ISLNK(d->inode->mode)) {
			if (oflags & O_NOFOLLOW) {
				dput(d);
				r = -ELOOP;
				goto out;
			}
			if (d->inode->iops && d->inode->iops->get_link) {
				r = nd_jump_link(&nd, d);
				dput(d);
				if (r < 0)
					goto out;
				if (nd.magic_file)
					goto magic;
				r = nd_follow_mount(&nd);
				if (r < 0)
					goto out;
				break;
			}
			r = nd_follow_link_parent(&nd, d);
			dput(d);
			if (r < 0)
				goto out;
			continue;
		}
		struct path p = { nd.cur.mnt, d };
		path_get(&p);
		path_put(&nd.cur);
		nd.cur = p;
		dput(d);
		r = nd_follow_mount(&nd);
		if (r < 0)
			goto out;
		break;
	}
opened:
	if (r < 0)
		goto out;
	if (!created) {
		r = may_open(&nd.cur, oflags);
		if (r < 0)
			goto out;
	}
	struct path target = nd.cur;
	path_get(&target);
	vfs_unlock();
	nd_done(&nd);
	if (!created && (oflags & O_TRUNC) && !(oflags & O_PATH) &&
	    S_ISREG(target.dentry->inode->mode)) {
		r = vfs_truncate(&target, 0);
		if (r < 0) {
			path_put(&target);
			return r;
		}
	}
	r = file_from_path(&target, oflags, out);
	path_put(&target);
	return r;
magic:
	/* A magic link to a file without a path (a pipe, the host's stdio):
	 * the same open file, if it allows the access asked for. */
	r = magic_reopen(nd.magic_file, oflags);
	if (r == 0) {
		*out = nd.magic_file;
		nd.magic_file = NULL;
	}
out:
	nd_done(&nd);
	vfs_unlock();
	return r;
}
