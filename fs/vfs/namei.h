/* fs/vfs/namei.h: the path walk, inside fs/vfs only.
 *
 * Walks run under vfs_lock. A nameidata holds the root and the current
 * directory (both referenced) and the symlink bodies it read (freed by
 * nd_done), so names of components stay valid until the walk ends.
 * Symlinks count against MAXSYMLINKS over the whole walk; absolute
 * symlinks and ".." resolve against nd->root, never above it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "fs/vfs/mount.h"
#include "fs/vfs/vfs.h"

struct dentry;

enum last_type { LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT };

struct nameidata {
	struct path root;
	struct path cur;
	unsigned flags;
	int links;
	int nbodies;
	char *bodies[MAXSYMLINKS + 1];
	/* The last component after nd_walk_parent. */
	const char *last;
	size_t lastlen;
	bool trailing;		/* the name ended with '/' */
	enum last_type type;
	/* The file a magic link (procfs fd/N) led to when it has no path:
	 * nd->cur is then the link itself. Referenced; nd_done drops it. */
	struct file *magic_file;
};

/* Start a walk of name. -EXDEV for an absolute name under BENEATH. */
int nd_init(struct nameidata *nd, const struct walk_start *ws, const char *name,
	    unsigned flags);
void nd_done(struct nameidata *nd);
/* Walk all but the last component of name; set last/lastlen/type. */
int nd_walk_parent(struct nameidata *nd, const char *name);
/* Look the last component up in nd->cur (which must be a directory):
 * a referenced dentry, possibly negative. name (len bytes) points into
 * the path or symlink body being walked, which runs on after it to its
 * NUL: what a file system's walk_ahead may look up in the same go. */
int nd_lookup_child(struct nameidata *nd, const char *name, size_t len, struct dentry **out);
/* Walk the last component (following a symlink if follow): nd->cur
 * becomes it. */
int nd_walk_last(struct nameidata *nd, bool follow);
/* Follow the symlink d found in nd->cur: walk its body's prefix, leaving
 * its last component in nd->last (for open's O_CREAT loop). */
int nd_follow_link_parent(struct nameidata *nd, struct dentry *d);
/* Follow the magic link d (its inode has get_link): nd->cur becomes
 * its target, or stays on d with nd->magic_file set. */
int nd_jump_link(struct nameidata *nd, struct dentry *d);
/* Cross mounts on nd->cur. */
int nd_follow_mount(struct nameidata *nd);
/* For ops that create name: vfs_lock held; nd_init + walk to the parent,
 * then the negative dentry of the last component (EEXIST if it exists or
 * is "." or ".."; ENOENT for a trailing slash unless is_dir; EROFS,
 * EACCES, ENOENT in a removed directory). nd_done is the caller's. */
int nd_prepare_create(struct nameidata *nd, const struct walk_start *ws,
		      const char *name, bool is_dir, struct dentry **out);
/* Can nd->cur's directory be written (EROFS, EACCES, ENOENT if dead)? */
int nd_may_change_dir(struct nameidata *nd);
