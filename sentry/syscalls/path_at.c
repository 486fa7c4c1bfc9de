/* sentry/syscalls/path_at.c: the *at() conventions (see path_at.h). */
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/fs_context.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>

struct file *fd_file(struct task *t, int fd, bool allow_path)
{
	struct file *f = fdtable_get_file(t->files, fd);
	if (f && !allow_path && (f->mode & FMODE_PATH)) {
		file_put(f);
		return NULL;
	}
	return f;
}

int fd_limit(struct task *t)
{
	rlim_t n = t->rlim[RLIMIT_NOFILE].rlim_cur;
	return n > (1 << 20) ? 1 << 20 : (int)n;
}

struct fs_context *task_fs(struct task *t)
{
	if (!t->fs) {
		/* A task whose creator did not give it one (until fork shares
		 * or copies the context): the namespace root. */
		t->fs = fs_context_new(NULL);
		if (!t->fs)
			abort();	/* the VFS already started: cannot fail but ENOMEM */
	}
	return t->fs;
}

void at_cwd_start(struct task *t, struct walk_start *ws)
{
	fs_context_root(task_fs(t), &ws->root);
	fs_context_cwd(task_fs(t), &ws->dir);
}

int at_begin(struct task *t, int dirfd, uint64_t upath, bool empty_ok, struct at_path *ap)
{
	return at_begin_dirfd(t, dirfd, upath, empty_ok, false, ap);
}

int at_begin_dirfd(struct task *t, int dirfd, uint64_t upath, bool empty_ok, bool always,
		   struct at_path *ap)
{
	*ap = (struct at_path){ 0 };
	ap->name = malloc(PATH_MAX);
	if (!ap->name)
		return -ENOMEM;
	ssize_t n = copy_string_in(t->mm, ap->name, upath, PATH_MAX);
	if (n < 0)
		return (int)n;
	if (n == 0) {
		if (!empty_ok)
			return -ENOENT;
		ap->empty = true;
	}
	fs_context_root(task_fs(t), &ap->ws.root);
	if (ap->name[0] == '/' && !always)
		fs_context_root(task_fs(t), &ap->ws.dir);
	else if (dirfd == AT_FDCWD)
		fs_context_cwd(task_fs(t), &ap->ws.dir);
	else {
		ap->dirf = fd_file(t, dirfd, true);
		if (!ap->dirf)
			return -EBADF;
		if (!ap->dirf->path.dentry) {
			/* A file without a path (host stdio, pipes). */
			return ap->empty ? 0 : -ENOTDIR;
		}
		if (!ap->empty && !S_ISDIR(ap->dirf->inode->mode))
			return -ENOTDIR;
		ap->ws.dir = ap->dirf->path;
		path_get(&ap->ws.dir);
	}
	return 0;
}

void at_end(struct at_path *ap)
{
	if (ap->ws.root.dentry)
		path_put(&ap->ws.root);
	if (ap->ws.dir.dentry)
		path_put(&ap->ws.dir);
	if (ap->dirf)
		file_put(ap->dirf);
	free(ap->name);
	ap->name = NULL;
}

int at_lookup(struct task *t, int dirfd, uint64_t upath, int at_flags, unsigned lookup_flags,
	      struct path *out)
{
	struct at_path ap;
	int r = at_begin(t, dirfd, upath, at_flags & AT_EMPTY_PATH, &ap);
	if (r == 0 && ap.empty) {
		if (!ap.ws.dir.dentry)
			r = -EBADF;	/* not a file with a path */
		else {
			*out = ap.ws.dir;
			path_get(out);
		}
	} else if (r == 0) {
		if (!(at_flags & AT_SYMLINK_NOFOLLOW))
			lookup_flags |= LOOKUP_FOLLOW;
		r = vfs_lookup(&ap.ws, ap.name, lookup_flags, out);
	}
	at_end(&ap);
	return r;
}
