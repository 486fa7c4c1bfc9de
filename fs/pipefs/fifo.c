/* fs/pipefs/fifo.c: FIFOs, the named pipes that mknod(S_IFIFO) makes.
 *
 * A FIFO inode gets a pipe at its first open; the pipe is kept in a table
 * keyed by inode while any end is open and dropped, with unread data,
 * at the last close (open files hold the inode, so the key stays valid).
 * open(2) follows Linux's fifo_open: O_RDONLY waits for a writer and
 * O_WRONLY for a reader unless O_NONBLOCK (then a reader opens at once and
 * a writer without readers gets ENXIO); O_RDWR never waits. */
#include "fs/pipefs/pipe.h"
#include "fs/pipefs/pipe_buf.h"
#include "fs/vfs/file.h"
#include "sentry/kernel/task.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

struct fifo_link {
	struct pipe *p;
	struct fifo_link *next;
};

static pthread_mutex_t fifo_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fifo_link *fifos;	/* under fifo_lock */

/* The pipe of inode, made if needed; fifo_lock held. */
static struct pipe *fifo_pipe_locked(struct inode *inode)
{
	for (struct fifo_link *l = fifos; l; l = l->next)
		if (l->p->fifo == inode)
			return l->p;
	struct fifo_link *l = malloc(sizeof(*l));
	struct pipe *p = l ? pipe_alloc() : NULL;
	if (!p) {
		free(l);
		return NULL;
	}
	p->fifo = inode;
	l->p = p;
	l->next = fifos;
	fifos = l;
	return p;
}

/* Drop p from the table and free it; fifo_lock held. */
static void fifo_forget_locked(struct pipe *p)
{
	for (struct fifo_link **lp = &fifos; *lp; lp = &(*lp)->next) {
		if ((*lp)->p == p) {
			struct fifo_link *l = *lp;
			*lp = l->next;
			free(l);
			break;
		}
	}
	pipe_free(p);
}

static void fifo_end_close(struct pipe *p, bool reader, bool writer)
{
	pthread_mutex_lock(&fifo_lock);
	if (pipe_end_close(p, reader, writer))
		fifo_forget_locked(p);
	pthread_mutex_unlock(&fifo_lock);
}

/* Wait until *counter moves from seen (the other end opened). */
static int wait_for_partner(struct pipe *p, const unsigned *counter, unsigned seen)
{
	struct waiter w;
	struct waitq_entry e;
	waiter_init(&w, current);
	waitq_entry_init(&e, &w, PIPE_WAKE_OPEN);
	waitq_add(&p->wq, &e);
	int r;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		bool moved = *counter != seen;
		pthread_mutex_unlock(&p->lock);
		if (moved) {
			r = 0;
			break;
		}
		r = waiter_wait(&w, NULL);
		if (r < 0)
			break;
	}
	waitq_remove(&e);
	return r;
}

static int fifo_open(struct inode *inode, struct file *f)
{
	int acc = f->flags & O_ACCMODE;
	bool nb = f->flags & O_NONBLOCK;
	bool rd = acc == O_RDONLY || acc == O_RDWR;
	bool wr = acc == O_WRONLY || acc == O_RDWR;
	struct pipe_file *pf = malloc(sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	pthread_mutex_lock(&fifo_lock);
	struct pipe *p = fifo_pipe_locked(inode);
	if (!p) {
		pthread_mutex_unlock(&fifo_lock);
		free(pf);
		return -ENOMEM;
	}
	pthread_mutex_lock(&p->lock);
	if (wr && !rd && nb && !p->readers) {
		bool unused = !p->readers && !p->writers;
		pthread_mutex_unlock(&p->lock);
		if (unused)
			fifo_forget_locked(p);
		pthread_mutex_unlock(&fifo_lock);
		free(pf);
		return -ENXIO;
	}
	pf->p = p;
	pf->w_seen = 0;
	const unsigned *wait_counter = NULL;
	unsigned seen = 0;
	if (rd) {
		p->readers++;
		p->r_counter++;
	}
	if (wr) {
		p->writers++;
		p->w_counter++;
	}
	if (rd && !wr && !p->writers) {
		if (nb)
			pf->w_seen = p->w_counter;	/* no POLLHUP before a writer */
		else
			wait_counter = &p->w_counter, seen = p->w_counter;
	} else if (wr && !rd && !p->readers) {
		wait_counter = &p->r_counter, seen = p->r_counter;
	}
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_unlock(&fifo_lock);
	waitq_wake(&p->wq, PIPE_WAKE_OPEN);
	if (wait_counter) {
		int r = wait_for_partner(p, wait_counter, seen);
		if (r < 0) {
			fifo_end_close(p, rd, wr);
			free(pf);
			return r;
		}
	}
	f->priv = pf;
	return 0;
}

static void fifo_release(struct file *f)
{
	struct pipe_file *pf = f->priv;
	fifo_end_close(pf->p, f->mode & FMODE_READ, f->mode & FMODE_WRITE);
	free(pf);
}

/* pipe_fops with the FIFO's open and release; fstat is the inode's. */
const struct file_ops pipe_fifo_fops = {
	.open = fifo_open,
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll,
	.release = fifo_release,
};
