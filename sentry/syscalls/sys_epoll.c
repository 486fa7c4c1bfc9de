/* sentry/syscalls/sys_epoll.c: epoll_create, epoll_create1, epoll_ctl,
 * epoll_wait, epoll_pwait, epoll_pwait2. The instance is
 * fs/anon/eventpoll.c; this decodes arguments, copies events and swaps
 * the signal mask of the pwait forms (restored after the handler when a
 * signal interrupts the wait, which gives EINTR, never a restart). */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/anon/eventpoll.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/epoll.h>

#define EP_MAX_EVENTS (INT_MAX / (int)sizeof(struct epoll_event))
#define NSEC 1000000000L

static int64_t do_create(struct task *t, int flags)
{
	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	struct file *f;
	int r = eventpoll_create(flags, &f);
	if (r < 0)
		return r;
	r = fdtable_install(t->files, f, 0, fd_limit(t), flags & EPOLL_CLOEXEC);
	file_put(f);
	return r;
}

int64_t sys_epoll_create(struct task *t, const uint64_t a[6])
{
	if ((int)a[0] <= 0)
		return -EINVAL;
	return do_create(t, 0);
}

int64_t sys_epoll_create1(struct task *t, const uint64_t a[6])
{
	return do_create(t, (int)a[0]);
}

int64_t sys_epoll_ctl(struct task *t, const uint64_t a[6])
{
	int epfd = (int)a[0], op = (int)a[1], fd = (int)a[2];
	struct epoll_event ev;
	if (op != EPOLL_CTL_DEL) {
		int c = copy_in(t->mm, &ev, a[3], sizeof(ev));
		if (c < 0)
			return c;
	}
	struct file *ep = fdtable_get_file(t->files, epfd);
	if (!ep)
		return -EBADF;
	struct file *target = fdtable_get_file(t->files, fd);
	int64_t r;
	if (!target)
		r = -EBADF;
	else if (!eventpoll_is(ep) || epfd == fd)
		r = -EINVAL;
	else
		r = eventpoll_ctl(ep, op, fd, target, op == EPOLL_CTL_DEL ? NULL : &ev);
	file_put(target);
	file_put(ep);
	return r;
}

static int64_t do_wait(struct task *t, int epfd, uint64_t uevents, int max,
		       const struct timespec *deadline, bool no_wait)
{
	if (max <= 0 || max > EP_MAX_EVENTS)
		return -EINVAL;
	struct file *ep = fdtable_get_file(t->files, epfd);
	if (!ep)
		return -EBADF;
	if (!eventpoll_is(ep)) {
		file_put(ep);
		return -EINVAL;
	}
	size_t n = max < 1024 ? (size_t)max : 1024;	/* at most 1024 per call */
	struct epoll_event *out = malloc(n * sizeof(*out));
	int64_t r = out ? eventpoll_wait(ep, t, out, (int)n, deadline, no_wait) : -ENOMEM;
	if (r > 0) {
		int c = copy_out(t->mm, uevents, out, (size_t)r * sizeof(*out));
		if (c < 0)
			r = c;
	}
	free(out);
	file_put(ep);
	return r;
}

static void deadline_after_ms(struct timespec *d, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, d);
	d->tv_sec += ms / 1000;
	d->tv_nsec += (ms % 1000) * 1000000L;
	if (d->tv_nsec >= NSEC) {
		d->tv_nsec -= NSEC;
		d->tv_sec++;
	}
}

/* The pwait forms' mask: set now; back now, or after the handler when
 * the wait was interrupted. */
static void sigmask_back(struct task *t, bool set, int64_t r)
{
	if (set)
		signal_mask_end(t, r == -EINTR);
}

static int64_t wait_ms(struct task *t, const uint64_t a[6], uint64_t umask, uint64_t size)
{
	int ms = (int)a[3];
	struct timespec d;
	if (ms > 0)
		deadline_after_ms(&d, ms);
	bool set;
	int64_t r = signal_mask_begin_user(t, umask, size, &set);
	if (r < 0)
		return r;
	r = do_wait(t, (int)a[0], a[1], (int)a[2], ms > 0 ? &d : NULL, ms == 0);
	sigmask_back(t, set, r);
	return r;
}

int64_t sys_epoll_wait(struct task *t, const uint64_t a[6])
{
	return wait_ms(t, a, 0, 0);
}

int64_t sys_epoll_pwait(struct task *t, const uint64_t a[6])
{
	return wait_ms(t, a, a[4], a[5]);
}

int64_t sys_epoll_pwait2(struct task *t, const uint64_t a[6])
{
	struct timespec d, ts;
	bool no_wait = false;
	if (a[3]) {
		int c = copy_in(t->mm, &ts, a[3], sizeof(ts));
		if (c < 0)
			return c;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC)
			return -EINVAL;
		no_wait = !ts.tv_sec && !ts.tv_nsec;
		clock_gettime(CLOCK_MONOTONIC, &d);
		if (ts.tv_sec > INT32_MAX * 64LL)
			ts.tv_sec = INT32_MAX * 64LL;
		d.tv_sec += ts.tv_sec;
		d.tv_nsec += ts.tv_nsec;
		if (d.tv_nsec >= NSEC) {
			d.tv_nsec -= NSEC;
			d.tv_sec++;
		}
	}
	bool set;
	int64_t r = signal_mask_begin_user(t, a[4], a[5], &set);
	if (r < 0)
		return r;
	r = do_wait(t, (int)a[0], a[1], (int)a[2], a[3] ? &d : NULL, no_wait);
	sigmask_back(t, set, r);
	return r;
}
