/* sentry/syscalls/sys_stat.c: stat, lstat, fstat, newfstatat, statx,
 * statfs, fstatfs. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/stat.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

static int stat_path(const struct path *p, struct stat *st)
{
	inode_stat(p->dentry->inode, st);
	return 0;
}

/* stat of dirfd + path with AT_* flags; files without a path (host
 * stdio) are stat'ed through their file. */
static int stat_at(struct task *t, int dirfd, uint64_t upath, int flags, struct stat *st)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	struct at_path ap;
	int r = at_begin(t, dirfd, upath, flags & AT_EMPTY_PATH, &ap);
	if (r == 0 && ap.empty) {
		if (ap.dirf)
			r = file_stat(ap.dirf, st);
		else
			r = stat_path(&ap.ws.dir, st);
	} else if (r == 0) {
		struct path p;
		r = vfs_lookup(&ap.ws, ap.name,
			       (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &p);
		if (r == 0) {
			r = vfs_stat(&p, !(flags & AT_SYMLINK_NOFOLLOW), st);
			path_put(&p);
		}
	}
	at_end(&ap);
	return r;
}

static int64_t stat_out(struct task *t, int r, const struct stat *st, uint64_t ubuf)
{
	return r < 0 ? r : copy_out(t->mm, ubuf, st, sizeof(*st));
}

int64_t sys_stat(struct task *t, const uint64_t a[6])
{
	struct stat st;
	return stat_out(t, stat_at(t, AT_FDCWD, a[0], 0, &st), &st, a[1]);
}

int64_t sys_lstat(struct task *t, const uint64_t a[6])
{
	struct stat st;
	return stat_out(t, stat_at(t, AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW, &st), &st, a[1]);
}

int64_t sys_fstat(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_file(t, (int)a[0], true);
	if (!f)
		return -EBADF;
	struct stat st;
	int r = file_stat(f, &st);
	file_put(f);
	return stat_out(t, r, &st, a[1]);
}

int64_t sys_newfstatat(struct task *t, const uint64_t a[6])
{
	struct stat st;
	return stat_out(t, stat_at(t, (int)a[0], a[1], (int)a[3], &st), &st, a[2]);
}

static struct statx_timestamp stx_time(struct timespec ts)
{
	return (struct statx_timestamp){ .tv_sec = ts.tv_sec, .tv_nsec = (uint32_t)ts.tv_nsec };
}

int64_t sys_statx(struct task *t, const uint64_t a[6])
{
	int flags = (int)a[2];
	unsigned mask = (unsigned)a[3];
	if (mask & STATX__RESERVED)
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	struct stat st;
	int r = stat_at(t, (int)a[0], a[1], flags, &st);
	if (r < 0)
		return r;
	struct statx sx;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	sx.stx_atime = stx_time(st.st_atim);
	sx.stx_mtime = stx_time(st.st_mtim);
	sx.stx_ctime = stx_time(st.st_ctim);
	sx.stx_rdev_major = major(st.st_rdev);
	sx.stx_rdev_minor = minor(st.st_rdev);
	sx.stx_dev_major = major(st.st_dev);
	sx.stx_dev_minor = minor(st.st_dev);
	return copy_out(t->mm, a[4], &sx, sizeof(sx));
}

int64_t sys_statfs(struct task *t, const uint64_t a[6])
{
	struct path p;
	int r = at_lookup(t, AT_FDCWD, a[0], 0, 0, &p);
	if (r < 0)
		return r;
	struct statfs st;
	r = vfs_statfs(&p, &st);
	path_put(&p);
	return r < 0 ? r : copy_out(t->mm, a[1], &st, sizeof(st));
}

int64_t sys_fstatfs(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_file(t, (int)a[0], true);
	if (!f)
		return -EBADF;
	struct statfs st;
	int r;
	if (f->path.dentry) {
		r = vfs_statfs(&f->path, &st);
	} else {
		memset(&st, 0, sizeof(st));
		st.f_type = 0x50495045;	/* PIPEFS_MAGIC: host stdio is anonymous */
		st.f_bsize = 4096;
		st.f_namelen = 255;
		r = 0;
	}
	file_put(f);
	return r < 0 ? r : copy_out(t->mm, a[1], &st, sizeof(st));
}
