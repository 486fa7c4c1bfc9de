/* sentry/syscalls/sys_rw.c: read, write, readv, writev, pread64, pwrite64.
 * Data moves through a bounded sentry buffer, chunk by chunk. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#define RW_CHUNK 65536

static struct file *file_for(struct task *t, int fd, int need_mode)
{
	struct file *f = fdtable_get_file(t->files, fd);
	if (!f)
		return NULL;
	int mode = f->flags & O_ACCMODE;
	if ((need_mode == O_RDONLY && mode == O_WRONLY) ||
	    (need_mode == O_WRONLY && mode == O_RDONLY)) {
		file_put(f);
		return NULL;
	}
	return f;
}

/* Read into one guest buffer: a single read of the file per chunk; stop
 * at the first short read so a terminal read returns what it has. */
static ssize_t read_to_user(struct task *t, struct file *f, uint64_t buf, size_t len)
{
	static __thread char bounce[RW_CHUNK];
	ssize_t total = 0;
	if (!f->ops->read)
		return -EINVAL;
	while (len > 0) {
		size_t n = len < RW_CHUNK ? len : RW_CHUNK;
		ssize_t r = f->ops->read(f, bounce, n);
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

static ssize_t write_from_user(struct task *t, struct file *f, uint64_t buf, size_t len)
{
	static __thread char bounce[RW_CHUNK];
	ssize_t total = 0;
	if (!f->ops->write)
		return -EINVAL;
	while (len > 0) {
		size_t n = len < RW_CHUNK ? len : RW_CHUNK;
		int c = copy_in(t->mm, bounce, buf, n);
		if (c < 0)
			return total ? total : c;
		ssize_t r = f->ops->write(f, bounce, n);
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

int64_t sys_read(struct task *t, const uint64_t a[6])
{
	struct file *f = file_for(t, (int)a[0], O_RDONLY);
	if (!f)
		return -EBADF;
	ssize_t r = read_to_user(t, f, a[1], clamp_count(a[2]));
	file_put(f);
	return r;
}

int64_t sys_write(struct task *t, const uint64_t a[6])
{
	struct file *f = file_for(t, (int)a[0], O_WRONLY);
	if (!f)
		return -EBADF;
	ssize_t r = write_from_user(t, f, a[1], clamp_count(a[2]));
	file_put(f);
	if (r == -EPIPE)
		task_sigpipe(t);
	return r;
}

static int64_t do_iov(struct task *t, int fd, uint64_t uiov, uint64_t cnt, bool write)
{
	struct file *f = file_for(t, fd, write ? O_WRONLY : O_RDONLY);
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
	total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		if (iov[i].len == 0)
			continue;
		ssize_t r = write ? write_from_user(t, f, iov[i].base, iov[i].len)
				  : read_to_user(t, f, iov[i].base, iov[i].len);
		if (r < 0) {
			if (total == 0)
				total = r;
			break;
		}
		total += r;
		if ((uint64_t)r < iov[i].len)
			break;
	}
out:
	free(iov);
	file_put(f);
	return total;
}

int64_t sys_readv(struct task *t, const uint64_t a[6])
{
	return do_iov(t, (int)a[0], a[1], a[2], false);
}

int64_t sys_writev(struct task *t, const uint64_t a[6])
{
	int64_t r = do_iov(t, (int)a[0], a[1], a[2], true);
	if (r == -EPIPE)
		task_sigpipe(t);
	return r;
}

/* No seekable files before the VFS: stdio is a pipe, tty or socket. */
int64_t sys_pread64(struct task *t, const uint64_t a[6])
{
	struct file *f = file_for(t, (int)a[0], O_RDONLY);
	if (!f)
		return -EBADF;
	file_put(f);
	return (int64_t)a[3] < 0 ? -EINVAL : -ESPIPE;
}

int64_t sys_pwrite64(struct task *t, const uint64_t a[6])
{
	struct file *f = file_for(t, (int)a[0], O_WRONLY);
	if (!f)
		return -EBADF;
	file_put(f);
	return (int64_t)a[3] < 0 ? -EINVAL : -ESPIPE;
}
