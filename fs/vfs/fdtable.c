/* fs/vfs/fdtable.c: per-task fd tables (see fdtable.h). */
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/lock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fdtable *fdtable_new(void)
{
	struct fdtable *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	t->refs = 1;
	return t;
}

void fdtable_get(struct fdtable *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
}

void fdtable_put(struct fdtable *t)
{
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (int i = 0; i < t->nfds; i++) {
		if (t->files[i]) {
			lock_remove_posix(t->files[i], t);
			file_put(t->files[i]);
		}
	}
	free(t->files);
	free(t->cloexec);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static int fdtable_grow(struct fdtable *t, int need)
{
	if (need <= t->nfds)
		return 0;
	int n = t->nfds ? t->nfds : 64;
	while (n < need)
		n *= 2;
	struct file **files = realloc(t->files, (size_t)n * sizeof(*files));
	if (!files)
		return -ENOMEM;
	t->files = files;
	unsigned char *ce = realloc(t->cloexec, (size_t)n);
	if (!ce)
		return -ENOMEM;
	t->cloexec = ce;
	memset(t->files + t->nfds, 0, (size_t)(n - t->nfds) * sizeof(*files));
	memset(t->cloexec + t->nfds, 0, (size_t)(n - t->nfds));
	t->nfds = n;
	return 0;
}

int fdtable_install(struct fdtable *t, struct file *f, int min, int limit, bool cloexec)
{
	int fd = -EMFILE;
	if (min < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	for (int i = min; i < limit; i++) {
		if (i >= t->nfds && fdtable_grow(t, i + 1) < 0) {
			fd = -ENOMEM;
			break;
		}
		if (!t->files[i]) {
			file_get(f);
			t->files[i] = f;
			t->cloexec[i] = cloexec;
			fd = i;
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return fd;
}

int fdtable_install_at(struct fdtable *t, int fd, struct file *f, int limit, bool cloexec)
{
	if (fd < 0 || fd >= limit)
		return -EBADF;
	pthread_mutex_lock(&t->lock);
	if (fdtable_grow(t, fd + 1) < 0) {
		pthread_mutex_unlock(&t->lock);
		return -ENOMEM;
	}
	struct file *old = t->files[fd];
	file_get(f);
	t->files[fd] = f;
	t->cloexec[fd] = cloexec;
	pthread_mutex_unlock(&t->lock);
	if (old) {
		lock_remove_posix(old, t);
		file_put(old);
	}
	return 0;
}

struct file *fdtable_get_file(struct fdtable *t, int fd)
{
	struct file *f = NULL;
	pthread_mutex_lock(&t->lock);
	if (fd >= 0 && fd < t->nfds && t->files[fd]) {
		f = t->files[fd];
		file_get(f);
	}
	pthread_mutex_unlock(&t->lock);
	return f;
}

int fdtable_close(struct fdtable *t, int fd)
{
	struct file *f = NULL;
	pthread_mutex_lock(&t->lock);
	if (fd >= 0 && fd < t->nfds) {
		f = t->files[fd];
		t->files[fd] = NULL;
	}
	pthread_mutex_unlock(&t->lock);
	if (!f)
		return -EBADF;
	lock_remove_posix(f, t);
	file_put(f);
	return 0;
}

int fdtable_get_cloexec(struct fdtable *t, int fd)
{
	int r = -EBADF;
	pthread_mutex_lock(&t->lock);
	if (fd >= 0 && fd < t->nfds && t->files[fd])
		r = t->cloexec[fd];
	pthread_mutex_unlock(&t->lock);
	return r;
}

int fdtable_set_cloexec(struct fdtable *t, int fd, bool cloexec)
{
	int r = -EBADF;
	pthread_mutex_lock(&t->lock);
	if (fd >= 0 && fd < t->nfds && t->files[fd]) {
		t->cloexec[fd] = cloexec;
		r = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

struct fdtable *fdtable_fork(struct fdtable *t)
{
	struct fdtable *n = fdtable_new();
	if (!n)
		return NULL;
	pthread_mutex_lock(&t->lock);
	if (fdtable_grow(n, t->nfds) < 0) {
		pthread_mutex_unlock(&t->lock);
		fdtable_put(n);
		return NULL;
	}
	for (int i = 0; i < t->nfds; i++) {
		if (t->files[i]) {
			file_get(t->files[i]);
			n->files[i] = t->files[i];
			n->cloexec[i] = t->cloexec[i];
		}
	}
	pthread_mutex_unlock(&t->lock);
	return n;
}

void fdtable_close_on_exec(struct fdtable *t)
{
	for (;;) {
		struct file *f = NULL;
		pthread_mutex_lock(&t->lock);
		for (int i = 0; i < t->nfds && !f; i++) {
			if (t->files[i] && t->cloexec[i]) {
				f = t->files[i];
				t->files[i] = NULL;
				t->cloexec[i] = 0;
			}
		}
		pthread_mutex_unlock(&t->lock);
		if (!f)
			return;
		lock_remove_posix(f, t);
		file_put(f);	/* outside the lock: release may block */
	}
}

void fdtable_close_range(struct fdtable *t, unsigned first, unsigned last, bool cloexec)
{
	pthread_mutex_lock(&t->lock);
	unsigned end = (unsigned)t->nfds;
	if (last < end)
		end = last + 1;
	if (cloexec) {
		for (unsigned i = first; i < end; i++)
			if (t->files[i])
				t->cloexec[i] = 1;
		pthread_mutex_unlock(&t->lock);
		return;
	}
	pthread_mutex_unlock(&t->lock);
	for (unsigned i = first; i < end; i++) {
		struct file *f;
		pthread_mutex_lock(&t->lock);
		f = i < (unsigned)t->nfds ? t->files[i] : NULL;
		if (f) {
			t->files[i] = NULL;
			t->cloexec[i] = 0;
		}
		pthread_mutex_unlock(&t->lock);
		if (f) {
			lock_remove_posix(f, t);
			file_put(f);	/* outside the lock: release may block */
		}
	}
}

int fdtable_next_fd(struct fdtable *t, int fd)
{
	int r = -1;
	if (fd < 0)
		fd = 0;
	pthread_mutex_lock(&t->lock);
	for (int i = fd; i < t->nfds; i++) {
		if (t->files[i]) {
			r = i;
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

int fdtable_size(struct fdtable *t)
{
	pthread_mutex_lock(&t->lock);
	int n = t->nfds;
	pthread_mutex_unlock(&t->lock);
	return n;
}
