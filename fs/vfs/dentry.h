/* fs/vfs/dentry.h: directory entries and the name cache.
 *
 * A dentry names an inode (or nothing: a negative dentry) inside its
 * parent. Positive dentries are hashed by (parent, name) in one global
 * table and listed in their parent's children, in creation order; each
 * carries a cookie, its readdir position. File systems whose whole tree
 * lives in the cache (tmpfs) pin their dentries with an extra reference
 * that unlink drops.
 *
 * The namespace lock (vfs_lock) serialises every change to the tree and
 * every walk; references are atomic, and a dentry is freed when its last
 * reference goes and it is negative or unhashed (dead). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct inode;
struct super_block;

#define D_PINNED 0x1	/* the fs holds a reference (tmpfs) */
#define D_DEAD	 0x2	/* unlinked: no longer in the tree */
#define D_TMPFILE 0x4	/* O_TMPFILE without O_EXCL: linkat may name it */

struct dentry {
	int refs;
	unsigned flags;
	int mounted;		/* mounts on this dentry */
	struct dentry *parent;	/* itself for a root */
	struct inode *inode;	/* NULL: negative */
	struct super_block *sb;
	char *name;
	size_t namelen;
	uint64_t cookie;	/* readdir position in the parent */
	uint64_t next_cookie;	/* for children */
	uint64_t walk_seq;	/* the walk that last confirmed it (vfs_walk_seq) */
	struct dentry *hnext;	/* hash chain */
	struct dentry *sib_prev, *sib_next;
	struct dentry *child_first, *child_last;
};

void vfs_lock(void);
void vfs_unlock(void);

/* The number of the current walk (under vfs_lock; each nd_init starts a
 * new one). A dentry whose walk_seq is the current walk's was confirmed
 * by its file system during this walk (inode_ops.walk_ahead): the walk
 * does not revalidate it again. */
uint64_t vfs_walk_seq(void);

/* A new root dentry for inode (takes the inode reference). */
struct dentry *d_make_root(struct super_block *sb, struct inode *inode);
/* A new negative, unhashed child of parent (which it references). */
struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len);
/* The cached positive child, referenced, or NULL. Under vfs_lock. */
struct dentry *d_lookup(struct dentry *parent, const char *name, size_t len);
/* Make d positive with inode (takes the reference), hash it and add it
 * to its parent's children. Under vfs_lock. */
void d_instantiate(struct dentry *d, struct inode *inode);
/* Unhash d, take it off its parent's children and mark it dead; drop
 * the fs's pin. Under vfs_lock. */
void d_delete(struct dentry *d);
/* Remove d and everything cached below it from the tree (a procfs
 * directory whose task is gone): unused dentries are freed, used ones
 * die with their last reference. Under vfs_lock. */
void d_invalidate(struct dentry *d);
/* Rename: give d the new parent and name (rehash, new cookie). Under
 * vfs_lock. -ENOMEM leaves d unchanged. */
int d_move(struct dentry *d, struct dentry *newparent, const char *name, size_t len);
/* Swap the places of a and b (RENAME_EXCHANGE). Under vfs_lock. */
void d_exchange(struct dentry *a, struct dentry *b);
/* d's parent, referenced (NULL for a root), and d's name into buf (at
 * most size-1 bytes, terminated; *len its length), read together and
 * safely without vfs_lock (for fsnotify). */
struct dentry *d_parent_name(struct dentry *d, char *buf, size_t size, size_t *len);
/* Is d an ancestor of (or equal to) e, within one file system? */
bool d_is_ancestor(struct dentry *d, struct dentry *e);
/* Does directory d have any positive child? */
bool d_has_children(struct dentry *d);

struct dentry *dget(struct dentry *d);
void dput(struct dentry *d);
