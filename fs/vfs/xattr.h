/* fs/vfs/xattr.h: extended attributes.
 *
 * vfs_*xattr check what Linux checks above the file system (the name's
 * namespace: user., trusted., security., system.; user.* only on regular
 * files and directories; read-only mounts), then call the inode's
 * getxattr/setxattr/listxattr ops (fs/vfs/inode.h). A file system
 * without them has no attributes: get and set give EOPNOTSUPP, list an
 * empty list.
 *
 * The simple_xattr_* store keeps attributes in the inode itself
 * (inode->xattrs, under inode->lock), for file systems that live in the
 * sentry (tmpfs). Names are whole ("user.foo"); sizes and names are
 * already bounded by the caller (XATTR_NAME_MAX, XATTR_SIZE_MAX). */
#pragma once
#include <stddef.h>
#include <sys/types.h>

struct inode;
struct path;

#define XATTR_NAME_MAX	255
#define XATTR_SIZE_MAX	65536
#define XATTR_LIST_MAX	65536

/* Size 0 asks for the length only; -ERANGE when size is too small. */
ssize_t vfs_getxattr(const struct path *p, const char *name, void *buf, size_t size);
/* flags: XATTR_CREATE, XATTR_REPLACE. */
int vfs_setxattr(const struct path *p, const char *name, const void *value, size_t size,
		 int flags);
ssize_t vfs_listxattr(const struct path *p, char *buf, size_t size);
int vfs_removexattr(const struct path *p, const char *name);

/* The store in inode->xattrs. value NULL in set removes (-ENODATA if
 * absent). */
ssize_t simple_xattr_get(struct inode *inode, const char *name, void *buf, size_t size);
int simple_xattr_set(struct inode *inode, const char *name, const void *value, size_t size,
		     int flags);
ssize_t simple_xattr_list(struct inode *inode, char *buf, size_t size);
/* At eviction. */
void simple_xattr_free(struct inode *inode);
