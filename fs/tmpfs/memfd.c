/* fs/tmpfs/memfd.c: memfd_create's files: regular files of an internal
 * tmpfs (no mount in the namespace), created and unlinked at once, so the
 * open file is all there is; its dentry keeps the name "memfd:NAME" for
 * /proc/PID/fd ("/memfd:NAME (deleted)"). Data, mappings and seals are
 * tmpfs's (tmpfs_file.c). */
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/mount.h"
#include "fs/vfs/vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t memfd_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mount memfd_mnt;

static struct dentry *memfd_root(void)
{
	pthread_mutex_lock(&memfd_lock);
	if (!memfd_mnt.root) {
		struct dentry *root = tmpfs_mount(01777);
		if (root) {
			memfd_mnt.refs = 1;
			memfd_mnt.sb = root->sb;
			memfd_mnt.root = root;
			memfd_mnt.source = (char *)"memfd";
		}
	}
	pthread_mutex_unlock(&memfd_lock);
	return memfd_mnt.root;
}

int tmpfs_memfd_create(const char *name, bool allow_sealing, struct file **out)
{
	char full[6 + 256];
	struct dentry *root = memfd_root();
	if (!root)
		return -ENOMEM;
	int len = snprintf(full, sizeof(full), "memfd:%s", name);
	if (len < 0 || (size_t)len >= sizeof(full))
		return -EINVAL;
	vfs_lock();
	struct dentry *d = d_alloc(root, full, (size_t)len);
	if (!d) {
		vfs_unlock();
		return -ENOMEM;
	}
	int r = root->inode->iops->mknod(root->inode, d, S_IFREG | 0777, 0);
	if (r == 0) {
		r = tmpfs_file_init(d->inode);
		if (r == 0)
			tmpfs_file_allow_sealing(d->inode, allow_sealing);
		struct path p = { &memfd_mnt, d };
		if (r == 0)
			r = vfs_open_path(&p, O_RDWR | O_LARGEFILE, out);
		root->inode->iops->unlink(root->inode, d);
		d_delete(d);
	}
	vfs_unlock();
	dput(d);
	return r;
}
