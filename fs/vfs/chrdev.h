/* fs/vfs/chrdev.h: character devices by number: the file_ops that a
 * device inode (mknod S_IFCHR, /dev/null...) opens with. */
#pragma once
#include <sys/types.h>

struct file_ops;

/* 0, or -ENOSPC when the table is full. */
int chrdev_register(dev_t rdev, const struct file_ops *ops);
/* The ops of rdev, or NULL (open gives ENXIO). */
const struct file_ops *chrdev_lookup(dev_t rdev);
