/* fs/sysfs/sysfs.h: a minimal read-only /sys. */
#pragma once

struct dentry;

/* A new sysfs instance: its root dentry, or NULL (ENOMEM). */
struct dentry *sysfs_mount(void);
