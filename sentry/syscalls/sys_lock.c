/* sentry/syscalls/sys_lock.c: file locks: flock(2) and fcntl's F_GETLK,
 * F_SETLK, F_SETLKW and their F_OFD_ forms. The locks themselves live in
 * fs/vfs/lock.c. */
#include "sentry/syscalls/sys_lock.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/vfs/file.h"
#include "fs/vfs/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>

bool fcntl_is_lock_cmd(int cmd)
{
	switch (cmd) {
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return true;
	default:
		return false;
	}
}

int64_t fcntl_lock(struct task *t, int fd, int cmd, uint64_t uflock)
{
	struct file *f = fd_file(t, fd, false);
	if (!f)
		return -EBADF;
	struct flock fl;
	int64_t r = copy_in(t->mm, &fl, uflock, sizeof(fl));
	if (r < 0)
		goto out;
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	r = -EINVAL;
	if (ofd && fl.l_pid != 0)
		goto out;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && (get || fl.l_type != F_UNLCK))
		goto out;
	if (!f->inode) {
		/* Host stdio: nothing to lock, as for a file without locks. */
		goto out;
	}
	struct lock_range lr = { .type = fl.l_type };
	r = lock_range_from_flock(f, fl.l_whence, fl.l_start, fl.l_len, &lr);
	if (r < 0)
		goto out;
	if (get) {
		r = lock_posix_test(f, t->files, ofd, &lr);
		if (r < 0)
			goto out;
		fl.l_type = lr.type;
		if (lr.type != F_UNLCK) {
			fl.l_whence = SEEK_SET;
			fl.l_start = lr.start;
			fl.l_len = lr.end == INT64_MAX ? 0 : lr.end - lr.start + 1;
			fl.l_pid = lr.pid;
		}
		r = copy_out(t->mm, uflock, &fl, sizeof(fl));
		goto out;
	}
	if ((fl.l_type == F_RDLCK && !(f->mode & FMODE_READ)) ||
	    (fl.l_type == F_WRLCK && !(f->mode & FMODE_WRITE))) {
		r = -EBADF;
		goto out;
	}
	r = lock_posix_set(t, f, t->files, ofd, &lr, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
out:
	file_put(f);
	return r;
}

int64_t sys_flock(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_file(t, (int)a[0], false);
	if (!f)
		return -EBADF;
	int cmd = (int)a[1];
	int op = cmd & ~LOCK_NB;
	int64_t r;
	if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN)
		r = -EINVAL;
	else if (!f->inode)
		r = -EINVAL;
	else
		r = lock_flock(t, f, op, cmd & LOCK_NB);
	file_put(f);
	return r;
}
