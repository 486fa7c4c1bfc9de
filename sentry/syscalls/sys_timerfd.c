/* sentry/syscalls/sys_timerfd.c: timerfd_create, timerfd_settime,
 * timerfd_gettime (the object is fs/anon/timerfd.c). Checks in Linux's
 * order: flags and the itimerspec (EINVAL) before the fd (EBADF, then
 * EINVAL for a file that is no timerfd). */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/mm/usercopy.h"
#include "fs/anon/timerfd.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/timerfd.h>

#define TFD_CREATE_FLAGS (TFD_CLOEXEC | TFD_NONBLOCK)
#define TFD_SETTIME_FLAGS (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)

int64_t sys_timerfd_create(struct task *t, const uint64_t a[6])
{
	int clock = (int)a[0], flags = (int)a[1];
	if (flags & ~TFD_CREATE_FLAGS)
		return -EINVAL;
	struct file *f;
	int r = timerfd_create_file(clock, flags & TFD_NONBLOCK ? O_NONBLOCK : 0, &f);
	if (r < 0)
		return r;
	r = fdtable_install(t->files, f, 0, fd_limit(t), flags & TFD_CLOEXEC);
	file_put(f);
	return r;
}

static bool ts_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000;
}

/* The timerfd at fd: EBADF, or EINVAL for another kind of file. */
static struct file *timerfd_at(struct task *t, int fd, int *err)
{
	struct file *f = fd_file(t, fd, false);
	*err = -EBADF;
	if (f && !file_is_timerfd(f)) {
		file_put(f);
		f = NULL;
		*err = -EINVAL;
	}
	return f;
}

static int itimerspec_out(struct task *t, uint64_t uptr, const struct ktimer_value *v)
{
	struct itimerspec its = { v->interval, v->value };
	return copy_out(t->mm, uptr, &its, sizeof(its));
}

/* timerfd_settime(int fd, int flags, const struct itimerspec *new,
 * struct itimerspec *old). TFD_TIMER_CANCEL_ON_SET is accepted: nothing
 * in the sandbox can set CLOCK_REALTIME, so no read ever gives
 * ECANCELED. */
int64_t sys_timerfd_settime(struct task *t, const uint64_t a[6])
{
	int flags = (int)a[1];
	struct itimerspec in;
	int r = copy_in(t->mm, &in, a[2], sizeof(in));
	if (r < 0)
		return r;
	if ((flags & ~TFD_SETTIME_FLAGS) || !ts_valid(&in.it_value) || !ts_valid(&in.it_interval))
		return -EINVAL;
	struct file *f = timerfd_at(t, (int)a[0], &r);
	if (!f)
		return r;
	struct ktimer_value nv = { in.it_value, in.it_interval }, old;
	r = timerfd_set(f, flags & TFD_TIMER_ABSTIME, &nv, &old);
	file_put(f);
	if (r == 0 && a[3])
		r = itimerspec_out(t, a[3], &old);
	return r;
}

int64_t sys_timerfd_gettime(struct task *t, const uint64_t a[6])
{
	int r;
	struct file *f = timerfd_at(t, (int)a[0], &r);
	if (!f)
		return r;
	struct ktimer_value cur;
	timerfd_get(f, &cur);
	file_put(f);
	return itimerspec_out(t, a[1], &cur);
}
