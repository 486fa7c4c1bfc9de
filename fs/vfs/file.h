/* fs/vfs/file.h: open file descriptions and their ops table.
 *
 * A file is an open file description: status flags, a position and, for
 * files opened by path, the path and inode it was opened on. Host-backed
 * files (the inherited stdio) have no inode. All ops return a count or a
 * negative errno. Buffers are sentry memory: the syscall layer copies to
 * and from the guest.
 *
 * read/write take the position to use and advance it; the syscall layer
 * passes &f->pos (under f->pos_lock when FMODE_ATOMIC_POS) or the pread
 * offset. Files without FMODE_PREAD give ESPIPE for pread/pwrite/lseek.
 * Stream files (neither FMODE_ATOMIC_POS nor FMODE_PREAD: pipes, host
 * stdio) get a position that starts at 0 for each syscall: it counts the
 * bytes moved so far by that call, so a pipe blocks only while it is 0. */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "fs/vfs/mount.h"

struct file;
struct inode;
struct epitem;
struct poll_table;
struct task;
struct mobj;

/* readdir: emit returns false when the caller's buffer is full. pos is
 * the position of the next entry (d_off of the last one emitted). */
struct dir_context {
	bool (*emit)(struct dir_context *ctx, const char *name, size_t len,
		     uint64_t ino, unsigned type, int64_t next_pos);
	int64_t pos;
};

struct file_ops {
	/* Called by vfs_open after the file is set up; optional. */
	int (*open)(struct inode *inode, struct file *f);
	ssize_t (*read)(struct file *f, void *buf, size_t len, int64_t *pos);
	ssize_t (*write)(struct file *f, const void *buf, size_t len, int64_t *pos);
	/* Under pos_lock; returns the new position. NULL: generic_llseek. */
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	int (*iterate)(struct file *f, struct dir_context *ctx);
	/* ioctl with its argument still a guest address. */
	int64_t (*ioctl)(struct file *f, struct task *t, unsigned int cmd, uint64_t arg);
	/* stat of a file without an inode (host files). */
	int (*stat)(struct file *f, struct stat *st);
	/* Optional: bring the inode's attributes up to date before fstat
	 * (files that others may change: goferfs on -v mounts). */
	void (*refresh)(struct file *f);
	int (*fsync)(struct file *f, bool datasync);
	/* Readiness (POLL* bits); queue on the file's wait queues through
	 * poll_wait(pt, ...) when pt is not NULL (fs/vfs/waitq.h). NULL:
	 * always readable and writable, and epoll refuses the file. */
	uint32_t (*poll)(struct file *f, struct poll_table *pt);
	void (*release)(struct file *f);
	/* mmap: the memory object holding the file's pages (a new
	 * reference) for a mapping with prot and flags (MAP_SHARED or
	 * MAP_PRIVATE); *maywrite: a shared mapping may be made writable.
	 * -errno (-EPERM for seals, -EACCES...). NULL: the syscall copies
	 * the file into anonymous memory (private, or never writable). */
	int (*mmap)(struct file *f, int prot, int flags, struct mobj **obj, bool *maywrite);
	/* fallocate(2) with the generic checks done. NULL: -EOPNOTSUPP. */
	int (*fallocate)(struct file *f, int mode, int64_t off, int64_t len);
	/* F_ADD_SEALS (add) or F_GET_SEALS (returns the seals). NULL: -EINVAL. */
	int (*seals)(struct file *f, bool add, unsigned seals);
	/* For files without a path: the name /proc/PID/fd/N shows after
	 * "anon_inode:" ("[eventfd]", "[eventpoll]", "inotify"...). NULL:
	 * procfs derives one from stat ("pipe:[ino]", "socket:[ino]"). */
	const char *anon_name;
};

#define FMODE_READ	 0x1
#define FMODE_WRITE	 0x2
#define FMODE_PREAD	 0x4	/* positional I/O and lseek */
#define FMODE_ATOMIC_POS 0x8	/* read/write hold pos_lock */
#define FMODE_PATH	 0x10	/* O_PATH: no I/O at all */

struct file {
	int refs;
	const struct file_ops *ops;
	int flags;		/* O_ACCMODE, O_APPEND, O_NONBLOCK... */
	unsigned mode;		/* FMODE_* */
	void *priv;
	struct path path;	/* NULL members for files without a path */
	struct inode *inode;	/* referenced, or NULL */
	pthread_mutex_t pos_lock;
	int64_t pos;
	/* epoll watches of this file (fs/anon/eventpoll.c), under its
	 * lock; dropped at the last file_put. */
	struct epitem *epitems;
};

struct file *file_new(const struct file_ops *ops, int flags, void *priv);
void file_get(struct file *f);
void file_put(struct file *f);
/* stat of an open file: its inode's attributes, or ops->stat. */
int file_stat(struct file *f, struct stat *st);
/* lseek for files whose size is the inode's: SEEK_SET/CUR/END. */
int64_t generic_llseek(struct file *f, int64_t off, int whence);
/* stat of a file on no inode (eventfd, timerfd, signalfd, inotify,
 * pidfd): mode 0600 and nothing else, as Linux's anonymous inode. */
int anon_inode_stat(struct file *f, struct stat *st);
/* lseek on a directory: SEEK_SET and SEEK_CUR to a readdir cookie. */
int64_t dir_llseek(struct file *f, int64_t off, int whence);

/* fs/host/host_file.c: a file backed by a host fd the sentry owns. */
struct file *host_file_new(int host_fd, int flags);
/* Turn f, being opened, into a host file on fd (its ops and priv). */
int host_file_adopt(struct file *f, int host_fd);
