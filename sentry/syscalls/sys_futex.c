/* sentry/syscalls/sys_futex.c: futex(2). The work is in
 * sentry/kernel/futex.c. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#include <linux/futex.h>

/* futex(uaddr, op, val, timeout | val2, uaddr2, val3) */
int64_t sys_futex(struct task *t, const uint64_t a[6])
{
	int op = (int)a[1];
	int cmd = op & FUTEX_CMD_MASK;
	struct timespec ts, *timeout = NULL;
	if (a[3] && (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI ||
		     cmd == FUTEX_LOCK_PI2 || cmd == FUTEX_WAIT_REQUEUE_PI)) {
		int r = copy_in(t->mm, &ts, a[3], sizeof(ts));
		if (r < 0)
			return r;
		timeout = &ts;
	}
	return futex_op(t, a[0], op, (uint32_t)a[2], timeout, a[3], a[4], (uint32_t)a[5]);
}
