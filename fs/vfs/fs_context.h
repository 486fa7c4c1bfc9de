/* fs/vfs/fs_context.h: a task's file system context: root, working
 * directory and umask (Linux's fs_struct). Shared between tasks created
 * with CLONE_FS (fs_context_get), copied otherwise (fs_context_copy). */
#pragma once
#include <pthread.h>
#include <sys/types.h>

#include "fs/vfs/mount.h"

struct fs_context {
	int refs;
	pthread_mutex_t lock;
	struct path root, cwd;
	mode_t umask;
};

/* The first context: root at the namespace root (the VFS is set up on
 * first use, see vfs_init), cwd at the absolute path cwd (made, with its
 * parents, if missing; "/" if that fails or cwd is NULL), umask 022.
 * NULL if the VFS cannot start (ENOMEM). */
struct fs_context *fs_context_new(const char *cwd);
struct fs_context *fs_context_copy(struct fs_context *fs);
void fs_context_get(struct fs_context *fs);
void fs_context_put(struct fs_context *fs);
/* Referenced copies of the root and cwd. */
void fs_context_root(struct fs_context *fs, struct path *out);
void fs_context_cwd(struct fs_context *fs, struct path *out);
/* Replace the cwd/root with p (referenced by the callee). */
void fs_context_set_cwd(struct fs_context *fs, const struct path *p);
void fs_context_set_root(struct fs_context *fs, const struct path *p);

/* Look path up from fs's root and cwd (vfs_lookup flags). */
int fs_context_lookup(struct fs_context *fs, const char *path, unsigned flags, struct path *out);
