/* fs/vfs/inode.h: inodes, their ops tables, and the super blocks that own
 * them.
 *
 * An inode is one file system object. Its attributes live in the struct
 * (file systems keep them current); inode_ops change the namespace and
 * the attributes, file_ops (fs/vfs/file.h) serve open files. Inodes are
 * refcounted: dentries and open files hold references; the last iput
 * calls super_ops->evict. Namespace ops run under the VFS namespace lock
 * (fs/vfs/dentry.h); attribute and data changes take inode->lock. */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <time.h>

struct dentry;
struct inode;
struct file_lock;
struct file_ops;
struct simple_xattr;
struct super_block;
struct fsnotify_mark;
struct path;
struct file;

/* What setattr changes (ia_valid bits, as Linux's ATTR_*). */
#define ATTR_MODE	0x001
#define ATTR_UID	0x002
#define ATTR_GID	0x004
#define ATTR_SIZE	0x008
#define ATTR_ATIME	0x010
#define ATTR_MTIME	0x020
#define ATTR_CTIME	0x040

struct iattr {
	unsigned valid;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	int64_t size;
	struct timespec atime, mtime;
};

#define WALK_AHEAD_OPEN 0x1

struct inode_ops {
	/* Find name (d->name) in dir: set d->inode (d_instantiate) or leave
	 * it negative. 0 or -errno. NULL: the dcache is complete (tmpfs). */
	int (*lookup)(struct inode *dir, struct dentry *d);
	/* Make a non-directory (S_IFREG, S_IFIFO, S_IFCHR, S_IFBLK,
	 * S_IFSOCK in mode) for the negative dentry d, and instantiate d. */
	int (*mknod)(struct inode *dir, struct dentry *d, mode_t mode, dev_t rdev);
	/* O_TMPFILE (oflags: its access mode and O_EXCL): make an unnamed
	 * regular file in dir (link count 0) and instantiate d with it; the
	 * VFS then removes d from the cache. NULL: the VFS makes a named
	 * file with mknod and unlinks it (sentry file systems). */
	int (*tmpfile)(struct inode *dir, struct dentry *d, mode_t mode, int oflags);
	int (*mkdir)(struct inode *dir, struct dentry *d, mode_t mode);
	int (*symlink)(struct inode *dir, struct dentry *d, const char *target);
	/* A new name d in dir for old's inode. */
	int (*link)(struct dentry *old, struct inode *dir, struct dentry *d);
	/* Remove a name (the VFS then unhashes d). rmdir: d is an empty dir. */
	int (*unlink)(struct inode *dir, struct dentry *d);
	int (*rmdir)(struct inode *dir, struct dentry *d);
	/* Attributes for a rename of od to nd (nd may be positive: it is
	 * replaced, or exchanged with RENAME_EXCHANGE); the VFS moves the
	 * dentries afterwards. */
	int (*rename)(struct inode *odir, struct dentry *od, struct inode *ndir,
		      struct dentry *nd, unsigned flags);
	/* The target of a symlink into buf (not terminated): its length. */
	ssize_t (*readlink)(struct inode *inode, char *buf, size_t len);
	int (*setattr)(struct dentry *d, const struct iattr *ia);
	/* Extended attributes (fs/vfs/xattr.h; names already checked):
	 * get with size 0 gives the length; set with value NULL removes;
	 * list writes the NUL-terminated names. NULL: none kept. */
	ssize_t (*getxattr)(struct dentry *d, const char *name, void *buf, size_t size);
	int (*setxattr)(struct dentry *d, const char *name, const void *value, size_t size,
			int flags);
	ssize_t (*listxattr)(struct dentry *d, char *buf, size_t size);
	/* A walk found d, a child of dir, in the dcache: is it still what
	 * the file system has (1), stale (0: the VFS drops it and looks the
	 * name up again), or -errno? NULL: the cache is always right. */
	int (*revalidate)(struct inode *dir, struct dentry *d);
	/* A walk is about to look up the first component of rest in dir
	 * (directory dentry d) and found no cached dentry, or one it would
	 * revalidate. rest runs to the end of the path (or symlink body)
	 * being walked, '/'-separated, maybe with "." or "..". The file
	 * system may look several components up at once: it instantiates
	 * what it found (children of d, then their children...) and sets
	 * walk_seq = vfs_walk_seq() on each dentry it made or confirmed, so
	 * the walk neither looks up nor revalidates them again. A hint: no
	 * result; the walk then goes on as usual, component by component.
	 * flags: WALK_AHEAD_OPEN (the walk's final file is opened read-only).
	 * Under vfs_lock. NULL: nothing ahead. */
	void (*walk_ahead)(struct inode *dir, struct dentry *d, const char *rest, unsigned flags);
	/* A magic link (procfs fd/N, exe, cwd, root): the object itself
	 * instead of a walk of readlink's text. Sets *out (referenced) or,
	 * for a file without a path (a pipe, an anonymous file), *fout
	 * (referenced). 0 or -errno. Under vfs_lock. */
	int (*get_link)(struct inode *inode, struct path *out, struct file **fout);
};

struct super_ops {
	void (*evict)(struct inode *inode);	/* free the fs's part */
	int (*statfs)(struct super_block *sb, struct statfs *st);
};

struct super_block {
	const struct super_ops *ops;
	const char *type;	/* "tmpfs" */
	dev_t dev;
	bool rdonly;
	uint64_t next_ino;
	void *priv;
};

struct inode {
	int refs;
	pthread_mutex_t lock;	/* attributes and data */
	struct super_block *sb;
	const struct inode_ops *iops;
	const struct file_ops *fops;
	uint64_t ino;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	nlink_t nlink;
	dev_t rdev;
	int64_t size;
	int64_t blocks;		/* 512-byte units */
	struct timespec atime, mtime, ctime, btime;
	void *priv;
	/* inotify watches of this inode (fs/vfs/fsnotify.h), under the
	 * fsnotify lock. */
	struct fsnotify_mark *fsn_marks;
	struct file_lock *locks;	/* fs/vfs/lock.c, under its lock */
	struct simple_xattr *xattrs;	/* fs/vfs/xattr.c, under lock */
};

/* A new inode of sb with one reference, times now, uid/gid 0. */
struct inode *inode_new(struct super_block *sb, mode_t mode);
void iget(struct inode *inode);
void iput(struct inode *inode);
/* CLOCK_REALTIME now. */
struct timespec inode_now(void);
/* Fill st from the inode's attributes. */
void inode_stat(struct inode *inode, struct stat *st);
/* An anonymous device number for a new super block. */
dev_t super_anon_dev(void);

/* Access checks (MAY_* as Linux) with the calling task's fsuid, fsgid,
 * groups and capabilities (sentry/kernel/cred.h). 0 or -EACCES. */
#define MAY_EXEC  1
#define MAY_WRITE 2
#define MAY_READ  4
int inode_permission(struct inode *inode, int mask);
/* A new inode in dir belongs to the caller's fsuid and fsgid (dir's gid
 * and, for a directory, S_ISGID when dir is set-group-ID). */
void inode_init_owner(struct inode *inode, const struct inode *dir);
