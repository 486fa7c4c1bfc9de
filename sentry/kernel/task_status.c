/* sentry/kernel/task_status.c: a task's state for procfs (see
 * task_status.h). */
#include "sentry/kernel/task_status.h"
#include "sentry/kernel/task.h"

#include <signal.h>
#include <string.h>

char task_state_char(struct task *t)
{
	pthread_mutex_lock(&kernel.lock);
	char c = 'R';
	if (t->zombie)
		c = 'Z';
	else if (t->stopped || (t->tg->stopped && !t->thread_dead))
		c = 'T';
	else if (t->sleeping)
		c = 'S';
	pthread_mutex_unlock(&kernel.lock);
	return c;
}

void task_sigsets_get(struct task *t, struct task_sigsets *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&kernel.lock);
	out->pending = t->sig_pending;
	out->shared = t->tg->shared_pending;
	out->blocked = t->sigmask;
	for (int i = 0; i < KSIG_MAX; i++) {
		uint64_t h = t->sigactions[i].handler;
		if (h == (uint64_t)SIG_IGN)
			out->ignored |= 1ULL << i;
		else if (h != (uint64_t)SIG_DFL)
			out->caught |= 1ULL << i;
	}
	pthread_mutex_unlock(&kernel.lock);
}
