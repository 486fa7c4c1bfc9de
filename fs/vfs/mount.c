/* fs/vfs/mount.c: the mount table (see mount.h). */
#include "fs/vfs/mount.h"
#include "fs/vfs/dentry.h"

#include <stdlib.h>
#include <string.h>

static struct mount *mounts, **mounts_tail = &mounts;
static struct mount *root_mount;

struct mount *mount_attach(struct dentry *root, const struct path *mp,
			   const char *source, unsigned flags)
{
	struct mount *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->source = strdup(source ? source : "none");
	if (!m->source) {
		free(m);
		return NULL;
	}
	m->refs = 1;
	m->flags = flags;
	m->sb = root->sb;
	m->root = root;
	if (mp) {
		mntget(mp->mnt);
		m->parent = mp->mnt;
		m->mountpoint = dget(mp->dentry);
		mp->dentry->mounted++;
	} else {
		root_mount = m;
	}
	*mounts_tail = m;
	mounts_tail = &m->next;
	return m;
}

struct mount *mount_lookup(struct mount *mnt, struct dentry *d)
{
	struct mount *found = NULL;
	/* The most recent mount on top wins, as Linux stacks them. */
	for (struct mount *m = mounts; m; m = m->next)
		if (m->parent == mnt && m->mountpoint == d)
			found = m;
	return found;
}

void mount_root_path(struct path *out)
{
	out->mnt = root_mount;
	out->dentry = root_mount ? root_mount->root : NULL;
	if (root_mount)
		path_get(out);
}

struct mount *mount_first(void)
{
	return mounts;
}

void mntget(struct mount *m)
{
	if (m)
		__atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
}

void mntput(struct mount *m)
{
	/* Mounts live as long as the sandbox (no umount yet): the table
	 * holds the first reference. */
	if (m)
		__atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL);
}

void path_get(const struct path *p)
{
	mntget(p->mnt);
	dget(p->dentry);
}

void path_put(struct path *p)
{
	dput(p->dentry);
	mntput(p->mnt);
	p->dentry = NULL;
	p->mnt = NULL;
}

bool path_equal(const struct path *a, const struct path *b)
{
	return a->mnt == b->mnt && a->dentry == b->dentry;
}
