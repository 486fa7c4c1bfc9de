/* sentry/syscalls/sys_mmap.c: brk, mmap, munmap, mprotect, mremap,
 * madvise, mincore, msync. The work is in sentry/mm/. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

int64_t sys_brk(struct task *t, const uint64_t a[6])
{
	return mm_brk(t->mm, a[0]);
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
		file_put(f);
		return -ENODEV;	/* no mappable files before the VFS */
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
