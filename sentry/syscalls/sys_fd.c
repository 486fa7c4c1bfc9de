/* sentry/syscalls/sys_fd.c: fd-table syscalls of the foundation: close,
 * fstat (and newfstatat with AT_EMPTY_PATH), ioctl. The VFS issue brings
 * the path-based and the dup/fcntl families. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

int64_t sys_close(struct task *t, const uint64_t a[6])
{
	return fdtable_close(t->files, (int)a[0]);
}

static int64_t fstat_to_user(struct task *t, int fd, uint64_t ubuf)
{
	struct file *f = fdtable_get_file(t->files, fd);
	if (!f)
		return -EBADF;
	struct stat st;
	int r = f->ops->stat ? f->ops->stat(f, &st) : -EINVAL;
	file_put(f);
	if (r < 0)
		return r;
	return copy_out(t->mm, ubuf, &st, sizeof(st));
}

int64_t sys_fstat(struct task *t, const uint64_t a[6])
{
	return fstat_to_user(t, (int)a[0], a[1]);
}

int64_t sys_newfstatat(struct task *t, const uint64_t a[6])
{
	int flags = (int)a[3];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	char c;
	int r = copy_in(t->mm, &c, a[1], 1);
	if (r < 0)
		return r;
	if (c != 0)
		return -ENOENT;		/* no paths before the VFS */
	if (!(flags & AT_EMPTY_PATH))
		return -ENOENT;
	return fstat_to_user(t, (int)a[0], a[2]);
}

int64_t sys_ioctl(struct task *t, const uint64_t a[6])
{
	struct file *f = fdtable_get_file(t->files, (int)a[0]);
	if (!f)
		return -EBADF;
	unsigned int cmd = (unsigned int)a[1];
	int64_t r;
	switch (cmd) {
	case FIONBIO: {
		int on;
		r = copy_in(t->mm, &on, a[2], sizeof(on));
		if (r == 0) {
			if (on)
				__atomic_or_fetch(&f->flags, O_NONBLOCK, __ATOMIC_RELAXED);
			else
				__atomic_and_fetch(&f->flags, ~O_NONBLOCK, __ATOMIC_RELAXED);
		}
		break;
	}
	default:
		r = f->ops->ioctl ? f->ops->ioctl(f, t, cmd, a[2]) : -ENOTTY;
	}
	file_put(f);
	return r;
}
