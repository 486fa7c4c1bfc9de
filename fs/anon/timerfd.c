/* fs/anon/timerfd.c: timerfd files (see timerfd.h). The timer is a
 * callback ktimer (sentry/kernel/timer.h) that keeps the expiration count
 * under kernel.lock; its notify runs on the timer thread with kernel.lock
 * held, so readers and pollers on tfd->wq are woken through a deferwake.
 * read needs 8 bytes (EINVAL), blocks until the count is non-zero (EAGAIN
 * when non-blocking; signals interrupt it) and takes the whole count;
 * TFD_IOC_SET_TICKS sets the count. */
#include "fs/anon/timerfd.h"
#include "fs/anon/deferwake.h"
#include "fs/vfs/file.h"
#include "fs/vfs/waitq.h"
#include "sentry/kernel/errno_restart.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)

struct timerfd {
	struct ktimer *timer;
	clockid_t clock;
	struct waitq wq;
	struct deferwake dw;
};

static const struct file_ops timerfd_fops;

static struct timerfd *tfd_of(struct file *f)
{
	return f->priv;
}

bool file_is_timerfd(struct file *f)
{
	return f->ops == &timerfd_fops;
}

/* The timer thread, kernel.lock held. */
static void tfd_notify(void *arg)
{
	struct timerfd *tfd = arg;
	deferwake_post(&tfd->dw, POLLIN | POLLRDNORM);
}

/* Take the expiration count into buf, or -EAGAIN (waitq_wait_until). */
struct tfd_try {
	struct timerfd *tfd;
	void *buf;
};

static ssize_t tfd_try_read(void *arg)
{
	struct tfd_try *t = arg;
	uint64_t n = ktimer_take(t->tfd->timer);
	if (!n)
		return -EAGAIN;
	memcpy(t->buf, &n, 8);
	return 8;
}

static ssize_t tfd_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	(void)pos;
	struct timerfd *tfd = tfd_of(f);
	if (len < 8)
		return -EINVAL;
	struct tfd_try t = { tfd, buf };
	bool nonblock = __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
	return waitq_wait_until(&tfd->wq, POLLIN, nonblock, tfd_try_read, &t);
}

static uint32_t tfd_poll(struct file *f, struct poll_table *pt)
{
	struct timerfd *tfd = tfd_of(f);
	poll_wait(pt, f, &tfd->wq);
	return ktimer_count(tfd->timer) ? POLLIN | POLLRDNORM : 0;
}

/* TFD_IOC_SET_TICKS (checkpoint/restore): set the unread count. */
static int64_t tfd_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	if (cmd != TFD_IOC_SET_TICKS)
		return -ENOTTY;
	uint64_t n;
	int r = copy_in(t->mm, &n, arg, sizeof(n));
	if (r < 0)
		return r;
	if (!n)
		return -EINVAL;
	ktimer_set_count(tfd_of(f)->timer, n);
	return 0;
}

static void tfd_free(struct timerfd *tfd)
{
	if (tfd->timer)
		ktimer_free(tfd->timer);	/* no notify after this */
	deferwake_cancel(&tfd->dw);
	waitq_destroy(&tfd->wq);
	free(tfd);
}

static void tfd_release(struct file *f)
{
	tfd_free(tfd_of(f));
}

static const struct file_ops timerfd_fops = {
	.read = tfd_read,
	.poll = tfd_poll,
	.ioctl = tfd_ioctl,
	.stat = anon_inode_stat,
	.release = tfd_release,
};

int timerfd_create_file(clockid_t clock, int flags, struct file **out)
{
	switch (clock) {
	case CLOCK_REALTIME_ALARM:
		clock = CLOCK_REALTIME;
		break;
	case CLOCK_BOOTTIME_ALARM:
		clock = CLOCK_BOOTTIME;
		break;
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
		break;
	default:
		return -EINVAL;
	}
	struct timerfd *tfd = calloc(1, sizeof(*tfd));
	if (!tfd)
		return -ENOMEM;
	tfd->clock = clock;
	waitq_init(&tfd->wq);
	deferwake_init(&tfd->dw, &tfd->wq);
	tfd->timer = ktimer_new(clock, tfd_notify, tfd);
	struct file *f = tfd->timer ? file_new(&timerfd_fops, O_RDWR | (flags & O_NONBLOCK), tfd) : NULL;
	if (!f) {
		tfd_free(tfd);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

int timerfd_set(struct file *f, bool absolute, const struct ktimer_value *nv,
		struct ktimer_value *old)
{
	return ktimer_set(tfd_of(f)->timer, absolute, nv, old);
}

void timerfd_get(struct file *f, struct ktimer_value *cur)
{
	ktimer_get(tfd_of(f)->timer, cur);
}
