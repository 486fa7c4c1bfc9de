/* sentry/syscalls/sys_attr.c: file attributes: chmod family, chown
 * family, utimensat/utimes/utime/futimesat, truncate/ftruncate,
 * access/faccessat/faccessat2, umask. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/cred.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/fs_context.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

/* The path of an fd for attribute changes (O_PATH refused: EBADF). */
static int fd_path(struct task *t, int fd, struct path *out)
{
	struct file *f = fd_file(t, fd, false);
	if (!f)
		return -EBADF;
	int r = -EPERM;	/* host stdio: not ours to change */
	if (f->path.dentry) {
		*out = f->path;
		path_get(out);
		r = 0;
	}
	file_put(f);
	return r;
}

static int setattr_path(struct path *p, struct iattr *ia)
{
	int r = vfs_setattr(p, ia);
	path_put(p);
	return r;
}

/* --- chmod --- */

static int do_chmod(struct path *p, mode_t mode)
{
	struct iattr ia = { .valid = ATTR_MODE, .mode = mode & 07777 };
	struct inode *inode = p->dentry->inode;
	if (S_ISLNK(inode->mode)) {
		path_put(p);
		return -EOPNOTSUPP;
	}
	/* Only the owner (or CAP_FOWNER); set-group-ID needs the group
	 * (or CAP_FSETID). */
	const struct cred *c = cred_current();
	if (!cred_owner_or_capable(c, inode->uid)) {
		path_put(p);
		return -EPERM;
	}
	if (!cred_in_group(c, inode->gid) && !cred_capable(c, CAP_FSETID))
		ia.mode &= ~(mode_t)S_ISGID;
	return setattr_path(p, &ia);
}

int64_t sys_chmod(struct task *t, const uint64_t a[6])
{
	struct path p;
	int r = at_lookup(t, AT_FDCWD, a[0], 0, 0, &p);
	return r < 0 ? r : do_chmod(&p, (mode_t)a[1]);
}

int64_t sys_fchmod(struct task *t, const uint64_t a[6])
{
	struct path p;
	int r = fd_path(t, (int)a[0], &p);
	return r < 0 ? r : do_chmod(&p, (mode_t)a[1]);
}

static int64_t do_fchmodat(struct task *t, int dirfd, uint64_t upath, mode_t mode, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct path p;
	int r = at_lookup(t, dirfd, upath, flags, 0, &p);
	return r < 0 ? r : do_chmod(&p, mode);
}

int64_t sys_fchmodat(struct task *t, const uint64_t a[6])
{
	return do_fchmodat(t, (int)a[0], a[1], (mode_t)a[2], 0);
}

int64_t sys_fchmodat2(struct task *t, const uint64_t a[6])
{
	return do_fchmodat(t, (int)a[0], a[1], (mode_t)a[2], (int)a[3]);
}

/* --- chown --- */

static int do_chown(struct path *p, uint32_t uid, uint32_t gid)
{
	struct iattr ia = { 0 };
	if (uid != (uint32_t)-1) {
		ia.valid |= ATTR_UID;
		ia.uid = uid;
	}
	if (gid != (uint32_t)-1) {
		ia.valid |= ATTR_GID;
		ia.gid = gid;
	}
	/* chown clears set-user-ID and set-group-ID on non-directories. */
	struct inode *inode = p->dentry->inode;
	if (!cred_may_chown(cred_current(), inode->uid, inode->gid, uid, gid)) {
		path_put(p);
		return -EPERM;
	}
	if (ia.valid && !S_ISDIR(inode->mode) && (inode->mode & (S_ISUID | S_ISGID))) {
		ia.valid |= ATTR_MODE;
		ia.mode = inode->mode & ~S_ISUID;
		if (inode->mode & S_IXGRP)
			ia.mode &= ~S_ISGID;
	}
	return setattr_path(p, &ia);
}

int64_t sys_chown(struct task *t, const uint64_t a[6])
{
	struct path p;
	int r = at_lookup(t, AT_FDCWD, a[0], 0, 0, &p);
	return r < 0 ? r : do_chown(&p, (uint32_t)a[1], (uint32_t)a[2]);
}

int64_t sys_lchown(struct task *t, const uint64_t a[6])
{
	struct path p;
	int r = at_lookup(t, AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW, 0, &p);
	return r < 0 ? r : do_chown(&p, (uint32_t)a[1], (uint32_t)a[2]);
}

int64_t sys_fchown(struct task *t, const uint64_t a[6])
{
	struct path p;
	int r = fd_path(t, (int)a[0], &p);
	return r < 0 ? r : do_chown(&p, (uint32_t)a[1], (uint32_t)a[2]);
}

int64_t sys_fchownat(struct task *t, const uint64_t a[6])
{
	int flags = (int)a[4];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct path p;
	int r = at_lookup(t, (int)a[0], a[1], flags, 0, &p);
	return r < 0 ? r : do_chown(&p, (uint32_t)a[2], (uint32_t)a[3]);
}

/* --- times --- */

/* Set atime/mtime from ts (NULL: both now; UTIME_NOW, UTIME_OMIT). */
static int do_utimes(struct path *p, const struct timespec *ts)
{
	struct iattr ia = { .valid = ATTR_ATIME | ATTR_MTIME | ATTR_CTIME };
	struct inode *inode = p->dentry->inode;
	const struct cred *c = cred_current();
	/* Explicit times: the owner or CAP_FOWNER; "now": also a writer. */
	bool explicit = ts && ((ts[0].tv_nsec != UTIME_NOW && ts[0].tv_nsec != UTIME_OMIT) ||
			       (ts[1].tv_nsec != UTIME_NOW && ts[1].tv_nsec != UTIME_OMIT));
	bool omit = ts && ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT;
	if (!omit && !cred_owner_or_capable(c, inode->uid)) {
		int r = explicit ? -EPERM : inode_permission(inode, MAY_WRITE);
		if (r < 0) {
			path_put(p);
			return r;
		}
	}
	struct timespec now = inode_now();
	ia.atime = ia.mtime = now;
	if (ts) {
		if (ts[0].tv_nsec == UTIME_OMIT)
			ia.valid &= ~ATTR_ATIME;
		else if (ts[0].tv_nsec != UTIME_NOW)
			ia.atime = ts[0];
		if (ts[1].tv_nsec == UTIME_OMIT)
			ia.valid &= ~ATTR_MTIME;
		else if (ts[1].tv_nsec != UTIME_NOW)
			ia.mtime = ts[1];
	}
	return setattr_path(p, &ia);
}

static bool ts_valid(const struct timespec *ts)
{
	if (ts->tv_nsec == UTIME_NOW || ts->tv_nsec == UTIME_OMIT)
		return true;
	return ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000;
}

int64_t sys_utimensat(struct task *t, const uint64_t a[6])
{
	int dirfd = (int)a[0], flags = (int)a[3];
	struct timespec ts[2], *tp = NULL;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (a[2]) {
		int r = copy_in(t->mm, ts, a[2], sizeof(ts));
		if (r < 0)
			return r;
		if (!ts_valid(&ts[0]) || !ts_valid(&ts[1]))
			return -EINVAL;
		if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
			return 0;
		tp = ts;
	}
	struct path p;
	int r;
	if (!a[1]) {
		/* futimens: the path is the fd itself. */
		if (flags & AT_SYMLINK_NOFOLLOW)
			return -EINVAL;
		r = dirfd == AT_FDCWD ? -EFAULT : fd_path(t, dirfd, &p);
	} else {
		r = at_lookup(t, dirfd, a[1], flags, 0, &p);
	}
	return r < 0 ? r : do_utimes(&p, tp);
}

/* utimes/futimesat: struct timeval[2] or NULL. */
static int64_t do_futimesat(struct task *t, int dirfd, uint64_t upath, uint64_t utv)
{
	struct timespec ts[2], *tp = NULL;
	if (utv) {
		struct timeval tv[2];
		int r = copy_in(t->mm, tv, utv, sizeof(tv));
		if (r < 0)
			return r;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			ts[i].tv_sec = tv[i].tv_sec;
			ts[i].tv_nsec = tv[i].tv_usec * 1000;
		}
		tp = ts;
	}
	struct path p;
	int r = at_lookup(t, dirfd, upath, 0, 0, &p);
	return r < 0 ? r : do_utimes(&p, tp);
}

int64_t sys_utimes(struct task *t, const uint64_t a[6])
{
	return do_futimesat(t, AT_FDCWD, a[0], a[1]);
}

int64_t sys_futimesat(struct task *t, const uint64_t a[6])
{
	return do_futimesat(t, (int)a[0], a[1], a[2]);
}

int64_t sys_utime(struct task *t, const uint64_t a[6])
{
	struct timespec ts[2], *tp = NULL;
	if (a[1]) {
		struct utimbuf ub;
		int r = copy_in(t->mm, &ub, a[1], sizeof(ub));
		if (r < 0)
			return r;
		ts[0] = (struct timespec){ ub.actime, 0 };
		ts[1] = (struct timespec){ ub.modtime, 0 };
		tp = ts;
	}
	struct path p;
	int r = at_lookup(t, AT_FDCWD, a[0], 0, 0, &p);
	return r < 0 ? r : do_utimes(&p, tp);
}

/* --- truncate --- */

int64_t sys_truncate(struct task *t, const uint64_t a[6])
{
	if ((int64_t)a[1] < 0)
		return -EINVAL;
	struct path p;
	int r = at_lookup(t, AT_FDCWD, a[0], 0, 0, &p);
	if (r < 0)
		return r;
	r = vfs_truncate(&p, (int64_t)a[1]);
	path_put(&p);
	return r;
}

int64_t sys_ftruncate(struct task *t, const uint64_t a[6])
{
	if ((int64_t)a[1] < 0)
		return -EINVAL;
	struct file *f = fd_file(t, (int)a[0], false);
	if (!f)
		return -EBADF;
	int r;
	if (!f->inode || !S_ISREG(f->inode->mode) || !(f->mode & FMODE_WRITE))
		r = -EINVAL;
	else
		r = vfs_truncate(&f->path, (int64_t)a[1]);
	file_put(f);
	return r;
}

/* --- access --- */

static int64_t do_faccessat(struct task *t, int dirfd, uint64_t upath, int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct path p;
	int r = at_lookup(t, dirfd, upath, flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH), 0, &p);
	if (r < 0)
		return r;
	struct inode *inode = p.dentry->inode;
	if ((mode & W_OK) && ((p.mnt->flags & MNT_RDONLY) || p.dentry->sb->rdonly) &&
	    (S_ISREG(inode->mode) || S_ISDIR(inode->mode) || S_ISLNK(inode->mode)))
		r = -EROFS;
	/* access() asks with the real ids (AT_EACCESS: the effective ones):
	 * Linux's access_override_creds(). */
	struct cred rc = t->cred;
	if (!(flags & AT_EACCESS)) {
		rc.fsuid = rc.uid;
		rc.fsgid = rc.gid;
		if (!(rc.securebits & (1u << SECBIT_NO_SETUID_FIXUP_B)))
			rc.cap_effective = rc.uid == 0 ? rc.cap_permitted : 0;
	}
	if (r == 0)
		r = cred_permission(&rc, inode->mode, inode->uid, inode->gid,
				    ((mode & R_OK) ? MAY_READ : 0) |
				    ((mode & W_OK) ? MAY_WRITE : 0) |
				    ((mode & X_OK) ? MAY_EXEC : 0));
	path_put(&p);
	return r;
}

int64_t sys_access(struct task *t, const uint64_t a[6])
{
	return do_faccessat(t, AT_FDCWD, a[0], (int)a[1], 0);
}

int64_t sys_faccessat(struct task *t, const uint64_t a[6])
{
	return do_faccessat(t, (int)a[0], a[1], (int)a[2], 0);
}

int64_t sys_faccessat2(struct task *t, const uint64_t a[6])
{
	return do_faccessat(t, (int)a[0], a[1], (int)a[2], (int)a[3]);
}

int64_t sys_umask(struct task *t, const uint64_t a[6])
{
	pthread_mutex_lock(&task_fs(t)->lock);
	mode_t old = task_fs(t)->umask;
	task_fs(t)->umask = (mode_t)a[0] & 0777;
	pthread_mutex_unlock(&task_fs(t)->lock);
	return old;
}
