/* sentry/syscalls/sys_path.c: syscalls that change names: mkdir(at),
 * mknod(at), rmdir, unlink(at), rename(at, at2), link(at), symlink(at),
 * and readlink(at). */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/vfs/fs_context.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static mode_t apply_umask(struct task *t, mode_t mode)
{
	pthread_mutex_lock(&task_fs(t)->lock);
	mode &= ~task_fs(t)->umask;
	pthread_mutex_unlock(&task_fs(t)->lock);
	return mode;
}

static int64_t do_mkdirat(struct task *t, int dirfd, uint64_t upath, mode_t mode)
{
	struct at_path ap;
	int r = at_begin(t, dirfd, upath, false, &ap);
	if (r == 0)
		r = vfs_mkdir(&ap.ws, ap.name, apply_umask(t, mode & 07777));
	at_end(&ap);
	return r;
}

int64_t sys_mkdir(struct task *t, const uint64_t a[6])
{
	return do_mkdirat(t, AT_FDCWD, a[0], (mode_t)a[1]);
}

int64_t sys_mkdirat(struct task *t, const uint64_t a[6])
{
	return do_mkdirat(t, (int)a[0], a[1], (mode_t)a[2]);
}

static int64_t do_mknodat(struct task *t, int dirfd, uint64_t upath, mode_t mode, uint64_t dev)
{
	switch (mode & S_IFMT) {
	case 0:
		mode |= S_IFREG;
		break;
	case S_IFREG:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	/* The kernel's new_decode_dev of the 32-bit dev_t argument. */
	unsigned d = (unsigned)dev;
	dev_t rdev = makedev((d & 0xfff00) >> 8, (d & 0xff) | ((d >> 12) & 0xfff00));
	struct at_path ap;
	int r = at_begin(t, dirfd, upath, false, &ap);
	if (r == 0)
		r = vfs_mknod(&ap.ws, ap.name, (mode & S_IFMT) | apply_umask(t, mode & 07777), rdev);
	at_end(&ap);
	return r;
}

int64_t sys_mknod(struct task *t, const uint64_t a[6])
{
	return do_mknodat(t, AT_FDCWD, a[0], (mode_t)a[1], a[2]);
}

int64_t sys_mknodat(struct task *t, const uint64_t a[6])
{
	return do_mknodat(t, (int)a[0], a[1], (mode_t)a[2], a[3]);
}

static int64_t do_unlinkat(struct task *t, int dirfd, uint64_t upath, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	struct at_path ap;
	int r = at_begin(t, dirfd, upath, false, &ap);
	if (r == 0)
		r = (flags & AT_REMOVEDIR) ? vfs_rmdir(&ap.ws, ap.name) : vfs_unlink(&ap.ws, ap.name);
	at_end(&ap);
	return r;
}

int64_t sys_rmdir(struct task *t, const uint64_t a[6])
{
	return do_unlinkat(t, AT_FDCWD, a[0], AT_REMOVEDIR);
}

int64_t sys_unlink(struct task *t, const uint64_t a[6])
{
	return do_unlinkat(t, AT_FDCWD, a[0], 0);
}

int64_t sys_unlinkat(struct task *t, const uint64_t a[6])
{
	return do_unlinkat(t, (int)a[0], a[1], (int)a[2]);
}

static int64_t do_renameat2(struct task *t, int odfd, uint64_t oldp, int ndfd, uint64_t newp,
			    unsigned flags)
{
	struct at_path o, n;
	int r = at_begin(t, odfd, oldp, false, &o);
	int r2 = r == 0 ? at_begin(t, ndfd, newp, false, &n) : (n = (struct at_path){ 0 }, 0);
	if (r == 0)
		r = r2;
	if (r == 0)
		r = vfs_rename(&o.ws, o.name, &n.ws, n.name, flags);
	at_end(&o);
	at_end(&n);
	return r;
}

int64_t sys_rename(struct task *t, const uint64_t a[6])
{
	return do_renameat2(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

int64_t sys_renameat(struct task *t, const uint64_t a[6])
{
	return do_renameat2(t, (int)a[0], a[1], (int)a[2], a[3], 0);
}

int64_t sys_renameat2(struct task *t, const uint64_t a[6])
{
	return do_renameat2(t, (int)a[0], a[1], (int)a[2], a[3], (unsigned)a[4]);
}

static int64_t do_linkat(struct task *t, int odfd, uint64_t oldp, int ndfd, uint64_t newp,
			 int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct path old;
	int r = at_lookup(t, odfd, oldp,
			  ((flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW) |
			  (flags & AT_EMPTY_PATH), 0, &old);
	if (r < 0)
		return r;
	struct at_path n;
	r = at_begin(t, ndfd, newp, false, &n);
	if (r == 0)
		r = vfs_link(&old, &n.ws, n.name);
	at_end(&n);
	path_put(&old);
	return r;
}

int64_t sys_link(struct task *t, const uint64_t a[6])
{
	return do_linkat(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

int64_t sys_linkat(struct task *t, const uint64_t a[6])
{
	return do_linkat(t, (int)a[0], a[1], (int)a[2], a[3], (int)a[4]);
}

static int64_t do_symlinkat(struct task *t, uint64_t utarget, int dirfd, uint64_t upath)
{
	char *target = malloc(PATH_MAX);
	if (!target)
		return -ENOMEM;
	ssize_t n = copy_string_in(t->mm, target, utarget, PATH_MAX);
	int r = n < 0 ? (int)n : 0;
	struct at_path ap = { 0 };
	if (r == 0)
		r = at_begin(t, dirfd, upath, false, &ap);
	if (r == 0)
		r = vfs_symlink(target, &ap.ws, ap.name);
	at_end(&ap);
	free(target);
	return r;
}

int64_t sys_symlink(struct task *t, const uint64_t a[6])
{
	return do_symlinkat(t, a[0], AT_FDCWD, a[1]);
}

int64_t sys_symlinkat(struct task *t, const uint64_t a[6])
{
	return do_symlinkat(t, a[0], (int)a[1], a[2]);
}

static int64_t do_readlinkat(struct task *t, int dirfd, uint64_t upath, uint64_t ubuf,
			     int64_t size)
{
	if (size <= 0)
		return -EINVAL;
	struct path p;
	int r = at_lookup(t, dirfd, upath, AT_SYMLINK_NOFOLLOW, 0, &p);
	if (r < 0)
		return r;
	char *buf = malloc(PATH_MAX);
	ssize_t n = buf ? vfs_readlink(&p, buf, size < PATH_MAX ? (size_t)size : PATH_MAX) : -ENOMEM;
	path_put(&p);
	if (n > 0) {
		int c = copy_out(t->mm, ubuf, buf, (size_t)n);
		if (c < 0)
			n = c;
	}
	free(buf);
	return n;
}

int64_t sys_readlink(struct task *t, const uint64_t a[6])
{
	return do_readlinkat(t, AT_FDCWD, a[0], a[1], (int64_t)(int)a[2]);
}

int64_t sys_readlinkat(struct task *t, const uint64_t a[6])
{
	return do_readlinkat(t, (int)a[0], a[1], a[2], (int64_t)(int)a[3]);
}
