/* fs/tmpfs/tmpfs_xattr.c: tmpfs extended attributes: user.*, trusted.*
 * and security.* kept in the inode (fs/vfs/xattr.h's store); no POSIX
 * ACLs, so system.posix_acl_* read as absent and other system.* names
 * are not supported. */
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/xattr.h"

#include <errno.h>
#include <string.h>

static bool is_system(const char *name)
{
	return strncmp(name, "system.", 7) == 0;
}

ssize_t tmpfs_getxattr(struct dentry *d, const char *name, void *buf, size_t size)
{
	if (is_system(name))
		return strncmp(name, "system.posix_acl_", 17) == 0 ? -ENODATA : -EOPNOTSUPP;
	return simple_xattr_get(d->inode, name, buf, size);
}

int tmpfs_setxattr(struct dentry *d, const char *name, const void *value, size_t size,
		   int flags)
{
	if (is_system(name))
		return -EOPNOTSUPP;
	return simple_xattr_set(d->inode, name, value, size, flags);
}

ssize_t tmpfs_listxattr(struct dentry *d, char *buf, size_t size)
{
	return simple_xattr_list(d->inode, buf, size);
}
