/* fs/goferfs/dir.c: goferfs directories: lookup by WALK (several
 * components at once: walk.c), the namespace
 * ops of writable exports (the VFS holds vfs_lock; O_TMPFILE files too), and readdir over a
 * listing fetched with GETDENTS by the first getdents and at each rewind. */
#include "fs/goferfs/goferfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t fid_of(struct inode *inode)
{
	return ((struct gofer_inode *)inode->priv)->fid;
}

/* Make d positive with the new file the reply describes. */
static int instantiate(struct inode *dir, struct dentry *d, const struct gofer_resp *resp)
{
	struct inode *inode = goferfs_inode(dir->sb, resp->fid, &resp->st);
	if (!inode)
		return -ENOMEM;
	d_instantiate(d, inode);
	return 0;
}

static void refresh(struct inode *inode)
{
	struct gofer_req req = { .op = GOFER_STAT, .fid = fid_of(inode) };
	struct gofer_resp resp;
	if (gofer_call(&req, NULL, NULL, &resp, NULL, 0, NULL) == 0)
		goferfs_set_attrs(inode, &resp.st);
}

/* What a change's reply says of the files it changed (gofer/protocol.h):
 * their attributes afterwards, in the op's order. */
struct after {
	struct gofer_stat st[3];
	size_t n;
};

static void after_count(struct after *a, const struct gofer_resp *resp)
{
	a->n = resp->datalen % sizeof(a->st[0]) ? 0 : resp->datalen / sizeof(a->st[0]);
}

/* Renew inode's attributes from the i-th if that is the same file, else
 * with a STAT of its own. */
static void renew(struct inode *inode, const struct after *a, size_t i)
{
	if (i < a->n) {
		pthread_mutex_lock(&inode->lock);
		bool same = inode->ino == a->st[i].ino &&
			    (inode->mode & S_IFMT) == (a->st[i].mode & S_IFMT);
		pthread_mutex_unlock(&inode->lock);
		if (same) {
			goferfs_set_attrs(inode, &a->st[i]);
			return;
		}
	}
	refresh(inode);
}

static int gf_lookup(struct inode *dir, struct dentry *d)
{
	if (goferfs_walk_absent(dir, d->name, d->namelen))
		return 0;	/* asked a moment ago, in this walk */
	struct gofer_req req = { .op = GOFER_WALK, .fid = fid_of(dir) };
	struct gofer_resp resp;
	int r = gofer_call(&req, d->name, NULL, &resp, NULL, 0, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	return instantiate(dir, d, &resp);
}

/* On -v exports, a cached name is checked with the host at each walk:
 * gone, or now another file (inode number or type differ): invalid, and
 * the walk looks it up again (a gofer error then surfaces as EIO); still
 * there: its attributes are renewed. One round trip (no fid made). */
int goferfs_revalidate(struct inode *dir, struct dentry *d)
{
	struct inode *inode = d->inode;
	if (!inode || !goferfs_revalidates(dir->sb) || d->parent == d)
		return 1;
	struct gofer_req req = { .op = GOFER_WALK, .fid = fid_of(dir),
				 .flags = GOFER_WALK_STAT_ONLY };
	struct gofer_resp resp;
	if (gofer_call(&req, d->name, NULL, &resp, NULL, 0, NULL) < 0)
		return 0;
	pthread_mutex_lock(&inode->lock);
	bool same = inode->ino == resp.st.ino && (inode->mode & S_IFMT) == (resp.st.mode & S_IFMT);
	pthread_mutex_unlock(&inode->lock);
	if (same)
		goferfs_set_attrs(inode, &resp.st);
	return same;
}

static int gf_mknod(struct inode *dir, struct dentry *d, mode_t mode, dev_t rdev)
{
	struct gofer_req req = { .fid = fid_of(dir), .mode = mode, .arg = (int64_t)rdev };
	struct gofer_resp resp;
	struct after a;
	int fd = -1, r;
	if (S_ISREG(mode)) {
		/* Read-write: the open that usually follows takes this fd
		 * (a new file may be opened any way its creator asks). */
		req.op = GOFER_CREATE;
		req.flags = O_RDWR;
		r = gofer_call(&req, d->name, NULL, &resp, a.st, sizeof(a.st), &fd);
	} else {
		req.op = GOFER_MKNOD;
		r = gofer_call(&req, d->name, NULL, &resp, a.st, sizeof(a.st), NULL);
	}
	if (r < 0)
		return r;
	after_count(&a, &resp);
	renew(dir, &a, 0);
	r = instantiate(dir, d, &resp);
	if (r == 0 && fd >= 0 && S_ISREG(d->inode->mode)) {
		((struct gofer_inode *)d->inode->priv)->spare = fd;
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	return r;
}

/* O_TMPFILE: the host makes the unnamed file (its own O_TMPFILE); d, a
 * name the VFS removes at once, gets its inode. */
static int gf_tmpfile(struct inode *dir, struct dentry *d, mode_t mode, int oflags)
{
	struct gofer_req req = { .op = GOFER_TMPFILE, .fid = fid_of(dir), .mode = mode,
				 .flags = (uint32_t)(oflags & (O_ACCMODE | O_EXCL)) };
	struct gofer_resp resp;
	int r = gofer_call(&req, NULL, NULL, &resp, NULL, 0, NULL);
	if (r < 0)
		return r;
	if (!S_ISREG(resp.st.mode)) {
		goferfs_clunk(resp.fid);	/* not what was asked for: garbage */
		return -EIO;
	}
	return instantiate(dir, d, &resp);
}

static int gf_mkdir(struct inode *dir, struct dentry *d, mode_t mode)
{
	struct gofer_req req = { .op = GOFER_MKDIR, .fid = fid_of(dir), .mode = mode };
	struct gofer_resp resp;
	struct after a;
	int r = gofer_call(&req, d->name, NULL, &resp, a.st, sizeof(a.st), NULL);
	if (r < 0)
		return r;
	after_count(&a, &resp);
	renew(dir, &a, 0);
	return instantiate(dir, d, &resp);
}

static int gf_symlink(struct inode *dir, struct dentry *d, const char *target)
{
	struct gofer_req req = { .op = GOFER_SYMLINK, .fid = fid_of(dir) };
	struct gofer_resp resp;
	struct after a;
	int r = gofer_call(&req, d->name, target, &resp, a.st, sizeof(a.st), NULL);
	if (r < 0)
		return r;
	after_count(&a, &resp);
	renew(dir, &a, 0);
	return instantiate(dir, d, &resp);
}

static int gf_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	struct gofer_req req = { .op = GOFER_LINK, .fid = fid_of(dir),
				 .fid2 = fid_of(old->inode) };
	struct gofer_resp resp;
	struct after a;
	int r = gofer_call(&req, d->name, NULL, &resp, a.st, sizeof(a.st), NULL);
	if (r < 0)
		return r;
	goferfs_clunk(resp.fid);	/* the same inode as old */
	goferfs_set_attrs(old->inode, &resp.st);
	iget(old->inode);
	d_instantiate(d, old->inode);
	after_count(&a, &resp);
	renew(dir, &a, 0);
	return 0;
}

static int remove_name(struct inode *dir, struct dentry *d, unsigned flags)
{
	struct gofer_req req = { .op = GOFER_UNLINK, .fid = fid_of(dir), .flags = flags };
	struct gofer_resp resp;
	struct after a;
	int r = gofer_call(&req, d->name, NULL, &resp, a.st, sizeof(a.st), NULL);
	if (r < 0)
		return r;
	after_count(&a, &resp);
	renew(d->inode, &a, 1);
	renew(dir, &a, 0);
	return 0;
}

static int gf_unlink(struct inode *dir, struct dentry *d)
{
	return remove_name(dir, d, 0);
}

static int gf_rmdir(struct inode *dir, struct dentry *d)
{
	return remove_name(dir, d, AT_REMOVEDIR);
}

static int gf_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
		     struct dentry *nd, unsigned flags)
{
	struct gofer_req req = { .op = GOFER_RENAME, .fid = fid_of(odir),
				 .fid2 = fid_of(ndir), .flags = flags };
	struct gofer_resp resp;
	struct after a;
	int r = gofer_call(&req, od->name, nd->name, &resp, a.st, sizeof(a.st), NULL);
	if (r < 0)
		return r;
	after_count(&a, &resp);
	renew(odir, &a, 0);
	if (ndir != odir)
		renew(ndir, &a, 1);
	if (nd->inode)
		renew(nd->inode, &a, 2);
	return 0;
}

const struct inode_ops goferfs_dir_iops = {
	.lookup = gf_lookup,
	.mknod = gf_mknod,
	.tmpfile = gf_tmpfile,
	.mkdir = gf_mkdir,
	.symlink = gf_symlink,
	.link = gf_link,
	.unlink = gf_unlink,
	.rmdir = gf_rmdir,
	.rename = gf_rename,
	.revalidate = goferfs_revalidate,
	.walk_ahead = goferfs_walk_ahead,
	.setattr = goferfs_setattr,
	.getxattr = goferfs_getxattr,
	.setxattr = goferfs_setxattr,
	.listxattr = goferfs_listxattr,
};

/* A directory listing: entries in the host's order. */
struct listing {
	size_t n, cap;
	struct { char *name; uint64_t ino; unsigned char type; } *e;
};

static void listing_free(struct listing *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->e[i].name);
	free(l->e);
	free(l);
}

static int listing_load(struct inode *dir, struct listing **out)
{
	struct listing *l = calloc(1, sizeof(*l));
	char *buf = malloc(GOFER_DATA_MAX);
	int r = 0;
	if (!l || !buf) {
		r = -ENOMEM;
		goto out;
	}
	int64_t off = 0;
	for (int rounds = 0; off >= 0 && rounds < 100000; rounds++) {
		struct gofer_req req = { .op = GOFER_GETDENTS, .fid = fid_of(dir), .arg = off };
		struct gofer_resp resp;
		r = gofer_call(&req, NULL, NULL, &resp, buf, GOFER_DATA_MAX, NULL);
		if (r < 0)
			goto out;
		size_t pos = 0;
		while (pos + sizeof(struct gofer_dirent) <= resp.datalen) {
			struct gofer_dirent gd;
			memcpy(&gd, buf + pos, sizeof(gd));
			if (gd.reclen < sizeof(gd) + gd.namelen + 1 || gd.reclen > resp.datalen - pos ||
			    gd.namelen == 0 || gd.namelen > GOFER_NAME_MAX) {
				r = -EIO;	/* garbage */
				goto out;
			}
			const char *name = buf + pos + sizeof(gd);
			if (memchr(name, '/', gd.namelen) || memchr(name, 0, gd.namelen)) {
				r = -EIO;
				goto out;
			}
			if (l->n == l->cap) {
				size_t cap = l->cap ? l->cap * 2 : 32;
				void *e = realloc(l->e, cap * sizeof(*l->e));
				if (!e) {
					r = -ENOMEM;
					goto out;
				}
				l->e = e;
				l->cap = cap;
			}
			l->e[l->n].name = strndup(name, gd.namelen);
			if (!l->e[l->n].name) {
				r = -ENOMEM;
				goto out;
			}
			l->e[l->n].ino = gd.ino;
			l->e[l->n].type = gd.type;
			l->n++;
			pos += gd.reclen;
		}
		if (resp.arg >= 0 && resp.arg <= off && resp.datalen == 0)
			break;
		off = resp.arg;
	}
out:
	free(buf);
	if (r < 0) {
		listing_free(l);
		return r;
	}
	*out = l;
	return 0;
}

/* The listing is fetched by the first getdents (and again at each one
 * from position 0), not at open: one GETDENTS for an opendir+readdir. */
static int gf_dir_open(struct inode *inode, struct file *f)
{
	(void)inode;
	f->priv = NULL;
	return 0;
}

static int gf_iterate(struct file *f, struct dir_context *ctx)
{
	if (ctx->pos == 0 || !f->priv) {
		struct listing *l;
		int r = listing_load(f->inode, &l);
		if (r == 0) {
			listing_free(f->priv);
			f->priv = l;
		} else if (!f->priv) {
			return r;
		}
	}
	struct listing *l = f->priv;
	for (size_t i = (size_t)ctx->pos; l && ctx->pos >= 0 && i < l->n; i++) {
		if (!ctx->emit(ctx, l->e[i].name, strlen(l->e[i].name), l->e[i].ino,
			       l->e[i].type, (int64_t)i + 1))
			break;
		ctx->pos = (int64_t)i + 1;
	}
	return 0;
}

static void gf_dir_release(struct file *f)
{
	listing_free(f->priv);
}

const struct file_ops goferfs_dir_fops = {
	.open = gf_dir_open,
	.iterate = gf_iterate,
	.llseek = dir_llseek,
	.release = gf_dir_release,
};
