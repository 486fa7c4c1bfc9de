/* fs/host/host_notify.h: readiness of host fds the sentry owns (the
 * inherited stdio when it is a pipe, tty or socket), so that guest reads
 * and writes on them block in the sentry (interruptible by signals and
 * exit) instead of in a host read(2), and poll/epoll see real readiness.
 *
 * One notifier thread, started by the first wait, waits in host
 * epoll_wait on every registered fd (EPOLLONESHOT, re-armed by each
 * waiter) and wakes the fd's wait queue.
 * Host files that epoll refuses (regular files, /dev/null) are not
 * registered: they are always ready, as on Linux. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "fs/vfs/waitq.h"

struct host_notify {
	int fd;
	bool pollable;		/* registered with the notifier */
	uint32_t want;		/* armed EPOLL* events, under the registry lock */
	struct waitq wq;	/* woken with the host events */
};

/* Register fd; pollable says whether it could be. 0 or -errno. */
int host_notify_init(struct host_notify *hn, int fd);
void host_notify_fini(struct host_notify *hn);
/* Current readiness of the host fd (POLL* bits), without blocking. */
uint32_t host_notify_ready(struct host_notify *hn, uint32_t events);
/* Ask for one wake-up of hn->wq when any of events becomes ready. */
void host_notify_arm(struct host_notify *hn, uint32_t events);
