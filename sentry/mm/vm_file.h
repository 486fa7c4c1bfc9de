/* sentry/mm/vm_file.h: the file a VMA maps (Linux's vm_file), for
 * /proc/PID/maps: a reference to the path (mount and dentry) it was
 * mapped through. One vm_file is shared, refcounted, by the VMAs split
 * from one mapping and by fork's copies; the last VMA to go releases the
 * path. Releasing it never takes mm->lock or an inode lock (dput/iput),
 * so VMA code drops references under mm->lock. */
#pragma once
#include "fs/vfs/mount.h"

struct vm_file {
	int refs;
	struct path path;	/* referenced */
};

/* A vm_file on p (a new path reference), or NULL when out of memory. */
struct vm_file *vm_file_new(const struct path *p);
void vm_file_get(struct vm_file *vf);
void vm_file_put(struct vm_file *vf);
