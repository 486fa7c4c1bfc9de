/* sentry/syscalls/sys_pipe.c: pipe and pipe2. The pipe itself is
 * fs/pipefs; this installs its two ends and copies the fds out. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/pipefs/pipe.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"

#include <errno.h>
#include <fcntl.h>

static int64_t do_pipe2(struct task *t, uint64_t ufds, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	struct file *files[2];
	int r = pipe_create(flags, files);
	if (r < 0)
		return r;
	bool cloexec = flags & O_CLOEXEC;
	int fds[2] = { -1, -1 };
	fds[0] = fdtable_install(t->files, files[0], 0, fd_limit(t), cloexec);
	if (fds[0] >= 0)
		fds[1] = fdtable_install(t->files, files[1], 0, fd_limit(t), cloexec);
	file_put(files[0]);
	file_put(files[1]);
	if (fds[1] < 0) {
		r = fds[0] < 0 ? fds[0] : fds[1];
		if (fds[0] >= 0)
			fdtable_close(t->files, fds[0]);
		return r;
	}
	r = copy_out(t->mm, ufds, fds, sizeof(fds));
	if (r < 0) {
		fdtable_close(t->files, fds[0]);
		fdtable_close(t->files, fds[1]);
		return r;
	}
	return 0;
}

int64_t sys_pipe(struct task *t, const uint64_t a[6])
{
	return do_pipe2(t, a[0], 0);
}

int64_t sys_pipe2(struct task *t, const uint64_t a[6])
{
	return do_pipe2(t, a[0], (int)a[1]);
}
