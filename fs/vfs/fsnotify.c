/* fs/vfs/fsnotify.c: marks on inodes and the VFS hooks that report
 * events to them (see fsnotify.h), following Linux's fs/notify/fsnotify.c
 * and include/linux/fsnotify.h. */
#include "fs/vfs/fsnotify.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <limits.h>
#include <pthread.h>
#include <sys/inotify.h>

static pthread_mutex_t fsn_lock = PTHREAD_MUTEX_INITIALIZER;
static int fsn_marks;		/* attached marks, atomic: the fast path */
static uint32_t fsn_cookie;

void fsnotify_lock(void) { pthread_mutex_lock(&fsn_lock); }
void fsnotify_unlock(void) { pthread_mutex_unlock(&fsn_lock); }

static bool any_marks(void)
{
	return __atomic_load_n(&fsn_marks, __ATOMIC_ACQUIRE) != 0;
}

uint32_t fsnotify_cookie(void)
{
	uint32_t c;
	do
		c = __atomic_add_fetch(&fsn_cookie, 1, __ATOMIC_RELAXED);
	while (c == 0);
	return c;
}

struct fsnotify_mark *fsnotify_find_mark_locked(struct inode *inode, const void *owner)
{
	for (struct fsnotify_mark *m = inode->fsn_marks; m; m = m->inext)
		if (m->owner == owner)
			return m;
	return NULL;
}

void fsnotify_attach_locked(struct fsnotify_mark *m, struct inode *inode)
{
	iget(inode);
	m->inode = inode;
	m->inext = inode->fsn_marks;
	inode->fsn_marks = m;
	__atomic_add_fetch(&fsn_marks, 1, __ATOMIC_RELEASE);
}

struct inode *fsnotify_detach_locked(struct fsnotify_mark *m)
{
	struct inode *inode = m->inode;
	if (!inode)
		return NULL;
	for (struct fsnotify_mark **p = &inode->fsn_marks; *p; p = &(*p)->inext) {
		if (*p == m) {
			*p = m->inext;
			break;
		}
	}
	m->inext = NULL;
	m->inode = NULL;
	__atomic_sub_fetch(&fsn_marks, 1, __ATOMIC_RELEASE);
	return inode;
}

/* Marks the VFS took off, to release once the lock is dropped: a list
 * through their inext, each still naming its inode (whose reference it
 * holds until then). */
struct gone {
	struct fsnotify_mark *head;
};

static void gone_flush(struct gone *g)
{
	while (g->head) {
		struct fsnotify_mark *m = g->head;
		g->head = m->inext;
		struct inode *inode = m->inode;
		m->inode = NULL;
		m->inext = NULL;
		iput(inode);
		m->ops->release(m);
	}
}

/* Take m off its inode for the VFS; lock held. */
static void detach_for_vfs(struct fsnotify_mark *m, struct gone *g)
{
	struct inode *inode = fsnotify_detach_locked(m);
	m->ops->detached(m);
	m->inode = inode;
	m->inext = g->head;
	g->head = m;
}

/* Deliver to inode's marks that want mask; lock held. */
static void send_locked(struct inode *inode, uint32_t mask, uint32_t cookie, const char *name,
			size_t len, bool unlinked, struct gone *g)
{
	uint32_t events = mask & IN_ALL_EVENTS;
	for (struct fsnotify_mark *m = inode->fsn_marks, *n; m; m = n) {
		n = m->inext;
		if (!(m->mask & events))
			continue;
		if (unlinked && (m->mask & IN_EXCL_UNLINK))
			continue;
		uint32_t em = mask;
		if (em & (IN_DELETE_SELF | IN_MOVE_SELF))
			em &= ~IN_ISDIR;	/* inotify never reported it there */
		if (m->ops->event(m, em, cookie, name, len))
			detach_for_vfs(m, g);
	}
}

static uint32_t isdir(struct inode *inode)
{
	return inode && S_ISDIR(inode->mode) ? IN_ISDIR : 0;
}

/* An event on d's inode: to its parent's marks with its name, then to
 * its own. */
static void notify_dentry(struct dentry *d, uint32_t mask)
{
	struct inode *inode = d->inode;
	if (!any_marks() || !inode)
		return;
	mask |= isdir(inode);
	char name[NAME_MAX + 1];
	size_t len;
	struct dentry *parent = d_parent_name(d, name, sizeof(name), &len);
	bool unlinked = d->flags & D_DEAD;
	struct gone g = { NULL };
	fsnotify_lock();
	if (parent && parent->inode && parent->inode->fsn_marks)
		send_locked(parent->inode, mask, 0, name, len, unlinked, &g);
	if (inode->fsn_marks)
		send_locked(inode, mask, 0, NULL, 0, unlinked, &g);
	fsnotify_unlock();
	gone_flush(&g);
	dput(parent);
}

/* An event on the inode alone. */
static void notify_inode(struct inode *inode, uint32_t mask)
{
	if (!any_marks() || !inode)
		return;
	struct gone g = { NULL };
	fsnotify_lock();
	if (inode->fsn_marks)
		send_locked(inode, mask | isdir(inode), 0, NULL, 0, false, &g);
	fsnotify_unlock();
	gone_flush(&g);
}

/* A directory entry event. */
static void notify_name(struct inode *dir, uint32_t mask, uint32_t cookie, const char *name,
			size_t len)
{
	if (!any_marks() || !dir)
		return;
	struct gone g = { NULL };
	fsnotify_lock();
	if (dir->fsn_marks)
		send_locked(dir, mask, cookie, name, len, false, &g);
	fsnotify_unlock();
	gone_flush(&g);
}

static bool file_reports(struct file *f)
{
	return f->path.dentry && f->inode && !(f->mode & FMODE_PATH);
}

void fsnotify_access(struct file *f)
{
	if (any_marks() && file_reports(f))
		notify_dentry(f->path.dentry, IN_ACCESS);
}

void fsnotify_modify(struct file *f)
{
	if (any_marks() && file_reports(f))
		notify_dentry(f->path.dentry, IN_MODIFY);
}

void fsnotify_open(struct file *f)
{
	if (any_marks() && file_reports(f))
		notify_dentry(f->path.dentry, IN_OPEN);
}

void fsnotify_close(struct file *f)
{
	if (any_marks() && file_reports(f))
		notify_dentry(f->path.dentry, f->mode & FMODE_WRITE ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
}

void fsnotify_change(struct dentry *d, unsigned ia_valid)
{
	uint32_t mask = 0;
	if (ia_valid & (ATTR_UID | ATTR_GID | ATTR_MODE))
		mask |= IN_ATTRIB;
	if (ia_valid & ATTR_SIZE)
		mask |= IN_MODIFY;
	if ((ia_valid & (ATTR_ATIME | ATTR_MTIME)) == (ATTR_ATIME | ATTR_MTIME))
		mask |= IN_ATTRIB;
	else if (ia_valid & ATTR_ATIME)
		mask |= IN_ACCESS;
	else if (ia_valid & ATTR_MTIME)
		mask |= IN_MODIFY;
	if (mask)
		notify_dentry(d, mask);
}

void fsnotify_xattr(struct dentry *d)
{
	notify_dentry(d, IN_ATTRIB);
}

void fsnotify_create(struct inode *dir, struct dentry *d)
{
	if (any_marks())
		notify_name(dir, IN_CREATE | isdir(d->inode), 0, d->name, d->namelen);
}

void fsnotify_link_count(struct inode *inode)
{
	notify_inode(inode, IN_ATTRIB);
}

void fsnotify_delete(struct inode *dir, const char *name, size_t len, bool dir_gone)
{
	notify_name(dir, IN_DELETE | (dir_gone ? IN_ISDIR : 0), 0, name, len);
}

void fsnotify_move(struct inode *odir, const char *oname, size_t olen,
		   struct inode *ndir, const char *nname, size_t nlen,
		   struct inode *moved, struct inode *target)
{
	if (!any_marks())
		return;
	uint32_t cookie = fsnotify_cookie();
	uint32_t d = isdir(moved);
	notify_name(odir, IN_MOVED_FROM | d, cookie, oname, olen);
	notify_name(ndir, IN_MOVED_TO | d, cookie, nname, nlen);
	if (target)
		fsnotify_link_count(target);
	notify_inode(moved, IN_MOVE_SELF);
}

void fsnotify_dentry_gone(struct inode *inode)
{
	if (!any_marks() || __atomic_load_n(&inode->nlink, __ATOMIC_RELAXED) != 0)
		return;
	struct gone g = { NULL };
	fsnotify_lock();
	if (inode->fsn_marks)
		send_locked(inode, IN_DELETE_SELF, 0, NULL, 0, false, &g);
	/* Every remaining mark goes. */
	while (inode->fsn_marks)
		detach_for_vfs(inode->fsn_marks, &g);
	fsnotify_unlock();
	gone_flush(&g);
}
