/* fs/vfs/file.h: open file descriptions and their ops table.
 *
 * The foundation has only host-backed files (the inherited stdio); the VFS
 * issue adds dentries, inodes and mounts behind the same struct file. All
 * ops return a count or a negative errno. Buffers are sentry memory: the
 * syscall layer copies to and from the guest. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct file;
struct task;

struct file_ops {
	ssize_t (*read)(struct file *f, void *buf, size_t len);
	ssize_t (*write)(struct file *f, const void *buf, size_t len);
	/* ioctl with its argument still a guest address. */
	int64_t (*ioctl)(struct file *f, struct task *t, unsigned int cmd, uint64_t arg);
	int (*stat)(struct file *f, struct stat *st);
	void (*release)(struct file *f);
};

struct file {
	int refs;
	const struct file_ops *ops;
	int flags;		/* O_ACCMODE, O_APPEND, O_NONBLOCK... */
	void *priv;
};

struct file *file_new(const struct file_ops *ops, int flags, void *priv);
void file_get(struct file *f);
void file_put(struct file *f);

/* fs/host/host_file.c: a file backed by a host fd the sentry owns. */
struct file *host_file_new(int host_fd, int flags);
