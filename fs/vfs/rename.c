/* fs/vfs/rename.c: rename, with RENAME_NOREPLACE and RENAME_EXCHANGE, in
 * Linux's order of checks (do_renameat2, vfs_rename). */
#include "fs/vfs/vfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/fsnotify.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/namei.h"

#include <errno.h>
#include <linux/fs.h>

static int walk_parent(struct nameidata *nd, const struct walk_start *ws, const char *name)
{
	int r = nd_init(nd, ws, name, 0);
	if (r == 0)
		r = nd_walk_parent(nd, name);
	if (r == 0 && nd->type != LAST_NORM)
		r = -EBUSY;
	return r;
}

static int rename_checks(struct nameidata *o, struct dentry *od, struct nameidata *n,
			 struct dentry *nd, unsigned flags)
{
	bool exchange = flags & RENAME_EXCHANGE;
	if (!od->inode)
		return -ENOENT;
	if (exchange) {
		if (!nd->inode)
			return -ENOENT;
	} else {
		if ((flags & RENAME_NOREPLACE) && nd->inode)
			return -EEXIST;
		if (!S_ISDIR(od->inode->mode) && (o->trailing || n->trailing))
			return -ENOTDIR;
	}
	if (exchange && (o->trailing || n->trailing) &&
	    (!S_ISDIR(od->inode->mode) || !S_ISDIR(nd->inode->mode)))
		return -ENOTDIR;
	/* The source must not be an ancestor of the target, nor the target
	 * of the source. */
	if (d_is_ancestor(od, n->cur.dentry))
		return -EINVAL;
	if (nd->inode && d_is_ancestor(nd, o->cur.dentry))
		return exchange ? -EINVAL : -ENOTEMPTY;
	int r = nd_may_change_dir(o);
	if (r == 0)
		r = nd_may_change_dir(n);
	if (r < 0)
		return r;
	if (od->inode == nd->inode)
		return 1;	/* the same file: nothing to do */
	if (od->mounted || nd->mounted)
		return -EBUSY;
	if (nd->inode && !exchange) {
		bool odir = S_ISDIR(od->inode->mode), ndir = S_ISDIR(nd->inode->mode);
		if (odir && !ndir)
			return -ENOTDIR;
		if (!odir && ndir)
			return -EISDIR;
		if (ndir && d_has_children(nd))
			return -ENOTEMPTY;
	}
	return 0;
}

int vfs_rename(const struct walk_start *ows, const char *oname,
	       const struct walk_start *nws, const char *nname, unsigned flags)
{
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	struct nameidata o, n;
	struct dentry *od = NULL, *nd = NULL;
	vfs_lock();
	int r = walk_parent(&o, ows, oname);
	int r2 = walk_parent(&n, nws, nname);
	if (r == 0)
		r = r2;
	if (r == 0 && o.cur.mnt != n.cur.mnt)
		r = -EXDEV;
	if (r == 0)
		r = nd_lookup_child(&o, o.last, o.lastlen, &od);
	if (r == 0)
		r = nd_lookup_child(&n, n.last, n.lastlen, &nd);
	if (r == 0)
		r = rename_checks(&o, od, &n, nd, flags);
	if (r == 0) {
		struct inode *odir = o.cur.dentry->inode, *ndir = n.cur.dentry->inode;
		r = odir->iops && odir->iops->rename ?
			odir->iops->rename(odir, od, ndir, nd, flags) : -EPERM;
		if (r == 0) {
			struct inode *moved = od->inode, *target = nd->inode;
			if (flags & RENAME_EXCHANGE) {
				d_exchange(od, nd);
			} else {
				if (nd->inode)
					d_delete(nd);
				r = d_move(od, n.cur.dentry, n.last, n.lastlen);
			}
			if (r == 0 && (flags & RENAME_EXCHANGE)) {
				fsnotify_move(odir, o.last, o.lastlen, ndir, n.last, n.lastlen, moved, NULL);
				fsnotify_move(ndir, n.last, n.lastlen, odir, o.last, o.lastlen, target, NULL);
			} else if (r == 0) {
				fsnotify_move(odir, o.last, o.lastlen, ndir, n.last, n.lastlen, moved, target);
			}
		}
	}
	if (r > 0)
		r = 0;
	dput(od);
	dput(nd);
	nd_done(&o);
	nd_done(&n);
	vfs_unlock();
	return r;
}
