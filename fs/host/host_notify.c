/* fs/host/host_notify.c: the host-fd readiness notifier (see host_notify.h).
 *
 * The registry lock orders everything: the notifier thread dispatches an
 * event only while the entry is still registered, and host_notify_fini
 * unregisters under the same lock, so no event reaches a freed entry. */
#include "fs/host/host_notify.h"

#include "lib/log.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define HOST_NOTIFY_MAX 64

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct host_notify *reg[HOST_NOTIFY_MAX];
static int epfd = -1;
static bool notifier_running;

static bool registered_locked(struct host_notify *hn)
{
	for (int i = 0; i < HOST_NOTIFY_MAX; i++)
		if (reg[i] == hn)
			return true;
	return false;
}

static void rearm_locked(struct host_notify *hn)
{
	struct epoll_event ev = { .events = hn->want | EPOLLONESHOT, .data.ptr = hn };
	epoll_ctl(epfd, EPOLL_CTL_MOD, hn->fd, &ev);
}

static void *notifier_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct epoll_event ev[16];
		int n = epoll_wait(epfd, ev, 16, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_printf("host notifier: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		pthread_mutex_lock(&reg_lock);
		for (int i = 0; i < n; i++) {
			struct host_notify *hn = ev[i].data.ptr;
			if (!registered_locked(hn))
				continue;
			/* Waiters for other events stay armed; the woken
			 * ones re-arm when they wait again. */
			hn->want &= ~ev[i].events;
			if (hn->want)
				rearm_locked(hn);
			waitq_wake(&hn->wq, ev[i].events);
		}
		pthread_mutex_unlock(&reg_lock);
	}
}

static int epoll_start_locked(void)
{
	if (epfd >= 0)
		return 0;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd < 0 ? -errno : 0;
}

/* The thread, at the first wait on a host fd (most sandboxes never wait:
 * a thread made at start-up would be on every sandbox's start path). */
static void notifier_start_locked(void)
{
	if (notifier_running)
		return;
	pthread_t th;
	int r = pthread_create(&th, NULL, notifier_main, NULL);
	if (r) {
		log_printf("host notifier: no thread (%s): host fd waits are not woken",
			   strerror(r));
		return;
	}
	pthread_detach(th);
	notifier_running = true;
}

int host_notify_init(struct host_notify *hn, int fd)
{
	hn->fd = fd;
	hn->pollable = false;
	hn->want = 0;
	waitq_init(&hn->wq);
	pthread_mutex_lock(&reg_lock);
	int r = epoll_start_locked();
	int slot = -1;
	for (int i = 0; i < HOST_NOTIFY_MAX && slot < 0; i++)
		if (!reg[i])
			slot = i;
	if (r == 0 && slot >= 0) {
		struct epoll_event ev = { .events = EPOLLONESHOT, .data.ptr = hn };
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0) {
			reg[slot] = hn;
			hn->pollable = true;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	return r;
}

void host_notify_fini(struct host_notify *hn)
{
	pthread_mutex_lock(&reg_lock);
	for (int i = 0; i < HOST_NOTIFY_MAX; i++)
		if (reg[i] == hn)
			reg[i] = NULL;
	if (hn->pollable)
		epoll_ctl(epfd, EPOLL_CTL_DEL, hn->fd, NULL);
	hn->pollable = false;
	pthread_mutex_unlock(&reg_lock);
	waitq_destroy(&hn->wq);
}

uint32_t host_notify_ready(struct host_notify *hn, uint32_t events)
{
	if (!hn->pollable)
		return events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
	struct pollfd p = { .fd = hn->fd, .events = (short)events };
	int n;
	do
		n = poll(&p, 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return POLLERR;
	return (uint32_t)(uint16_t)p.revents;
}

void host_notify_arm(struct host_notify *hn, uint32_t events)
{
	pthread_mutex_lock(&reg_lock);
	if (hn->pollable) {
		notifier_start_locked();
		hn->want |= events & (EPOLLIN | EPOLLOUT | EPOLLPRI);
		rearm_locked(hn);
	}
	pthread_mutex_unlock(&reg_lock);
}
