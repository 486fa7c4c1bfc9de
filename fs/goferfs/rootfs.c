/* fs/goferfs/rootfs.c: the sandbox's file systems from the gofer: the
 * root (an overlay of a tmpfs over export 0, read-only) and the -v bind
 * mounts (exports 1..n at their guest paths, made if missing). The
 * sentry configures them before the VFS starts (fs/vfs/init.c). */
#include "fs/goferfs/goferfs.h"
#include "fs/overlay/overlay.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/vfs.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static size_t nvols;
static char **vol_guest;
static bool *vol_ro;

int goferfs_configure(int sock, size_t n, const char *const *guest, const bool *ro)
{
	vol_guest = calloc(n + 1, sizeof(char *));
	vol_ro = calloc(n + 1, sizeof(bool));
	if (!vol_guest || !vol_ro)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		vol_guest[i] = strdup(guest[i]);
		if (!vol_guest[i])
			return -ENOMEM;
		vol_ro[i] = ro[i];
	}
	nvols = n;
	gofer_client_set_fd(sock);
	return 0;
}

struct dentry *goferfs_rootfs(int *err)
{
	if (!gofer_client_ready()) {
		*err = 0;
		return NULL;
	}
	struct dentry *lower = goferfs_mount(0, true, err);
	if (!lower)
		return NULL;
	/* The mount points fs/vfs/init.c looks up next, in one go. */
	static const char *const mnt[] = { "tmp", "dev", "proc", "sys" };
	goferfs_prefetch(lower, mnt, sizeof(mnt) / sizeof(mnt[0]));
	struct dentry *upper = tmpfs_mount(0755);
	struct dentry *root = upper ? overlay_mount(lower, upper) : NULL;
	if (!root) {
		*err = -ENOMEM;
		return NULL;
	}
	return root;
}

/* mkdir -p path from the namespace root. */
static void make_dirs(const struct walk_start *ws, const char *path)
{
	char buf[PATH_MAX];
	if (strlen(path) >= sizeof(buf))
		return;
	strcpy(buf, path);
	for (char *s = buf + 1;; s++) {
		if (*s == '/' || *s == 0) {
			char c = *s;
			*s = 0;
			vfs_mkdir(ws, buf, 0755);
			*s = c;
			if (!c)
				break;
		}
	}
}

int goferfs_mount_volumes(void)
{
	struct walk_start ws;
	mount_root_path(&ws.root);
	ws.dir = ws.root;
	int r = 0;
	for (size_t i = 0; i < nvols && r == 0; i++) {
		make_dirs(&ws, vol_guest[i]);
		struct path p;
		r = vfs_lookup(&ws, vol_guest[i], LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
		if (r < 0)
			break;
		struct dentry *root = goferfs_mount((int)i + 1, vol_ro[i], &r);
		if (root) {
			vfs_lock();
			struct mount *m = mount_attach(root, &p, vol_guest[i],
						       vol_ro[i] ? MNT_RDONLY : 0);
			vfs_unlock();
			r = m ? 0 : -ENOMEM;
		}
		path_put(&p);
	}
	path_put(&ws.root);
	return r;
}
