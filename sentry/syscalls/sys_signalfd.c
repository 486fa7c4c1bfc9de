/* sentry/syscalls/sys_signalfd.c: signalfd and signalfd4 (the object is
 * fs/anon/signalfd.c). fd -1 makes a new signalfd; another fd must be a
 * signalfd (EINVAL), whose mask is replaced. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/anon/signalfd.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/signalfd.h>

static int64_t do_signalfd(struct task *t, int fd, uint64_t umask, uint64_t size, int flags)
{
	if (size != sizeof(uint64_t))
		return -EINVAL;
	uint64_t mask;
	int r = copy_in(t->mm, &mask, umask, sizeof(mask));
	if (r < 0)
		return r;
	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	if (fd == -1) {
		struct file *f;
		r = signalfd_create(mask, flags & SFD_NONBLOCK ? O_NONBLOCK : 0, &f);
		if (r < 0)
			return r;
		r = fdtable_install(t->files, f, 0, fd_limit(t), flags & SFD_CLOEXEC);
		file_put(f);
		return r;
	}
	struct file *f = fd_file(t, fd, false);
	if (!f)
		return -EBADF;
	if (file_is_signalfd(f)) {
		signalfd_set_mask(f, mask);
		r = fd;
	} else {
		r = -EINVAL;
	}
	file_put(f);
	return r;
}

int64_t sys_signalfd(struct task *t, const uint64_t a[6])
{
	return do_signalfd(t, (int)a[0], a[1], a[2], 0);
}

int64_t sys_signalfd4(struct task *t, const uint64_t a[6])
{
	return do_signalfd(t, (int)a[0], a[1], a[2], (int)a[3]);
}
