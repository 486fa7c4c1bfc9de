/* fs/anon/eventpoll.h: epoll instances (epoll(7)).
 *
 * An epoll instance watches (fd, open file) pairs. Each watch (an epitem)
 * queues a callback on the file's wait queue (fs/vfs/waitq.h); a wake-up
 * that concerns it puts it on the ready list and wakes epoll_wait. Waits
 * re-poll ready files: level-triggered items stay ready while their file
 * is, EPOLLET items only until reported, EPOLLONESHOT items are disabled
 * after one report until EPOLL_CTL_MOD. A watch ends with EPOLL_CTL_DEL or
 * when its open file description is released (every fd closed), as Linux.
 *
 * Locks: ep->mtx serialises ctl, waits and releases; ep->lock guards the
 * ready list and is the only one taken in callbacks (under the file's
 * queue lock). Order: ep->mtx -> epoll_files_lock, and file queue lock ->
 * ep->lock -> ep->wq's lock. Nested epoll (an epoll fd in an epoll set)
 * is refused with EINVAL for now. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct file;
struct task;
struct epoll_event;

int eventpoll_create(int flags, struct file **out);
bool eventpoll_is(struct file *f);
/* EPOLL_CTL_ADD/MOD/DEL of (fd, target) with ev (NULL for DEL). */
int eventpoll_ctl(struct file *ep, int op, int fd, struct file *target,
		  const struct epoll_event *ev);
/* Wait for up to max events into out: the count, 0 on timeout, or -EINTR.
 * deadline: CLOCK_MONOTONIC, NULL for none; no_wait for a zero timeout. */
int eventpoll_wait(struct file *ep, struct task *t, struct epoll_event *out, int max,
		   const struct timespec *deadline, bool no_wait);
/* The last reference to f is going: drop every watch on it (file.c). */
void eventpoll_release_file(struct file *f);
