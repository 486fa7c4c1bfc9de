/* fs/anon/deferwake.h: waking a wait queue from code that holds
 * kernel.lock (signal sending, the timer thread, process exit).
 *
 * waitq_wake() takes kernel.lock itself (fs/vfs/waitq.h), so those paths
 * cannot call it. They call deferwake_post() instead, which only marks the
 * request and signals one helper thread (started on first use); the helper
 * runs waitq_wake(q, events) soon after, without kernel.lock. Requests for
 * the same deferwake coalesce. The waiters recheck their condition, so a
 * late or merged wake-up is harmless; a lost one cannot happen because the
 * condition changed before the post.
 *
 * A deferwake that may be freed (timerfd) is cancelled first:
 * deferwake_cancel() returns once no wake of it is pending or running. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct waitq;

struct deferwake {
	struct waitq *q;
	uint32_t events;		/* accumulated, under the helper's lock */
	bool queued;
	struct deferwake *next;
};

void deferwake_init(struct deferwake *dw, struct waitq *q);
/* Ask for waitq_wake(dw->q, events) soon. Any lock may be held. */
void deferwake_post(struct deferwake *dw, uint32_t events);
/* No wake of dw is pending or running once this returns. No lock held. */
void deferwake_cancel(struct deferwake *dw);
