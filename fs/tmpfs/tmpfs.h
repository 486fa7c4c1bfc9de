/* fs/tmpfs/tmpfs.h: tmpfs, a file system that lives in sentry memory.
 *
 * The dentry cache is the directory tree (every dentry is pinned); regular
 * files keep their data in 4 KiB pages found through a three-level radix
 * table, so sparse files cost only the pages written. Each file is
 * bounded by TMPFS_MAX_FILE and all tmpfs data together by
 * tmpfs_set_limit() (ENOSPC beyond). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct dentry;
struct inode;
struct super_block;
struct iattr;

#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020	/* Linux 6.3; not in older headers */
#endif

#define TMPFS_PAGE	 4096
#define TMPFS_MAX_FILE	 (1LL << 39)	/* 512 GiB: 2^27 pages, 3 x 9 bits */

/* A new tmpfs: its root dentry (mode 01777 for the root of the sandbox's
 * /tmp, given by the caller), or NULL on ENOMEM. */
struct dentry *tmpfs_mount(mode_t root_mode);
/* The page budget of all tmpfs instances together, in bytes. */
void tmpfs_set_limit(uint64_t bytes);

/* Inside tmpfs. */
extern const struct inode_ops tmpfs_dir_iops, tmpfs_file_iops, tmpfs_symlink_iops;
extern const struct file_ops tmpfs_dir_fops, tmpfs_file_fops;
int tmpfs_setattr(struct dentry *d, const struct iattr *ia);
/* tmpfs_xattr.c */
ssize_t tmpfs_getxattr(struct dentry *d, const char *name, void *buf, size_t size);
int tmpfs_setxattr(struct dentry *d, const char *name, const void *value, size_t size,
		   int flags);
ssize_t tmpfs_listxattr(struct dentry *d, char *buf, size_t size);
/* Free pages beyond size; the caller holds inode->lock. */
void tmpfs_file_truncate(struct inode *inode, int64_t size);
void tmpfs_file_evict(struct inode *inode);
/* Make a regular file's data object now (0 or -ENOMEM). */
int tmpfs_file_init(struct inode *inode);
/* A truncation to size allowed by the file's seals? 0 or -EPERM. */
int tmpfs_file_check_size(struct inode *inode, int64_t size);

/* memfd_create (fs/tmpfs/memfd.c): a new unlinked tmpfs file named
 * "memfd:NAME", open O_RDWR (with O_CLOEXEC in oflags if asked), whose
 * seals start empty (allow_sealing) or F_SEAL_SEAL. */
struct file;
int tmpfs_memfd_create(const char *name, bool allow_sealing, struct file **out);
void tmpfs_file_allow_sealing(struct inode *inode, bool allow);
/* Page accounting: reserve one page (0 or -ENOSPC) or give n back. */
int tmpfs_page_charge(struct super_block *sb);
void tmpfs_page_uncharge(struct super_block *sb, uint64_t n);
