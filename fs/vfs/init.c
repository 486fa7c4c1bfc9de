/* fs/vfs/init.c: the sandbox's mount namespace: the root is an overlay
 * (tmpfs over the gofer's root file system) when the sentry has a gofer,
 * else a tmpfs; /tmp a tmpfs of its own, /dev (devfs), procfs at /proc,
 * sysfs at /sys, then the -v bind mounts. Mounting file systems by type
 * name. */
#include "fs/vfs/vfs.h"
#include "fs/devfs/devfs.h"
#include "fs/goferfs/goferfs.h"
#include "fs/procfs/procfs.h"
#include "fs/sysfs/sysfs.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

static int init_result;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

int vfs_mount_new(const struct path *p, const char *type, const char *source,
		  unsigned mnt_flags)
{
	struct dentry *root;
	if (strcmp(type, "tmpfs") == 0)
		root = tmpfs_mount(01777);
	else if (strcmp(type, "devtmpfs") == 0)
		root = devfs_mount();
	else if (strcmp(type, "proc") == 0)
		root = procfs_mount();
	else if (strcmp(type, "sysfs") == 0)
		root = sysfs_mount();
	else
		return -ENODEV;
	if (!root)
		return -ENOMEM;
	if (p && !S_ISDIR(p->dentry->inode->mode)) {
		dput(root);
		return -ENOTDIR;
	}
	vfs_lock();
	struct mount *m = mount_attach(root, p, source, mnt_flags);
	vfs_unlock();
	if (!m) {
		dput(root);
		return -ENOMEM;
	}
	return 0;
}

static int mkdir_mount(const char *dir, mode_t mode, const char *type, const char *source)
{
	struct walk_start ws;
	mount_root_path(&ws.root);
	ws.dir = ws.root;
	int r = vfs_mkdir(&ws, dir, mode);
	struct path p;
	if (r == 0 || r == -EEXIST)
		r = vfs_lookup(&ws, dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (r == 0 && type) {
		r = vfs_mount_new(&p, type, source, 0);
		path_put(&p);
	} else if (r == 0) {
		path_put(&p);
	}
	path_put(&ws.root);
	return r;
}

static void do_init(void)
{
	int err = 0;
	struct dentry *root = goferfs_rootfs(&err);
	if (!root && err) {
		init_result = err;
		return;
	}
	if (!root)
		root = tmpfs_mount(0755);
	if (!root) {
		init_result = -ENOMEM;
		return;
	}
	vfs_lock();
	struct mount *m = mount_attach(root, NULL, "rootfs", 0);
	vfs_unlock();
	if (!m) {
		init_result = -ENOMEM;
		return;
	}
	int r = mkdir_mount("/tmp", 01777, "tmpfs", "tmpfs");
	if (r == 0)
		r = mkdir_mount("/dev", 0755, "devtmpfs", "devtmpfs");
	if (r == 0)
		r = mkdir_mount("/proc", 0555, "proc", "proc");
	/* (The host's /proc and /sys never show through the gofer.) */
	if (r == 0)
		r = mkdir_mount("/sys", 0555, "sysfs", "sysfs");
	if (r == 0)
		r = goferfs_mount_volumes();
	init_result = r;
}

int vfs_init(void)
{
	pthread_once(&init_once, do_init);
	return init_result;
}
