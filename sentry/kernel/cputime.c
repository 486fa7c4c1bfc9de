/*
 * cputime.c: CPU time accounting by state changes (see cputime.h).
 */
#include "sentry/kernel/cputime.h"

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timekeeper.h"

#include <time.h>

/* The guest's CLOCK_MONOTONIC (the vDSO's, once calibrated; until then
 * it is the host's): CPU time measured on another clock could exceed the
 * wall time a guest measures over the same interval (the guest clock's
 * rate differs from the host's by up to a few 1/10000). */
static uint64_t now_ns(void)
{
	struct timespec ts;
	if (!timekeeper_peek(CLOCK_MONOTONIC, &ts))
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void cputime_start(struct task *t)
{
	struct task_clock *c = &t->clock;
	__atomic_store_n(&c->seq, c->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	c->state = CPU_SYS;
	c->since_ns = now_ns();
	__atomic_store_n(&c->seq, c->seq + 1, __ATOMIC_RELEASE);
}

void cputime_enter(struct task *t, enum cpu_state s)
{
	struct task_clock *c = &t->clock;
	if (c->state == s)
		return;
	uint64_t now = now_ns();
	__atomic_store_n(&c->seq, c->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	uint64_t d = now > c->since_ns ? now - c->since_ns : 0;
	if (c->state == CPU_USER)
		c->total.user_ns += d;
	else if (c->state == CPU_SYS)
		c->total.sys_ns += d;
	c->state = s;
	c->since_ns = now;
	__atomic_store_n(&c->seq, c->seq + 1, __ATOMIC_RELEASE);
}

void task_cputime(struct task *t, struct cputime *out)
{
	const struct task_clock *c = &t->clock;
	unsigned seq;
	enum cpu_state state;
	uint64_t since;
	do {
		while ((seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE)) & 1)
			;
		*out = c->total;
		state = c->state;
		since = c->since_ns;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (__atomic_load_n(&c->seq, __ATOMIC_RELAXED) != seq);
	if (state == CPU_IDLE || t->thread_dead)
		return;
	uint64_t now = now_ns();
	uint64_t d = now > since ? now - since : 0;
	if (state == CPU_USER)
		out->user_ns += d;
	else
		out->sys_ns += d;
}

void tgroup_cputime_locked(struct task *t, struct cputime *out)
{
	*out = t->tg->dead_threads;
	for (struct task *p = kernel.tasks; p; p = p->next) {
		if (p->tg != t->tg || p->thread_dead)
			continue;
		struct cputime one;
		task_cputime(p, &one);
		cputime_add(out, &one);
	}
}

void tgroup_children_cputime_locked(struct task *t, struct cputime *out)
{
	*out = t->tg->children;
}

void cputime_thread_exit_locked(struct task *t)
{
	struct cputime one;
	task_cputime(t, &one);
	cputime_add(&t->tg->dead_threads, &one);
}

void cputime_reap_locked(struct task *reaper, struct task *child)
{
	struct cputime all;
	tgroup_cputime_locked(child, &all);
	cputime_add(&all, &child->tg->children);
	cputime_add(&reaper->tg->children, &all);
}
