/* sentry/syscalls/sys_inotify.c: inotify_init, inotify_init1,
 * inotify_add_watch, inotify_rm_watch (the instance is fs/anon/inotify.c,
 * the events come from fs/vfs/fsnotify.c). Checks in Linux's order: the
 * mask, the fd (EBADF), an inotify fd (EINVAL), then the path. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "fs/anon/inotify.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/inotify.h>

#define ALL_INOTIFY_BITS (IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | \
			  IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | \
			  IN_MASK_ADD | IN_ISDIR | IN_ONESHOT)

static int64_t do_init(struct task *t, int flags)
{
	if (flags & ~(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	struct file *f;
	int r = inotify_create(flags & IN_NONBLOCK ? O_NONBLOCK : 0, &f);
	if (r < 0)
		return r;
	r = fdtable_install(t->files, f, 0, fd_limit(t), flags & IN_CLOEXEC);
	file_put(f);
	return r;
}

int64_t sys_inotify_init(struct task *t, const uint64_t a[6])
{
	(void)a;
	return do_init(t, 0);
}

int64_t sys_inotify_init1(struct task *t, const uint64_t a[6])
{
	return do_init(t, (int)a[0]);
}

/* The inotify instance at fd: EBADF, or EINVAL for another file. */
static struct file *inotify_at(struct task *t, int fd, int *err)
{
	struct file *f = fd_file(t, fd, false);
	*err = -EBADF;
	if (f && !file_is_inotify(f)) {
		file_put(f);
		f = NULL;
		*err = -EINVAL;
	}
	return f;
}

/* inotify_add_watch(int fd, const char *path, uint32_t mask) */
int64_t sys_inotify_add_watch(struct task *t, const uint64_t a[6])
{
	uint32_t mask = (uint32_t)a[2];
	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	if (!(mask & ALL_INOTIFY_BITS) || (mask & ~ALL_INOTIFY_BITS))
		return -EINVAL;
	int r;
	struct file *f = inotify_at(t, (int)a[0], &r);
	if (!f)
		return r;
	int at_flags = (mask & IN_DONT_FOLLOW) ? AT_SYMLINK_NOFOLLOW : 0;
	unsigned lookup = (mask & IN_ONLYDIR) ? LOOKUP_DIRECTORY : 0;
	struct path p;
	r = at_lookup(t, AT_FDCWD, a[1], at_flags, lookup, &p);
	if (r == 0) {
		r = inode_permission(p.dentry->inode, MAY_READ);
		if (r == 0)
			r = inotify_add(f, p.dentry->inode, mask);
		path_put(&p);
	}
	file_put(f);
	return r;
}

int64_t sys_inotify_rm_watch(struct task *t, const uint64_t a[6])
{
	int r;
	struct file *f = inotify_at(t, (int)a[0], &r);
	if (!f)
		return r;
	r = inotify_rm(f, (int)a[1]);
	file_put(f);
	return r;
}
