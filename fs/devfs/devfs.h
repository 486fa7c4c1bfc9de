/* fs/devfs/devfs.h: /dev: a tmpfs holding device nodes whose numbers the
 * character device table (fs/vfs/chrdev.h) knows. */
#pragma once

struct file_ops;
struct dentry;

struct devfs_node {
	const char *name;
	unsigned minor;		/* of major 1 */
	const struct file_ops *ops;
};

extern const struct devfs_node devfs_mem_nodes[];
/* Register the memory devices (null, zero, full, random, urandom). */
int devfs_mem_register(void);
/* Register /dev/tty (fs/devfs/tty.c). */
int devfs_tty_register(void);
/* A new /dev file system with the nodes in it: its root, or NULL. */
struct dentry *devfs_mount(void);
