/* fs/vfs/mount.h: mounts, the mount table and paths.
 *
 * A mount attaches the root dentry of a super block at a mountpoint (a
 * dentry in a parent mount). The mount table is one list for the sandbox
 * (one mount namespace); path walks cross into a mount when they reach a
 * dentry with d->mounted set, and out of it at its root on "..".
 * A path is a (mount, dentry) pair; path_get/path_put reference both. */
#pragma once
#include <stdbool.h>

struct dentry;
struct super_block;

#define MNT_RDONLY 0x1
/* A kernel-internal mount outside the namespace (memfd): paths on it
 * are named from its root, "/memfd:x", never "(unreachable)". */
#define MNT_INTERNAL 0x2

struct mount {
	int refs;
	unsigned flags;
	struct super_block *sb;
	struct dentry *root;
	struct mount *parent;		/* NULL for the root mount */
	struct dentry *mountpoint;	/* in parent */
	char *source;
	struct mount *next;		/* the mount table */
};

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

/* Mount root (a referenced root dentry, taken) at mountpoint. With
 * mountpoint NULL it becomes the namespace root. The new mount, or NULL
 * (ENOMEM). Under vfs_lock. */
struct mount *mount_attach(struct dentry *root, const struct path *mountpoint,
			   const char *source, unsigned flags);
/* The mount on top of (mnt, d), or NULL. Under vfs_lock. */
struct mount *mount_lookup(struct mount *mnt, struct dentry *d);
/* The namespace root, referenced. */
void mount_root_path(struct path *out);
/* Visit every mount in mount order (for /proc/mounts). Under vfs_lock. */
struct mount *mount_first(void);

void mntget(struct mount *m);
void mntput(struct mount *m);

void path_get(const struct path *p);
void path_put(struct path *p);
bool path_equal(const struct path *a, const struct path *b);
