/* sentry/syscalls/sys_dup.c: dup, dup2, dup3 and the fd-level fcntl
 * commands (DUPFD, GETFD/SETFD, GETFL/SETFL, GETPIPE_SZ/SETPIPE_SZ via
 * fs/pipefs); the lock commands are in sys_lock.c. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/sys_lock.h"
#include "sentry/kernel/task.h"
#include "fs/pipefs/pipe.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"

#include <errno.h>
#include <fcntl.h>

static int nofile(struct task *t)
{
	rlim_t n = t->rlim[RLIMIT_NOFILE].rlim_cur;
	return n > (1 << 20) ? 1 << 20 : (int)n;
}

static int64_t dup_min(struct task *t, int fd, int min, bool cloexec)
{
	if (min < 0 || min >= nofile(t))
		return -EINVAL;
	struct file *f = fdtable_get_file(t->files, fd);
	if (!f)
		return -EBADF;
	int r = fdtable_install(t->files, f, min, nofile(t), cloexec);
	file_put(f);
	return r;
}

int64_t sys_dup(struct task *t, const uint64_t a[6])
{
	return dup_min(t, (int)a[0], 0, false);
}

static int64_t dup_to(struct task *t, int oldfd, int newfd, bool cloexec)
{
	struct file *f = fdtable_get_file(t->files, oldfd);
	if (!f)
		return -EBADF;
	int r = fdtable_install_at(t->files, newfd, f, nofile(t), cloexec);
	file_put(f);
	return r < 0 ? r : newfd;
}

int64_t sys_dup2(struct task *t, const uint64_t a[6])
{
	int oldfd = (int)a[0], newfd = (int)a[1];
	if (oldfd == newfd) {
		struct file *f = fdtable_get_file(t->files, oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return dup_to(t, oldfd, newfd, false);
}

int64_t sys_dup3(struct task *t, const uint64_t a[6])
{
	int oldfd = (int)a[0], newfd = (int)a[1], flags = (int)a[2];
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return dup_to(t, oldfd, newfd, flags & O_CLOEXEC);
}

/* File status flags that F_SETFL may change. */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

int64_t sys_fcntl(struct task *t, const uint64_t a[6])
{
	int fd = (int)a[0], cmd = (int)a[1];
	switch (cmd) {
	case F_DUPFD:
		return dup_min(t, fd, (int)a[2], false);
	case F_DUPFD_CLOEXEC:
		return dup_min(t, fd, (int)a[2], true);
	case F_GETFD: {
		int r = fdtable_get_cloexec(t->files, fd);
		return r < 0 ? r : (r ? FD_CLOEXEC : 0);
	}
	case F_SETFD:
		return fdtable_set_cloexec(t->files, fd, a[2] & FD_CLOEXEC);
	case F_GETFL:
	case F_SETFL: {
		struct file *f = fdtable_get_file(t->files, fd);
		if (!f)
			return -EBADF;
		int64_t r = 0;
		if (cmd == F_GETFL) {
			r = __atomic_load_n(&f->flags, __ATOMIC_RELAXED);
		} else {
			int old = __atomic_load_n(&f->flags, __ATOMIC_RELAXED);
			int nf = (old & ~SETFL_MASK) | ((int)a[2] & SETFL_MASK);
			__atomic_store_n(&f->flags, nf, __ATOMIC_RELAXED);
		}
		file_put(f);
		return r;
	}
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ: {
		struct file *f = fdtable_get_file(t->files, fd);
		if (!f)
			return -EBADF;
		int64_t r = pipe_fcntl(f, cmd, a[2]);
		file_put(f);
		return r;
	}
	case F_ADD_SEALS:
	case F_GET_SEALS: {
		struct file *f = fdtable_get_file(t->files, fd);
		if (!f)
			return -EBADF;
		int64_t r = -EINVAL;
		if (!(f->mode & FMODE_PATH) && f->ops->seals)
			r = f->ops->seals(f, cmd == F_ADD_SEALS, (unsigned)a[2]);
		file_put(f);
		return r;
	}
	default: {
		if (fcntl_is_lock_cmd(cmd))
			return fcntl_lock(t, fd, cmd, a[2]);
		struct file *f = fdtable_get_file(t->files, fd);
		if (!f)
			return -EBADF;
		file_put(f);
		return -EINVAL;
	}
	}
}
