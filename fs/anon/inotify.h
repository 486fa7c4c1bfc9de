/* fs/anon/inotify.h: inotify instances (inotify(7)): a queue of events
 * from the watches (fs/vfs/fsnotify.h marks) an instance holds on inodes. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct file;
struct inode;

/* flags: O_NONBLOCK. -EMFILE past the sandbox's instance limit. */
int inotify_create(int flags, struct file **out);
bool file_is_inotify(struct file *f);
/* inotify_add_watch on an inode found by the caller: the watch
 * descriptor (the same one for the same inode), -EEXIST with
 * IN_MASK_CREATE, -ENOSPC past the watch limit. */
int inotify_add(struct file *f, struct inode *inode, uint32_t mask);
/* inotify_rm_watch: 0 (IN_IGNORED is queued) or -EINVAL. */
int inotify_rm(struct file *f, int wd);
