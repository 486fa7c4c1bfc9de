/* sentry/syscalls/sys_xattr.c: extended attributes, until file systems
 * keep any: the path or fd is resolved as Linux does (ENOENT, EBADF...),
 * then every file has no attributes: get gives ENODATA, list an empty
 * list, set and remove EOPNOTSUPP. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "fs/vfs/file.h"

#include <errno.h>
#include <fcntl.h>

static int64_t check_path(struct task *t, uint64_t upath, bool follow)
{
	struct path p;
	int r = at_lookup(t, AT_FDCWD, upath, follow ? 0 : AT_SYMLINK_NOFOLLOW, 0, &p);
	if (r < 0)
		return r;
	path_put(&p);
	return 0;
}

static int64_t check_fd(struct task *t, int fd)
{
	struct file *f = fd_file(t, fd, false);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

#define XATTR_PATH(name, follow, result)					\
	int64_t sys_##name(struct task *t, const uint64_t a[6])			\
	{									\
		int64_t r = check_path(t, a[0], follow);			\
		return r < 0 ? r : (result);					\
	}
#define XATTR_FD(name, result)							\
	int64_t sys_##name(struct task *t, const uint64_t a[6])			\
	{									\
		int64_t r = check_fd(t, (int)a[0]);				\
		return r < 0 ? r : (result);					\
	}

XATTR_PATH(getxattr, true, -ENODATA)
XATTR_PATH(lgetxattr, false, -ENODATA)
XATTR_FD(fgetxattr, -ENODATA)
XATTR_PATH(listxattr, true, 0)
XATTR_PATH(llistxattr, false, 0)
XATTR_FD(flistxattr, 0)
XATTR_PATH(setxattr, true, -EOPNOTSUPP)
XATTR_PATH(lsetxattr, false, -EOPNOTSUPP)
XATTR_FD(fsetxattr, -EOPNOTSUPP)
XATTR_PATH(removexattr, true, -EOPNOTSUPP)
XATTR_PATH(lremovexattr, false, -EOPNOTSUPP)
XATTR_FD(fremovexattr, -EOPNOTSUPP)
