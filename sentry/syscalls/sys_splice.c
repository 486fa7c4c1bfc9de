/* sentry/syscalls/sys_splice.c: sendfile, splice, tee, vmsplice and
 * copy_file_range: argument and position rules as Linux gives them; the
 * data moves in fs/vfs/splice.c (and fs/pipefs for vmsplice). Offsets
 * given by pointer are read and written back; without one, the file's
 * own position is used and advanced (under pos_lock for files that have
 * FMODE_ATOMIC_POS, both files' locks taken in address order). */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/pipefs/pipe.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/splice.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#define SPLICE_F_ALL 0xf	/* MOVE, NONBLOCK, MORE, GIFT */
#define SPLICE_F_NB  0x2

/* One side of a transfer: its position, from the guest or the file. */
struct side {
	struct file *f;
	uint64_t uoff;		/* guest pointer to the offset, or 0 */
	int64_t pos;
	bool locked;
};

static int side_begin(struct task *t, struct side *s)
{
	if (s->uoff) {
		int r = copy_in(t->mm, &s->pos, s->uoff, sizeof(s->pos));
		if (r < 0)
			return r;
		return s->pos < 0 ? -EINVAL : 0;
	}
	s->pos = (s->f->mode & FMODE_ATOMIC_POS) ? __atomic_load_n(&s->f->pos, __ATOMIC_RELAXED)
						 : 0;
	return 0;
}

/* Lock the positions the transfer will advance (a, then b, by address;
 * once when both are one file). */
static void sides_lock(struct side *a, struct side *b)
{
	struct side *first = a, *second = b;
	if ((uintptr_t)b->f < (uintptr_t)a->f) {
		first = b;
		second = a;
	}
	struct side *order[2] = { first, second };
	for (int i = 0; i < 2; i++) {
		struct side *s = order[i];
		if (s->uoff || !(s->f->mode & FMODE_ATOMIC_POS))
			continue;
		if (i == 1 && order[0]->locked && order[0]->f == s->f)
			continue;
		pthread_mutex_lock(&s->f->pos_lock);
		s->locked = true;
		s->pos = s->f->pos;
	}
}

/* Write the position back (moved >= 0) and unlock. */
static int side_end(struct task *t, struct side *s, struct side *other, int64_t moved)
{
	int r = 0;
	if (moved >= 0) {
		if (s->uoff)
			r = copy_out(t->mm, s->uoff, &s->pos, sizeof(s->pos));
		else if (s->locked || (other->locked && other->f == s->f &&
				       (s->f->mode & FMODE_ATOMIC_POS)))
			s->f->pos = s->pos;
	}
	if (s->locked)
		pthread_mutex_unlock(&s->f->pos_lock);
	s->locked = false;
	return r;
}

static size_t clamp_count(uint64_t len)
{
	return len > (uint64_t)MAX_RW_COUNT ? (size_t)MAX_RW_COUNT : (size_t)len;
}

/* Move the data and write both positions back. When one file is on
 * both sides with its own position, the input's position is the one
 * kept. */
static int64_t transfer(struct task *t, struct side *in, struct side *out, size_t len,
			unsigned flags)
{
	sides_lock(in, out);
	int64_t r = vfs_splice_copy(in->f, &in->pos, out->f, &out->pos, len, flags);
	int r1 = side_end(t, in, out, r);
	int r2 = side_end(t, out, in, r);
	if (r >= 0 && (r1 < 0 || r2 < 0))
		r = -EFAULT;
	if (r == -EPIPE && !pipe_of(out->f))
		task_sigpipe(t);
	return r;
}

int64_t sys_sendfile(struct task *t, const uint64_t a[6])
{
	int64_t r;
	struct side in = { .f = fd_file(t, (int)a[1], false), .uoff = a[2] };
	struct side out = { .f = NULL };
	if (!in.f || !(in.f->mode & FMODE_READ)) {
		r = -EBADF;
		goto done;
	}
	if (in.uoff && !(in.f->mode & FMODE_PREAD)) {
		r = -ESPIPE;
		goto done;
	}
	if ((r = side_begin(t, &in)) < 0)
		goto done;
	out.f = fd_file(t, (int)a[0], false);
	if (!out.f || !(out.f->mode & FMODE_WRITE)) {
		r = -EBADF;
		goto done;
	}
	if (out.f->flags & O_APPEND) {
		r = -EINVAL;
		goto done;
	}
	size_t len = clamp_count(a[3]);
	if (len == 0) {
		r = 0;
		goto done;
	}
	if (in.f->inode && S_ISDIR(in.f->inode->mode)) {
		r = -EINVAL;
		goto done;
	}
	r = transfer(t, &in, &out, len, 0);
done:
	if (in.f)
		file_put(in.f);
	if (out.f)
		file_put(out.f);
	return r;
}

int64_t sys_splice(struct task *t, const uint64_t a[6])
{
	unsigned flags = (unsigned)a[5];
	size_t len = clamp_count(a[4]);
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	struct side in = { .f = fd_file(t, (int)a[0], false), .uoff = a[1] };
	struct side out = { .f = fd_file(t, (int)a[2], false), .uoff = a[3] };
	int64_t r;
	if (!in.f || !out.f || !(in.f->mode & FMODE_READ) || !(out.f->mode & FMODE_WRITE)) {
		r = -EBADF;
		goto done;
	}
	struct pipe *ip = pipe_of(in.f), *op = pipe_of(out.f);
	if (!ip && !op) {
		r = -EINVAL;
		goto done;
	}
	if (ip && op) {
		if (in.uoff || out.uoff)
			r = -ESPIPE;
		else if (ip == op)
			r = -EINVAL;
		else
			r = 0;
	} else if (ip) {
		if (in.uoff)
			r = -ESPIPE;
		else if (out.uoff && !(out.f->mode & FMODE_PREAD))
			r = -EINVAL;
		else if (out.f->flags & O_APPEND)
			r = -EINVAL;
		else
			r = 0;
	} else {
		if (out.uoff)
			r = -ESPIPE;
		else if (in.uoff && !(in.f->mode & FMODE_PREAD))
			r = -EINVAL;
		else
			r = 0;
	}
	if (r < 0)
		goto done;
	if ((r = side_begin(t, &in)) < 0 || (r = side_begin(t, &out)) < 0)
		goto done;
	if (len == 0) {
		r = 0;
		goto done;
	}
	r = transfer(t, &in, &out, len,
		     SPLICE_COPY_ONE_CHUNK | ((flags & SPLICE_F_NB) ? SPLICE_COPY_NONBLOCK : 0));
done:
	if (in.f)
		file_put(in.f);
	if (out.f)
		file_put(out.f);
	return r;
}

int64_t sys_tee(struct task *t, const uint64_t a[6])
{
	unsigned flags = (unsigned)a[3];
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	struct file *in = fd_file(t, (int)a[0], false), *out = fd_file(t, (int)a[1], false);
	int64_t r;
	if (!in || !out || !(in->mode & FMODE_READ) || !(out->mode & FMODE_WRITE))
		r = -EBADF;
	else if (!pipe_of(in) || !pipe_of(out) || pipe_of(in) == pipe_of(out))
		r = -EINVAL;
	else
		r = vfs_tee(in, out, clamp_count(a[2]), flags & SPLICE_F_NB);
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}

int64_t sys_vmsplice(struct task *t, const uint64_t a[6])
{
	unsigned flags = (unsigned)a[3];
	uint64_t cnt = a[2];
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	struct file *f = fd_file(t, (int)a[0], false);
	if (!f)
		return -EBADF;
	int64_t r;
	bool write = f->mode & FMODE_WRITE;
	struct uiovec *iov = NULL;
	char *buf = NULL;
	if (!pipe_of(f) || !(f->mode & (FMODE_READ | FMODE_WRITE))) {
		r = -EBADF;
		goto out;
	}
	if (cnt > UIO_MAXIOV) {
		r = -EINVAL;
		goto out;
	}
	if (cnt == 0) {
		r = 0;
		goto out;
	}
	iov = malloc(cnt * sizeof(*iov));
	buf = malloc(65536);
	if (!iov || !buf) {
		r = -ENOMEM;
		goto out;
	}
	r = iovec_import(t->mm, a[1], cnt, iov);
	if (r < 0)
		goto out;
	bool nb = flags & SPLICE_F_NB;
	int64_t total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		uint64_t base = iov[i].base, left = iov[i].len;
		while (left > 0) {
			size_t n = left < 65536 ? (size_t)left : 65536;
			ssize_t m;
			if (write) {
				int c = copy_in(t->mm, buf, base, n);
				m = c < 0 ? c : pipe_splice_write(f, buf, n, nb || total > 0);
			} else {
				m = pipe_splice_read(f, buf, n, nb || total > 0);
				if (m > 0) {
					int c = copy_out(t->mm, base, buf, (size_t)m);
					if (c < 0)
						m = c;
				}
			}
			if (m <= 0) {
				r = total ? total : (m == 0 ? 0 : m);
				goto out;
			}
			total += m;
			base += (uint64_t)m;
			left -= (uint64_t)m;
			if ((size_t)m < n) {
				r = total;
				goto out;
			}
		}
	}
	r = total;
out:
	free(iov);
	free(buf);
	file_put(f);
	return r;
}

int64_t sys_copy_file_range(struct task *t, const uint64_t a[6])
{
	if (a[5] != 0)
		return -EINVAL;
	struct side in = { .f = fd_file(t, (int)a[0], false), .uoff = a[1] };
	struct side out = { .f = fd_file(t, (int)a[2], false), .uoff = a[3] };
	size_t len = a[4] > (uint64_t)INT64_MAX ? (size_t)INT64_MAX : (size_t)a[4];
	int64_t r;
	if (!in.f || !out.f || !(in.f->mode & FMODE_READ) || !(out.f->mode & FMODE_WRITE) ||
	    (out.f->flags & O_APPEND)) {
		r = -EBADF;
		goto done;
	}
	struct inode *ii = in.f->inode, *oi = out.f->inode;
	if (!ii || !oi) {
		r = -EINVAL;
		goto done;
	}
	if (S_ISDIR(ii->mode) || S_ISDIR(oi->mode)) {
		r = -EISDIR;
		goto done;
	}
	if (!S_ISREG(ii->mode) || !S_ISREG(oi->mode)) {
		r = -EINVAL;
		goto done;
	}
	if ((r = side_begin(t, &in)) < 0 || (r = side_begin(t, &out)) < 0) {
		if (r == -EINVAL)
			r = -EOVERFLOW;	/* a negative offset, as Linux says it */
		goto done;
	}
	sides_lock(&in, &out);
	int64_t end;
	if (__builtin_add_overflow(in.pos, (int64_t)len, &end) ||
	    __builtin_add_overflow(out.pos, (int64_t)len, &end)) {
		r = -EOVERFLOW;
		goto unlock;
	}
	if (ii->sb != oi->sb) {
		r = -EXDEV;
		goto unlock;
	}
	/* Shorten to the end of the input, then refuse overlap in one file. */
	pthread_mutex_lock(&ii->lock);
	int64_t size = ii->size;
	pthread_mutex_unlock(&ii->lock);
	if (in.pos >= size)
		len = 0;
	else if ((int64_t)len > size - in.pos)
		len = (size_t)(size - in.pos);
	if (ii == oi && out.pos + (int64_t)len > in.pos && out.pos < in.pos + (int64_t)len) {
		r = -EINVAL;
		goto unlock;
	}
	if (len > (size_t)MAX_RW_COUNT)
		len = (size_t)MAX_RW_COUNT;
	r = len ? vfs_splice_copy(in.f, &in.pos, out.f, &out.pos, len, 0) : 0;
unlock:;
	int r1 = side_end(t, &in, &out, r);
	int r2 = side_end(t, &out, &in, r);
	if (r >= 0 && (r1 < 0 || r2 < 0))
		r = -EFAULT;
done:
	if (in.f)
		file_put(in.f);
	if (out.f)
		file_put(out.f);
	return r;
}
