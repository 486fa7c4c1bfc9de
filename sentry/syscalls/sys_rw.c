/* sentry/syscalls/sys_rw.c: read, write, readv, writev, pread64,
 * pwrite64, preadv, pwritev, preadv2, pwritev2, lseek, fsync, fdatasync,
 * sync, syncfs. Data files move data straight between the file and
 * the guest's pages (pinned memory-file pages, sentry/mm/userpin.h);
 * everything else, and whatever a pin refuses, moves through a bounded
 * sentry buffer, chunk by chunk. The file position is taken under
 * f->pos_lock for files with FMODE_ATOMIC_POS (regular files and
 * directories), like Linux. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "sentry/mm/userpin.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/fsnotify.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/uio.h>

#define RW_CHUNK 65536

/* The calling thread's bounce buffer for reads and writes that cannot go
 * straight to guest pages, made at its first use: a buffer in thread-local
 * storage would be zeroed by every sentry thread at its start (16 pages
 * of first-touch faults each), most of which never read a file. */
static pthread_key_t bounce_key;
static pthread_once_t bounce_once = PTHREAD_ONCE_INIT;

static void bounce_key_init(void)
{
	pthread_key_create(&bounce_key, free);
}

static char *rw_bounce(void)
{
	static __thread char *bounce;
	if (!bounce) {
		pthread_once(&bounce_once, bounce_key_init);
		bounce = malloc(RW_CHUNK);
		if (bounce)
			pthread_setspecific(bounce_key, bounce);
	}
	return bounce;
}
/* Transfers at least this long go straight to the guest's pages. */
#define RW_DIRECT_MIN 8192

/* The file at fd open for reading (or writing), or NULL (EBADF). */
static struct file *file_for(struct task *t, int fd, bool write)
{
	struct file *f = fd_file(t, fd, false);
	if (f && !(f->mode & (write ? FMODE_WRITE : FMODE_READ))) {
		file_put(f);
		return NULL;
	}
	return f;
}

/* Data files (regular files whose pages the file system can map: tmpfs,
 * goferfs, the overlay): they never block, so pages may stay pinned
 * during the I/O, and a transfer split into runs reads what one call
 * would. Generated files (procfs) keep the bounce buffer: one call, one
 * snapshot. */
static bool direct_ok(struct file *f, size_t len)
{
	return len >= RW_DIRECT_MIN && f->inode && S_ISREG(f->inode->mode) && f->ops->mmap;
}

/* Move up to len bytes between the file and guest memory at buf through
 * pinned pages: one file op per run of pages contiguous in the memory
 * file. Stops at the first short transfer, at an error, or where the
 * guest's buffer stops being accessible (a short count, as Linux's copy
 * to or from user memory that faults part way). *none: nothing could be
 * pinned at buf (the caller decides what that means). */
static ssize_t direct_rw(struct task *t, struct file *f, uint64_t buf, size_t len,
			 int64_t *pos, bool write, bool *none)
{
	struct user_pin pin;
	ssize_t total = 0;
	*none = false;
	while (len > 0) {
		if (user_pin(t->mm, buf, len, !write, &pin) < 0) {
			*none = total == 0;
			return total;
		}
		size_t done = 0;
		ssize_t err = 0;
		bool stop = false;
		while (done < pin.len) {
			char *p;
			size_t n = user_pin_run(&pin, done, &p);
			ssize_t r = write ? f->ops->write(f, p, n, pos) : f->ops->read(f, p, n, pos);
			if (r < 0) {
				err = r;
				stop = true;
				break;
			}
			done += (size_t)r;
			if ((size_t)r < n) {
				stop = true;
				break;
			}
		}
		user_unpin(t->mm, &pin, done);
		total += (ssize_t)done;
		if (err < 0 && total == 0)
			return err;
		if (stop)
			return total;
		buf += done;
		len -= done;
	}
	return total;
}

/* Read into one guest buffer: a single read of the file per chunk; stop
 * at the first short read so a terminal read returns what it has. */
static ssize_t read_to_user(struct task *t, struct file *f, uint64_t buf, size_t len,
			    int64_t *pos)
{
	ssize_t total = 0;
	if (f->inode && S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (!f->ops->read)
		return -EINVAL;
	if (direct_ok(f, len)) {
		bool none;
		ssize_t r = direct_rw(t, f, buf, len, pos, false, &none);
		if (!none)
			return r;
	}
	char *bounce = rw_bounce();
	if (!bounce)
		return -ENOMEM;
	while (len > 0) {
		size_t n = len < RW_CHUNK ? len : RW_CHUNK;
		ssize_t r = f->ops->read(f, bounce, n, pos);
		if (r < 0)
			return total ? total : r;
		if (r > 0) {
			int c = copy_out(t->mm, buf, bounce, (size_t)r);
			if (c < 0)
				return total ? total : c;
		}
		total += r;
		if ((size_t)r < n)
			break;
		buf += (uint64_t)r;
		len -= (size_t)r;
	}
	return total;
}

static ssize_t write_from_user(struct task *t, struct file *f, uint64_t buf, size_t len,
			       int64_t *pos)
{
	ssize_t total = 0;
	if (!f->ops->write)
		return -EINVAL;
	if (direct_ok(f, len)) {
		bool none;
		ssize_t r = direct_rw(t, f, buf, len, pos, true, &none);
		if (!none)
			return r;
	}
	char *bounce = rw_bounce();
	if (!bounce)
		return -ENOMEM;
	while (len > 0) {
		size_t n = len < RW_CHUNK ? len : RW_CHUNK;
		int c = copy_in(t->mm, bounce, buf, n);
		if (c < 0)
			return total ? total : c;
		ssize_t r = f->ops->write(f, bounce, n, pos);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((size_t)r < n)
			break;
		buf += n;
		len -= n;
	}
	return total;
}

static size_t clamp_count(uint64_t len)
{
	return len > (uint64_t)MAX_RW_COUNT ? (size_t)MAX_RW_COUNT : (size_t)len;
}

/* One transfer over iov (or a single buffer when iov is NULL) at *pos. */
static ssize_t do_transfer(struct task *t, struct file *f, const struct uiovec *iov,
			   uint64_t cnt, bool write, int64_t *pos)
{
	ssize_t total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		if (iov[i].len == 0)
			continue;
		ssize_t r = write ? write_from_user(t, f, iov[i].base, iov[i].len, pos)
				  : read_to_user(t, f, iov[i].base, iov[i].len, pos);
		if (r < 0) {
			if (total == 0)
				total = r;
			break;
		}
		total += r;
		if ((uint64_t)r < iov[i].len)
			break;
	}
	return total;
}

/* The file position transfer of read/write/readv/writev. */
static ssize_t transfer_at_pos(struct task *t, struct file *f, const struct uiovec *iov,
			       uint64_t cnt, bool write)
{
	if (!(f->mode & FMODE_ATOMIC_POS)) {
		int64_t pos = 0;
		return do_transfer(t, f, iov, cnt, write, &pos);
	}
	pthread_mutex_lock(&f->pos_lock);
	int64_t pos = f->pos;
	ssize_t r = do_transfer(t, f, iov, cnt, write, &pos);
	if (r >= 0)
		f->pos = pos;
	pthread_mutex_unlock(&f->pos_lock);
	return r;
}

static int64_t rw_one(struct task *t, int fd, uint64_t buf, uint64_t len, bool write,
		      const int64_t *off)
{
	struct file *f = file_for(t, fd, write);
	if (!f)
		return -EBADF;
	struct uiovec iov = { buf, clamp_count(len) };
	ssize_t r;
	if (off) {
		int64_t pos = *off;
		if (pos < 0)
			r = -EINVAL;
		else if (!(f->mode & FMODE_PREAD))
			r = -ESPIPE;
		else
			r = do_transfer(t, f, &iov, 1, write, &pos);
	} else {
		r = transfer_at_pos(t, f, &iov, 1, write);
	}
	if (r > 0)
		write ? fsnotify_modify(f) : fsnotify_access(f);
	file_put(f);
	if (r == -EPIPE && write)
		task_sigpipe(t);
	return r;
}

int64_t sys_read(struct task *t, const uint64_t a[6])
{
	return rw_one(t, (int)a[0], a[1], a[2], false, NULL);
}

int64_t sys_write(struct task *t, const uint64_t a[6])
{
	return rw_one(t, (int)a[0], a[1], a[2], true, NULL);
}

int64_t sys_pread64(struct task *t, const uint64_t a[6])
{
	int64_t off = (int64_t)a[3];
	return rw_one(t, (int)a[0], a[1], a[2], false, &off);
}

int64_t sys_pwrite64(struct task *t, const uint64_t a[6])
{
	int64_t off = (int64_t)a[3];
	return rw_one(t, (int)a[0], a[1], a[2], true, &off);
}

/* readv/writev/preadv/pwritev[2]: off NULL for the file position. */
static int64_t do_iov(struct task *t, int fd, uint64_t uiov, uint64_t cnt, bool write,
		      const int64_t *off)
{
	struct file *f = file_for(t, fd, write);
	if (!f)
		return -EBADF;
	if (cnt > UIO_MAXIOV) {
		file_put(f);
		return -EINVAL;
	}
	struct uiovec *iov = cnt ? malloc(cnt * sizeof(*iov)) : NULL;
	if (cnt && !iov) {
		file_put(f);
		return -ENOMEM;
	}
	ssize_t total = iovec_import(t->mm, uiov, cnt, iov);
	if (total < 0)
		goto out;
	if (off) {
		int64_t pos = *off;
		if (pos < 0)
			total = -EINVAL;
		else if (!(f->mode & FMODE_PREAD))
			total = -ESPIPE;
		else
			total = do_transfer(t, f, iov, cnt, write, &pos);
	} else {
		total = transfer_at_pos(t, f, iov, cnt, write);
	}
out:
	free(iov);
	if (total > 0)
		write ? fsnotify_modify(f) : fsnotify_access(f);
	file_put(f);
	if (total == -EPIPE && write)
		task_sigpipe(t);
	return total;
}

int64_t sys_readv(struct task *t, const uint64_t a[6])
{
	return do_iov(t, (int)a[0], a[1], a[2], false, NULL);
}

int64_t sys_writev(struct task *t, const uint64_t a[6])
{
	return do_iov(t, (int)a[0], a[1], a[2], true, NULL);
}

/* preadv/pwritev pass the offset as two longs (low, high); on x86-64 the
 * low one holds all 64 bits. */
int64_t sys_preadv(struct task *t, const uint64_t a[6])
{
	int64_t off = (int64_t)a[3];
	return do_iov(t, (int)a[0], a[1], a[2], false, &off);
}

int64_t sys_pwritev(struct task *t, const uint64_t a[6])
{
	int64_t off = (int64_t)a[3];
	return do_iov(t, (int)a[0], a[1], a[2], true, &off);
}

#define RWF_SUPPORTED (RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND)

/* preadv2/pwritev2: offset -1 means the file position. */
static int64_t do_iov2(struct task *t, const uint64_t a[6], bool write)
{
	int64_t off = (int64_t)a[3];
	if ((int)a[5] & ~RWF_SUPPORTED)
		return -EOPNOTSUPP;
	return do_iov(t, (int)a[0], a[1], a[2], write, off == -1 ? NULL : &off);
}

int64_t sys_preadv2(struct task *t, const uint64_t a[6])
{
	return do_iov2(t, a, false);
}

int64_t sys_pwritev2(struct task *t, const uint64_t a[6])
{
	return do_iov2(t, a, true);
}

int64_t sys_lseek(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_file(t, (int)a[0], false);
	if (!f)
		return -EBADF;
	int whence = (int)a[2];
	int64_t r;
	if (whence < SEEK_SET || whence > SEEK_HOLE)
		r = -EINVAL;
	else if (f->ops->llseek || (f->inode && S_ISREG(f->inode->mode))) {
		pthread_mutex_lock(&f->pos_lock);
		r = f->ops->llseek ? f->ops->llseek(f, (int64_t)a[1], whence)
				   : generic_llseek(f, (int64_t)a[1], whence);
		pthread_mutex_unlock(&f->pos_lock);
	} else {
		r = -ESPIPE;
	}
	file_put(f);
	return r;
}

static int64_t do_fsync(struct task *t, int fd, bool datasync)
{
	struct file *f = fd_file(t, fd, false);
	if (!f)
		return -EBADF;
	int r = f->ops->fsync ? f->ops->fsync(f, datasync) : (f->inode ? 0 : -EINVAL);
	file_put(f);
	return r;
}

int64_t sys_fsync(struct task *t, const uint64_t a[6])
{
	return do_fsync(t, (int)a[0], false);
}

int64_t sys_fdatasync(struct task *t, const uint64_t a[6])
{
	return do_fsync(t, (int)a[0], true);
}

int64_t sys_sync(struct task *t, const uint64_t a[6])
{
	(void)t, (void)a;
	return 0;
}

int64_t sys_syncfs(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_file(t, (int)a[0], false);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}
