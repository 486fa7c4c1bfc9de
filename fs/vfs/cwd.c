/* fs/vfs/cwd.c: the name of a path as seen from a root (getcwd,
 * /proc/self/cwd): walk up the dentries and across mounts. */
#include "fs/vfs/vfs.h"
#include "fs/vfs/dentry.h"

#include <errno.h>
#include <string.h>

/* Prepend name to the path being built backwards at buf[*pos..]. */
static int prepend(char *buf, size_t *pos, const char *name, size_t len)
{
	if (len > *pos)
		return -ERANGE;
	*pos -= len;
	memcpy(buf + *pos, name, len);
	return 0;
}

static int path_name(const struct path *root, const struct path *p, char *buf, size_t len,
		     bool deleted_ok)
{
	if (len == 0)
		return -ERANGE;
	vfs_lock();
	bool dead = p->dentry->flags & D_DEAD;
	if (dead && !deleted_ok) {
		vfs_unlock();
		return -ENOENT;
	}
	size_t pos = len;
	int r = prepend(buf, &pos, "", 1);	/* the NUL */
	if (r == 0 && dead)
		r = prepend(buf, &pos, " (deleted)", 10);
	struct mount *mnt = p->mnt;
	struct dentry *d = p->dentry;
	bool reached = false;
	while (r == 0) {
		if (mnt == root->mnt && d == root->dentry) {
			reached = true;
			break;
		}
		if (d == mnt->root) {
			if (!mnt->parent)
				break;	/* the namespace root, not our root */
			d = mnt->mountpoint;
			mnt = mnt->parent;
			continue;
		}
		r = prepend(buf, &pos, d->name, d->namelen);
		if (r == 0)
			r = prepend(buf, &pos, "/", 1);
		d = d->parent;
	}
	vfs_unlock();
	if (r < 0)
		return r;
	if (pos == len - 1 - (dead ? 10 : 0) && (r = prepend(buf, &pos, "/", 1)) < 0)
		return r;
	if (!reached && (r = prepend(buf, &pos, "(unreachable)", 13)) < 0)
		return r;
	size_t n = len - pos;
	memmove(buf, buf + pos, n);
	return (int)n;
}

int vfs_getcwd(const struct path *root, const struct path *p, char *buf, size_t len)
{
	return path_name(root, p, buf, len, false);
}

int vfs_d_path(const struct path *root, const struct path *p, char *buf, size_t len)
{
	return path_name(root, p, buf, len, true);
}
