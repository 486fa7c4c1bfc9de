/* fs/vfs/namei.c: the path walk (see namei.h): components, ".", "..",
 * mount crossing, symlinks (ELOOP after MAXSYMLINKS), trailing slashes and
 * the openat2 RESOLVE_* restrictions. Modelled on Linux's fs/namei.c:
 * walk every component but the last, then let the caller decide what the
 * last one means (look up, create, remove). */
#include "fs/vfs/namei.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static uint64_t walk_seq;

uint64_t vfs_walk_seq(void)
{
	return __atomic_load_n(&walk_seq, __ATOMIC_RELAXED);
}

int nd_init(struct nameidata *nd, const struct walk_start *ws, const char *name,
	    unsigned flags)
{
	__atomic_add_fetch(&walk_seq, 1, __ATOMIC_RELAXED);
	memset(nd, 0, sizeof(*nd));
	nd->flags = flags;
	nd->root = (flags & (LOOKUP_IN_ROOT | LOOKUP_BENEATH)) ? ws->dir : ws->root;
	path_get(&nd->root);
	if (name[0] == '/') {
		if (flags & LOOKUP_BENEATH) {
			nd->cur = nd->root;
			path_get(&nd->cur);
			return -EXDEV;
		}
		nd->cur = nd->root;
	} else {
		nd->cur = ws->dir;
	}
	path_get(&nd->cur);
	return 0;
}

void nd_done(struct nameidata *nd)
{
	if (nd->cur.dentry)
		path_put(&nd->cur);
	if (nd->root.dentry)
		path_put(&nd->root);
	for (int i = 0; i < nd->nbodies; i++)
		free(nd->bodies[i]);
	nd->nbodies = 0;
	if (nd->magic_file) {
		file_put(nd->magic_file);
		nd->magic_file = NULL;
	}
}

static void nd_set_cur(struct nameidata *nd, struct mount *mnt, struct dentry *d)
{
	struct path old = nd->cur;
	nd->cur.mnt = mnt;
	nd->cur.dentry = d;
	path_get(&nd->cur);
	path_put(&old);
}

int nd_follow_mount(struct nameidata *nd)
{
	while (nd->cur.dentry->mounted) {
		struct mount *m = mount_lookup(nd->cur.mnt, nd->cur.dentry);
		if (!m)
			break;
		if (nd->flags & LOOKUP_NO_XDEV)
			return -EXDEV;
		nd_set_cur(nd, m, m->root);
	}
	return 0;
}

static int follow_dotdot(struct nameidata *nd)
{
	for (;;) {
		if (path_equal(&nd->cur, &nd->root))
			return (nd->flags & LOOKUP_BENEATH) ? -EXDEV : 0;
		if (nd->cur.dentry != nd->cur.mnt->root)
			break;
		struct mount *m = nd->cur.mnt;
		if (!m->parent)
			return 0;	/* the namespace root */
		if (nd->flags & LOOKUP_NO_XDEV)
			return -EXDEV;
		nd_set_cur(nd, m->parent, m->mountpoint);
	}
	nd_set_cur(nd, nd->cur.mnt, nd->cur.dentry->parent);
	return nd_follow_mount(nd);
}

int nd_lookup_child(struct nameidata *nd, const char *name, size_t len, struct dentry **out)
{
	struct dentry *dir = nd->cur.dentry;
	struct inode *di = dir->inode;
	if (!di || !S_ISDIR(di->mode))
		return -ENOTDIR;
	int r = inode_permission(di, MAY_EXEC);
	if (r < 0)
		return r;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	struct dentry *d = d_lookup(dir, name, len);
	uint64_t seq = vfs_walk_seq();
	bool stale = d && !d->mounted && !(dir->flags & D_DEAD) && di->iops &&
		     di->iops->revalidate && d->walk_seq != seq;
	if ((!d || stale) && !(dir->flags & D_DEAD) && di->iops && di->iops->walk_ahead) {
		/* name runs on to the end of the path: the file system may
		 * take several components in one go. */
		if (d)
			dput(d);
		di->iops->walk_ahead(di, dir, name,
				     (nd->flags & LOOKUP_OPEN) ? WALK_AHEAD_OPEN : 0);
		d = d_lookup(dir, name, len);
	}
	if (d && !d->mounted && !(dir->flags & D_DEAD) && di->iops && di->iops->revalidate &&
	    d->walk_seq != seq) {
		r = di->iops->revalidate(di, d);
		if (r < 0) {
			dput(d);
			return r;
		}
		if (r == 0) {	/* changed behind our back: forget it */
			d_invalidate(d);	/* and what is cached below it */
			dput(d);
			d = NULL;
		}
	}
	if (d) {
		*out = d;
		return 0;
	}
	d = d_alloc(dir, name, len);
	if (!d)
		return -ENOMEM;
	if (!(dir->flags & D_DEAD) && di->iops && di->iops->lookup) {
		r = di->iops->lookup(di, d);
		if (r < 0) {
			dput(d);
			return r;
		}
	}
	*out = d;
	return 0;
}

/* Read the body of symlink d into a buffer the walk keeps. */
static int read_link(struct nameidata *nd, struct dentry *d, const char **body)
{
	if (nd->flags & LOOKUP_NO_SYMLINKS)
		return -ELOOP;
	if (++nd->links > MAXSYMLINKS || nd->nbodies >= MAXSYMLINKS + 1)
		return -ELOOP;
	struct inode *inode = d->inode;
	if (!inode->iops || !inode->iops->readlink)
		return -EINVAL;
	char *buf = malloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	ssize_t n = inode->iops->readlink(inode, buf, PATH_MAX - 1);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	buf[n] = 0;
	nd->bodies[nd->nbodies++] = buf;
	if (n == 0)
		return -ENOENT;
	*body = buf;
	return 0;
}

static int walk_one(struct nameidata *nd, const char *name, size_t len, bool follow);

static int walk_prefix(struct nameidata *nd, const char *path)
{
	if (*path == '/') {
		if (nd->flags & LOOKUP_BENEATH)
			return -EXDEV;
		nd_set_cur(nd, nd->root.mnt, nd->root.dentry);
		while (*path == '/')
			path++;
	}
	for (;;) {
		size_t n = strcspn(path, "/");
		const char *q = path + n;
		bool slash = *q == '/';
		while (*q == '/')
			q++;
		if (*q == 0) {
			nd->last = path;
			nd->lastlen = n;
			nd->trailing = slash;
			return 0;
		}
		int r = walk_one(nd, path, n, true);
		if (r < 0)
			return r;
		if (!S_ISDIR(nd->cur.dentry->inode->mode))
			return -ENOTDIR;
		path = q;
	}
}

int nd_jump_link(struct nameidata *nd, struct dentry *d)
{
	if (nd->flags & LOOKUP_NO_MAGICLINKS)
		return -ELOOP;
	if (++nd->links > MAXSYMLINKS)
		return -ELOOP;
	struct path p = { 0 };
	struct file *f = NULL;
	int r = d->inode->iops->get_link(d->inode, &p, &f);
	if (r < 0)
		return r;
	if (nd->magic_file) {
		file_put(nd->magic_file);
		nd->magic_file = NULL;
	}
	if (f) {
		/* No path to stand on: the walk stays on the link, which is
		 * no directory; open takes the file. */
		nd->magic_file = f;
		nd_set_cur(nd, nd->cur.mnt, d);
		return 0;
	}
	path_put(&nd->cur);
	nd->cur = p;
	return 0;
}

/* Walk symlink d (a child of nd->cur) to its target. */
static int walk_link(struct nameidata *nd, struct dentry *d)
{
	if (d->inode->iops && d->inode->iops->get_link)
		return nd_jump_link(nd, d);
	const char *body = NULL;
	int r = read_link(nd, d, &body);
	if (r < 0)
		return r;
	r = walk_prefix(nd, body);
	if (r < 0)
		return r;
	bool trailing = nd->trailing;
	if (nd->lastlen) {
		r = walk_one(nd, nd->last, nd->lastlen, true);
		if (r < 0)
			return r;
	}
	if (trailing && !S_ISDIR(nd->cur.dentry->inode->mode))
		return -ENOTDIR;
	return 0;
}

static bool is_dot(const char *name, size_t len)
{
	return len == 1 && name[0] == '.';
}

static bool is_dotdot(const char *name, size_t len)
{
	return len == 2 && name[0] == '.' && name[1] == '.';
}

static int walk_one(struct nameidata *nd, const char *name, size_t len, bool follow)
{
	struct inode *di = nd->cur.dentry->inode;
	if (is_dot(name, len) || is_dotdot(name, len)) {
		if (!S_ISDIR(di->mode))
			return -ENOTDIR;
		int r = inode_permission(di, MAY_EXEC);
		if (r < 0)
			return r;
		return is_dot(name, len) ? 0 : follow_dotdot(nd);
	}
	struct dentry *d;
	int r = nd_lookup_child(nd, name, len, &d);
	if (r < 0)
		return r;
	if (!d->inode) {
		dput(d);
		return -ENOENT;
	}
	if (follow && S_ISLNK(d->inode->mode)) {
		r = walk_link(nd, d);
		dput(d);
		return r;
	}
	nd_set_cur(nd, nd->cur.mnt, d);
	dput(d);
	return nd_follow_mount(nd);
}

int nd_walk_parent(struct nameidata *nd, const char *name)
{
	int r = walk_prefix(nd, name);
	if (r < 0)
		return r;
	if (!S_ISDIR(nd->cur.dentry->inode->mode))
		return -ENOTDIR;
	if (nd->lastlen == 0)
		nd->type = LAST_ROOT;
	else if (is_dot(nd->last, nd->lastlen))
		nd->type = LAST_DOT;
	else if (is_dotdot(nd->last, nd->lastlen))
		nd->type = LAST_DOTDOT;
	else
		nd->type = LAST_NORM;
	return 0;
}

int nd_walk_last(struct nameidata *nd, bool follow)
{
	if (nd->lastlen == 0)
		return 0;
	bool trailing = nd->trailing;
	int r = walk_one(nd, nd->last, nd->lastlen, follow || trailing);
	if (r < 0)
		return r;
	if (trailing && !S_ISDIR(nd->cur.dentry->inode->mode))
		return -ENOTDIR;
	return 0;
}

int nd_follow_link_parent(struct nameidata *nd, struct dentry *d)
{
	const char *body = NULL;
	int r = read_link(nd, d, &body);
	if (r < 0)
		return r;
	return nd_walk_parent(nd, body);
}

int nd_may_change_dir(struct nameidata *nd)
{
	struct dentry *dir = nd->cur.dentry;
	if (dir->flags & D_DEAD)
		return -ENOENT;
	if ((nd->cur.mnt->flags & MNT_RDONLY) || dir->sb->rdonly)
		return -EROFS;
	return inode_permission(dir->inode, MAY_WRITE | MAY_EXEC);
}

int nd_prepare_create(struct nameidata *nd, const struct walk_start *ws,
		      const char *name, bool is_dir, struct dentry **out)
{
	int r = nd_init(nd, ws, name, 0);
	if (r == 0)
		r = nd_walk_parent(nd, name);
	if (r < 0)
		return r;
	if (nd->type != LAST_NORM)
		return -EEXIST;
	struct dentry *d;
	r = nd_lookup_child(nd, nd->last, nd->lastlen, &d);
	if (r < 0)
		return r;
	if (d->inode) {
		dput(d);
		return -EEXIST;
	}
	if (nd->trailing && !is_dir) {
		dput(d);
		return -ENOENT;
	}
	r = nd_may_change_dir(nd);
	if (r < 0) {
		dput(d);
		return r;
	}
	*out = d;
	return 0;
}
