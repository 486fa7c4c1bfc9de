/* sentry/kernel/futex.h: futexes (see futex.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct task;

/* The futex(2) operations; timeout is a sentry copy or NULL. */
int64_t futex_op(struct task *t, uint64_t uaddr, int op, uint32_t val,
		 const struct timespec *timeout, uint64_t val2, uint64_t uaddr2, uint32_t val3);
/* Wake up to n waiters of the (shared-semantics) futex at uaddr. */
int futex_wake_addr(struct task *t, uint64_t uaddr, int n);
/* Thread exit: clear_child_tid and the robust list. */
void futex_exit(struct task *t);
