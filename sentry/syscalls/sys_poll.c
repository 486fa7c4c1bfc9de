/* sentry/syscalls/sys_poll.c: poll, ppoll, select, pselect6.
 *
 * One engine serves all four: scan every file's poll op, queueing on its
 * wait queues during the first scan (fs/vfs/waitq.h); if nothing is ready,
 * sleep until a queue wakes us, the timeout passes or a signal comes, and
 * scan again. A signal gives -ERESTARTNOHAND (EINTR when a handler runs).
 * ppoll and pselect6 swap in the caller's signal mask for the wait and put
 * the old one back on return, or after the handler when interrupted, as
 * Linux; they and select write the time left back, as Linux does. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/errno_restart.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/waitq.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define NSEC 1000000000L

struct poll_entry {
	struct waitq_entry e;
	struct file *f;		/* referenced while queued, as Linux */
	struct poll_entry *next;
};

struct poll_ctx {
	struct poll_table pt;
	struct waiter w;
	struct poll_entry *entries;
	int err;
};

static void poll_ctx_queue(struct poll_table *pt, struct file *f, struct waitq *q)
{
	struct poll_ctx *c = (struct poll_ctx *)((char *)pt - offsetof(struct poll_ctx, pt));
	struct poll_entry *pe = malloc(sizeof(*pe));
	if (!pe) {
		c->err = -ENOMEM;
		return;
	}
	waitq_entry_init(&pe->e, &c->w, ~0u);
	file_get(f);
	pe->f = f;
	pe->next = c->entries;
	c->entries = pe;
	waitq_add(q, &pe->e);
}

static void poll_ctx_free(struct poll_ctx *c)
{
	while (c->entries) {
		struct poll_entry *pe = c->entries;
		c->entries = pe->next;
		waitq_remove(&pe->e);
		file_put(pe->f);
		free(pe);
	}
}

/* The poll engine over kernel copies of the pollfds: the count of
 * entries with revents, or -errno / -ERESTARTNOHAND. deadline: absolute
 * CLOCK_MONOTONIC, NULL for none; no_wait for a zero timeout. */
static int64_t do_poll(struct task *t, struct pollfd *pfds, size_t nfds,
		       const struct timespec *deadline, bool no_wait)
{
	struct poll_ctx c = { .pt = { .queue = poll_ctx_queue } };
	waiter_init(&c.w, t);
	bool first = true;
	int64_t r;
	for (;;) {
		int64_t count = 0;
		for (size_t i = 0; i < nfds; i++) {
			pfds[i].revents = 0;
			if (pfds[i].fd < 0)
				continue;
			struct file *f = fdtable_get_file(t->files, pfds[i].fd);
			if (!f) {
				pfds[i].revents = POLLNVAL;
				count++;
				continue;
			}
			uint32_t m = file_poll(f, first && !no_wait ? &c.pt : NULL);
			file_put(f);
			m &= (uint32_t)(uint16_t)pfds[i].events | POLLERR | POLLHUP;
			if (m) {
				pfds[i].revents = (short)m;
				count++;
			}
		}
		first = false;
		if (c.err && !count) {
			r = c.err;
			break;
		}
		if (count || no_wait) {
			r = count;
			break;
		}
		int b = waiter_wait(&c.w, deadline);
		if (b == -ETIMEDOUT)
			no_wait = true;	/* one last scan */
		else if (b < 0) {
			r = -ERESTARTNOHAND;
			break;
		}
	}
	poll_ctx_free(&c);
	return r;
}

/* --- timeouts ------------------------------------------------------------ */

/* deadline = now + rel (CLOCK_MONOTONIC), saturating. */
static void deadline_after(struct timespec *deadline, int64_t sec, int64_t nsec)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	if (sec > INT32_MAX * 64LL)
		sec = INT32_MAX * 64LL;	/* centuries: as good as forever */
	deadline->tv_sec += sec;
	deadline->tv_nsec += nsec;
	if (deadline->tv_nsec >= NSEC) {
		deadline->tv_nsec -= NSEC;
		deadline->tv_sec++;
	}
}

/* The time left until deadline, 0 if past. */
static struct timespec time_left(const struct timespec *deadline)
{
	struct timespec now, left;
	clock_gettime(CLOCK_MONOTONIC, &now);
	left.tv_sec = deadline->tv_sec - now.tv_sec;
	left.tv_nsec = deadline->tv_nsec - now.tv_nsec;
	if (left.tv_nsec < 0) {
		left.tv_nsec += NSEC;
		left.tv_sec--;
	}
	if (left.tv_sec < 0)
		left.tv_sec = left.tv_nsec = 0;
	return left;
}

/* A timespec timeout from the guest: *deadline set, *no_wait for zero,
 * *forever for a NULL pointer. */
static int timeout_in(struct task *t, uint64_t uts, struct timespec *deadline,
		      bool *no_wait, bool *forever)
{
	*no_wait = false;
	*forever = !uts;
	if (!uts)
		return 0;
	struct timespec ts;
	int r = copy_in(t->mm, &ts, uts, sizeof(ts));
	if (r < 0)
		return r;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC)
		return -EINVAL;
	*no_wait = !ts.tv_sec && !ts.tv_nsec;
	deadline_after(deadline, ts.tv_sec, ts.tv_nsec);
	return 0;
}

/* poll_select_finish: write the time left back (not for a zero or absent
 * timeout); a failed write turns a restart into EINTR. */
static int64_t timeout_out(struct task *t, uint64_t uptr, bool timeval,
			   const struct timespec *deadline, bool no_wait_asked, int64_t r)
{
	if (!uptr || no_wait_asked)
		return r;
	struct timespec left = time_left(deadline);
	int c;
	if (timeval) {
		struct timeval tv = { left.tv_sec, left.tv_nsec / 1000 };
		c = copy_out(t->mm, uptr, &tv, sizeof(tv));
	} else {
		c = copy_out(t->mm, uptr, &left, sizeof(left));
	}
	if (c < 0 && r == -ERESTARTNOHAND)
		r = -EINTR;
	return r;
}

/* --- signal masks ---------------------------------------------------------- */

/* Interrupted: the old mask comes back after the handler (through its
 * frame) or at once if none runs; otherwise now. */
static void sigmask_finish(struct task *t, bool set, int64_t r)
{
	if (set)
		signal_mask_end(t, r == -ERESTARTNOHAND);
}

/* --- poll, ppoll ----------------------------------------------------------- */

static int64_t poll_common(struct task *t, uint64_t ufds, uint64_t nfds,
			   const struct timespec *deadline, bool no_wait)
{
	if (nfds > t->rlim[RLIMIT_NOFILE].rlim_cur || nfds > (1u << 20))
		return -EINVAL;
	struct pollfd *pfds = NULL;
	if (nfds) {
		pfds = malloc(nfds * sizeof(*pfds));
		if (!pfds)
			return -ENOMEM;
		int c = copy_in(t->mm, pfds, ufds, nfds * sizeof(*pfds));
		if (c < 0) {
			free(pfds);
			return c;
		}
	}
	int64_t r = do_poll(t, pfds, nfds, deadline, no_wait);
	if (r >= 0) {
		for (size_t i = 0; i < nfds; i++) {
			int c = copy_out(t->mm, ufds + i * sizeof(*pfds) +
						offsetof(struct pollfd, revents),
					 &pfds[i].revents, sizeof(pfds[i].revents));
			if (c < 0) {
				r = c;
				break;
			}
		}
	}
	free(pfds);
	return r;
}

int64_t sys_poll(struct task *t, const uint64_t a[6])
{
	int ms = (int)a[2];
	struct timespec deadline;
	if (ms > 0)
		deadline_after(&deadline, ms / 1000, (ms % 1000) * 1000000L);
	return poll_common(t, a[0], a[1], ms > 0 ? &deadline : NULL, ms == 0);
}

int64_t sys_ppoll(struct task *t, const uint64_t a[6])
{
	struct timespec deadline;
	bool no_wait, forever, set;
	int64_t r = timeout_in(t, a[2], &deadline, &no_wait, &forever);
	if (r < 0)
		return r;
	r = signal_mask_begin_user(t, a[3], a[4], &set);
	if (r < 0)
		return r;
	r = poll_common(t, a[0], a[1], forever ? NULL : &deadline, no_wait);
	r = timeout_out(t, a[2], false, &deadline, no_wait, r);
	sigmask_finish(t, set, r);
	return r;
}

/* --- select, pselect6 ------------------------------------------------------ */

#define POLLIN_SET  (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET  (POLLPRI)

static int64_t select_common(struct task *t, int64_t n, const uint64_t usets[3],
			     const struct timespec *deadline, bool no_wait)
{
	if (n < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->files->lock);
	int max = t->files->nfds;
	pthread_mutex_unlock(&t->files->lock);
	if (n > max)
		n = max;
	size_t words = ((size_t)n + 63) / 64;
	uint64_t *sets = calloc(3 * words + 1, sizeof(uint64_t));
	if (!sets)
		return -ENOMEM;
	int64_t r = 0;
	size_t bytes = ((size_t)n + 7) / 8;
	for (int s = 0; s < 3 && r == 0; s++)
		if (usets[s] && bytes)
			r = copy_in(t->mm, sets + s * words, usets[s], bytes);
	struct pollfd *pfds = NULL;
	size_t npfd = 0;
	if (r == 0 && n)
		pfds = malloc((size_t)n * sizeof(*pfds));
	if (r == 0 && n && !pfds)
		r = -ENOMEM;
	for (int64_t fd = 0; r == 0 && fd < n; fd++) {
		uint64_t bit = 1ULL << (fd % 64);
		size_t w = (size_t)fd / 64;
		short ev = 0;
		if (sets[w] & bit)
			ev |= POLLIN | POLLRDNORM | POLLRDBAND;
		if (sets[words + w] & bit)
			ev |= POLLOUT | POLLWRNORM | POLLWRBAND;
		if (sets[2 * words + w] & bit)
			ev |= POLLPRI;
		if (ev)
			pfds[npfd++] = (struct pollfd){ .fd = (int)fd, .events = ev };
	}
	if (r == 0)
		r = do_poll(t, pfds, npfd, deadline, no_wait);
	if (r >= 0) {
		memset(sets, 0, 3 * words * sizeof(uint64_t));
		int64_t count = 0;
		for (size_t i = 0; i < npfd && count >= 0; i++) {
			int fd = pfds[i].fd;
			uint64_t bit = 1ULL << (fd % 64);
			size_t w = (size_t)fd / 64;
			short re = pfds[i].revents;
			if (re & POLLNVAL) {
				count = -EBADF;
				break;
			}
			if ((re & POLLIN_SET) && (pfds[i].events & POLLIN)) {
				sets[w] |= bit;
				count++;
			}
			if ((re & POLLOUT_SET) && (pfds[i].events & POLLOUT)) {
				sets[words + w] |= bit;
				count++;
			}
			if ((re & POLLEX_SET) && (pfds[i].events & POLLPRI)) {
				sets[2 * words + w] |= bit;
				count++;
			}
		}
		r = count;
		for (int s = 0; s < 3 && r >= 0; s++) {
			if (usets[s] && bytes) {
				int c = copy_out(t->mm, usets[s], sets + s * words, bytes);
				if (c < 0)
					r = c;
			}
		}
	}
	free(pfds);
	free(sets);
	return r;
}

int64_t sys_select(struct task *t, const uint64_t a[6])
{
	struct timespec deadline;
	bool no_wait = false;
	if (a[4]) {
		struct timeval tv;
		int r = copy_in(t->mm, &tv, a[4], sizeof(tv));
		if (r < 0)
			return r;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		int64_t sec = tv.tv_sec + tv.tv_usec / 1000000;
		int64_t nsec = (tv.tv_usec % 1000000) * 1000;
		no_wait = !sec && !nsec;
		deadline_after(&deadline, sec, nsec);
	}
	const uint64_t sets[3] = { a[1], a[2], a[3] };
	int64_t r = select_common(t, (int64_t)(int)a[0], sets, a[4] ? &deadline : NULL, no_wait);
	return timeout_out(t, a[4], true, &deadline, no_wait, r);
}

int64_t sys_pselect6(struct task *t, const uint64_t a[6])
{
	struct timespec deadline;
	bool no_wait, forever, set = false;
	int64_t r = timeout_in(t, a[4], &deadline, &no_wait, &forever);
	if (r < 0)
		return r;
	if (a[5]) {
		struct { uint64_t ss; uint64_t len; } sig;
		r = copy_in(t->mm, &sig, a[5], sizeof(sig));
		if (r < 0)
			return r;
		r = signal_mask_begin_user(t, sig.ss, sig.len, &set);
		if (r < 0)
			return r;
	}
	const uint64_t sets[3] = { a[1], a[2], a[3] };
	r = select_common(t, (int64_t)(int)a[0], sets, forever ? NULL : &deadline, no_wait);
	r = timeout_out(t, a[4], false, &deadline, no_wait, r);
	sigmask_finish(t, set, r);
	return r;
}
