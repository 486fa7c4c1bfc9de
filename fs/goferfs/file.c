/* fs/goferfs/file.c: goferfs regular files (pread/pwrite on donated host
 * fds, fallocate by the gofer), symlink targets (READLINK, cached) and setattr (SETSTAT, then the
 * attributes are read back). */
#include "fs/goferfs/goferfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static struct gofer_inode *gi_of(struct inode *inode)
{
	return inode->priv;
}

int goferfs_open_fd(struct inode *inode, int flags)
{
	if (flags == O_RDONLY) {
		struct gofer_inode *gi = gi_of(inode);
		pthread_mutex_lock(&inode->lock);
		int fd = gi->rofd >= 0 ? fcntl(gi->rofd, F_DUPFD_CLOEXEC, 0) : -1;
		pthread_mutex_unlock(&inode->lock);
		if (fd >= 0)
			return fd;
	}
	struct gofer_req req = { .op = GOFER_OPEN, .fid = gi_of(inode)->fid, .flags = (uint32_t)flags };
	struct gofer_resp resp;
	int fd;
	int r = gofer_call(&req, NULL, NULL, &resp, NULL, 0, &fd);
	if (r < 0)
		return r;
	return fd < 0 ? -EIO : fd;
}

/* Read-only opens share one fd per inode; others get their own. */
static int gf_open(struct inode *inode, struct file *f)
{
	int acc = f->flags & O_ACCMODE;
	/* The read-write fd the file was created with, once. */
	struct gofer_inode *sg = gi_of(inode);
	pthread_mutex_lock(&inode->lock);
	int spare = sg->spare;
	sg->spare = -1;
	if (spare >= 0 && acc == O_RDONLY && sg->rofd < 0) {
		sg->rofd = spare;
		spare = -1;
		pthread_mutex_unlock(&inode->lock);
		return 0;
	}
	pthread_mutex_unlock(&inode->lock);
	if (spare >= 0 && acc != O_RDONLY) {
		f->priv = (void *)(intptr_t)(spare + 1);
		return 0;
	}
	if (spare >= 0)
		close(spare);
	if (acc == O_RDONLY) {
		struct gofer_inode *gi = gi_of(inode);
		pthread_mutex_lock(&inode->lock);
		int have = gi->rofd;
		pthread_mutex_unlock(&inode->lock);
		if (have >= 0)
			return 0;
		int fd = goferfs_open_fd(inode, O_RDONLY);
		if (fd < 0)
			return fd;
		pthread_mutex_lock(&inode->lock);
		if (gi->rofd < 0)
			gi->rofd = fd;
		else
			close(fd);
		pthread_mutex_unlock(&inode->lock);
		return 0;
	}
	int fd = goferfs_open_fd(inode, acc);
	if (fd < 0)
		return fd;
	f->priv = (void *)(intptr_t)(fd + 1);
	return 0;
}

static int fd_of(struct file *f)
{
	if (f->priv)
		return (int)(intptr_t)f->priv - 1;
	return gi_of(f->inode)->rofd;
}

static ssize_t gf_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	ssize_t n;
	do
		n = pread(fd_of(f), buf, len, *pos);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n > 0)
		goferfs_cache_read(f->inode, buf, (size_t)n, *pos);
	*pos += n;
	return n;
}

static ssize_t gf_write(struct file *f, const void *buf, size_t len, int64_t *pos)
{
	int fd = fd_of(f);
	int64_t off = *pos;
	struct stat st;
	if (f->flags & O_APPEND) {
		if (fstat(fd, &st) < 0)
			return -errno;
		off = st.st_size;
	}
	ssize_t n;
	do
		n = pwrite(fd, buf, len, off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	struct inode *inode = f->inode;
	int64_t size = -1;
	if (fstat(fd, &st) == 0) {
		pthread_mutex_lock(&inode->lock);
		inode->size = st.st_size;
		inode->blocks = st.st_blocks;
		inode->mtime = st.st_mtim;
		inode->ctime = st.st_ctim;
		pthread_mutex_unlock(&inode->lock);
		size = st.st_size;
	}
	goferfs_cache_write(inode, buf, (size_t)n, off, size);
	*pos = off + n;
	return n;
}

static int64_t gf_llseek(struct file *f, int64_t off, int whence)
{
	int fd = fd_of(f);
	if (whence == SEEK_DATA || whence == SEEK_HOLE) {
		off_t r = lseek(fd, off, whence);
		if (r < 0)
			return -errno;
		f->pos = r;
		return r;
	}
	if (whence == SEEK_END) {
		struct stat st;
		if (fstat(fd, &st) == 0) {
			pthread_mutex_lock(&f->inode->lock);
			f->inode->size = st.st_size;
			pthread_mutex_unlock(&f->inode->lock);
		}
	}
	return generic_llseek(f, off, whence);
}

/* fstat on a -v mount: the host may have changed the file since. */
static void gf_refresh(struct file *f)
{
	struct stat st;
	if (!goferfs_revalidates(f->inode->sb) || fstat(fd_of(f), &st) < 0)
		return;
	struct inode *inode = f->inode;
	pthread_mutex_lock(&inode->lock);
	inode->mode = (inode->mode & S_IFMT) | (st.st_mode & 07777);
	inode->nlink = st.st_nlink;
	inode->uid = st.st_uid;
	inode->gid = st.st_gid;
	inode->size = st.st_size;
	inode->blocks = st.st_blocks;
	inode->atime = st.st_atim;
	inode->mtime = st.st_mtim;
	inode->ctime = st.st_ctim;
	pthread_mutex_unlock(&inode->lock);
}

static int gf_fsync(struct file *f, bool datasync)
{
	if (goferfs_cache_sync(f->inode) < 0)
		return -EIO;
	int r = datasync ? fdatasync(fd_of(f)) : fsync(fd_of(f));
	return r < 0 ? -errno : 0;
}

static void gf_release(struct file *f)
{
	goferfs_cache_sync(f->inode);
	if (f->priv)
		close((int)(intptr_t)f->priv - 1);
}

/* The gofer runs the host's fallocate on its own fd of the file (the
 * mode checks are the host file system's: EOPNOTSUPP where it has no
 * such operation). Shared-writable cached pages go back first; cached
 * pages of the range (and beyond it, for the modes that move data)
 * are dropped and refill from the host. */
static int gf_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	struct inode *inode = f->inode;
	if (goferfs_cache_sync(inode) < 0)
		return -EIO;
	struct gofer_req req = { .op = GOFER_FALLOCATE, .fid = gi_of(inode)->fid,
				 .flags = (uint32_t)mode, .arg = off, .arg2 = len };
	struct gofer_resp resp;
	int r = gofer_call(&req, NULL, NULL, &resp, NULL, 0, NULL);
	if (r < 0)
		return r;
	goferfs_set_attrs(inode, &resp.st);
	goferfs_cache_fallocated(inode, mode, off, len, resp.st.size);
	return 0;
}

/* Mappings map the page cache (pagecache.c). */
static int gf_mmap(struct file *f, int prot, int flags, struct mobj **obj, bool *maywrite)
{
	bool shared = (flags & MAP_TYPE) != MAP_PRIVATE;
	bool writable = shared && (f->mode & FMODE_WRITE) && !f->inode->sb->rdonly;
	int err = 0;
	(void)prot;
	*obj = goferfs_cache_get(f->inode, writable, &err);
	if (!*obj)
		return err;
	*maywrite = writable;
	return 0;
}

const struct file_ops goferfs_file_fops = {
	.mmap = gf_mmap,
	.open = gf_open,
	.read = gf_read,
	.write = gf_write,
	.llseek = gf_llseek,
	.refresh = gf_refresh,
	.fsync = gf_fsync,
	.release = gf_release,
	.fallocate = gf_fallocate,
};

int goferfs_setattr(struct dentry *d, const struct iattr *ia)
{
	struct inode *inode = d->inode;
	struct gofer_req req = { .op = GOFER_SETSTAT, .fid = gi_of(inode)->fid };
	if (ia->valid & ATTR_MODE) {
		req.valid |= GOFER_SET_MODE;
		req.mode = ia->mode;
	}
	if (ia->valid & ATTR_UID) {
		req.valid |= GOFER_SET_UID;
		req.uid = ia->uid;
	}
	if (ia->valid & ATTR_GID) {
		req.valid |= GOFER_SET_GID;
		req.gid = ia->gid;
	}
	if (ia->valid & ATTR_SIZE) {
		req.valid |= GOFER_SET_SIZE;
		req.arg = ia->size;
	}
	if (ia->valid & ATTR_ATIME) {
		req.valid |= GOFER_SET_ATIME;
		req.atime_sec = ia->atime.tv_sec;
		req.atime_nsec = ia->atime.tv_nsec;
	}
	if (ia->valid & ATTR_MTIME) {
		req.valid |= GOFER_SET_MTIME;
		req.mtime_sec = ia->mtime.tv_sec;
		req.mtime_nsec = ia->mtime.tv_nsec;
	}
	struct gofer_resp resp;
	struct gofer_stat st;	/* the attributes afterwards (gofer/protocol.h) */
	int r = req.valid ? gofer_call(&req, NULL, NULL, &resp, &st, sizeof(st), NULL) : 0;
	if (r < 0)
		return r;
	pthread_mutex_lock(&inode->lock);
	bool have = req.valid && resp.datalen == sizeof(st) && st.ino == inode->ino &&
		    (st.mode & S_IFMT) == (inode->mode & S_IFMT);
	pthread_mutex_unlock(&inode->lock);
	struct gofer_req sreq = { .op = GOFER_STAT, .fid = req.fid };
	if (have)
		goferfs_set_attrs(inode, &st);
	else if (gofer_call(&sreq, NULL, NULL, &resp, NULL, 0, NULL) == 0)
		goferfs_set_attrs(inode, &resp.st);
	if ((ia->valid & ATTR_SIZE) && S_ISREG(inode->mode))
		goferfs_cache_resize(inode, ia->size);
	return 0;
}

static ssize_t gf_readlink(struct inode *inode, char *buf, size_t len)
{
	struct gofer_inode *gi = gi_of(inode);
	pthread_mutex_lock(&inode->lock);
	char *link = gi->link;
	pthread_mutex_unlock(&inode->lock);
	if (!link) {
		char *b = malloc(PATH_MAX + 1);
		if (!b)
			return -ENOMEM;
		struct gofer_req req = { .op = GOFER_READLINK, .fid = gi->fid };
		struct gofer_resp resp;
		int r = gofer_call(&req, NULL, NULL, &resp, b, PATH_MAX, NULL);
		if (r < 0) {
			free(b);
			return r;
		}
		b[resp.datalen] = 0;
		if (memchr(b, 0, resp.datalen)) {
			free(b);
			return -EIO;
		}
		pthread_mutex_lock(&inode->lock);
		if (!gi->link)
			gi->link = b;
		else
			free(b);
		link = gi->link;
		inode->size = (int64_t)strlen(link);
		pthread_mutex_unlock(&inode->lock);
	}
	size_t n = strlen(link);
	if (n > len)
		n = len;
	memcpy(buf, link, n);
	return (ssize_t)n;
}

const struct inode_ops goferfs_file_iops = {
	.setattr = goferfs_setattr,
	.getxattr = goferfs_getxattr,
	.setxattr = goferfs_setxattr,
	.listxattr = goferfs_listxattr,
};

const struct inode_ops goferfs_link_iops = {
	.readlink = gf_readlink,
	.setattr = goferfs_setattr,
	.getxattr = goferfs_getxattr,
	.setxattr = goferfs_setxattr,
	.listxattr = goferfs_listxattr,
};

ssize_t goferfs_getxattr(struct dentry *d, const char *name, void *buf, size_t size)
{
	(void)d, (void)name, (void)buf, (void)size;
	return -ENODATA;
}

int goferfs_setxattr(struct dentry *d, const char *name, const void *value, size_t size,
		     int flags)
{
	(void)d, (void)name, (void)value, (void)size, (void)flags;
	return -EOPNOTSUPP;
}

ssize_t goferfs_listxattr(struct dentry *d, char *buf, size_t size)
{
	(void)d, (void)buf, (void)size;
	return 0;
}
