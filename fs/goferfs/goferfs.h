/* fs/goferfs/goferfs.h: a file system served by the gofer process.
 *
 * Inodes stand for gofer fids; their attributes are the ones the walk
 * returned, cached (stat of a walked path needs no round trip) and kept
 * current by the sentry's own changes. On -v exports, which the host may
 * change at any time, every walk through a cached name asks the gofer
 * again (revalidate): a name gone or now another file is dropped and
 * looked up afresh, and the attributes of one still there are renewed. Regular files are read and written
 * with pread/pwrite on host fds the gofer donates (one read-only fd per
 * inode, shared by read-only opens; one per writable open). A gofer that
 * died or misbehaved makes every operation -EIO. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gofer/protocol.h"

struct dentry;
struct inode;
struct iattr;
struct super_block;

/* --- the connection (client.c) --- */

/* Use host fd sock (one end of the socketpair) for every request. */
void gofer_client_set_fd(int sock);
bool gofer_client_ready(void);
/* Forget fid: sent with the next request (GOFER_CLUNKN), or at once
 * when GOFER_CLUNKN_MAX are waiting. No reply, no error. */
void gofer_client_clunk(uint64_t fid);
/* Tests only (tests/fuzz/fuzz_gofer.c): forget that the gofer was found
 * dead and talk to sock from now on (-1: to nobody, every call EIO). The
 * sentry itself never revives a gofer that sent garbage. */
void gofer_client_testonly_reset(int sock);
/* One round trip: req (op and arguments; namelen/name2len are filled in
 * from name/name2, either may be NULL), the reply in *resp, its payload
 * (up to datamax bytes) in data, and a donated fd in *fd when fd is not
 * NULL (-1 if none). resp->err, or -EIO if the gofer is gone or sent
 * garbage (then it is never asked again). */
int gofer_call(struct gofer_req *req, const char *name, const char *name2,
	       struct gofer_resp *resp, void *data, size_t datamax, int *fd);

/* --- the file system --- */

/* The root dentry of a new goferfs over export index (0: the root file
 * system); read-only super block if ro. NULL with *err set. */
struct dentry *goferfs_mount(int export_index, bool ro, int *err);

/* Inside goferfs. */
/* Must cached names of sb be checked with the host at each walk (the -v
 * exports; the root export is read-only and keeps its cache)? */
bool goferfs_revalidates(struct super_block *sb);
/* The revalidate op of every goferfs inode (fs/vfs/inode.h). */
int goferfs_revalidate(struct inode *dir, struct dentry *d);
/* The walk_ahead op of goferfs directories (walk.c): one WALKN. */
void goferfs_walk_ahead(struct inode *dir, struct dentry *d, const char *rest, unsigned flags);
/* Look the names (single components) up in directory d in one round
 * trip and cache what exists (walk.c): for names the sandbox is about to
 * use. Best effort. */
void goferfs_prefetch(struct dentry *d, const char *const *names, size_t n);
/* Did the current walk's walk_ahead find name absent in dir? */
bool goferfs_walk_absent(struct inode *dir, const char *name, size_t len);
struct gofer_inode {
	uint64_t fid;
	int rofd;		/* shared read-only host fd, or -1 */
	int spare;		/* read-write fd from CREATE for the next open, or -1 */
	char *link;		/* cached symlink target */
	struct mobj *cache;	/* page cache once mapped (pagecache.c) */
};
extern const struct inode_ops goferfs_dir_iops, goferfs_file_iops, goferfs_link_iops;
extern const struct file_ops goferfs_dir_fops, goferfs_file_fops;
struct inode *goferfs_inode(struct super_block *sb, uint64_t fid, const struct gofer_stat *st);
/* A new host fd of regular file inode opened with flags (O_RDONLY, O_WRONLY
 * or O_RDWR, maybe O_TRUNC/O_APPEND): for O_RDONLY a duplicate of the
 * inode's shared read-only fd when it has one (no round trip), else
 * from the gofer (OPEN). The fd or -errno. */
int goferfs_open_fd(struct inode *inode, int flags);
void goferfs_set_attrs(struct inode *inode, const struct gofer_stat *st);
int goferfs_setattr(struct dentry *d, const struct iattr *ia);
/* No extended attributes through the gofer: none to read (ENODATA, an
 * empty list, as a host file without any), none to set (EOPNOTSUPP). */
ssize_t goferfs_getxattr(struct dentry *d, const char *name, void *buf, size_t size);
int goferfs_setxattr(struct dentry *d, const char *name, const void *value, size_t size,
		     int flags);
ssize_t goferfs_listxattr(struct dentry *d, char *buf, size_t size);
void goferfs_clunk(uint64_t fid);

/* The page cache of a regular file (pagecache.c). */
struct mobj;
/* The cache (made on first use), referenced; writable: for a shared
 * writable mapping (write-back enabled). NULL with *err. */
struct mobj *goferfs_cache_get(struct inode *inode, bool writable, int *err);
/* After a pread of n bytes at pos into buf: cached pages win. */
void goferfs_cache_read(struct inode *inode, void *buf, size_t n, int64_t pos);
/* After a pwrite of n bytes at pos (file size now size, or -1). */
void goferfs_cache_write(struct inode *inode, const void *buf, size_t n, int64_t pos,
			 int64_t size);
void goferfs_cache_resize(struct inode *inode, int64_t size);
/* After a host fallocate(mode, off, len) left the file size bytes long:
 * the cached pages it changed are dropped. */
void goferfs_cache_fallocated(struct inode *inode, int mode, int64_t off, int64_t len,
			      int64_t size);
/* Write back pages mapped shared-writable. 0 or -EIO. */
int goferfs_cache_sync(struct inode *inode);
void goferfs_cache_evict(struct inode *inode);

/* --- the sandbox's layout (rootfs.c) --- */

/* Before the VFS starts: the connection, and the guest paths of the -v
 * mounts (export i + 1 is guest[i]). 0 or -ENOMEM. */
int goferfs_configure(int sock, size_t nvols, const char *const *guest, const bool *ro);
/* The root: an overlay of a tmpfs over export 0; NULL with *err 0 when
 * no gofer was configured (the root is then a plain tmpfs). */
struct dentry *goferfs_rootfs(int *err);
/* Mount the -v exports (after /tmp, /dev, /proc). 0 or -errno. */
int goferfs_mount_volumes(void);
