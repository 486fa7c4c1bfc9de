/* fs/vfs/fsnotify.h: file system change notification, the VFS side of
 * inotify (fs/anon/inotify.c).
 *
 * The generic VFS paths (open, read/write, close, setattr, the namespace
 * operations, getdents) call the fsnotify_* hooks below after a change
 * succeeds, so every file system inside the sandbox reports events
 * without doing anything itself. A hook looks at the marks (watches) on
 * the inode concerned and, for events on a child (access, modify,
 * attrib, open, close), on its parent directory too (the parent's event
 * carries the child's name and comes first, as Linux's fsnotify()).
 * Event masks are inotify's (IN_*), with IN_ISDIR for directories.
 *
 * Marks are kept on inode->fsn_marks under one global lock, the fsnotify
 * lock, which nests inside vfs_lock and outside the mark owners' locks
 * (and their wait queues). A mark holds a reference to its inode; marks
 * taken off an inode by the VFS (IN_DELETE_SELF, IN_ONESHOT) are freed
 * through ops->release after the lock is dropped, never under it.
 *
 * Nothing here costs more than one atomic load while no mark exists. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dentry;
struct file;
struct inode;
struct fsnotify_mark;

struct fsnotify_mark_ops {
	/* An event (fsnotify lock held): name is NULL for an event on the
	 * marked inode itself. Return true to have the mark removed
	 * (IN_ONESHOT). */
	bool (*event)(struct fsnotify_mark *m, uint32_t mask, uint32_t cookie,
		      const char *name, size_t len);
	/* The VFS took the mark off its inode (the inode was deleted, or a
	 * oneshot mark fired): fsnotify lock held. The owner forgets it
	 * (IN_IGNORED); release follows. */
	void (*detached)(struct fsnotify_mark *m);
	/* After detached, without the lock: free the mark. */
	void (*release)(struct fsnotify_mark *m);
};

struct fsnotify_mark {
	const struct fsnotify_mark_ops *ops;
	struct inode *inode;		/* referenced while attached */
	const void *owner;		/* the inotify instance */
	uint32_t mask;			/* IN_* events + IN_ONESHOT, IN_EXCL_UNLINK */
	struct fsnotify_mark *inext;	/* inode->fsn_marks */
};

void fsnotify_lock(void);
void fsnotify_unlock(void);
/* Under the lock: owner's mark on inode, or NULL. */
struct fsnotify_mark *fsnotify_find_mark_locked(struct inode *inode, const void *owner);
/* Under the lock: attach m to inode (taking an inode reference). */
void fsnotify_attach_locked(struct fsnotify_mark *m, struct inode *inode);
/* Under the lock: take m off its inode. Returns the inode, whose
 * reference the caller drops with iput() after unlocking. */
struct inode *fsnotify_detach_locked(struct fsnotify_mark *m);

/* A unique non-zero cookie tying IN_MOVED_FROM to IN_MOVED_TO. */
uint32_t fsnotify_cookie(void);

/* --- hooks -------------------------------------------------------------- */

/* Events on an open file (and its parent): read/getdents (IN_ACCESS),
 * write (IN_MODIFY), open (IN_OPEN), the last close (IN_CLOSE_WRITE or
 * IN_CLOSE_NOWRITE). Files without a path, and O_PATH files, report
 * nothing. */
void fsnotify_access(struct file *f);
void fsnotify_modify(struct file *f);
void fsnotify_open(struct file *f);
void fsnotify_close(struct file *f);
/* setattr on d succeeded with these ATTR_* bits (Linux's
 * fsnotify_change: IN_ATTRIB, IN_MODIFY for a size or mtime, IN_ACCESS
 * for an atime alone). */
void fsnotify_change(struct dentry *d, unsigned ia_valid);
/* An extended attribute of d was set or removed: IN_ATTRIB. */
void fsnotify_xattr(struct dentry *d);
/* A new name d in dir (mknod, mkdir, symlink, O_CREAT, link):
 * IN_CREATE. */
void fsnotify_create(struct inode *dir, struct dentry *d);
/* The link count of inode changed (link, unlink, replaced by rename):
 * IN_ATTRIB on the inode itself. */
void fsnotify_link_count(struct inode *inode);
/* name left dir (unlink, rmdir): IN_DELETE. */
void fsnotify_delete(struct inode *dir, const char *name, size_t len, bool isdir);
/* A rename of moved from odir/oname to ndir/nname: IN_MOVED_FROM and
 * IN_MOVED_TO with one cookie, IN_ATTRIB on a replaced target, then
 * IN_MOVE_SELF on moved. */
void fsnotify_move(struct inode *odir, const char *oname, size_t olen,
		   struct inode *ndir, const char *nname, size_t nlen,
		   struct inode *moved, struct inode *target);
/* The last dentry of an unlinked inode is going (fs/vfs/dentry.c): with
 * no links left, IN_DELETE_SELF and every mark goes (IN_IGNORED). */
void fsnotify_dentry_gone(struct inode *inode);
