/* fs/vfs/xattr.c: extended attributes: the checks above the file system
 * and the in-inode store (see xattr.h). */
#include "fs/vfs/xattr.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/mount.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

/* The namespaces Linux knows; anything else is EOPNOTSUPP, a bare
 * prefix ("user.") EINVAL. */
static int xattr_check_name(const char *name, bool *user)
{
	static const char *const prefixes[] = { "user.", "trusted.", "security.", "system." };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(name, prefixes[i], n) == 0) {
			*user = i == 0;
			return name[n] ? 0 : -EINVAL;
		}
	}
	return -EOPNOTSUPP;
}

static bool reg_or_dir(const struct inode *inode)
{
	return S_ISREG(inode->mode) || S_ISDIR(inode->mode);
}

ssize_t vfs_getxattr(const struct path *p, const char *name, void *buf, size_t size)
{
	struct inode *inode = p->dentry->inode;
	bool user;
	int r = xattr_check_name(name, &user);
	if (r < 0)
		return r;
	if (user && !reg_or_dir(inode))
		return -ENODATA;
	if (!inode->iops || !inode->iops->getxattr)
		return -EOPNOTSUPP;
	return inode->iops->getxattr(p->dentry, name, buf, size);
}

static int setxattr_common(const struct path *p, const char *name, const void *value,
			   size_t size, int flags)
{
	struct inode *inode = p->dentry->inode;
	bool user;
	int r = xattr_check_name(name, &user);
	if (r < 0)
		return r;
	if ((p->mnt && (p->mnt->flags & MNT_RDONLY)) || (inode->sb && inode->sb->rdonly))
		return -EROFS;
	if (user && !reg_or_dir(inode))
		return -EPERM;
	if (!inode->iops || !inode->iops->setxattr)
		return -EOPNOTSUPP;
	return inode->iops->setxattr(p->dentry, name, value, size, flags);
}

int vfs_setxattr(const struct path *p, const char *name, const void *value, size_t size,
		 int flags)
{
	return setxattr_common(p, name, value ? value : "", size, flags);
}

int vfs_removexattr(const struct path *p, const char *name)
{
	return setxattr_common(p, name, NULL, 0, XATTR_REPLACE);
}

ssize_t vfs_listxattr(const struct path *p, char *buf, size_t size)
{
	struct inode *inode = p->dentry->inode;
	if (!inode->iops || !inode->iops->listxattr)
		return 0;
	return inode->iops->listxattr(p->dentry, buf, size);
}

/* --- the in-inode store: a list in insertion order --- */

struct simple_xattr {
	struct simple_xattr *next;
	char *name;
	size_t size;
	char value[];
};

static struct simple_xattr **find(struct inode *inode, const char *name)
{
	struct simple_xattr **pp = &inode->xattrs;
	while (*pp && strcmp((*pp)->name, name) != 0)
		pp = &(*pp)->next;
	return pp;
}

ssize_t simple_xattr_get(struct inode *inode, const char *name, void *buf, size_t size)
{
	pthread_mutex_lock(&inode->lock);
	struct simple_xattr *x = *find(inode, name);
	ssize_t r;
	if (!x)
		r = -ENODATA;
	else if (size == 0)
		r = (ssize_t)x->size;
	else if (size < x->size)
		r = -ERANGE;
	else {
		memcpy(buf, x->value, x->size);
		r = (ssize_t)x->size;
	}
	pthread_mutex_unlock(&inode->lock);
	return r;
}

int simple_xattr_set(struct inode *inode, const char *name, const void *value, size_t size,
		     int flags)
{
	struct simple_xattr *n = NULL;
	if (value) {
		n = malloc(sizeof(*n) + size);
		if (!n || !(n->name = strdup(name))) {
			free(n);
			return -ENOMEM;
		}
		n->size = size;
		memcpy(n->value, value, size);
	}
	pthread_mutex_lock(&inode->lock);
	struct simple_xattr **pp = find(inode, name), *old = *pp;
	int r = 0;
	if (old && (flags & XATTR_CREATE))
		r = -EEXIST;
	else if (!old && (flags & XATTR_REPLACE))
		r = -ENODATA;
	else if (old) {
		if (n) {
			n->next = old->next;
			*pp = n;
		} else {
			*pp = old->next;
		}
		n = old;	/* freed below */
	} else {
		n->next = NULL;
		*pp = n;
		n = NULL;
	}
	if (r == 0)
		inode->ctime = inode_now();
	pthread_mutex_unlock(&inode->lock);
	if (n) {
		free(n->name);
		free(n);
	}
	return r;
}

ssize_t simple_xattr_list(struct inode *inode, char *buf, size_t size)
{
	pthread_mutex_lock(&inode->lock);
	size_t need = 0;
	for (struct simple_xattr *x = inode->xattrs; x; x = x->next)
		need += strlen(x->name) + 1;
	ssize_t r = (ssize_t)need;
	if (size && size < need) {
		r = -ERANGE;
	} else if (size) {
		char *o = buf;
		for (struct simple_xattr *x = inode->xattrs; x; x = x->next) {
			size_t l = strlen(x->name) + 1;
			memcpy(o, x->name, l);
			o += l;
		}
	}
	pthread_mutex_unlock(&inode->lock);
	return r;
}

void simple_xattr_free(struct inode *inode)
{
	for (struct simple_xattr *x = inode->xattrs, *next; x; x = next) {
		next = x->next;
		free(x->name);
		free(x);
	}
	inode->xattrs = NULL;
}
