/* fs/overlay/overlay.h: an overlay file system: a writable upper tmpfs
 * over a read-only lower file system (the gofer's root), like Linux's
 * overlayfs.
 *
 * Each overlay inode points at its upper and/or lower dentry (of file
 * systems that are not mounted anywhere: the overlay calls their ops
 * directly, under vfs_lock like the VFS does). A lookup finds the upper
 * name first: a whiteout (a 0/0 character device in the upper) hides the
 * lower one; an upper directory over a lower directory merges them, unless
 * the upper is opaque (made by the overlay where a lower name had been
 * removed). Any change copies the object up first (its parents too): the
 * data, the attributes, the symlink target. Removing a name that the lower
 * holds leaves a whiteout; renaming a directory that has a lower part is
 * EXDEV (as overlayfs without redirect_dir: mv copies instead). Readdir
 * merges the two listings. The overlay inode's attributes mirror the real
 * inode's (the upper if there is one) and are refreshed after every
 * change, so stat needs no trip below. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct dentry;
struct inode;
struct iattr;
struct super_block;

/* A new overlay over lower and upper (root dentries, references taken):
 * its root dentry, or NULL (ENOMEM). */
struct dentry *overlay_mount(struct dentry *lower, struct dentry *upper);

/* Inside the overlay. */
struct ovl_inode {
	struct dentry *upper;	/* referenced, or NULL */
	struct dentry *lower;	/* referenced, or NULL */
	bool opaque;		/* a directory hiding its lower part */
};
extern const struct inode_ops ovl_dir_iops, ovl_file_iops;
extern const struct file_ops ovl_dir_fops, ovl_file_fops;
struct inode *ovl_new_inode(struct super_block *sb, struct dentry *upper,
			    struct dentry *lower, bool opaque);
/* Mirror the real inode's attributes into the overlay inode. */
void ovl_sync(struct inode *inode);
struct inode *ovl_real(struct inode *inode);
/* The child name of parent in a lower or upper file system, referenced
 * (possibly negative). Under vfs_lock. */
int ovl_sub_lookup(struct dentry *parent, const char *name, size_t len, struct dentry **out);
bool ovl_is_whiteout(const struct dentry *d);
/* Copy the overlay dentry d up (and its parents). Under vfs_lock. */
int ovl_copy_up(struct dentry *d);
int ovl_setattr(struct dentry *d, const struct iattr *ia);
/* xattr.c: extended attributes of the real inode; changes copy up. */
ssize_t ovl_getxattr(struct dentry *d, const char *name, void *buf, size_t size);
int ovl_setxattr(struct dentry *d, const char *name, const void *value, size_t size,
		 int flags);
ssize_t ovl_listxattr(struct dentry *d, char *buf, size_t size);
/* Copy every extended attribute of lower to upper (copy-up). */
int ovl_copy_xattrs(struct dentry *lower, struct dentry *upper);
