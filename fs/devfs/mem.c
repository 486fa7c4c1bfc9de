/* fs/devfs/mem.c: the memory character devices (Linux's major 1): null,
 * zero, full, random, urandom. */
#include "fs/devfs/devfs.h"
#include "fs/vfs/chrdev.h"
#include "fs/vfs/file.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/sysmacros.h>

static ssize_t null_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	(void)f, (void)buf, (void)len, (void)pos;
	return 0;
}

static ssize_t null_write(struct file *f, const void *buf, size_t len, int64_t *pos)
{
	(void)f, (void)buf, (void)pos;
	return (ssize_t)len;
}

static ssize_t zero_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	(void)f, (void)pos;
	memset(buf, 0, len);
	return (ssize_t)len;
}

static ssize_t full_write(struct file *f, const void *buf, size_t len, int64_t *pos)
{
	(void)f, (void)buf, (void)pos;
	return len ? -ENOSPC : 0;
}

static ssize_t random_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	(void)f, (void)pos;
	size_t done = 0;
	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return done ? (ssize_t)done : -errno;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Seeking a memory device always succeeds and stays at 0. */
static int64_t mem_llseek(struct file *f, int64_t off, int whence)
{
	(void)f, (void)off, (void)whence;
	return 0;
}

static const struct file_ops null_ops = {
	.read = null_read, .write = null_write, .llseek = mem_llseek,
};
static const struct file_ops zero_ops = {
	.read = zero_read, .write = null_write, .llseek = mem_llseek,
};
static const struct file_ops full_ops = {
	.read = zero_read, .write = full_write, .llseek = mem_llseek,
};
static const struct file_ops random_ops = {
	.read = random_read, .write = null_write, .llseek = mem_llseek,
};

const struct devfs_node devfs_mem_nodes[] = {
	{ "null", 3, &null_ops },
	{ "zero", 5, &zero_ops },
	{ "full", 7, &full_ops },
	{ "random", 8, &random_ops },
	{ "urandom", 9, &random_ops },
	{ NULL, 0, NULL },
};

int devfs_mem_register(void)
{
	for (const struct devfs_node *n = devfs_mem_nodes; n->name; n++) {
		int r = chrdev_register(makedev(1, n->minor), n->ops);
		if (r < 0)
			return r;
	}
	return 0;
}
