/* fs/vfs/open.c: open(2) on paths: the last component's walk with
 * O_CREAT (creating through dangling symlinks, unless O_EXCL), O_EXCL,
 * O_NOFOLLOW, O_DIRECTORY, O_PATH, O_TRUNC, and the new open file. */
#include "fs/vfs/vfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/fsnotify.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/namei.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static const struct file_ops path_only_ops;

/* The kernel's __O_TMPFILE bit alone (glibc's __O_TMPFILE includes
 * O_DIRECTORY). */
#define VFS_O_TMPFILE_BIT 020000000

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
			f->mode = FMODE_PATH;		/* nor an IN_CLOSE */
			file_put(f);
			return r;
		}
	}
	if (!opath)
		fsnotify_open(f);
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

/* O_TMPFILE: an unnamed regular file in the directory at name, made as
 * a hidden name that is removed at once (so the file system's own
 * create and unlink do the work); linkat may name it later unless
 * O_EXCL. File systems with an inode op of their own (goferfs: the
 * host's O_TMPFILE) make the file themselves under the hidden name;
 * of the others, only those that live in the sentry (tmpfs, the
 * overlay's upper) do it with mknod and unlink: the rest give
 * EOPNOTSUPP. */
static int open_tmpfile(const struct walk_start *ws, const char *name, int oflags, mode_t mode,
			unsigned lookup_flags, struct file **out)
{
	static unsigned long seq;
	struct path dir;
	int r = vfs_lookup(ws, name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY | lookup_flags, &dir);
	if (r < 0)
		return r;
	struct super_block *sb = dir.dentry->sb;
	const struct inode_ops *ops = dir.dentry->inode->iops;
	if (!(ops && ops->tmpfile) && strcmp(sb->type, "tmpfs") != 0 &&
	    strcmp(sb->type, "overlay") != 0) {
		path_put(&dir);
		return -EOPNOTSUPP;
	}
	struct walk_start in_dir = { ws->root, dir };
	struct nameidata nd;
	struct dentry *d = NULL;
	vfs_lock();
	for (int tries = 0; tries < 100; tries++) {
		char hidden[48];
		snprintf(hidden, sizeof(hidden), ".cvisor-tmpfile-%lu",
			 __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
		r = nd_prepare_create(&nd, &in_dir, hidden, false, &d);
		if (r != -EEXIST)
			break;
		nd_done(&nd);
	}
	if (r == 0) {
		struct inode *di = nd.cur.dentry->inode;
		if (di->iops && di->iops->tmpfile) {
			r = di->iops->tmpfile(di, d, S_IFREG | (mode & 07777), oflags);
		} else {
			r = di->iops && di->iops->mknod && di->iops->unlink ?
				di->iops->mknod(di, d, S_IFREG | (mode & 07777), 0) : -EOPNOTSUPP;
			if (r == 0)
				r = di->iops->unlink(di, d);
		}
		if (r == 0) {
			d_delete(d);
			if (!(oflags & O_EXCL))
				d->flags |= D_TMPFILE;
		}
	}
	struct path p = { nd.cur.mnt, d };
	if (r == 0)
		path_get(&p);
	dput(d);
	nd_done(&nd);
	vfs_unlock();
	path_put(&dir);
	if (r < 0)
		return r;
	r = file_from_path(&p, oflags & ~O_EXCL, out);
	path_put(&p);
	return r;
}

int vfs_open(const struct walk_start *ws, const char *name, int oflags, mode_t mode,
	     unsigned lookup_flags, struct file **out)
{
	struct nameidata nd;
	bool created = false;
	if (oflags & VFS_O_TMPFILE_BIT)
		return open_tmpfile(ws, name, oflags, mode, lookup_flags, out);
	/* A read-only open of an existing file: file systems may open it
	 * while they walk to it. */
	if (!(oflags & (O_CREAT | O_PATH | O_TRUNC)) && (oflags & O_ACCMODE) == O_RDONLY)
		lookup_flags |= LOOKUP_OPEN;
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
				fsnotify_create(nd.cur.dentry->inode, d);
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
	/* Truncate after the open, as Linux (IN_OPEN, then IN_MODIFY). */
	r = file_from_path(&target, oflags, out);
	if (r == 0 && !created && (oflags & O_TRUNC) && !(oflags & O_PATH) &&
	    S_ISREG(target.dentry->inode->mode)) {
		r = vfs_truncate(&target, 0);
		if (r < 0)
			file_put(*out);
	}
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
