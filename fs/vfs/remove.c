/* fs/vfs/remove.c: removing names: unlink and rmdir. */
#include "fs/vfs/vfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/fsnotify.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/namei.h"

#include <errno.h>

/* Walk to the parent of name and look up its (positive) last component. */
static int remove_prepare(struct nameidata *nd, const struct walk_start *ws,
			  const char *name, bool dir, struct dentry **out)
{
	int r = nd_init(nd, ws, name, 0);
	if (r == 0)
		r = nd_walk_parent(nd, name);
	if (r < 0)
		return r;
	switch (nd->type) {
	case LAST_NORM:
		break;
	case LAST_DOT:
		return dir ? -EINVAL : -EISDIR;
	case LAST_DOTDOT:
		return dir ? -ENOTEMPTY : -EISDIR;
	case LAST_ROOT:
		return dir ? -EBUSY : -EISDIR;
	}
	struct dentry *d;
	r = nd_lookup_child(nd, nd->last, nd->lastlen, &d);
	if (r < 0)
		return r;
	if (!d->inode)
		r = -ENOENT;
	else if (dir && !S_ISDIR(d->inode->mode))
		r = -ENOTDIR;
	else if (!dir && S_ISDIR(d->inode->mode))
		r = -EISDIR;
	else if (!dir && nd->trailing)
		r = -ENOTDIR;
	else if (d->mounted)
		r = -EBUSY;
	else
		r = nd_may_change_dir(nd);
	if (r < 0) {
		dput(d);
		return r;
	}
	*out = d;
	return 0;
}

static int do_remove(const struct walk_start *ws, const char *name, bool dir)
{
	struct nameidata nd;
	struct dentry *d = NULL;
	vfs_lock();
	int r = remove_prepare(&nd, ws, name, dir, &d);
	if (r == 0) {
		struct inode *di = nd.cur.dentry->inode;
		int (*op)(struct inode *, struct dentry *) =
			di->iops ? (dir ? di->iops->rmdir : di->iops->unlink) : NULL;
		r = op ? op(di, d) : -EPERM;
		if (r == 0) {
			/* Linux's order: IN_ATTRIB on a file, IN_DELETE_SELF
			 * when its last dentry goes (the dput below, unless
			 * it is open), then IN_DELETE in the directory. */
			if (!dir)
				fsnotify_link_count(d->inode);
			d_delete(d);
			dput(d);
			d = NULL;
			fsnotify_delete(di, nd.last, nd.lastlen, dir);
		}
	}
	dput(d);
	nd_done(&nd);
	vfs_unlock();
	return r;
}

int vfs_unlink(const struct walk_start *ws, const char *name)
{
	return do_remove(ws, name, false);
}

int vfs_rmdir(const struct walk_start *ws, const char *name)
{
	return do_remove(ws, name, true);
}
