/* sentry/syscalls/sys_mmap.c: brk, mmap, munmap, mprotect, mremap,
 * madvise, mincore, msync. The work is in sentry/mm/. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"
#include "sentry/mm/vm_file.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>

int64_t sys_brk(struct task *t, const uint64_t a[6])
{
	return mm_brk(t->mm, a[0]);
}

/* Until the memory manager maps files: a private mapping of a file (or a
 * shared one that can never be written) is anonymous memory filled with
 * the file's bytes at mmap time (what ld.so needs to load libraries).
 * Writable shared file mappings are still ENODEV. */
static int64_t map_file_copy(struct task *t, struct file *f, uint64_t addr, uint64_t len,
			     int prot, int flags, uint64_t off)
{
	enum { CHUNK = 64 * 1024 };
	int type = flags & MAP_TYPE;
	if ((f->mode & FMODE_PATH) || !f->inode || !f->ops->read)
		return -ENODEV;
	if (!(f->mode & FMODE_READ))
		return -EACCES;
	if (!S_ISREG(f->inode->mode))
		return -ENODEV;
	if (type == MAP_SHARED && (prot & PROT_WRITE))
		return -ENODEV;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if ((int64_t)off < 0)
		return -EOVERFLOW;
	int mflags = (flags & ~(MAP_TYPE | MAP_DENYWRITE | MAP_EXECUTABLE)) |
		     MAP_PRIVATE | MAP_ANONYMOUS;
	struct vm_file *vf = f->path.dentry ? vm_file_new(&f->path) : NULL;
	int64_t start = mm_mmap_file(t->mm, addr, len, prot, mflags, NULL, off, 0, vf);
	vm_file_put(vf);
	if (start < 0 || len == 0)
		return start;
	char *buf = malloc(CHUNK);
	if (!buf) {
		mm_munmap(t->mm, (uint64_t)start, len);
		return -ENOMEM;
	}
	int64_t r = start;
	for (uint64_t done = 0; done < len;) {
		size_t want = len - done > CHUNK ? CHUNK : (size_t)(len - done);
		int64_t pos = (int64_t)(off + done);
		ssize_t n = f->ops->read(f, buf, want, &pos);
		if (n < 0) {
			r = n;
			break;
		}
		if (n == 0)
			break;	/* beyond the end: zeros */
		int e = mm_poke(t->mm, (uint64_t)start + done, buf, (size_t)n);
		if (e < 0) {
			r = e;
			break;
		}
		done += (uint64_t)n;
	}
	free(buf);
	if (r < 0)
		mm_munmap(t->mm, (uint64_t)start, len);
	return r;
}

/* A file whose pages are a memory object (tmpfs, memfd, goferfs's page
 * cache): MAP_SHARED maps the object, MAP_PRIVATE copies on write. */
static int64_t map_file_obj(struct task *t, struct file *f, uint64_t addr, uint64_t len,
			    int prot, int flags, uint64_t off)
{
	int type = flags & MAP_TYPE;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (!(f->mode & FMODE_READ))
		return -EACCES;
	if (type != MAP_PRIVATE && (prot & PROT_WRITE) &&
	    (!(f->mode & FMODE_WRITE) || (f->flags & O_APPEND)))
		return -EACCES;
	if (len == 0)
		return -EINVAL;
	if (off + PAGE_ALIGN_UP(len) < off || (int64_t)(off + PAGE_ALIGN_UP(len)) < 0)
		return -EOVERFLOW;
	struct mobj *obj = NULL;
	bool maywrite = false;
	int r = f->ops->mmap(f, prot, flags, &obj, &maywrite);
	if (r < 0)
		return r;
	int mflags = flags & ~(MAP_DENYWRITE | MAP_EXECUTABLE | MAP_ANONYMOUS);
	struct vm_file *vf = f->path.dentry ? vm_file_new(&f->path) : NULL;
	int64_t ret = mm_mmap_file(t->mm, addr, len, prot, mflags, obj, off,
				   maywrite ? VMA_MAYWRITE : 0, vf);
	vm_file_put(vf);
	mobj_put(obj);
	return ret;
}

int64_t sys_mmap(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = a[1], off = a[5];
	int prot = (int)a[2], flags = (int)a[3], fd = (int)a[4];
	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		struct file *f = fdtable_get_file(t->files, fd);
		if (!f)
			return -EBADF;
		int64_t r;
		if (f->mode & FMODE_PATH)
			r = -EBADF;
		else if (f->ops->mmap)
			r = map_file_obj(t, f, addr, len, prot, flags, off);
		else
			r = map_file_copy(t, f, addr, len, prot, flags, off);
		file_put(f);
		return r;
	}
	return mm_mmap(t->mm, addr, len, prot, flags, NULL, 0);
}

int64_t sys_munmap(struct task *t, const uint64_t a[6])
{
	return mm_munmap(t->mm, a[0], a[1]);
}

int64_t sys_mprotect(struct task *t, const uint64_t a[6])
{
	return mm_mprotect(t->mm, a[0], a[1], (int)a[2]);
}

int64_t sys_mremap(struct task *t, const uint64_t a[6])
{
	return mm_mremap(t->mm, a[0], a[1], a[2], (int)a[3], a[4]);
}

int64_t sys_madvise(struct task *t, const uint64_t a[6])
{
	return mm_madvise(t->mm, a[0], a[1], (int)a[2]);
}

int64_t sys_msync(struct task *t, const uint64_t a[6])
{
	return mm_msync(t->mm, a[0], a[1], (int)a[2]);
}

/* mincore in bounded chunks so the sentry's buffer stays small. */
int64_t sys_mincore(struct task *t, const uint64_t a[6])
{
	enum { CHUNK = 16384 };
	uint64_t addr = a[0], len = a[1], vec = a[2];
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t pages = (len + PAGE_SIZE - 1) / PAGE_SIZE;
	if (len + PAGE_SIZE - 1 < len)
		return -ENOMEM;
	unsigned char buf[CHUNK];
	for (uint64_t done = 0; done < pages;) {
		uint64_t n = pages - done < CHUNK ? pages - done : CHUNK;
		int r = mm_mincore(t->mm, addr + done * PAGE_SIZE, n * PAGE_SIZE, buf);
		if (r < 0)
			return r;
		r = copy_out(t->mm, vec + done, buf, n);
		if (r < 0)
			return r;
		done += n;
	}
	return 0;
}
