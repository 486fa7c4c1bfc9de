/* fs/pipefs/pipe.c: the pipe object and the file ops of its ends: read,
 * write, poll, FIONREAD, fstat, F_GETPIPE_SZ/F_SETPIPE_SZ (see pipe.h).
 *
 * Data moves under p->lock; blocked readers and writers wait on p->wq
 * (fs/vfs/waitq.h) and are woken after every change. */
#include "fs/pipefs/pipe.h"
#include "fs/pipefs/pipe_buf.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

static uint64_t next_ino = 1;
static dev_t pipefs_dev;
static pthread_once_t pipefs_once = PTHREAD_ONCE_INIT;

static void pipefs_init(void)
{
	pipefs_dev = super_anon_dev();
}

struct pipe *pipe_alloc(void)
{
	pthread_once(&pipefs_once, pipefs_init);
	struct pipe *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	p->cap = PIPE_DEF_SIZE;
	p->ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	p->ctime = inode_now();
	waitq_init(&p->wq);
	return p;
}

void pipe_free(struct pipe *p)
{
	waitq_destroy(&p->wq);
	pthread_mutex_destroy(&p->lock);
	free(p->buf);
	free(p);
}

static struct pipe_file *pf_of(struct file *f)
{
	return f->priv;
}

/* Copy out of / into the ring; p->lock held. */
static size_t ring_out(struct pipe *p, char *dst, size_t len)
{
	size_t n = len < p->len ? len : p->len;
	size_t first = p->cap - p->head < n ? p->cap - p->head : n;
	memcpy(dst, p->buf + p->head, first);
	memcpy(dst + first, p->buf, n - first);
	p->head = (p->head + n) % p->cap;
	p->len -= n;
	if (!p->len)
		p->head = 0;
	return n;
}

static size_t ring_in(struct pipe *p, const char *src, size_t len)
{
	size_t room = p->cap - p->len;
	size_t n = len < room ? len : room;
	size_t tail = (p->head + p->len) % p->cap;
	size_t first = p->cap - tail < n ? p->cap - tail : n;
	memcpy(p->buf + tail, src, first);
	memcpy(p->buf, src + first, n - first);
	p->len += n;
	return n;
}

static bool nonblocking(struct file *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
}

/* Queue a waiter for mask on the first need to block; then wait. 0 to
 * check again, or -ERESTARTSYS. */
struct pipe_wait {
	struct waiter w;
	struct waitq_entry e;
	bool queued;
};

static int pipe_wait(struct pipe *p, struct pipe_wait *pw, uint32_t mask)
{
	if (!pw->queued) {
		waiter_init(&pw->w, current);
		waitq_entry_init(&pw->e, &pw->w, mask);
		waitq_add(&p->wq, &pw->e);
		pw->queued = true;
		return 0;	/* check once more, now that wakes reach us */
	}
	return waiter_wait(&pw->w, NULL);
}

static void pipe_wait_done(struct pipe_wait *pw)
{
	if (pw->queued)
		waitq_remove(&pw->e);
}

ssize_t pipe_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	struct pipe *p = pf_of(f)->p;
	struct pipe_wait pw = { .queued = false };
	ssize_t r;
	if (!len)
		return 0;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		if (p->len) {
			r = (ssize_t)ring_out(p, buf, len);
			pthread_mutex_unlock(&p->lock);
			break;
		}
		bool eof = p->writers == 0;
		pthread_mutex_unlock(&p->lock);
		if (eof) {
			r = 0;
			break;
		}
		/* A later chunk of the same read(2) never waits. */
		if (*pos > 0 || nonblocking(f)) {
			r = -EAGAIN;
			break;
		}
		int b = pipe_wait(p, &pw, POLLIN | POLLHUP);
		if (b < 0) {
			r = b;
			break;
		}
	}
	pipe_wait_done(&pw);
	if (r > 0) {
		*pos += r;
		waitq_wake(&p->wq, POLLOUT | POLLWRNORM);
	}
	return r;
}

static void send_sigpipe(void)
{
	struct task *t = current;
	if (!t)
		return;
	siginfo_t info;
	signal_info_kill(&info, SIGPIPE, SI_USER, t);
	signal_send(t, &info);
}

static ssize_t pipe_write_nb(struct file *f, const void *buf, size_t len, int64_t *pos,
			     bool nonblock);

ssize_t pipe_write(struct file *f, const void *buf, size_t len, int64_t *pos)
{
	return pipe_write_nb(f, buf, len, pos, nonblocking(f));
}

static ssize_t pipe_write_nb(struct file *f, const void *buf, size_t len, int64_t *pos,
			     bool nonblock)
{
	struct pipe *p = pf_of(f)->p;
	struct pipe_wait pw = { .queued = false };
	size_t done = 0;
	ssize_t r;
	if (!len)
		return 0;
	for (;;) {
		size_t n = 0;
		pthread_mutex_lock(&p->lock);
		if (!p->readers) {
			pthread_mutex_unlock(&p->lock);
			send_sigpipe();
			r = done ? (ssize_t)done : -EPIPE;
			break;
		}
		if (!p->buf && !(p->buf = malloc(p->cap))) {
			pthread_mutex_unlock(&p->lock);
			r = done ? (ssize_t)done : -ENOMEM;
			break;
		}
		size_t room = p->cap - p->len, want = len - done;
		/* At most PIPE_BUF bytes go in at once or not at all. */
		if (len <= PIPE_BUF_ATOMIC ? room >= want : room > 0)
			n = ring_in(p, (const char *)buf + done, want);
		pthread_mutex_unlock(&p->lock);
		if (n) {
			done += n;
			waitq_wake(&p->wq, POLLIN | POLLRDNORM);
		}
		if (done == len) {
			r = (ssize_t)done;
			break;
		}
		if (nonblock) {
			r = done ? (ssize_t)done : -EAGAIN;
			break;
		}
		int b = pipe_wait(p, &pw, POLLOUT | POLLERR);
		if (b < 0) {
			r = done ? (ssize_t)done : b;
			break;
		}
	}
	pipe_wait_done(&pw);
	if (r > 0)
		*pos += r;
	return r;
}

uint32_t pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe_file *pf = pf_of(f);
	struct pipe *p = pf->p;
	uint32_t mask = 0;
	poll_wait(pt, f, &p->wq);
	pthread_mutex_lock(&p->lock);
	if (f->mode & FMODE_READ) {
		if (p->len)
			mask |= POLLIN | POLLRDNORM;
		if (!p->writers && pf->w_seen != p->w_counter)
			mask |= POLLHUP;
	}
	if (f->mode & FMODE_WRITE) {
		size_t need = p->cap < PIPE_BUF_ATOMIC ? p->cap : PIPE_BUF_ATOMIC;
		if (p->cap - p->len >= need)
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	pthread_mutex_unlock(&p->lock);
	return mask;
}

int64_t pipe_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	if (cmd != FIONREAD)
		return -ENOTTY;
	struct pipe *p = pf_of(f)->p;
	pthread_mutex_lock(&p->lock);
	int n = (int)p->len;
	pthread_mutex_unlock(&p->lock);
	return copy_out(t->mm, arg, &n, sizeof(n));
}

static int pipe_stat(struct file *f, struct stat *st)
{
	struct pipe *p = pf_of(f)->p;
	memset(st, 0, sizeof(*st));
	st->st_dev = pipefs_dev;
	st->st_ino = p->ino;
	st->st_mode = S_IFIFO | 0600;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	st->st_atim = st->st_mtim = st->st_ctim = p->ctime;
	return 0;
}

bool pipe_end_close(struct pipe *p, bool reader, bool writer)
{
	pthread_mutex_lock(&p->lock);
	if (reader)
		p->readers--;
	if (writer)
		p->writers--;
	bool last = !p->readers && !p->writers;
	pthread_mutex_unlock(&p->lock);
	if (!last)
		waitq_wake(&p->wq, (reader ? POLLERR | POLLOUT : 0) |
				   (writer ? POLLHUP | POLLIN : 0) | PIPE_WAKE_OPEN);
	return last;
}

static void pipe_release(struct file *f)
{
	struct pipe_file *pf = pf_of(f);
	if (pipe_end_close(pf->p, f->mode & FMODE_READ, f->mode & FMODE_WRITE))
		pipe_free(pf->p);
	free(pf);
}

const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.stat = pipe_stat,
	.poll = pipe_poll,
	.release = pipe_release,
};

struct file *pipe_file_new(struct pipe *p, int flags, unsigned w_seen)
{
	struct pipe_file *pf = malloc(sizeof(*pf));
	if (!pf)
		return NULL;
	pf->p = p;
	pf->w_seen = w_seen;
	struct file *f = file_new(&pipe_fops, flags, pf);
	if (!f)
		free(pf);
	return f;
}

int pipe_create(int flags, struct file *files[2])
{
	struct pipe *p = pipe_alloc();
	if (!p)
		return -ENOMEM;
	p->readers = p->writers = 1;
	p->r_counter = p->w_counter = 1;
	int keep = flags & (O_NONBLOCK | O_DIRECT);
	files[0] = pipe_file_new(p, O_RDONLY | keep, 0);
	files[1] = files[0] ? pipe_file_new(p, O_WRONLY | keep, 0) : NULL;
	if (!files[1]) {
		if (files[0]) {
			/* Its release drops the read end; the write end was
			 * never made. */
			p->writers = 0;
			file_put(files[0]);
		} else {
			pipe_free(p);
		}
		return -ENOMEM;
	}
	return 0;
}

int pipe_is_pipe(struct file *f)
{
	return f->ops == &pipe_fops || f->ops == &pipe_fifo_fops;
}

static int64_t pipe_set_size(struct pipe *p, uint64_t arg)
{
	if (arg > (1ULL << 31))
		return -EINVAL;
	size_t size = 4096;
	while (size < arg)
		size <<= 1;
	if (size > PIPE_MAX_SIZE)
		return -EPERM;
	pthread_mutex_lock(&p->lock);
	int64_t r = (int64_t)size;
	if (size < p->len) {
		r = -EBUSY;
	} else if (size != p->cap) {
		char *nb = NULL;
		if (p->buf && !(nb = malloc(size))) {
			r = -ENOMEM;
		} else {
			if (nb) {
				size_t n = p->len;
				ring_out(p, nb, n);
				p->len = n;
				p->head = 0;
				free(p->buf);
			}
			p->buf = nb;
			p->cap = size;
		}
	}
	pthread_mutex_unlock(&p->lock);
	if (r > 0)
		waitq_wake(&p->wq, POLLOUT | POLLWRNORM);
	return r;
}

int64_t pipe_fcntl(struct file *f, int cmd, uint64_t arg)
{
	if (!pipe_is_pipe(f))
		return -EBADF;
	struct pipe *p = pf_of(f)->p;
	if (cmd == F_SETPIPE_SZ)
		return pipe_set_size(p, (unsigned int)arg);
	pthread_mutex_lock(&p->lock);
	int64_t r = (int64_t)p->cap;
	pthread_mutex_unlock(&p->lock);
	return r;
}

/* --- for splice, tee and vmsplice (pipe.h) --- */

struct pipe *pipe_of(struct file *f)
{
	return pipe_is_pipe(f) ? pf_of(f)->p : NULL;
}

ssize_t pipe_splice_read(struct file *f, void *buf, size_t len, bool nonblock)
{
	int64_t pos = nonblock ? 1 : 0;	/* a later chunk never waits */
	return pipe_read(f, buf, len, &pos);
}

ssize_t pipe_splice_write(struct file *f, const void *buf, size_t len, bool nonblock)
{
	int64_t pos = 0;
	return pipe_write_nb(f, buf, len, &pos, nonblock || nonblocking(f));
}

ssize_t pipe_peek(struct file *f, void *buf, size_t len, bool nonblock)
{
	struct pipe *p = pf_of(f)->p;
	struct pipe_wait pw = { .queued = false };
	ssize_t r;
	if (!len)
		return 0;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		if (p->len) {
			size_t n = len < p->len ? len : p->len;
			size_t first = p->cap - p->head < n ? p->cap - p->head : n;
			memcpy(buf, p->buf + p->head, first);
			memcpy((char *)buf + first, p->buf, n - first);
			pthread_mutex_unlock(&p->lock);
			r = (ssize_t)n;
			break;
		}
		bool eof = p->writers == 0;
		pthread_mutex_unlock(&p->lock);
		if (eof) {
			r = 0;
			break;
		}
		if (nonblock || nonblocking(f)) {
			r = -EAGAIN;
			break;
		}
		int b = pipe_wait(p, &pw, POLLIN | POLLHUP);
		if (b < 0) {
			r = b;
			break;
		}
	}
	pipe_wait_done(&pw);
	return r;
}
