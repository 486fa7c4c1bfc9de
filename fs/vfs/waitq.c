/* fs/vfs/waitq.c: wait queues and waiters (see waitq.h). */
#include "fs/vfs/waitq.h"
#include "fs/vfs/file.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/errno_restart.h"

#include <errno.h>
#include <poll.h>

void waitq_init(struct waitq *q)
{
	pthread_mutex_init(&q->lock, NULL);
	q->head.prev = q->head.next = &q->head;
}

void waitq_destroy(struct waitq *q)
{
	pthread_mutex_destroy(&q->lock);
}

void waitq_entry_init(struct waitq_entry *e, struct waiter *w, uint32_t mask)
{
	e->prev = e->next = NULL;
	e->q = NULL;
	e->mask = mask;
	e->exclusive = false;
	e->func = NULL;
	e->w = w;
	e->priv = NULL;
}

void waitq_add(struct waitq *q, struct waitq_entry *e)
{
	pthread_mutex_lock(&q->lock);
	e->q = q;
	e->prev = q->head.prev;
	e->next = &q->head;
	q->head.prev->next = e;
	q->head.prev = e;
	pthread_mutex_unlock(&q->lock);
}

void waitq_remove(struct waitq_entry *e)
{
	struct waitq *q = e->q;
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->prev = e->next = NULL;
	e->q = NULL;
	pthread_mutex_unlock(&q->lock);
}

void waitq_wake(struct waitq *q, uint32_t events)
{
	bool exclusive_done = false;
	pthread_mutex_lock(&q->lock);
	for (struct waitq_entry *e = q->head.next, *n; e != &q->head; e = n) {
		n = e->next;
		if (!(e->mask & events))
			continue;
		if (e->exclusive) {
			if (exclusive_done)
				continue;
			exclusive_done = true;
		}
		if (e->func)
			e->func(e, events);
		else if (e->w)
			waiter_wake(e->w);
	}
	pthread_mutex_unlock(&q->lock);
}

void waiter_init(struct waiter *w, struct task *t)
{
	w->t = t;
	w->woken = false;
}

void waiter_wake(struct waiter *w)
{
	pthread_mutex_lock(&kernel.lock);
	w->woken = true;
	pthread_cond_broadcast(&w->t->wake);
	pthread_mutex_unlock(&kernel.lock);
}

int waiter_wait(struct waiter *w, const struct timespec *deadline)
{
	int r = 0;
	pthread_mutex_lock(&kernel.lock);
	if (!w->woken)
		r = task_block(w->t, deadline);
	w->woken = false;
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

uint32_t file_poll(struct file *f, struct poll_table *pt)
{
	if (f->ops && f->ops->poll)
		return f->ops->poll(f, pt);
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

bool file_can_poll(struct file *f)
{
	return f->ops && f->ops->poll;
}

ssize_t waitq_wait_until(struct waitq *q, uint32_t mask, bool nonblock,
			 ssize_t (*try)(void *arg), void *arg)
{
	struct waiter w;
	struct waitq_entry e;
	bool queued = false;
	ssize_t r;
	for (;;) {
		r = try(arg);
		if (r != -EAGAIN || nonblock)
			break;
		if (!queued) {
			/* Queued before the next try: no wake-up is lost. */
			waiter_init(&w, current);
			waitq_entry_init(&e, &w, mask);
			waitq_add(q, &e);
			queued = true;
			continue;
		}
		int b = waiter_wait(&w, NULL);
		if (b < 0) {
			r = b;
			break;
		}
	}
	if (queued)
		waitq_remove(&e);
	return r;
}
