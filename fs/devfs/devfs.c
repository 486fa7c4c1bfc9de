/* fs/devfs/devfs.c: the /dev file system: a tmpfs with the memory device
 * nodes and tty (mode 0666) and the /dev/fd, stdin, stdout, stderr
 * symlinks. */
#include "fs/devfs/devfs.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/inode.h"

#include <string.h>
#include <sys/sysmacros.h>

static int add(struct dentry *root, const char *name, mode_t mode, dev_t rdev,
	       const char *target)
{
	struct dentry *d = d_alloc(root, name, strlen(name));
	if (!d)
		return -1;
	struct inode *dir = root->inode;
	int r = target ? dir->iops->symlink(dir, d, target)
		       : S_ISDIR(mode) ? dir->iops->mkdir(dir, d, mode & 07777)
				       : dir->iops->mknod(dir, d, mode, rdev);
	dput(d);
	return r;
}

struct dentry *devfs_mount(void)
{
	static int registered;
	if (!registered && devfs_mem_register() == 0 && devfs_tty_register() == 0)
		registered = 1;
	struct dentry *root = tmpfs_mount(0755);
	if (!root)
		return NULL;
	vfs_lock();
	for (const struct devfs_node *n = devfs_mem_nodes; n->name; n++)
		add(root, n->name, S_IFCHR | 0666, makedev(1, n->minor), NULL);
	add(root, "tty", S_IFCHR | 0666, makedev(5, 0), NULL);
	add(root, "fd", 0, 0, "/proc/self/fd");
	add(root, "stdin", 0, 0, "/proc/self/fd/0");
	add(root, "stdout", 0, 0, "/proc/self/fd/1");
	add(root, "stderr", 0, 0, "/proc/self/fd/2");
	add(root, "shm", S_IFDIR | 01777, 0, NULL);
	vfs_unlock();
	return root;
}
