/* fs/anon/eventfd.c: eventfd files (see eventfd.h). Reads need at least
 * 8 bytes and writes exactly 8 (EINVAL otherwise, as Linux 6.x); the
 * counter is under ev->lock and waiters sleep on ev->wq (fs/vfs/waitq.h).
 * fstat shows an anonymous inode: mode 0600, no file type, as Linux. */
#include "fs/anon/eventfd.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/waitq.h"
#include "sentry/kernel/task.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

struct eventfd {
	pthread_mutex_t lock;
	uint64_t count;
	bool semaphore;
	struct waitq wq;
};

#define EFD_MAX UINT64_C(0xfffffffffffffffe)

static struct eventfd *ev_of(struct file *f)
{
	return f->priv;
}

static bool nonblocking(struct file *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
}

/* One attempt of a read or write under the lock (waitq_wait_until). */
struct ev_try {
	struct eventfd *ev;
	ssize_t (*op)(struct eventfd *ev, uint64_t *val);
	uint64_t *val;
};

static ssize_t ev_try_locked(void *arg)
{
	struct ev_try *t = arg;
	pthread_mutex_lock(&t->ev->lock);
	ssize_t r = t->op(t->ev, t->val);
	pthread_mutex_unlock(&t->ev->lock);
	return r;
}

/* Wait for mask on ev->wq until op() succeeds: its result, -EAGAIN when
 * non-blocking, or -ERESTARTSYS. op returns -EAGAIN to wait. */
static ssize_t ev_wait(struct file *f, uint32_t mask,
		       ssize_t (*op)(struct eventfd *ev, uint64_t *val), uint64_t *val)
{
	struct ev_try t = { ev_of(f), op, val };
	return waitq_wait_until(&t.ev->wq, mask, nonblocking(f), ev_try_locked, &t);
}

static ssize_t try_read(struct eventfd *ev, uint64_t *val)
{
	if (!ev->count)
		return -EAGAIN;
	*val = ev->semaphore ? 1 : ev->count;
	ev->count -= *val;
	return 8;
}

static ssize_t try_write(struct eventfd *ev, uint64_t *val)
{
	if (EFD_MAX - ev->count < *val)
		return -EAGAIN;
	ev->count += *val;
	return 8;
}

static ssize_t ev_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	(void)pos;
	if (len < 8)
		return -EINVAL;
	uint64_t val;
	ssize_t r = ev_wait(f, POLLIN, try_read, &val);
	if (r > 0) {
		memcpy(buf, &val, 8);
		waitq_wake(&ev_of(f)->wq, POLLOUT | POLLWRNORM);
	}
	return r;
}

static ssize_t ev_write(struct file *f, const void *buf, size_t len, int64_t *pos)
{
	(void)pos;
	if (len != 8)		/* Linux 6.x: exactly one counter */
		return -EINVAL;
	uint64_t val;
	memcpy(&val, buf, 8);
	if (val == UINT64_MAX)
		return -EINVAL;
	ssize_t r = ev_wait(f, POLLOUT, try_write, &val);
	if (r > 0 && val)
		waitq_wake(&ev_of(f)->wq, POLLIN | POLLRDNORM);
	return r;
}

static uint32_t ev_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *ev = ev_of(f);
	poll_wait(pt, f, &ev->wq);
	pthread_mutex_lock(&ev->lock);
	uint64_t c = ev->count;
	pthread_mutex_unlock(&ev->lock);
	uint32_t mask = 0;
	if (c > 0)
		mask |= POLLIN | POLLRDNORM;
	if (c == UINT64_MAX)
		mask |= POLLERR;
	if (c < EFD_MAX)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static void ev_release(struct file *f)
{
	struct eventfd *ev = ev_of(f);
	waitq_destroy(&ev->wq);
	pthread_mutex_destroy(&ev->lock);
	free(ev);
}

static const struct file_ops eventfd_fops = {
	.anon_name = "[eventfd]",
	.read = ev_read,
	.write = ev_write,
	.poll = ev_poll,
	.stat = anon_inode_stat,
	.release = ev_release,
};

int eventfd_create(uint64_t initval, int flags, struct file **out)
{
	struct eventfd *ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	pthread_mutex_init(&ev->lock, NULL);
	waitq_init(&ev->wq);
	ev->count = initval;
	ev->semaphore = flags & EFD_SEMAPHORE;
	struct file *f = file_new(&eventfd_fops, O_RDWR | (flags & O_NONBLOCK), ev);
	if (!f) {
		ev_release(&(struct file){ .priv = ev });
		return -ENOMEM;
	}
	*out = f;
	return 0;
}
