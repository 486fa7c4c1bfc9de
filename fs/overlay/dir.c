/* fs/overlay/dir.c: overlay directories: lookup through upper and lower,
 * the namespace ops (in the upper, after copy-up, with whiteouts where
 * the lower still has the name), and the merged readdir. */
#include "fs/overlay/overlay.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/vfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

static struct ovl_inode *oi_of(struct inode *inode)
{
	return inode->priv;
}

static int ovl_lookup(struct inode *dir, struct dentry *d)
{
	struct ovl_inode *poi = oi_of(dir);
	struct dentry *upper = NULL, *lower = NULL, *x;
	int r;
	if (poi->upper) {
		r = ovl_sub_lookup(poi->upper, d->name, d->namelen, &x);
		if (r < 0)
			return r;
		if (ovl_is_whiteout(x)) {
			dput(x);
			return 0;
		}
		if (x->inode)
			upper = x;
		else
			dput(x);
	}
	bool want_lower = poi->lower && !poi->opaque &&
			  (!upper || S_ISDIR(upper->inode->mode));
	if (want_lower) {
		r = ovl_sub_lookup(poi->lower, d->name, d->namelen, &x);
		if (r < 0) {
			dput(upper);
			return r;
		}
		if (x->inode && (!upper || S_ISDIR(x->inode->mode)))
			lower = x;
		else
			dput(x);
	}
	if (!upper && !lower)
		return 0;
	struct inode *inode = ovl_new_inode(dir->sb, upper, lower, false);
	dput(upper);
	dput(lower);
	if (!inode)
		return -ENOMEM;
	d_instantiate(d, inode);
	return 0;
}

/* Does the lower part of overlay directory dir hold name? */
static bool lower_has(struct inode *dir, const char *name, size_t len)
{
	struct ovl_inode *poi = oi_of(dir);
	if (!poi->lower || poi->opaque)
		return false;
	struct dentry *x;
	if (ovl_sub_lookup(poi->lower, name, len, &x) < 0)
		return true;	/* when in doubt, hide it */
	bool has = x->inode != NULL;
	dput(x);
	return has;
}

static int make_whiteout(struct dentry *udir, const char *name, size_t len)
{
	struct dentry *w = d_alloc(udir, name, len);
	if (!w)
		return -ENOMEM;
	int r = udir->inode->iops->mknod(udir->inode, w, S_IFCHR, makedev(0, 0));
	dput(w);
	return r;
}

/* The upper directory of d's parent (copied up), and a negative upper
 * dentry for d's name, a whiteout there removed (*whiteout set). */
static int prepare_upper(struct dentry *d, struct dentry **uparent, struct dentry **out,
			 bool *whiteout)
{
	int r = ovl_copy_up(d->parent);
	if (r < 0)
		return r;
	struct dentry *udir = oi_of(d->parent->inode)->upper;
	struct dentry *x;
	r = ovl_sub_lookup(udir, d->name, d->namelen, &x);
	if (r < 0)
		return r;
	if (whiteout)
		*whiteout = false;
	if (x->inode) {
		if (!ovl_is_whiteout(x)) {
			dput(x);
			return -EEXIST;
		}
		udir->inode->iops->unlink(udir->inode, x);
		d_delete(x);
		dput(x);
		if (whiteout)
			*whiteout = true;
		x = d_alloc(udir, d->name, d->namelen);
		if (!x)
			return -ENOMEM;
	}
	*uparent = udir;
	*out = x;
	return 0;
}

/* Wrap the new upper dentry u into d. */
static int finish_create(struct inode *dir, struct dentry *d, struct dentry *u, bool opaque)
{
	struct inode *inode = ovl_new_inode(dir->sb, u, NULL, opaque);
	dput(u);
	if (!inode)
		return -ENOMEM;
	d_instantiate(d, inode);
	ovl_sync(dir);
	return 0;
}

static int ovl_mknod(struct inode *dir, struct dentry *d, mode_t mode, dev_t rdev)
{
	struct dentry *udir, *u;
	int r = prepare_upper(d, &udir, &u, NULL);
	if (r < 0)
		return r;
	r = udir->inode->iops->mknod(udir->inode, u, mode, rdev);
	if (r < 0) {
		dput(u);
		return r;
	}
	return finish_create(dir, d, u, false);
}

static int ovl_mkdir(struct inode *dir, struct dentry *d, mode_t mode)
{
	struct dentry *udir, *u;
	int r = prepare_upper(d, &udir, &u, NULL);
	if (r < 0)
		return r;
	r = udir->inode->iops->mkdir(udir->inode, u, mode);
	if (r < 0) {
		dput(u);
		return r;
	}
	return finish_create(dir, d, u, true);
}

static int ovl_symlink(struct inode *dir, struct dentry *d, const char *target)
{
	struct dentry *udir, *u;
	int r = prepare_upper(d, &udir, &u, NULL);
	if (r < 0)
		return r;
	r = udir->inode->iops->symlink(udir->inode, u, target);
	if (r < 0) {
		dput(u);
		return r;
	}
	return finish_create(dir, d, u, false);
}

static int ovl_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	int r = ovl_copy_up(old);
	if (r < 0)
		return r;
	struct dentry *udir, *u;
	r = prepare_upper(d, &udir, &u, NULL);
	if (r < 0)
		return r;
	struct ovl_inode *ooi = oi_of(old->inode);
	r = udir->inode->iops->link(ooi->upper, udir->inode, u);
	if (r == 0 && (ooi->upper->flags & D_DEAD)) {
		/* An O_TMPFILE file (or a removed one) gets its first name:
		 * the overlay inode follows the live upper name. */
		dput(ooi->upper);
		ooi->upper = dget(u);
	}
	dput(u);
	if (r < 0)
		return r;
	iget(old->inode);
	d_instantiate(d, old->inode);
	ovl_sync(old->inode);
	ovl_sync(dir);
	return 0;
}

/* Names of the lower part of directory d (an inner open + iterate). */
struct names {
	struct dir_context ctx;
	size_t n, cap;
	struct { char *name; uint64_t ino; unsigned char type; } *e;
	int err;
};

static bool names_add(struct names *ns, const char *name, size_t len, uint64_t ino,
		      unsigned type)
{
	if (ns->err)
		return false;
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 32;
		void *e = realloc(ns->e, cap * sizeof(*ns->e));
		if (!e) {
			ns->err = -ENOMEM;
			return false;
		}
		ns->e = e;
		ns->cap = cap;
	}
	ns->e[ns->n].name = strndup(name, len);
	if (!ns->e[ns->n].name) {
		ns->err = -ENOMEM;
		return false;
	}
	ns->e[ns->n].ino = ino;
	ns->e[ns->n].type = (unsigned char)type;
	ns->n++;
	return true;
}

static bool names_emit(struct dir_context *c, const char *name, size_t len, uint64_t ino,
		       unsigned type, int64_t next)
{
	struct names *ns = (struct names *)c;
	(void)next;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	return names_add(ns, name, len, ino, type);
}

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->e[i].name);
	free(ns->e);
	ns->e = NULL;
	ns->n = ns->cap = 0;
}

/* The names in lower directory dir. A file system whose dentry cache is
 * the whole tree (no lookup op: tmpfs) is listed from its dentries, as
 * its iterate takes vfs_lock; others (goferfs) through iterate, which
 * must not. locked: the caller holds vfs_lock. */
static int read_names(struct dentry *dir, struct names *ns, bool locked)
{
	memset(ns, 0, sizeof(*ns));
	ns->ctx.emit = names_emit;
	if (!dir->inode->iops || !dir->inode->iops->lookup) {
		if (!locked)
			vfs_lock();
		for (struct dentry *c = dir->child_first; c && !ns->err; c = c->sib_next)
			names_add(ns, c->name, c->namelen, c->inode->ino, IFTODT(c->inode->mode));
		if (!locked)
			vfs_unlock();
		if (ns->err) {
			int r = ns->err;
			names_free(ns);
			return r;
		}
		return 0;
	}
	struct path p = { NULL, dir };
	struct file *f;
	int r = vfs_open_path(&p, O_RDONLY | O_DIRECTORY, &f);
	if (r < 0)
		return r;
	for (;;) {
		size_t before = ns->n;
		int64_t pos = ns->ctx.pos;
		r = f->ops->iterate(f, &ns->ctx);
		if (r < 0 || ns->err || (ns->n == before && ns->ctx.pos == pos))
			break;
	}
	file_put(f);
	if (r == 0)
		r = ns->err;
	if (r < 0)
		names_free(ns);
	return r;
}

static bool upper_has(struct dentry *udir, const char *name)
{
	size_t len = strlen(name);
	for (struct dentry *c = udir ? udir->child_first : NULL; c; c = c->sib_next)
		if (c->namelen == len && memcmp(c->name, name, len) == 0)
			return true;
	return false;
}

/* Is overlay directory d empty (whiteouts aside)? 0 or -ENOTEMPTY.
 * Under vfs_lock (the lower's iterate must not take it: goferfs's
 * does not). */
static int ovl_check_empty(struct dentry *d)
{
	struct ovl_inode *oi = oi_of(d->inode);
	if (oi->upper)
		for (struct dentry *c = oi->upper->child_first; c; c = c->sib_next)
			if (!ovl_is_whiteout(c))
				return -ENOTEMPTY;
	if (!oi->lower || oi->opaque)
		return 0;
	struct names ns;
	int r = read_names(oi->lower, &ns, true);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ns.n && r == 0; i++)
		if (!upper_has(oi->upper, ns.e[i].name))
			r = -ENOTEMPTY;
	names_free(&ns);
	return r;
}

/* Remove the whiteouts in upper directory u (it is otherwise empty). */
static void clear_whiteouts(struct dentry *u)
{
	struct dentry *c = u->child_first;
	while (c) {
		struct dentry *next = c->sib_next;
		dget(c);
		u->inode->iops->unlink(u->inode, c);
		d_delete(c);
		dput(c);
		c = next;
	}
}

/* Remove the upper part of d (its whiteouts first for a directory). */
static int remove_upper(struct dentry *d, bool dir)
{
	struct ovl_inode *oi = oi_of(d->inode);
	if (!oi->upper)
		return 0;
	struct inode *udir = oi_of(d->parent->inode)->upper->inode;
	if (dir)
		clear_whiteouts(oi->upper);
	int r = dir ? udir->iops->rmdir(udir, oi->upper) : udir->iops->unlink(udir, oi->upper);
	if (r == 0)
		d_delete(oi->upper);
	return r;
}

static int do_remove(struct inode *dir, struct dentry *d, bool isdir)
{
	int r = ovl_copy_up(d->parent);
	if (r < 0)
		return r;
	if (isdir && (r = ovl_check_empty(d)) < 0)
		return r;
	bool lower = lower_has(dir, d->name, d->namelen);
	r = remove_upper(d, isdir);
	if (r == 0 && lower)
		r = make_whiteout(oi_of(dir)->upper, d->name, d->namelen);
	if (r == 0) {
		pthread_mutex_lock(&d->inode->lock);
		if (isdir || d->inode->nlink <= 1)
			d->inode->nlink = 0;
		else
			d->inode->nlink--;
		pthread_mutex_unlock(&d->inode->lock);
		ovl_sync(dir);
	}
	return r;
}

static int ovl_unlink(struct inode *dir, struct dentry *d)
{
	return do_remove(dir, d, false);
}

static int ovl_rmdir(struct inode *dir, struct dentry *d)
{
	return do_remove(dir, d, true);
}

/* RENAME_EXCHANGE: copy both up, swap them in the upper. A directory
 * taking a name that the lower layer also holds would merge with (or be
 * hidden by) what is below: EXDEV, as for renaming such directories. */
static int ovl_exchange(struct inode *odir, struct dentry *od, struct inode *ndir,
			struct dentry *nd)
{
	bool dirs = S_ISDIR(od->inode->mode) || S_ISDIR(nd->inode->mode);
	if (dirs && (oi_of(od->inode)->lower || oi_of(nd->inode)->lower ||
		     lower_has(odir, od->name, od->namelen) ||
		     lower_has(ndir, nd->name, nd->namelen)))
		return -EXDEV;
	int r = ovl_copy_up(od);
	if (r == 0)
		r = ovl_copy_up(nd);
	if (r < 0)
		return r;
	struct dentry *ou = oi_of(od->inode)->upper, *nu = oi_of(nd->inode)->upper;
	struct inode *oudir = oi_of(odir)->upper->inode, *nudir = oi_of(ndir)->upper->inode;
	r = oudir->iops->rename(oudir, ou, nudir, nu, RENAME_EXCHANGE);
	if (r == 0)
		d_exchange(ou, nu);
	ovl_sync(odir);
	ovl_sync(ndir);
	ovl_sync(od->inode);
	ovl_sync(nd->inode);
	return r;
}

static int ovl_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
		      struct dentry *nd, unsigned flags)
{
	if (flags & RENAME_EXCHANGE)
		return ovl_exchange(odir, od, ndir, nd);
	struct ovl_inode *ooi = oi_of(od->inode);
	if (S_ISDIR(od->inode->mode) && ooi->lower)
		return -EXDEV;
	if (nd->inode && S_ISDIR(nd->inode->mode)) {
		if (oi_of(nd->inode)->lower)
			return -EXDEV;
		int r = ovl_check_empty(nd);
		if (r < 0)
			return r;
	}
	int r = ovl_copy_up(od);
	if (r == 0)
		r = ovl_copy_up(nd->parent);
	if (r < 0)
		return r;
	struct dentry *oudir = oi_of(odir)->upper, *nudir = oi_of(ndir)->upper;
	struct dentry *un;
	r = ovl_sub_lookup(nudir, nd->name, nd->namelen, &un);
	if (r < 0)
		return r;
	if (ovl_is_whiteout(un)) {
		nudir->inode->iops->unlink(nudir->inode, un);
		d_delete(un);
		dput(un);
		un = d_alloc(nudir, nd->name, nd->namelen);
		if (!un)
			return -ENOMEM;
	}
	if (un->inode && S_ISDIR(un->inode->mode))
		clear_whiteouts(un);	/* then replaced below */
	bool lower = lower_has(odir, od->name, od->namelen);
	r = oudir->inode->iops->rename(oudir->inode, ooi->upper, nudir->inode, un, flags);
	if (r == 0) {
		if (un->inode && !(un->flags & D_DEAD))
			d_delete(un);
		r = d_move(ooi->upper, nudir, nd->name, nd->namelen);
	}
	dput(un);
	if (r == 0 && lower)
		r = make_whiteout(oudir, od->name, od->namelen);
	ovl_sync(odir);
	ovl_sync(ndir);
	ovl_sync(od->inode);
	return r;
}

/* The walk missed the overlay's cache at the first name of rest: let the
 * lower file system (the gofer's) take the rest at once. Only its cache
 * is filled; ovl_lookup then finds the lower names there, one by one. */
static void ovl_walk_ahead(struct inode *dir, struct dentry *d, const char *rest,
			   unsigned flags)
{
	struct ovl_inode *poi = oi_of(dir);
	(void)d;
	if (!poi->lower || poi->opaque || (poi->lower->flags & D_DEAD))
		return;
	struct inode *li = poi->lower->inode;
	if (li && li->iops && li->iops->walk_ahead)
		li->iops->walk_ahead(li, poi->lower, rest, flags);
}

const struct inode_ops ovl_dir_iops = {
	.lookup = ovl_lookup,
	.walk_ahead = ovl_walk_ahead,
	.mknod = ovl_mknod,
	.mkdir = ovl_mkdir,
	.symlink = ovl_symlink,
	.link = ovl_link,
	.unlink = ovl_unlink,
	.rmdir = ovl_rmdir,
	.rename = ovl_rename,
	.setattr = ovl_setattr,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
};

/* --- readdir: ".", "..", the upper names, then the lower names not in
 * the upper; built when the directory is opened or rewound. --- */

static int merge(struct file *f, struct names **out)
{
	struct dentry *d = f->path.dentry;
	struct ovl_inode *oi = oi_of(d->inode);
	struct names *m = calloc(1, sizeof(*m)), lower = { 0 };
	if (!m)
		return -ENOMEM;
	int r = 0;
	if (oi->lower && !oi->opaque)
		r = read_names(oi->lower, &lower, false);
	if (r < 0) {
		free(m);
		return r;
	}
	vfs_lock();
	names_add(m, ".", 1, d->inode->ino, DT_DIR);
	names_add(m, "..", 2, d->parent->inode->ino, DT_DIR);
	for (struct dentry *c = oi->upper ? oi->upper->child_first : NULL; c && !m->err;
	     c = c->sib_next) {
		if (ovl_is_whiteout(c))
			continue;
		uint64_t ino = c->inode->ino;
		for (size_t i = 0; i < lower.n; i++)
			if (strcmp(lower.e[i].name, c->name) == 0)
				ino = lower.e[i].ino;
		names_add(m, c->name, c->namelen, ino, IFTODT(c->inode->mode));
	}
	for (size_t i = 0; i < lower.n && !m->err; i++)
		if (!upper_has(oi->upper, lower.e[i].name))
			names_add(m, lower.e[i].name, strlen(lower.e[i].name),
				  lower.e[i].ino, lower.e[i].type);
	vfs_unlock();
	names_free(&lower);
	if (m->err) {
		r = m->err;
		names_free(m);
		free(m);
		return r;
	}
	*out = m;
	return 0;
}

static void merged_free(struct names *m)
{
	if (m) {
		names_free(m);
		free(m);
	}
}

static int ovl_dir_open(struct inode *inode, struct file *f)
{
	(void)inode;
	struct names *m;
	int r = merge(f, &m);
	if (r == 0)
		f->priv = m;
	return r;
}

static int ovl_iterate(struct file *f, struct dir_context *ctx)
{
	if (ctx->pos == 0) {
		struct names *m;
		if (merge(f, &m) == 0) {
			merged_free(f->priv);
			f->priv = m;
		}
	}
	struct names *m = f->priv;
	for (size_t i = (size_t)ctx->pos; m && ctx->pos >= 0 && i < m->n; i++) {
		if (!ctx->emit(ctx, m->e[i].name, strlen(m->e[i].name), m->e[i].ino,
			       m->e[i].type, (int64_t)i + 1))
			break;
		ctx->pos = (int64_t)i + 1;
	}
	return 0;
}

static void ovl_dir_release(struct file *f)
{
	merged_free(f->priv);
}

const struct file_ops ovl_dir_fops = {
	.open = ovl_dir_open,
	.iterate = ovl_iterate,
	.llseek = dir_llseek,
	.release = ovl_dir_release,
};
