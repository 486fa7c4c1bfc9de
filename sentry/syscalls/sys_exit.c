/* sentry/syscalls/sys_exit.c: exit (this thread) and exit_group (every
 * thread of the process). */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"

int64_t sys_exit(struct task *t, const uint64_t a[6])
{
	task_exit_thread(t, ((int)a[0] & 0xff) << 8);
	return 0;
}

int64_t sys_exit_group(struct task *t, const uint64_t a[6])
{
	task_exit_group(t, ((int)a[0] & 0xff) << 8);
	return 0;
}
