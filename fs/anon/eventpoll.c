/* fs/anon/eventpoll.c: epoll instances (see eventpoll.h). */
#include "fs/anon/eventpoll.h"
#include "fs/vfs/file.h"
#include "fs/vfs/waitq.h"
#include "sentry/kernel/task.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EP_POLL_BITS 0xffffu	/* the POLL* bits of a wake-up */

struct eventpoll;

struct epitem {
	struct eventpoll *ep;
	struct file *f;		/* not referenced: released via the hook */
	int fd;
	uint32_t events;	/* as asked, with EPOLLERR | EPOLLHUP */
	uint64_t data;
	struct waitq_entry e;
	bool queued_once;	/* its entry is on the file's queue */
	bool ready;		/* on the ready list (under ep->lock) */
	struct epitem *next;	/* ep->items, under ep->mtx */
	struct epitem *rnext;	/* ready list */
	struct epitem *fnext;	/* f->epitems, under epoll_files_lock */
};

struct eventpoll {
	int refs;		/* the file, and releases in progress */
	pthread_mutex_t mtx;
	pthread_mutex_t lock;
	struct epitem *items;
	struct epitem *ready, **ready_tail;
	struct waitq wq;
};

static pthread_mutex_t epoll_files_lock = PTHREAD_MUTEX_INITIALIZER;

static void ep_get(struct eventpoll *ep)
{
	__atomic_add_fetch(&ep->refs, 1, __ATOMIC_RELAXED);
}

static void ep_put(struct eventpoll *ep)
{
	if (__atomic_sub_fetch(&ep->refs, 1, __ATOMIC_ACQ_REL))
		return;
	waitq_destroy(&ep->wq);
	pthread_mutex_destroy(&ep->lock);
	pthread_mutex_destroy(&ep->mtx);
	free(ep);
}

/* Ready list; ep->lock held. */
static void ready_add_locked(struct eventpoll *ep, struct epitem *it)
{
	if (it->ready)
		return;
	it->ready = true;
	it->rnext = NULL;
	*ep->ready_tail = it;
	ep->ready_tail = &it->rnext;
}

static void ready_remove_locked(struct eventpoll *ep, struct epitem *it)
{
	if (!it->ready)
		return;
	for (struct epitem **p = &ep->ready; *p; p = &(*p)->rnext) {
		if (*p == it) {
			*p = it->rnext;
			if (ep->ready_tail == &it->rnext)
				ep->ready_tail = p;
			break;
		}
	}
	it->ready = false;
}

/* The file's queue woke: under that queue's lock. */
static void ep_callback(struct waitq_entry *e, uint32_t events)
{
	struct epitem *it = e->priv;
	struct eventpoll *ep = it->ep;
	uint32_t ev = events & EP_POLL_BITS;
	if (!(it->events & ~EP_PRIVATE_BITS))
		return;		/* disabled by EPOLLONESHOT */
	if (ev && !(ev & it->events))
		return;
	pthread_mutex_lock(&ep->lock);
	ready_add_locked(ep, it);
	pthread_mutex_unlock(&ep->lock);
	waitq_wake(&ep->wq, POLLIN | POLLRDNORM);
}

struct ep_pt {
	struct poll_table pt;
	struct epitem *it;
};

static void ep_queue(struct poll_table *pt, struct file *f, struct waitq *q)
{
	(void)f;
	struct epitem *it = ((struct ep_pt *)pt)->it;
	if (it->queued_once)
		return;		/* one queue per file is all we follow */
	it->queued_once = true;
	waitq_add(q, &it->e);
}

/* Current readiness of it's file, as it asks; ep->mtx held. */
static uint32_t item_poll(struct epitem *it, struct poll_table *pt)
{
	return file_poll(it->f, pt) & it->events & ~EP_PRIVATE_BITS;
}

/* Unhook it from its file and its ep and free it; ep->mtx held. */
static void item_free(struct eventpoll *ep, struct epitem *it, bool unlink_file)
{
	if (unlink_file) {
		pthread_mutex_lock(&epoll_files_lock);
		for (struct epitem **p = &it->f->epitems; *p; p = &(*p)->fnext) {
			if (*p == it) {
				*p = it->fnext;
				break;
			}
		}
		pthread_mutex_unlock(&epoll_files_lock);
	}
	waitq_remove(&it->e);	/* no callback runs past this */
	pthread_mutex_lock(&ep->lock);
	ready_remove_locked(ep, it);
	pthread_mutex_unlock(&ep->lock);
	for (struct epitem **p = &ep->items; *p; p = &(*p)->next) {
		if (*p == it) {
			*p = it->next;
			break;
		}
	}
	free(it);
}

static struct epitem *item_find(struct eventpoll *ep, int fd, struct file *f)
{
	for (struct epitem *it = ep->items; it; it = it->next)
		if (it->fd == fd && it->f == f)
			return it;
	return NULL;
}

static struct eventpoll *ep_of(struct file *f)
{
	return f->priv;
}

static uint32_t ep_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = ep_of(f);
	poll_wait(pt, f, &ep->wq);
	pthread_mutex_lock(&ep->lock);
	bool any = ep->ready != NULL;
	pthread_mutex_unlock(&ep->lock);
	return any ? POLLIN | POLLRDNORM : 0;
}

static void ep_release(struct file *f)
{
	struct eventpoll *ep = ep_of(f);
	pthread_mutex_lock(&ep->mtx);
	while (ep->items)
		item_free(ep, ep->items, true);
	pthread_mutex_unlock(&ep->mtx);
	ep_put(ep);
}

static const struct file_ops eventpoll_fops = {
	.anon_name = "[eventpoll]",
	.poll = ep_poll,
	.release = ep_release,
};

bool eventpoll_is(struct file *f)
{
	return f->ops == &eventpoll_fops;
}

int eventpoll_create(int flags, struct file **out)
{
	(void)flags;	/* EPOLL_CLOEXEC is the fd's */
	struct eventpoll *ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	ep->refs = 1;
	pthread_mutex_init(&ep->mtx, NULL);
	pthread_mutex_init(&ep->lock, NULL);
	ep->ready_tail = &ep->ready;
	waitq_init(&ep->wq);
	struct file *f = file_new(&eventpoll_fops, O_RDWR, ep);
	if (!f) {
		ep_put(ep);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

#define EXCLUSIVE_OK_BITS (EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM | \
			   EPOLLWRBAND | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | \
			   EPOLLEXCLUSIVE | EPOLLPRI | EPOLLRDHUP | EPOLLMSG)

static int ep_add(struct eventpoll *ep, int fd, struct file *target, const struct epoll_event *ev)
{
	if (item_find(ep, fd, target))
		return -EEXIST;
	struct epitem *it = calloc(1, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->f = target;
	it->fd = fd;
	it->events = ev->events | EPOLLERR | EPOLLHUP;
	it->data = ev->data.u64;
	waitq_entry_init(&it->e, NULL, ~0u);
	it->e.func = ep_callback;
	it->e.priv = it;
	it->e.exclusive = ev->events & EPOLLEXCLUSIVE;
	it->next = ep->items;
	ep->items = it;
	pthread_mutex_lock(&epoll_files_lock);
	it->fnext = target->epitems;
	target->epitems = it;
	pthread_mutex_unlock(&epoll_files_lock);
	struct ep_pt pt = { .pt = { .queue = ep_queue }, .it = it };
	if (item_poll(it, &pt.pt)) {
		pthread_mutex_lock(&ep->lock);
		ready_add_locked(ep, it);
		pthread_mutex_unlock(&ep->lock);
		waitq_wake(&ep->wq, POLLIN | POLLRDNORM);
	}
	return 0;
}

static int ep_mod(struct eventpoll *ep, struct epitem *it, const struct epoll_event *ev)
{
	if (it->e.exclusive)
		return -EINVAL;
	/* Publish the new mask before the poll, as Linux (the callback reads it). */
	pthread_mutex_lock(&ep->lock);
	it->events = ev->events | EPOLLERR | EPOLLHUP;
	it->data = ev->data.u64;
	pthread_mutex_unlock(&ep->lock);
	if (item_poll(it, NULL)) {
		pthread_mutex_lock(&ep->lock);
		ready_add_locked(ep, it);
		pthread_mutex_unlock(&ep->lock);
		waitq_wake(&ep->wq, POLLIN | POLLRDNORM);
	}
	return 0;
}

int eventpoll_ctl(struct file *epf, int op, int fd, struct file *target,
		  const struct epoll_event *ev)
{
	struct eventpoll *ep = ep_of(epf);
	if (!file_can_poll(target))
		return -EPERM;
	if (target == epf || eventpoll_is(target))
		return -EINVAL;
	if (ev && (ev->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD && (ev->events & ~EXCLUSIVE_OK_BITS))
			return -EINVAL;
	}
	pthread_mutex_lock(&ep->mtx);
	struct epitem *it = item_find(ep, fd, target);
	int r;
	switch (op) {
	case EPOLL_CTL_ADD:
		r = ep_add(ep, fd, target, ev);
		break;
	case EPOLL_CTL_MOD:
		r = it ? ep_mod(ep, it, ev) : -ENOENT;
		break;
	case EPOLL_CTL_DEL:
		r = it ? 0 : -ENOENT;
		if (it)
			item_free(ep, it, true);
		break;
	default:
		r = -EINVAL;
	}
	pthread_mutex_unlock(&ep->mtx);
	return r;
}

/* Report ready items into out; ep->mtx held (so no item is freed). The
 * ready list is taken into an array first: callbacks may queue the same
 * items again meanwhile. */
static int ep_send_events(struct eventpoll *ep, struct epoll_event *out, int max)
{
	size_t cnt = 0, cap = 0;
	struct epitem **list = NULL;
	pthread_mutex_lock(&ep->lock);
	for (struct epitem *it = ep->ready; it; it = it->rnext)
		cap++;
	list = cap ? malloc(cap * sizeof(*list)) : NULL;
	if (cap && !list) {
		pthread_mutex_unlock(&ep->lock);
		return -ENOMEM;
	}
	for (struct epitem *it = ep->ready; it; it = it->rnext) {
		list[cnt++] = it;
		it->ready = false;
	}
	ep->ready = NULL;
	ep->ready_tail = &ep->ready;
	pthread_mutex_unlock(&ep->lock);
	int n = 0;
	for (size_t i = 0; i < cnt; i++) {
		struct epitem *it = list[i];
		if (n >= max)
			continue;	/* no room: stays in list[], requeued */
		uint32_t m = item_poll(it, NULL);
		if (!m) {
			list[i] = NULL;
			continue;
		}
		out[n].events = m;
		out[n].data.u64 = it->data;
		n++;
		if (it->events & EPOLLONESHOT) {
			it->events &= EP_PRIVATE_BITS;
			list[i] = NULL;
		} else if (it->events & EPOLLET) {
			list[i] = NULL;
		}	/* level-triggered: look again next time */
	}
	pthread_mutex_lock(&ep->lock);
	for (size_t i = 0; i < cnt; i++)
		if (list[i])
			ready_add_locked(ep, list[i]);
	pthread_mutex_unlock(&ep->lock);
	free(list);
	return n;
}

int eventpoll_wait(struct file *epf, struct task *t, struct epoll_event *out, int max,
		   const struct timespec *deadline, bool no_wait)
{
	struct eventpoll *ep = ep_of(epf);
	struct waiter w;
	struct waitq_entry e;
	waiter_init(&w, t);
	waitq_entry_init(&e, &w, POLLIN);
	waitq_add(&ep->wq, &e);
	int r;
	for (;;) {
		pthread_mutex_lock(&ep->mtx);
		r = ep_send_events(ep, out, max);
		pthread_mutex_unlock(&ep->mtx);
		if (r || no_wait)
			break;
		int b = waiter_wait(&w, deadline);
		if (b == -ETIMEDOUT) {
			no_wait = true;	/* one last look */
		} else if (b < 0) {
			r = -EINTR;
			break;
		}
	}
	waitq_remove(&e);
	return r;
}

void eventpoll_release_file(struct file *f)
{
	for (;;) {
		pthread_mutex_lock(&epoll_files_lock);
		struct epitem *first = f->epitems;
		struct eventpoll *ep = first ? first->ep : NULL;
		if (ep)
			ep_get(ep);
		pthread_mutex_unlock(&epoll_files_lock);
		if (!ep)
			return;
		pthread_mutex_lock(&ep->mtx);
		/* The watch may have gone meanwhile: look again under the lock. */
		pthread_mutex_lock(&epoll_files_lock);
		struct epitem *it = NULL;
		for (struct epitem **p = &f->epitems; *p; p = &(*p)->fnext) {
			if ((*p)->ep == ep) {
				it = *p;
				*p = it->fnext;
				break;
			}
		}
		pthread_mutex_unlock(&epoll_files_lock);
		if (it)
			item_free(ep, it, false);
		pthread_mutex_unlock(&ep->mtx);
		ep_put(ep);
	}
}
