/* sentry/syscalls/sys_dir.c: directories: getdents, getdents64, chdir,
 * fchdir, getcwd, chroot. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/fs_context.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define DENTS_MAX 65536		/* bytes of entries per call */

struct dents_ctx {
	struct dir_context ctx;
	char *buf;
	size_t len, used;
	bool is64;
};

static bool emit(struct dir_context *c, const char *name, size_t namelen, uint64_t ino,
		 unsigned type, int64_t next)
{
	struct dents_ctx *d = (struct dents_ctx *)c;
	size_t reclen;
	if (d->is64)
		reclen = (offsetof(struct { uint64_t i; int64_t o; uint16_t r; uint8_t t; char n[]; }, n)
			  + namelen + 1 + 7) & ~(size_t)7;
	else
		reclen = (offsetof(struct { uint64_t i; int64_t o; uint16_t r; char n[]; }, n)
			  + namelen + 2 + 7) & ~(size_t)7;
	if (d->used + reclen > d->len)
		return false;
	char *p = d->buf + d->used;
	memset(p, 0, reclen);
	memcpy(p, &ino, 8);
	memcpy(p + 8, &next, 8);
	uint16_t rl = (uint16_t)reclen;
	memcpy(p + 16, &rl, 2);
	if (d->is64) {
		p[18] = (char)type;
		memcpy(p + 19, name, namelen);
	} else {
		memcpy(p + 18, name, namelen);
		p[reclen - 1] = (char)type;
	}
	d->used += reclen;
	return true;
}

static int64_t do_getdents(struct task *t, int fd, uint64_t ubuf, uint64_t count, bool is64)
{
	struct file *f = fd_file(t, fd, false);
	if (!f)
		return -EBADF;
	struct dents_ctx d = { .ctx.emit = emit, .is64 = is64 };
	d.len = count > DENTS_MAX ? DENTS_MAX : (size_t)count;
	int64_t r;
	d.buf = malloc(d.len ? d.len : 1);
	if (!d.buf) {
		file_put(f);
		return -ENOMEM;
	}
	pthread_mutex_lock(&f->pos_lock);
	d.ctx.pos = f->pos;
	r = vfs_iterate(f, &d.ctx);
	if (r == 0) {
		if (d.used == 0) {
			/* Nothing emitted: at the end, or the first entry did
			 * not fit (EINVAL). Probe with a large buffer. */
			char probe[512];
			struct dents_ctx p = { .ctx.emit = emit, .is64 = is64,
					       .buf = probe, .len = sizeof(probe) };
			p.ctx.pos = f->pos;
			vfs_iterate(f, &p.ctx);
			r = p.used ? -EINVAL : 0;
		} else {
			r = copy_out(t->mm, ubuf, d.buf, d.used);
			if (r == 0) {
				f->pos = d.ctx.pos;
				r = (int64_t)d.used;
			}
		}
	}
	pthread_mutex_unlock(&f->pos_lock);
	free(d.buf);
	file_put(f);
	return r;
}

int64_t sys_getdents(struct task *t, const uint64_t a[6])
{
	return do_getdents(t, (int)a[0], a[1], (unsigned)a[2], false);
}

int64_t sys_getdents64(struct task *t, const uint64_t a[6])
{
	return do_getdents(t, (int)a[0], a[1], (unsigned)a[2], true);
}

static int set_dir(struct task *t, struct path *p, bool root)
{
	int r = S_ISDIR(p->dentry->inode->mode) ? inode_permission(p->dentry->inode, MAY_EXEC)
						 : -ENOTDIR;
	if (r == 0) {
		if (root)
			fs_context_set_root(task_fs(t), p);
		else
			fs_context_set_cwd(task_fs(t), p);
	}
	path_put(p);
	return r;
}

int64_t sys_chdir(struct task *t, const uint64_t a[6])
{
	struct path p;
	int r = at_lookup(t, AT_FDCWD, a[0], 0, LOOKUP_DIRECTORY, &p);
	return r < 0 ? r : set_dir(t, &p, false);
}

int64_t sys_fchdir(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_file(t, (int)a[0], true);
	if (!f)
		return -EBADF;
	struct path p = f->path;
	int r = p.dentry ? 0 : -ENOTDIR;
	if (r == 0)
		path_get(&p);
	file_put(f);
	return r < 0 ? r : set_dir(t, &p, false);
}

int64_t sys_chroot(struct task *t, const uint64_t a[6])
{
	struct path p;
	int r = at_lookup(t, AT_FDCWD, a[0], 0, LOOKUP_DIRECTORY, &p);
	return r < 0 ? r : set_dir(t, &p, true);
}

int64_t sys_getcwd(struct task *t, const uint64_t a[6])
{
	uint64_t size = a[1];
	char *buf = malloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	struct path root, cwd;
	fs_context_root(task_fs(t), &root);
	fs_context_cwd(task_fs(t), &cwd);
	int n = vfs_getcwd(&root, &cwd, buf, PATH_MAX);
	path_put(&root);
	path_put(&cwd);
	int64_t r = n;
	if (n == -ERANGE)
		r = -ENAMETOOLONG;
	else if (n > 0 && (uint64_t)n > size)
		r = -ERANGE;
	else if (n > 0) {
		int c = copy_out(t->mm, a[0], buf, (size_t)n);
		if (c < 0)
			r = c;
	}
	free(buf);
	return r;
}
