/* fs/vfs/vfs.h: the VFS operations that syscall handlers call.
 *
 * Every path operation starts from a root (the task's root, against which
 * absolute paths, absolute symlinks and ".." are resolved) and a directory
 * (the task's cwd or a dirfd, for relative paths). Names are sentry memory
 * already copied in and bounded (PATH_MAX). Results are 0 or -errno as
 * Linux gives them. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include "fs/vfs/mount.h"

struct file;
struct iattr;
struct dir_context;

/* Lookup flags. */
#define LOOKUP_FOLLOW		0x001	/* follow a final symlink */
#define LOOKUP_DIRECTORY	0x002	/* the result must be a directory */
#define LOOKUP_NO_SYMLINKS	0x010	/* openat2 RESOLVE_NO_SYMLINKS */
#define LOOKUP_BENEATH		0x020	/* RESOLVE_BENEATH */
#define LOOKUP_IN_ROOT		0x040	/* RESOLVE_IN_ROOT */
#define LOOKUP_NO_XDEV		0x080	/* RESOLVE_NO_XDEV */
#define LOOKUP_NO_MAGICLINKS	0x100	/* RESOLVE_NO_MAGICLINKS */
/* An intent: the caller opens the result read-only (exec, open O_RDONLY),
 * so a file system may open it during the walk (inode_ops.walk_ahead). */
#define LOOKUP_OPEN		0x200

#define MAXSYMLINKS 40

/* Where a walk starts. */
struct walk_start {
	struct path root;
	struct path dir;
};

/* Set up the namespace once: a tmpfs at / with /tmp, /dev (null, zero,
 * full, random, urandom) and /proc. 0 or -errno. */
int vfs_init(void);

int vfs_lookup(const struct walk_start *ws, const char *name, unsigned flags,
	       struct path *out);
/* open(2): oflags as Linux (O_CREAT, O_EXCL, O_TRUNC, O_NOFOLLOW,
 * O_DIRECTORY, O_PATH, O_APPEND...); mode already has the umask
 * applied. lookup_flags adds the openat2 RESOLVE_* bits. */
int vfs_open(const struct walk_start *ws, const char *name, int oflags, mode_t mode,
	     unsigned lookup_flags, struct file **out);
/* Open an existing path (O_RDONLY, for the loader and fchdir-like use). */
int vfs_open_path(const struct path *p, int oflags, struct file **out);
int vfs_mknod(const struct walk_start *ws, const char *name, mode_t mode, dev_t rdev);
int vfs_mkdir(const struct walk_start *ws, const char *name, mode_t mode);
int vfs_symlink(const char *target, const struct walk_start *ws, const char *name);
int vfs_link(const struct path *old, const struct walk_start *ws, const char *name);
int vfs_unlink(const struct walk_start *ws, const char *name);
int vfs_rmdir(const struct walk_start *ws, const char *name);
/* flags: RENAME_NOREPLACE, RENAME_EXCHANGE. */
int vfs_rename(const struct walk_start *ows, const char *oname,
	       const struct walk_start *nws, const char *nname, unsigned flags);
/* stat of the object at p; with follow, a magic link (procfs fd/N) to a
 * file without a path (a pipe, host stdio) gives that file's stat. */
int vfs_stat(const struct path *p, bool follow, struct stat *st);
/* The target of the symlink at p, at most len bytes, not terminated. */
ssize_t vfs_readlink(const struct path *p, char *buf, size_t len);
int vfs_setattr(const struct path *p, struct iattr *ia);
/* ftruncate/truncate: size of a regular file. */
int vfs_truncate(const struct path *p, int64_t size);
int vfs_statfs(const struct path *p, struct statfs *st);
int vfs_iterate(struct file *f, struct dir_context *ctx);
/* The path of p as seen from root, into buf: its length with the NUL,
 * -ENOENT if p was removed, -ERANGE if it does not fit. A path outside
 * root starts with "(unreachable)". */
int vfs_getcwd(const struct path *root, const struct path *p, char *buf, size_t len);
/* The same for /proc (fd/N, exe, maps): a removed p is named by its
 * last path with " (deleted)" appended. */
int vfs_d_path(const struct path *root, const struct path *p, char *buf, size_t len);
/* Mount a fresh file system of the named type ("tmpfs") at path p. */
int vfs_mount_new(const struct path *p, const char *type, const char *source,
		  unsigned mnt_flags);
