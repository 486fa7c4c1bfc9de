/* fs/vfs/waitq.h: wait queues for readiness, and the poll interface of
 * files.
 *
 * An object that can become readable or writable (a pipe, an eventfd, an
 * epoll instance, later a socket) owns a struct waitq and calls
 * waitq_wake(q, events) after each change of its readiness, with POLL*
 * bits saying what changed. A task that waits for it queues a
 * waitq_entry whose mask selects the events it cares about; an entry
 * either wakes a struct waiter (a blocked task) or calls its own func
 * (epoll's callback).
 *
 * Blocking without lost wake-ups:
 *
 *	struct waiter w;  waiter_init(&w, t);
 *	struct waitq_entry e;  waitq_entry_init(&e, &w, POLLIN | POLLHUP);
 *	waitq_add(q, &e);
 *	for (;;) {
 *		check the condition under the object's own lock; break if met;
 *		r = waiter_wait(&w, deadline);	  0: check again
 *		if (r < 0) break;		  -ERESTARTSYS / -ETIMEDOUT
 *	}
 *	waitq_remove(&e);
 *
 * The entry is queued before the condition is checked, so a change after
 * the check wakes the waiter; waiter_wait() sleeps only if no wake came
 * since the last wait, and task_block() makes signals interrupt it.
 *
 * Locks: q->lock protects the list; waking takes kernel.lock (briefly, to
 * signal the task's condition). So the order is object lock -> q->lock ->
 * kernel.lock: never queue, remove or wake with kernel.lock held. A file's
 * poll op may take the object's lock; it is called with no lock held. */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct file;
struct task;
struct waitq;

/* Poll bits beyond <poll.h>'s: the queue's owner is going away. */
#define WAITQ_POLLFREE 0x4000u

/* One blocked task. woken is under kernel.lock. */
struct waiter {
	struct task *t;
	bool woken;
};

struct waitq_entry;
/* Called under the queue's lock with the events of the wake-up. */
typedef void (*waitq_func)(struct waitq_entry *e, uint32_t events);

struct waitq_entry {
	struct waitq_entry *prev, *next;
	struct waitq *q;	/* the queue it is on, or NULL */
	uint32_t mask;		/* events that concern it */
	bool exclusive;		/* EPOLLEXCLUSIVE: one exclusive entry per wake */
	waitq_func func;	/* NULL: wake w */
	struct waiter *w;
	void *priv;		/* the owner's */
};

struct waitq {
	pthread_mutex_t lock;
	struct waitq_entry head;	/* circular list sentinel */
};

void waitq_init(struct waitq *q);
/* The queue must be empty (its users hold references to the object). */
void waitq_destroy(struct waitq *q);
void waitq_entry_init(struct waitq_entry *e, struct waiter *w, uint32_t mask);
void waitq_add(struct waitq *q, struct waitq_entry *e);
/* Remove e from its queue, if it is on one. */
void waitq_remove(struct waitq_entry *e);
/* Wake every entry whose mask meets events (of the exclusive entries,
 * only the first that matches). */
void waitq_wake(struct waitq *q, uint32_t events);

void waiter_init(struct waiter *w, struct task *t);
/* Mark w woken and signal its task. Takes kernel.lock. */
void waiter_wake(struct waiter *w);
/* Sleep until w is woken (0, possibly at once: the caller rechecks), the
 * CLOCK_MONOTONIC deadline passes (-ETIMEDOUT; NULL: none) or a signal is
 * pending (-ERESTARTSYS). Clears the woken mark. */
int waiter_wait(struct waiter *w, const struct timespec *deadline);

/* The blocking loop of a read or write on a wait queue: try(arg) first
 * without queueing; while it answers -EAGAIN and nonblock is false, queue
 * on q for mask and call it again after each wake-up. try's answer,
 * -EAGAIN (non-blocking), or -ERESTARTSYS (a signal). */
ssize_t waitq_wait_until(struct waitq *q, uint32_t mask, bool nonblock,
			 ssize_t (*try)(void *arg), void *arg);

/* What a poll op is given to queue the caller on the file's queues. NULL
 * when the caller only wants the current mask. */
struct poll_table {
	void (*queue)(struct poll_table *pt, struct file *f, struct waitq *q);
};

static inline void poll_wait(struct poll_table *pt, struct file *f, struct waitq *q)
{
	if (pt && pt->queue)
		pt->queue(pt, f, q);
}

/* The readiness of f (POLL* bits): its poll op, or always readable and
 * writable for files without one (regular files), as Linux's
 * DEFAULT_POLLMASK. */
uint32_t file_poll(struct file *f, struct poll_table *pt);
/* Can f be watched by epoll (does it have a poll op)? */
bool file_can_poll(struct file *f);
