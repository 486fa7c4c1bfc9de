/* fs/vfs/fs_context.c: root, cwd and umask of tasks (see fs_context.h). */
#include "fs/vfs/fs_context.h"
#include "fs/vfs/vfs.h"

#include <stdlib.h>
#include <string.h>

/* Look cwd up, making missing directories on the way. */
static void set_initial_cwd(struct fs_context *fs, const char *cwd)
{
	char buf[4096];
	if (!cwd || cwd[0] != '/' || strlen(cwd) >= sizeof(buf))
		return;
	struct walk_start ws = { fs->root, fs->root };
	struct path p;
	if (vfs_lookup(&ws, cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p) != 0) {
		strcpy(buf, cwd);
		for (char *s = buf + 1; ; s++) {
			if (*s == '/' || *s == 0) {
				char c = *s;
				*s = 0;
				vfs_mkdir(&ws, buf, 0755);
				*s = c;
				if (!c)
					break;
			}
		}
		if (vfs_lookup(&ws, cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p) != 0)
			return;
	}
	path_put(&fs->cwd);
	fs->cwd = p;
}

struct fs_context *fs_context_new(const char *cwd)
{
	if (vfs_init() < 0)
		return NULL;
	struct fs_context *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	fs->refs = 1;
	pthread_mutex_init(&fs->lock, NULL);
	mount_root_path(&fs->root);
	mount_root_path(&fs->cwd);
	fs->umask = 022;
	set_initial_cwd(fs, cwd);
	return fs;
}

struct fs_context *fs_context_copy(struct fs_context *old)
{
	struct fs_context *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	fs->refs = 1;
	pthread_mutex_init(&fs->lock, NULL);
	pthread_mutex_lock(&old->lock);
	fs->root = old->root;
	fs->cwd = old->cwd;
	path_get(&fs->root);
	path_get(&fs->cwd);
	fs->umask = old->umask;
	pthread_mutex_unlock(&old->lock);
	return fs;
}

void fs_context_get(struct fs_context *fs)
{
	__atomic_add_fetch(&fs->refs, 1, __ATOMIC_RELAXED);
}

void fs_context_put(struct fs_context *fs)
{
	if (!fs || __atomic_sub_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	pthread_mutex_destroy(&fs->lock);
	free(fs);
}

static void get_locked(struct fs_context *fs, const struct path *p, struct path *out)
{
	pthread_mutex_lock(&fs->lock);
	*out = *p;
	path_get(out);
	pthread_mutex_unlock(&fs->lock);
}

void fs_context_root(struct fs_context *fs, struct path *out)
{
	get_locked(fs, &fs->root, out);
}

void fs_context_cwd(struct fs_context *fs, struct path *out)
{
	get_locked(fs, &fs->cwd, out);
}

static void set_locked(struct fs_context *fs, struct path *slot, const struct path *p)
{
	path_get(p);
	pthread_mutex_lock(&fs->lock);
	struct path old = *slot;
	*slot = *p;
	pthread_mutex_unlock(&fs->lock);
	path_put(&old);
}

void fs_context_set_cwd(struct fs_context *fs, const struct path *p)
{
	set_locked(fs, &fs->cwd, p);
}

void fs_context_set_root(struct fs_context *fs, const struct path *p)
{
	set_locked(fs, &fs->root, p);
}

int fs_context_lookup(struct fs_context *fs, const char *path, unsigned flags, struct path *out)
{
	struct walk_start ws;
	fs_context_root(fs, &ws.root);
	fs_context_cwd(fs, &ws.dir);
	int r = vfs_lookup(&ws, path, flags, out);
	path_put(&ws.root);
	path_put(&ws.dir);
	return r;
}
