/* sentry/syscalls/sys_fd.c: fd-table syscalls: close, close_range,
 * ioctl (FIONBIO, FIOCLEX, FIONCLEX, FIONREAD, then the file's own).
 * stat is in sys_stat.c, dup/fcntl in sys_dup.c. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

int64_t sys_close(struct task *t, const uint64_t a[6])
{
	return fdtable_close(t->files, (int)a[0]);
}

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int64_t sys_close_range(struct task *t, const uint64_t a[6])
{
	unsigned first = (unsigned)a[0], last = (unsigned)a[1], flags = (unsigned)a[2];
	if ((flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) || first > last)
		return -EINVAL;
	if ((flags & CLOSE_RANGE_UNSHARE) &&
	    __atomic_load_n(&t->files->refs, __ATOMIC_ACQUIRE) > 1) {
		/* Like unshare(CLONE_FILES): a private copy, then the range. */
		struct fdtable *n = fdtable_fork(t->files);
		if (!n)
			return -ENOMEM;
		struct fdtable *old = t->files;
		t->files = n;
		fdtable_put(old);
	}
	fdtable_close_range(t->files, first, last, flags & CLOSE_RANGE_CLOEXEC);
	return 0;
}

int64_t sys_ioctl(struct task *t, const uint64_t a[6])
{
	struct file *f = fdtable_get_file(t->files, (int)a[0]);
	if (!f)
		return -EBADF;
	if (f->mode & FMODE_PATH) {
		file_put(f);
		return -EBADF;
	}
	unsigned int cmd = (unsigned int)a[1];
	int64_t r;
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		r = fdtable_set_cloexec(t->files, (int)a[0], cmd == FIOCLEX);
		break;
	case FIONREAD:
		if (f->inode && S_ISREG(f->inode->mode)) {
			pthread_mutex_lock(&f->inode->lock);
			int64_t left = f->inode->size - f->pos;
			pthread_mutex_unlock(&f->inode->lock);
			int n = (int)left;	/* as Linux: truncated, negative past EOF */
			r = copy_out(t->mm, a[2], &n, sizeof(n));
		} else {
			r = f->ops->ioctl ? f->ops->ioctl(f, t, cmd, a[2]) : -ENOTTY;
		}
		break;
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
