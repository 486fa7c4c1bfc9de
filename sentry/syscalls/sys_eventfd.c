/* sentry/syscalls/sys_eventfd.c: eventfd and eventfd2 (the object is
 * fs/anon/eventfd.c). */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "fs/anon/eventfd.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"

#include <errno.h>
#include <sys/eventfd.h>

static int64_t do_eventfd(struct task *t, unsigned int initval, int flags)
{
	if (flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	struct file *f;
	int r = eventfd_create(initval, flags, &f);
	if (r < 0)
		return r;
	r = fdtable_install(t->files, f, 0, fd_limit(t), flags & EFD_CLOEXEC);
	file_put(f);
	return r;
}

int64_t sys_eventfd(struct task *t, const uint64_t a[6])
{
	return do_eventfd(t, (unsigned int)a[0], 0);
}

int64_t sys_eventfd2(struct task *t, const uint64_t a[6])
{
	return do_eventfd(t, (unsigned int)a[0], (int)a[1]);
}
