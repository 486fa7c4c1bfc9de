/* sentry/syscalls/sys_xattr.c: extended attributes: getxattr, setxattr,
 * listxattr, removexattr and their l (no final symlink) and f (fd)
 * forms. Names are at most XATTR_NAME_MAX bytes (ERANGE beyond, or when
 * empty), values at most XATTR_SIZE_MAX (E2BIG); get and list clamp the
 * buffer to the maximum and answer ERANGE when it is too small, the size
 * when it is 0. The checks and the file systems' part are in
 * fs/vfs/xattr.c. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/vfs/file.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/xattr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/xattr.h>

/* Resolve the target: a path (follow or not) or an fd (O_PATH refused). */
static int xattr_target(struct task *t, int kind, uint64_t arg, struct path *p)
{
	if (kind == 'f') {
		struct file *f = fd_file(t, (int)arg, false);
		if (!f)
			return -EBADF;
		int r = 0;
		if (!f->path.dentry || !f->path.dentry->inode)
			r = -EOPNOTSUPP;	/* host stdio: no attributes */
		else {
			*p = f->path;
			path_get(p);
		}
		file_put(f);
		return r;
	}
	return at_lookup(t, AT_FDCWD, arg, kind == 'l' ? AT_SYMLINK_NOFOLLOW : 0, 0, p);
}

static int name_in(struct task *t, uint64_t uname, char name[XATTR_NAME_MAX + 1])
{
	ssize_t n = copy_string_in(t->mm, name, uname, XATTR_NAME_MAX + 1);
	if (n == -ENAMETOOLONG || n == 0)
		return -ERANGE;
	return n < 0 ? (int)n : 0;
}

static int64_t do_getxattr(struct task *t, int kind, const uint64_t a[6])
{
	char name[XATTR_NAME_MAX + 1];
	int r = name_in(t, a[1], name);
	if (r < 0)
		return r;
	size_t size = a[3] > XATTR_SIZE_MAX ? XATTR_SIZE_MAX : a[3];
	struct path p;
	r = xattr_target(t, kind, a[0], &p);
	if (r < 0)
		return r;
	char *buf = size ? malloc(size) : NULL;
	int64_t n = size && !buf ? -ENOMEM : vfs_getxattr(&p, name, buf, size);
	path_put(&p);
	if (n > 0 && size) {
		r = copy_out(t->mm, a[2], buf, (size_t)n);
		if (r < 0)
			n = r;
	}
	free(buf);
	return n;
}

static int64_t do_setxattr(struct task *t, int kind, const uint64_t a[6])
{
	int flags = (int)a[4];
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	char name[XATTR_NAME_MAX + 1];
	int r = name_in(t, a[1], name);
	if (r < 0)
		return r;
	size_t size = a[3];
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	char *value = malloc(size ? size : 1);
	if (!value)
		return -ENOMEM;
	if (size && (r = copy_in(t->mm, value, a[2], size)) < 0) {
		free(value);
		return r;
	}
	struct path p;
	r = xattr_target(t, kind, a[0], &p);
	if (r == 0) {
		r = vfs_setxattr(&p, name, value, size, flags);
		path_put(&p);
	}
	free(value);
	return r;
}

static int64_t do_listxattr(struct task *t, int kind, const uint64_t a[6])
{
	size_t size = a[2] > XATTR_LIST_MAX ? XATTR_LIST_MAX : a[2];
	struct path p;
	int r = xattr_target(t, kind, a[0], &p);
	if (r < 0)
		return r;
	char *buf = size ? malloc(size) : NULL;
	int64_t n = size && !buf ? -ENOMEM : vfs_listxattr(&p, buf, size);
	path_put(&p);
	if (n > 0 && size) {
		r = copy_out(t->mm, a[1], buf, (size_t)n);
		if (r < 0)
			n = r;
	}
	free(buf);
	return n;
}

static int64_t do_removexattr(struct task *t, int kind, const uint64_t a[6])
{
	char name[XATTR_NAME_MAX + 1];
	int r = name_in(t, a[1], name);
	if (r < 0)
		return r;
	struct path p;
	r = xattr_target(t, kind, a[0], &p);
	if (r == 0) {
		r = vfs_removexattr(&p, name);
		path_put(&p);
	}
	return r;
}

#define XATTR_SYS(op, kind, prefix)					\
	int64_t sys_##prefix##op(struct task *t, const uint64_t a[6])	\
	{								\
		return do_##op(t, kind, a);				\
	}

XATTR_SYS(getxattr, 'p', )
XATTR_SYS(getxattr, 'l', l)
XATTR_SYS(getxattr, 'f', f)
XATTR_SYS(setxattr, 'p', )
XATTR_SYS(setxattr, 'l', l)
XATTR_SYS(setxattr, 'f', f)
XATTR_SYS(listxattr, 'p', )
XATTR_SYS(listxattr, 'l', l)
XATTR_SYS(listxattr, 'f', f)
XATTR_SYS(removexattr, 'p', )
XATTR_SYS(removexattr, 'l', l)
XATTR_SYS(removexattr, 'f', f)
