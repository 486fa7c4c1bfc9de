/* fs/overlay/super.c: overlay super blocks and inodes: mounting, making
 * an overlay inode over its real dentries, mirroring attributes, looking
 * names up in the file systems below. */
#include "fs/overlay/overlay.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <stdlib.h>

struct ovl_sb {
	struct dentry *lower_root, *upper_root;
};

static void ovl_evict(struct inode *inode)
{
	struct ovl_inode *oi = inode->priv;
	if (!oi)
		return;
	dput(oi->upper);
	dput(oi->lower);
	free(oi);
}

static int ovl_statfs(struct super_block *sb, struct statfs *st)
{
	struct ovl_sb *os = sb->priv;
	struct super_block *lsb = os->lower_root->sb;
	if (!lsb->ops || !lsb->ops->statfs)
		return -ENOSYS;
	int r = lsb->ops->statfs(lsb, st);
	if (r == 0)
		st->f_type = 0x794c7630;	/* OVERLAYFS_SUPER_MAGIC */
	return r;
}

static const struct super_ops ovl_super_ops = {
	.evict = ovl_evict,
	.statfs = ovl_statfs,
};

struct inode *ovl_real(struct inode *inode)
{
	struct ovl_inode *oi = inode->priv;
	return oi->upper ? oi->upper->inode : oi->lower->inode;
}

void ovl_sync(struct inode *inode)
{
	struct ovl_inode *oi = inode->priv;
	struct inode *r = ovl_real(inode);
	pthread_mutex_lock(&r->lock);
	mode_t mode = r->mode;
	nlink_t nlink = r->nlink;
	uid_t uid = r->uid;
	gid_t gid = r->gid;
	dev_t rdev = r->rdev;
	int64_t size = r->size, blocks = r->blocks;
	struct timespec at = r->atime, mt = r->mtime, ct = r->ctime;
	pthread_mutex_unlock(&r->lock);
	if (S_ISDIR(mode) && oi->upper && oi->lower) {
		/* A merged directory: its size and links are the lower's. */
		struct inode *l = oi->lower->inode;
		pthread_mutex_lock(&l->lock);
		nlink = l->nlink;
		size = l->size;
		blocks = l->blocks;
		pthread_mutex_unlock(&l->lock);
	}
	pthread_mutex_lock(&inode->lock);
	inode->mode = mode;
	inode->nlink = nlink;
	inode->uid = uid;
	inode->gid = gid;
	inode->rdev = rdev;
	inode->size = size;
	inode->blocks = blocks;
	inode->atime = at;
	inode->mtime = mt;
	inode->ctime = ct;
	pthread_mutex_unlock(&inode->lock);
}

struct inode *ovl_new_inode(struct super_block *sb, struct dentry *upper,
			    struct dentry *lower, bool opaque)
{
	struct ovl_inode *oi = calloc(1, sizeof(*oi));
	struct dentry *real = upper ? upper : lower;
	struct inode *inode = oi ? inode_new(sb, real->inode->mode) : NULL;
	if (!inode) {
		free(oi);
		return NULL;
	}
	oi->upper = dget(upper);
	oi->lower = dget(lower);
	oi->opaque = opaque;
	inode->priv = oi;
	inode->ino = lower ? lower->inode->ino : upper->inode->ino;
	if (S_ISDIR(real->inode->mode)) {
		inode->iops = &ovl_dir_iops;
		inode->fops = &ovl_dir_fops;
	} else if (S_ISREG(real->inode->mode)) {
		inode->iops = &ovl_file_iops;
		inode->fops = &ovl_file_fops;
	} else {
		inode->iops = &ovl_file_iops;
		inode->fops = real->inode->fops;	/* devices, fifos */
	}
	ovl_sync(inode);
	return inode;
}

bool ovl_is_whiteout(const struct dentry *d)
{
	return d->inode && S_ISCHR(d->inode->mode) && d->inode->rdev == 0;
}

int ovl_sub_lookup(struct dentry *parent, const char *name, size_t len, struct dentry **out)
{
	struct dentry *d = d_lookup(parent, name, len);
	if (d) {
		*out = d;
		return 0;
	}
	d = d_alloc(parent, name, len);
	if (!d)
		return -ENOMEM;
	struct inode *di = parent->inode;
	if (!(parent->flags & D_DEAD) && di->iops && di->iops->lookup) {
		int r = di->iops->lookup(di, d);
		if (r < 0) {
			dput(d);
			return r;
		}
	}
	*out = d;
	return 0;
}

struct dentry *overlay_mount(struct dentry *lower, struct dentry *upper)
{
	struct super_block *sb = calloc(1, sizeof(*sb));
	struct ovl_sb *os = calloc(1, sizeof(*os));
	if (!sb || !os)
		goto fail;
	os->lower_root = lower;
	os->upper_root = upper;
	sb->ops = &ovl_super_ops;
	sb->type = "overlay";
	sb->dev = super_anon_dev();
	sb->priv = os;
	struct inode *root = ovl_new_inode(sb, upper, lower, false);
	if (!root)
		goto fail;
	/* The root shows the lower root's permissions. */
	struct iattr ia = { .valid = ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_ATIME | ATTR_MTIME,
			    .mode = lower->inode->mode, .uid = lower->inode->uid,
			    .gid = lower->inode->gid, .atime = lower->inode->atime,
			    .mtime = lower->inode->mtime };
	upper->inode->iops->setattr(upper, &ia);
	ovl_sync(root);
	struct dentry *d = d_make_root(sb, root);
	if (!d) {
		iput(root);
		goto fail;
	}
	return d;
fail:
	free(sb);
	free(os);
	return NULL;
}
