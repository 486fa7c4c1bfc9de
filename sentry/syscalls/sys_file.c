/* sentry/syscalls/sys_file.c: opening files by path: open, openat,
 * creat, openat2. Flags are checked as Linux's build_open_flags does. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/fs_context.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>

#ifndef OPEN_HOW_SIZE_VER0
#define OPEN_HOW_SIZE_VER0 24
#endif

#define K_O_LARGEFILE 0100000	/* the kernel's value (glibc's is 0) */
#define K_O_TMPFILE_BIT 020000000	/* glibc's __O_TMPFILE includes O_DIRECTORY */
#define VALID_OPEN_FLAGS \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | \
	 O_DSYNC | O_ASYNC | O_DIRECT | K_O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | \
	 O_NOATIME | O_CLOEXEC | O_PATH | K_O_TMPFILE_BIT | O_SYNC)
#define VALID_RESOLVE_FLAGS \
	(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | \
	 RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED)

static int64_t do_open(struct task *t, int dirfd, uint64_t upath, int flags, mode_t mode,
		       uint64_t resolve)
{
	unsigned lookup = 0;
	if (resolve & RESOLVE_NO_XDEV)
		lookup |= LOOKUP_NO_XDEV;
	if (resolve & RESOLVE_NO_SYMLINKS)
		lookup |= LOOKUP_NO_SYMLINKS;
	if (resolve & RESOLVE_NO_MAGICLINKS)
		lookup |= LOOKUP_NO_MAGICLINKS;
	if (resolve & RESOLVE_BENEATH)
		lookup |= LOOKUP_BENEATH;
	if (resolve & RESOLVE_IN_ROOT)
		lookup |= LOOKUP_IN_ROOT;

	if (flags & O_PATH)
		flags &= O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return -EINVAL;
	/* O_TMPFILE: with O_DIRECTORY, without O_CREAT, for writing. */
	if ((flags & K_O_TMPFILE_BIT) &&
	    (!(flags & O_DIRECTORY) || (flags & O_CREAT) || (flags & O_ACCMODE) == O_RDONLY))
		return -EINVAL;
	if (flags & (O_CREAT | K_O_TMPFILE_BIT)) {
		pthread_mutex_lock(&task_fs(t)->lock);
		mode &= ~task_fs(t)->umask;
		pthread_mutex_unlock(&task_fs(t)->lock);
	}

	struct at_path ap;
	int r = at_begin_dirfd(t, dirfd, upath, false,
			       resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT), &ap);
	struct file *f = NULL;
	if (r == 0)
		r = vfs_open(&ap.ws, ap.name, flags, mode & 07777, lookup, &f);
	at_end(&ap);
	if (r < 0)
		return r;
	if (!(flags & O_PATH))
		f->flags |= K_O_LARGEFILE;
	int fd = fdtable_install(t->files, f, 0, fd_limit(t), flags & O_CLOEXEC);
	file_put(f);
	return fd;
}

static int open_flags(uint64_t v)
{
	return (int)((unsigned)v & VALID_OPEN_FLAGS);
}

int64_t sys_open(struct task *t, const uint64_t a[6])
{
	return do_open(t, AT_FDCWD, a[0], open_flags(a[1]), (mode_t)a[2], 0);
}

int64_t sys_openat(struct task *t, const uint64_t a[6])
{
	return do_open(t, (int)a[0], a[1], open_flags(a[2]), (mode_t)a[3], 0);
}

int64_t sys_creat(struct task *t, const uint64_t a[6])
{
	return do_open(t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, (mode_t)a[1], 0);
}

int64_t sys_openat2(struct task *t, const uint64_t a[6])
{
	struct open_how how = { 0 };
	uint64_t size = a[3];
	if (size < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	size_t n = size < sizeof(how) ? (size_t)size : sizeof(how);
	int r = copy_in(t->mm, &how, a[2], n);
	if (r < 0)
		return r;
	/* A larger struct from a newer guest: the rest must be zero. */
	for (uint64_t off = sizeof(how); off < size; off++) {
		unsigned char c;
		r = copy_in(t->mm, &c, a[2] + off, 1);
		if (r < 0)
			return r;
		if (c)
			return -E2BIG;
	}
	if (how.flags & ~(uint64_t)VALID_OPEN_FLAGS)
		return -EINVAL;
	if (how.resolve & ~(uint64_t)VALID_RESOLVE_FLAGS)
		return -EINVAL;
	if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	if (how.resolve & RESOLVE_CACHED)
		return -EAGAIN;
	int flags = (int)how.flags;
	if (!(flags & (O_CREAT | K_O_TMPFILE_BIT)) && how.mode)
		return -EINVAL;
	if (how.mode & ~(uint64_t)07777)
		return -EINVAL;
	if ((flags & O_PATH) && (flags & ~(O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)))
		return -EINVAL;
	return do_open(t, (int)a[0], a[1], flags, (mode_t)how.mode, how.resolve);
}
