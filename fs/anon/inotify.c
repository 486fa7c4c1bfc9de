/* fs/anon/inotify.c: inotify instances (see inotify.h), after Linux's
 * fs/notify/inotify/. An instance keeps its watches (marks on inodes,
 * under the fsnotify lock) and a FIFO of events under its own lock.
 * Events are queued whole; an event equal to the last queued one (same
 * wd, mask and name) is dropped; past INOTIFY_MAX_EVENTS one
 * IN_Q_OVERFLOW (wd -1) is queued and the rest dropped until reads make
 * room. read returns whole events (EINVAL when the first does not fit),
 * blocking only before the first; FIONREAD gives the queued bytes;
 * POLLIN while the queue is not empty. Removing a watch queues
 * IN_IGNORED. */
#include "fs/anon/inotify.h"
#include "fs/vfs/file.h"
#include "fs/vfs/fsnotify.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/waitq.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

/* Linux's defaults: fs.inotify.max_queued_events and max_user_instances;
 * max_user_watches, which Linux scales with memory, is fixed here. */
#define INOTIFY_MAX_EVENTS 16384
#define INOTIFY_MAX_INSTANCES 128
#define INOTIFY_MAX_WATCHES 65536

#define EVENT_HDR ((uint32_t)sizeof(struct inotify_event))

struct ievent {
	struct ievent *next;
	int32_t wd;
	uint32_t mask, cookie;
	uint32_t len;		/* padded name length (0: none) */
	uint32_t namelen;	/* the name's own length, for merging */
	char name[];
};

struct inotify;

struct iwatch {
	struct fsnotify_mark mark;
	struct inotify *in;
	int wd;
	struct iwatch *next;	/* in->watches, under the fsnotify lock */
};

struct inotify {
	/* Watches: under the fsnotify lock. */
	struct iwatch *watches;
	int next_wd;
	/* Queue: under lock. */
	pthread_mutex_t lock;
	struct ievent *head, **tail, *last;
	int qlen;
	uint64_t qbytes;
	bool overflowed;	/* the IN_Q_OVERFLOW event is queued */
	struct waitq wq;
};

static int instances, watches;	/* sandbox-wide, atomic */
static const struct file_ops inotify_fops;

bool file_is_inotify(struct file *f)
{
	return f->ops == &inotify_fops;
}

static uint32_t padded(size_t namelen)
{
	return namelen ? (uint32_t)((namelen + 1 + EVENT_HDR - 1) / EVENT_HDR * EVENT_HDR) : 0;
}

/* Queue an event and wake readers. Any lock but in->lock may be held. */
static void queue_event(struct inotify *in, int32_t wd, uint32_t mask, uint32_t cookie,
			const char *name, size_t namelen)
{
	pthread_mutex_lock(&in->lock);
	struct ievent *e = NULL;
	if (in->qlen >= INOTIFY_MAX_EVENTS) {
		if (in->overflowed)
			goto out;
		in->overflowed = true;
		wd = -1;
		mask = IN_Q_OVERFLOW;
		cookie = 0;
		namelen = 0;
	} else if (in->last && !(in->last->mask & IN_IGNORED) && in->last->mask == mask &&
		   in->last->wd == wd && in->last->namelen == namelen &&
		   (!namelen || memcmp(in->last->name, name, namelen) == 0)) {
		goto out;	/* the same as the last one: merged */
	}
	uint32_t len = padded(namelen);
	e = calloc(1, sizeof(*e) + len);
	if (!e)
		goto out;	/* out of memory: dropped, as on a full queue */
	e->wd = wd;
	e->mask = mask;
	e->cookie = cookie;
	e->len = len;
	e->namelen = (uint32_t)namelen;
	if (namelen)
		memcpy(e->name, name, namelen);
	*in->tail = e;
	in->tail = &e->next;
	in->last = e;
	in->qlen++;
	in->qbytes += EVENT_HDR + len;
out:
	pthread_mutex_unlock(&in->lock);
	if (e)
		waitq_wake(&in->wq, POLLIN | POLLRDNORM);
}

static bool watch_event(struct fsnotify_mark *m, uint32_t mask, uint32_t cookie,
			const char *name, size_t len)
{
	struct iwatch *w = (struct iwatch *)m;
	queue_event(w->in, w->wd, mask, cookie, name, len);
	return m->mask & IN_ONESHOT;
}

/* Forget w (fsnotify lock held) and queue IN_IGNORED. */
static void watch_unlink_locked(struct iwatch *w)
{
	struct inotify *in = w->in;
	for (struct iwatch **p = &in->watches; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
	__atomic_sub_fetch(&watches, 1, __ATOMIC_RELAXED);
	queue_event(in, w->wd, IN_IGNORED, 0, NULL, 0);
}

static void watch_detached(struct fsnotify_mark *m)
{
	watch_unlink_locked((struct iwatch *)m);
}

static void watch_release(struct fsnotify_mark *m)
{
	free(m);
}

static const struct fsnotify_mark_ops watch_ops = {
	.event = watch_event,
	.detached = watch_detached,
	.release = watch_release,
};

/* The mask a watch keeps: events and the flags that shape delivery. */
#define WATCH_BITS (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK)

int inotify_add(struct file *f, struct inode *inode, uint32_t mask)
{
	struct inotify *in = f->priv;
	int r;
	fsnotify_lock();
	struct iwatch *w = (struct iwatch *)fsnotify_find_mark_locked(inode, in);
	if (w) {
		if (mask & IN_MASK_CREATE)
			r = -EEXIST;
		else {
			uint32_t nm = mask & WATCH_BITS;
			w->mark.mask = (mask & IN_MASK_ADD) ? (w->mark.mask | nm) : nm;
			r = w->wd;
		}
	} else if (__atomic_add_fetch(&watches, 1, __ATOMIC_RELAXED) > INOTIFY_MAX_WATCHES) {
		__atomic_sub_fetch(&watches, 1, __ATOMIC_RELAXED);
		r = -ENOSPC;
	} else if (!(w = calloc(1, sizeof(*w)))) {
		__atomic_sub_fetch(&watches, 1, __ATOMIC_RELAXED);
		r = -ENOMEM;
	} else {
		w->mark.ops = &watch_ops;
		w->mark.owner = in;
		w->mark.mask = mask & WATCH_BITS;
		w->in = in;
		w->wd = in->next_wd++;
		if (in->next_wd <= 0)
			in->next_wd = 1;
		w->next = in->watches;
		in->watches = w;
		fsnotify_attach_locked(&w->mark, inode);
		r = w->wd;
	}
	fsnotify_unlock();
	return r;
}

int inotify_rm(struct file *f, int wd)
{
	struct inotify *in = f->priv;
	struct inode *inode = NULL;
	fsnotify_lock();
	struct iwatch *w = in->watches;
	while (w && w->wd != wd)
		w = w->next;
	if (w) {
		inode = fsnotify_detach_locked(&w->mark);
		watch_unlink_locked(w);
	}
	fsnotify_unlock();
	if (!w)
		return -EINVAL;
	iput(inode);
	free(w);
	return 0;
}

static bool nonblocking(struct file *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
}

/* Move whole events into buf: the bytes, 0 when the queue is empty, or
 * -EINVAL when the first event does not fit. */
static ssize_t take_events(struct inotify *in, char *buf, size_t len)
{
	size_t total = 0;
	pthread_mutex_lock(&in->lock);
	while (in->head) {
		struct ievent *e = in->head;
		size_t sz = EVENT_HDR + e->len;
		if (sz > len - total) {
			if (!total)
				total = (size_t)-EINVAL;
			break;
		}
		struct inotify_event h = { e->wd, e->mask, e->cookie, e->len };
		memcpy(buf + total, &h, EVENT_HDR);
		memcpy(buf + total + EVENT_HDR, e->name, e->len);
		total += sz;
		in->head = e->next;
		if (!in->head) {
			in->tail = &in->head;
			in->last = NULL;
		}
		in->qlen--;
		in->qbytes -= sz;
		if (e->mask == IN_Q_OVERFLOW && e->wd == -1)
			in->overflowed = false;
		free(e);
	}
	pthread_mutex_unlock(&in->lock);
	return (ssize_t)total;
}

/* take_events for waitq_wait_until: nothing queued is -EAGAIN. */
struct in_try {
	struct inotify *in;
	void *buf;
	size_t len;
};

static ssize_t in_try_read(void *arg)
{
	struct in_try *t = arg;
	ssize_t r = take_events(t->in, t->buf, t->len);
	return r == 0 ? -EAGAIN : r;
}

static ssize_t in_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	struct inotify *in = f->priv;
	struct in_try t = { in, buf, len };
	ssize_t r = waitq_wait_until(&in->wq, POLLIN, *pos || nonblocking(f), in_try_read, &t);
	if (r == -EAGAIN && *pos)
		r = 0;
	if (r == -EINVAL && *pos)
		r = 0;		/* a later chunk of one read(2): what fits is done */
	if (r > 0)
		*pos += r;
	return r;
}

static uint32_t in_poll(struct file *f, struct poll_table *pt)
{
	struct inotify *in = f->priv;
	poll_wait(pt, f, &in->wq);
	pthread_mutex_lock(&in->lock);
	bool ready = in->head != NULL;
	pthread_mutex_unlock(&in->lock);
	return ready ? POLLIN | POLLRDNORM : 0;
}

static int64_t in_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	struct inotify *in = f->priv;
	if (cmd != FIONREAD)
		return -ENOTTY;
	pthread_mutex_lock(&in->lock);
	uint64_t n = in->qbytes;
	pthread_mutex_unlock(&in->lock);
	int v = n > INT32_MAX ? INT32_MAX : (int)n;
	return copy_out(t->mm, arg, &v, sizeof(v));
}

static void in_release(struct file *f)
{
	struct inotify *in = f->priv;
	/* Take every watch off its inode; no event can reach us after. */
	struct iwatch *list;
	fsnotify_lock();
	list = in->watches;
	in->watches = NULL;
	for (struct iwatch *w = list; w; w = w->next) {
		struct inode *inode = fsnotify_detach_locked(&w->mark);
		w->mark.inode = inode;	/* to drop below */
		__atomic_sub_fetch(&watches, 1, __ATOMIC_RELAXED);
	}
	fsnotify_unlock();
	while (list) {
		struct iwatch *w = list;
		list = w->next;
		iput(w->mark.inode);
		free(w);
	}
	while (in->head) {
		struct ievent *e = in->head;
		in->head = e->next;
		free(e);
	}
	waitq_destroy(&in->wq);
	pthread_mutex_destroy(&in->lock);
	free(in);
	__atomic_sub_fetch(&instances, 1, __ATOMIC_RELAXED);
}

static const struct file_ops inotify_fops = {
	.read = in_read,
	.poll = in_poll,
	.ioctl = in_ioctl,
	.stat = anon_inode_stat,
	.release = in_release,
};

int inotify_create(int flags, struct file **out)
{
	if (__atomic_add_fetch(&instances, 1, __ATOMIC_RELAXED) > INOTIFY_MAX_INSTANCES) {
		__atomic_sub_fetch(&instances, 1, __ATOMIC_RELAXED);
		return -EMFILE;
	}
	struct inotify *in = calloc(1, sizeof(*in));
	struct file *f = in ? file_new(&inotify_fops, O_RDONLY | (flags & O_NONBLOCK), in) : NULL;
	if (!f) {
		free(in);
		__atomic_sub_fetch(&instances, 1, __ATOMIC_RELAXED);
		return -ENOMEM;
	}
	pthread_mutex_init(&in->lock, NULL);
	in->tail = &in->head;
	in->next_wd = 1;
	waitq_init(&in->wq);
	*out = f;
	return 0;
}
