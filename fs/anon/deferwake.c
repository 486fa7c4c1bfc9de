/* fs/anon/deferwake.c: deferred wait queue wake-ups (see deferwake.h). One
 * helper thread serves a FIFO of posted requests under its own lock, which
 * nests inside every other lock (kernel.lock -> dw_lock). */
#include "fs/anon/deferwake.h"
#include "fs/vfs/waitq.h"

#include <pthread.h>

static pthread_mutex_t dw_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dw_cond = PTHREAD_COND_INITIALIZER;	/* work posted */
static pthread_cond_t dw_done = PTHREAD_COND_INITIALIZER;	/* one finished */
static struct deferwake *dw_head, **dw_tail = &dw_head;
static struct deferwake *dw_running;
static bool dw_started;

static void *dw_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&dw_lock);
	for (;;) {
		while (!dw_head)
			pthread_cond_wait(&dw_cond, &dw_lock);
		struct deferwake *dw = dw_head;
		dw_head = dw->next;
		if (!dw_head)
			dw_tail = &dw_head;
		dw->queued = false;
		dw->next = NULL;
		uint32_t events = dw->events;
		dw->events = 0;
		dw_running = dw;
		pthread_mutex_unlock(&dw_lock);
		waitq_wake(dw->q, events);
		pthread_mutex_lock(&dw_lock);
		dw_running = NULL;
		pthread_cond_broadcast(&dw_done);
	}
	return NULL;
}

void deferwake_init(struct deferwake *dw, struct waitq *q)
{
	dw->q = q;
	dw->events = 0;
	dw->queued = false;
	dw->next = NULL;
}

void deferwake_post(struct deferwake *dw, uint32_t events)
{
	pthread_mutex_lock(&dw_lock);
	if (!dw_started) {
		pthread_t th;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 256 << 10);
		dw_started = pthread_create(&th, &attr, dw_main, NULL) == 0;
		pthread_attr_destroy(&attr);
		if (!dw_started) {
			/* No helper: nothing can be woken late; waiters
			 * still recheck on their next wake-up or signal. */
			pthread_mutex_unlock(&dw_lock);
			return;
		}
	}
	dw->events |= events;
	if (!dw->queued) {
		dw->queued = true;
		dw->next = NULL;
		*dw_tail = dw;
		dw_tail = &dw->next;
		pthread_cond_signal(&dw_cond);
	}
	pthread_mutex_unlock(&dw_lock);
}

void deferwake_cancel(struct deferwake *dw)
{
	pthread_mutex_lock(&dw_lock);
	if (dw->queued) {
		for (struct deferwake **p = &dw_head; *p; p = &(*p)->next) {
			if (*p == dw) {
				*p = dw->next;
				if (dw_tail == &dw->next)
					dw_tail = p;
				break;
			}
		}
		dw->queued = false;
		dw->next = NULL;
	}
	while (dw_running == dw)
		pthread_cond_wait(&dw_done, &dw_lock);
	pthread_mutex_unlock(&dw_lock);
}
