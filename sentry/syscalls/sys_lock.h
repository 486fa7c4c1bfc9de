/* sentry/syscalls/sys_lock.h: the lock commands of fcntl (sys_lock.c),
 * for sys_fcntl in sys_dup.c. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct task;

/* Is cmd one of F_GETLK, F_SETLK(W), F_OFD_GETLK, F_OFD_SETLK(W)? */
bool fcntl_is_lock_cmd(int cmd);
int64_t fcntl_lock(struct task *t, int fd, int cmd, uint64_t uflock);
