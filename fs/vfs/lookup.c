/* fs/vfs/lookup.c: resolving a whole path (stat, chdir, readlink...). */
#include "fs/vfs/vfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/namei.h"

#include <errno.h>

int vfs_lookup(const struct walk_start *ws, const char *name, unsigned flags,
	       struct path *out)
{
	struct nameidata nd;
	vfs_lock();
	int r = nd_init(&nd, ws, name, flags);
	if (r == 0)
		r = nd_walk_parent(&nd, name);
	if (r == 0)
		r = nd_walk_last(&nd, flags & LOOKUP_FOLLOW);
	if (r == 0 && (flags & LOOKUP_DIRECTORY) && !S_ISDIR(nd.cur.dentry->inode->mode))
		r = -ENOTDIR;
	if (r == 0) {
		*out = nd.cur;
		nd.cur.mnt = NULL;
		nd.cur.dentry = NULL;
	}
	nd_done(&nd);
	vfs_unlock();
	return r;
}
