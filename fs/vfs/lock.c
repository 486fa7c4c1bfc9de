/* fs/vfs/lock.c: POSIX, OFD and flock locks per inode (see lock.h).
 *
 * Every inode's locks are one singly linked list, under one mutex for the
 * whole sandbox (lock traffic is light and this keeps deadlock detection,
 * which looks across inodes, simple). Blocked requests sleep on one wait
 * queue that every change wakes; each then rechecks its own inode. */
#include "fs/vfs/lock.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/waitq.h"
#include "sentry/kernel/errno_restart.h"
#include "sentry/kernel/task.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/file.h>

enum lock_kind { LK_POSIX, LK_FLOCK };

struct file_lock {
	struct file_lock *next;
	enum lock_kind kind;
	short type;		/* F_RDLCK, F_WRLCK */
	int64_t start, end;	/* inclusive */
	const void *owner;	/* fdtable (POSIX), file (OFD, flock) */
	int pid;		/* -1 for OFD and flock */
};

/* A blocked POSIX F_SETLKW: owner waits for blocker (deadlock checks). */
struct lock_waiter {
	struct lock_waiter *next;
	const void *owner, *blocker;
};

static pthread_mutex_t lock_mu = PTHREAD_MUTEX_INITIALIZER;
static struct lock_waiter *posix_waiters;
static struct waitq lock_wq;
static pthread_once_t lock_wq_once = PTHREAD_ONCE_INIT;

static void lock_wq_init(void)
{
	waitq_init(&lock_wq);
}

static struct waitq *wq(void)
{
	pthread_once(&lock_wq_once, lock_wq_init);
	return &lock_wq;
}

static void wake_all(void)
{
	waitq_wake(wq(), POLLIN);
}

int lock_range_from_flock(struct file *f, int whence, int64_t start, int64_t len,
			  struct lock_range *out)
{
	int64_t base;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = __atomic_load_n(&f->pos, __ATOMIC_RELAXED);
		break;
	case SEEK_END:
		pthread_mutex_lock(&f->inode->lock);
		base = f->inode->size;
		pthread_mutex_unlock(&f->inode->lock);
		break;
	default:
		return -EINVAL;
	}
	if (start > INT64_MAX - base)
		return -EOVERFLOW;
	start += base;
	if (start < 0)
		return -EINVAL;
	int64_t end;
	if (len > 0) {
		if (len - 1 > INT64_MAX - start)
			return -EOVERFLOW;
		end = start + len - 1;
	} else if (len < 0) {
		end = start - 1;
		if (start + len < 0)
			return -EINVAL;
		start += len;
	} else {
		end = INT64_MAX;
	}
	out->start = start;
	out->end = end;
	return 0;
}

static bool overlaps(const struct file_lock *l, int64_t start, int64_t end)
{
	return l->start <= end && start <= l->end;
}

/* The first lock of another owner that conflicts with the request. */
static struct file_lock *posix_conflict(struct inode *inode, const void *owner,
					const struct lock_range *req)
{
	for (struct file_lock *l = inode->locks; l; l = l->next) {
		if (l->kind != LK_POSIX || l->owner == owner ||
		    !overlaps(l, req->start, req->end))
			continue;
		if (l->type == F_WRLCK || req->type == F_WRLCK)
			return l;
	}
	return NULL;
}

int lock_posix_test(struct file *f, struct fdtable *files, bool ofd, struct lock_range *req)
{
	const void *owner = ofd ? (const void *)f : (const void *)files;
	pthread_mutex_lock(&lock_mu);
	struct file_lock *l = posix_conflict(f->inode, owner, req);
	if (l) {
		req->type = l->type;
		req->start = l->start;
		req->end = l->end;
		req->pid = l->pid;
	} else {
		req->type = F_UNLCK;
	}
	pthread_mutex_unlock(&lock_mu);
	return 0;
}

/* Would owner waiting for blocker close a cycle of POSIX waiters? */
static bool posix_deadlock(const void *owner, const void *blocker)
{
	for (int depth = 0; depth < 10; depth++) {
		if (blocker == owner)
			return true;
		const void *next = NULL;
		for (struct lock_waiter *w = posix_waiters; w; w = w->next) {
			if (w->owner == blocker) {
				next = w->blocker;
				break;
			}
		}
		if (!next)
			return false;
		blocker = next;
	}
	return false;
}

static void unlink_lock(struct inode *inode, struct file_lock *victim)
{
	for (struct file_lock **pp = &inode->locks; *pp; pp = &(*pp)->next) {
		if (*pp == victim) {
			*pp = victim->next;
			free(victim);
			return;
		}
	}
}

/* Apply req for owner: no conflict remains. spare1/spare2 are
 * preallocated nodes (taken when used: set to NULL). */
static void posix_apply(struct inode *inode, const void *owner, int pid,
			const struct lock_range *req, struct file_lock **spare1,
			struct file_lock **spare2)
{
	int64_t s = req->start, e = req->end;
	/* Carve [s, e] out of the owner's locks. */
	for (struct file_lock *l = inode->locks, *next; l; l = next) {
		next = l->next;
		if (l->kind != LK_POSIX || l->owner != owner || !overlaps(l, s, e))
			continue;
		if (l->start < s && l->end > e) {
			struct file_lock *tail = *spare1;
			*spare1 = NULL;
			*tail = *l;
			tail->start = e + 1;
			l->end = s - 1;
			l->next = tail;
			next = tail->next;
		} else if (l->start < s) {
			l->end = s - 1;
		} else if (l->end > e) {
			l->start = e + 1;
		} else {
			unlink_lock(inode, l);
		}
	}
	if (req->type == F_UNLCK)
		return;
	/* Merge with adjacent locks of the owner and type. */
	for (struct file_lock *l = inode->locks, *next; l; l = next) {
		next = l->next;
		if (l->kind != LK_POSIX || l->owner != owner || l->type != req->type)
			continue;
		if ((l->end != INT64_MAX && l->end + 1 == s) ||
		    (e != INT64_MAX && e + 1 == l->start)) {
			if (l->start < s)
				s = l->start;
			if (l->end > e)
				e = l->end;
			unlink_lock(inode, l);
		}
	}
	struct file_lock *n = *spare2;
	*spare2 = NULL;
	*n = (struct file_lock){ .next = inode->locks, .kind = LK_POSIX, .type = req->type,
				 .start = s, .end = e, .owner = owner, .pid = pid };
	inode->locks = n;
}

int lock_posix_set(struct task *t, struct file *f, struct fdtable *files, bool ofd,
		   const struct lock_range *req, bool wait)
{
	struct inode *inode = f->inode;
	const void *owner = ofd ? (const void *)f : (const void *)files;
	int pid = ofd ? -1 : t->tgid;
	struct file_lock *spare1 = malloc(sizeof(*spare1));
	struct file_lock *spare2 = malloc(sizeof(*spare2));
	if (!spare1 || !spare2) {
		free(spare1);
		free(spare2);
		return -ENOMEM;
	}
	struct waiter w;
	struct waitq_entry e;
	struct lock_waiter lw = { .owner = owner };
	bool queued = false, listed = false;
	int r;
	for (;;) {
		pthread_mutex_lock(&lock_mu);
		if (listed) {
			for (struct lock_waiter **pp = &posix_waiters; *pp; pp = &(*pp)->next) {
				if (*pp == &lw) {
					*pp = lw.next;
					break;
				}
			}
			listed = false;
		}
		struct file_lock *c = req->type == F_UNLCK ? NULL
							    : posix_conflict(inode, owner, req);
		if (!c) {
			posix_apply(inode, owner, pid, req, &spare1, &spare2);
			pthread_mutex_unlock(&lock_mu);
			r = 0;
			break;
		}
		if (!wait) {
			pthread_mutex_unlock(&lock_mu);
			r = -EAGAIN;
			break;
		}
		if (!ofd && c->pid != -1 && posix_deadlock(owner, c->owner)) {
			pthread_mutex_unlock(&lock_mu);
			r = -EDEADLK;
			break;
		}
		if (!queued) {
			/* Queue first, then look again: no wake-up is lost. */
			pthread_mutex_unlock(&lock_mu);
			waiter_init(&w, t);
			waitq_entry_init(&e, &w, POLLIN);
			waitq_add(wq(), &e);
			queued = true;
			continue;
		}
		if (!ofd) {
			lw.blocker = c->owner;
			lw.next = posix_waiters;
			posix_waiters = &lw;
			listed = true;
		}
		pthread_mutex_unlock(&lock_mu);
		r = waiter_wait(&w, NULL);
		if (r < 0)
			break;
	}
	if (listed) {
		pthread_mutex_lock(&lock_mu);
		for (struct lock_waiter **pp = &posix_waiters; *pp; pp = &(*pp)->next) {
			if (*pp == &lw) {
				*pp = lw.next;
				break;
			}
		}
		pthread_mutex_unlock(&lock_mu);
	}
	if (queued)
		waitq_remove(&e);
	free(spare1);
	free(spare2);
	if (r == 0)
		wake_all();
	return r;
}

static struct file_lock *flock_find(struct inode *inode, const struct file *f)
{
	for (struct file_lock *l = inode->locks; l; l = l->next)
		if (l->kind == LK_FLOCK && l->owner == f)
			return l;
	return NULL;
}

static bool flock_conflict(struct inode *inode, const struct file *f, short type)
{
	for (struct file_lock *l = inode->locks; l; l = l->next)
		if (l->kind == LK_FLOCK && l->owner != f &&
		    (l->type == F_WRLCK || type == F_WRLCK))
			return true;
	return false;
}

int lock_flock(struct task *t, struct file *f, int op, bool nonblock)
{
	struct inode *inode = f->inode;
	if (!inode)
		return -EINVAL;
	short type = op == LOCK_SH ? F_RDLCK : op == LOCK_EX ? F_WRLCK : F_UNLCK;
	struct file_lock *n = NULL;
	if (type != F_UNLCK && !(n = malloc(sizeof(*n))))
		return -ENOMEM;
	struct waiter w;
	struct waitq_entry e;
	bool queued = false, changed = false;
	int r;
	for (;;) {
		pthread_mutex_lock(&lock_mu);
		/* As Linux: a conversion drops the old lock first. */
		struct file_lock *old = flock_find(inode, f);
		if (old && old->type == type) {
			pthread_mutex_unlock(&lock_mu);
			r = 0;
			break;
		}
		if (old) {
			unlink_lock(inode, old);
			changed = true;
		}
		if (type == F_UNLCK) {
			pthread_mutex_unlock(&lock_mu);
			r = 0;
			break;
		}
		if (!flock_conflict(inode, f, type)) {
			*n = (struct file_lock){ .next = inode->locks, .kind = LK_FLOCK,
						 .type = type, .start = 0, .end = INT64_MAX,
						 .owner = f, .pid = -1 };
			inode->locks = n;
			n = NULL;
			pthread_mutex_unlock(&lock_mu);
			r = 0;
			break;
		}
		pthread_mutex_unlock(&lock_mu);
		if (nonblock) {
			r = -EWOULDBLOCK;
			break;
		}
		if (changed)
			wake_all();
		changed = false;
		if (!queued) {
			waiter_init(&w, t);
			waitq_entry_init(&e, &w, POLLIN);
			waitq_add(wq(), &e);
			queued = true;
			continue;
		}
		r = waiter_wait(&w, NULL);
		if (r < 0)
			break;
	}
	if (queued)
		waitq_remove(&e);
	free(n);
	if (changed)
		wake_all();
	return r;
}

static void remove_where(struct inode *inode, bool (*match)(const struct file_lock *, const void *),
			 const void *arg)
{
	if (!inode || !__atomic_load_n(&inode->locks, __ATOMIC_ACQUIRE))
		return;
	bool changed = false;
	pthread_mutex_lock(&lock_mu);
	for (struct file_lock **pp = &inode->locks; *pp;) {
		struct file_lock *l = *pp;
		if (match(l, arg)) {
			*pp = l->next;
			free(l);
			changed = true;
		} else {
			pp = &l->next;
		}
	}
	pthread_mutex_unlock(&lock_mu);
	if (changed)
		wake_all();
}

static bool match_posix_owner(const struct file_lock *l, const void *owner)
{
	return l->kind == LK_POSIX && l->pid != -1 && l->owner == owner;
}

static bool match_file(const struct file_lock *l, const void *f)
{
	return l->owner == f && (l->kind == LK_FLOCK || l->pid == -1);
}

void lock_remove_posix(struct file *f, struct fdtable *files)
{
	remove_where(f->inode, match_posix_owner, files);
}

void lock_remove_file(struct file *f)
{
	remove_where(f->inode, match_file, f);
}
