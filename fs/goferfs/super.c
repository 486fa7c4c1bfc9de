/* fs/goferfs/super.c: goferfs super blocks and inodes: mounting an export,
 * inodes made from the attributes a walk returned, eviction (the fid is
 * clunked), statfs. */
#include "fs/goferfs/goferfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct goferfs_sb {
	uint64_t root_fid;
	bool revalidate;	/* a -v export: the host may change it */
};

bool goferfs_revalidates(struct super_block *sb)
{
	return ((struct goferfs_sb *)sb->priv)->revalidate;
}

void goferfs_clunk(uint64_t fid)
{
	gofer_client_clunk(fid);
}

static void goferfs_evict(struct inode *inode)
{
	struct gofer_inode *gi = inode->priv;
	if (!gi)
		return;
	goferfs_clunk(gi->fid);
	goferfs_cache_evict(inode);
	if (gi->rofd >= 0)
		close(gi->rofd);
	if (gi->spare >= 0)
		close(gi->spare);
	free(gi->link);
	free(gi);
}

static int goferfs_statfs(struct super_block *sb, struct statfs *st)
{
	struct goferfs_sb *gs = sb->priv;
	struct gofer_req req = { .op = GOFER_STATFS, .fid = gs->root_fid };
	struct gofer_resp resp;
	int r = gofer_call(&req, NULL, NULL, &resp, NULL, 0, NULL);
	if (r < 0)
		return r;
	st->f_type = (long)resp.st.ino;
	st->f_bsize = (long)resp.st.dev;
	st->f_frsize = (long)resp.st.dev;
	st->f_blocks = (fsblkcnt_t)resp.st.size;
	st->f_bfree = (fsblkcnt_t)resp.st.blocks;
	st->f_bavail = (fsblkcnt_t)resp.st.rdev;
	st->f_files = (fsfilcnt_t)resp.st.atime_sec;
	st->f_ffree = (fsfilcnt_t)resp.st.atime_nsec;
	st->f_namelen = 255;
	return 0;
}

static const struct super_ops goferfs_super_ops = {
	.evict = goferfs_evict,
	.statfs = goferfs_statfs,
};

void goferfs_set_attrs(struct inode *inode, const struct gofer_stat *st)
{
	pthread_mutex_lock(&inode->lock);
	inode->ino = st->ino;
	inode->mode = (inode->mode & S_IFMT) | (st->mode & 07777);
	inode->nlink = st->nlink;
	inode->uid = st->uid;
	inode->gid = st->gid;
	inode->rdev = (dev_t)st->rdev;
	inode->size = st->size;
	inode->blocks = st->blocks;
	inode->atime = (struct timespec){ st->atime_sec, st->atime_nsec };
	inode->mtime = (struct timespec){ st->mtime_sec, st->mtime_nsec };
	inode->ctime = (struct timespec){ st->ctime_sec, st->ctime_nsec };
	pthread_mutex_unlock(&inode->lock);
}

struct inode *goferfs_inode(struct super_block *sb, uint64_t fid, const struct gofer_stat *st)
{
	struct gofer_inode *gi = calloc(1, sizeof(*gi));
	struct inode *inode = gi ? inode_new(sb, st->mode & S_IFMT) : NULL;
	if (!inode) {
		free(gi);
		goferfs_clunk(fid);
		return NULL;
	}
	gi->fid = fid;
	gi->rofd = -1;
	gi->spare = -1;
	inode->priv = gi;
	goferfs_set_attrs(inode, st);
	switch (st->mode & S_IFMT) {
	case S_IFDIR:
		inode->iops = &goferfs_dir_iops;
		inode->fops = &goferfs_dir_fops;
		break;
	case S_IFREG:
		inode->iops = &goferfs_file_iops;
		inode->fops = &goferfs_file_fops;
		break;
	case S_IFLNK:
		inode->iops = &goferfs_link_iops;
		break;
	default:		/* host fifos, devices, sockets: never opened */
		inode->iops = &goferfs_file_iops;
		break;
	}
	return inode;
}

struct dentry *goferfs_mount(int export_index, bool ro, int *err)
{
	struct gofer_req req = { .op = GOFER_ATTACH, .arg = export_index };
	struct gofer_resp resp;
	int r = gofer_call(&req, NULL, NULL, &resp, NULL, 0, NULL);
	if (r == 0 && !S_ISDIR(resp.st.mode)) {
		goferfs_clunk(resp.fid);
		r = -ENOTDIR;
	}
	if (r < 0) {
		*err = r;
		return NULL;
	}
	struct super_block *sb = calloc(1, sizeof(*sb));
	struct goferfs_sb *gs = calloc(1, sizeof(*gs));
	if (!sb || !gs) {
		free(sb);
		free(gs);
		goferfs_clunk(resp.fid);
		*err = -ENOMEM;
		return NULL;
	}
	gs->root_fid = resp.fid;
	gs->revalidate = export_index != 0;
	sb->ops = &goferfs_super_ops;
	sb->type = "9p";
	sb->dev = super_anon_dev();
	sb->rdonly = ro;
	sb->priv = gs;
	struct inode *root = goferfs_inode(sb, resp.fid, &resp.st);
	struct dentry *d = root ? d_make_root(sb, root) : NULL;
	if (!d) {
		iput(root);
		*err = -ENOMEM;
		return NULL;
	}
	return d;
}
