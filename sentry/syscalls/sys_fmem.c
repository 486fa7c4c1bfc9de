/* sentry/syscalls/sys_fmem.c: memfd_create and fallocate: argument
 * checks in Linux's order; the work is the file's (fs/tmpfs/memfd.c,
 * file_ops->fallocate). */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#define MFD_ALLOW_SEALING 0x0002U
#define MFD_HUGETLB 0x0004U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#define MFD_EXEC 0x0010U
#endif
#define MFD_HUGE_BITS (0x3fU << 26)
/* NAME_MAX minus "memfd:". */
#define MFD_NAME_MAX 249

int64_t sys_memfd_create(struct task *t, const uint64_t a[6])
{
	unsigned flags = (unsigned)a[1];
	if (a[1] >> 32)
		return -EINVAL;
	if (flags & MFD_HUGETLB) {
		/* No huge pages in the sandbox. */
		if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_HUGE_BITS |
			      MFD_NOEXEC_SEAL | MFD_EXEC))
			return -EINVAL;
		return -EINVAL;
	}
	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL | MFD_EXEC))
		return -EINVAL;
	if ((flags & MFD_NOEXEC_SEAL) && (flags & MFD_EXEC))
		return -EINVAL;
	char name[MFD_NAME_MAX + 1];
	ssize_t n = copy_string_in(t->mm, name, a[0], sizeof(name));
	if (n == -ENAMETOOLONG)
		return -EINVAL;
	if (n < 0)
		return n;
	struct file *f;
	bool sealing = flags & (MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
	int r = tmpfs_memfd_create(name, sealing, &f);
	if (r < 0)
		return r;
	if (flags & MFD_NOEXEC_SEAL) {
		pthread_mutex_lock(&f->inode->lock);
		f->inode->mode &= ~(mode_t)0111;
		pthread_mutex_unlock(&f->inode->lock);
		f->ops->seals(f, true, F_SEAL_EXEC);
	}
	r = fdtable_install(t->files, f, 0, fd_limit(t), flags & MFD_CLOEXEC);
	file_put(f);
	return r;
}

#ifndef FALLOC_FL_UNSHARE_RANGE
#define FALLOC_FL_UNSHARE_RANGE 0x40
#endif
#ifndef FALLOC_FL_WRITE_ZEROES
#define FALLOC_FL_WRITE_ZEROES 0x80
#endif
#define FALLOC_MODE_MASK (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE | \
			  FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_WRITE_ZEROES)

/* The mode checks of Linux 6.x's vfs_fallocate: one operation at most,
 * KEEP_SIZE only where it means something. 0 or -EOPNOTSUPP. */
static int falloc_mode_ok(int mode)
{
	if (mode & ~(FALLOC_MODE_MASK | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	switch (mode & FALLOC_MODE_MASK) {
	case 0:
	case FALLOC_FL_UNSHARE_RANGE:
	case FALLOC_FL_ZERO_RANGE:
		return 0;
	case FALLOC_FL_PUNCH_HOLE:
		return (mode & FALLOC_FL_KEEP_SIZE) ? 0 : -EOPNOTSUPP;
	case FALLOC_FL_COLLAPSE_RANGE:
	case FALLOC_FL_INSERT_RANGE:
	case FALLOC_FL_WRITE_ZEROES:
		return (mode & FALLOC_FL_KEEP_SIZE) ? -EOPNOTSUPP : 0;
	default:
		return -EOPNOTSUPP;
	}
}

int64_t sys_fallocate(struct task *t, const uint64_t a[6])
{
	int fd = (int)a[0], mode = (int)a[1];
	int64_t off = (int64_t)a[2], len = (int64_t)a[3];
	struct file *f = fdtable_get_file(t->files, fd);
	if (!f)
		return -EBADF;
	int64_t r;
	if (f->mode & FMODE_PATH)
		r = -EBADF;
	else if (off < 0 || len <= 0)
		r = -EINVAL;
	else if (falloc_mode_ok(mode) < 0)
		r = -EOPNOTSUPP;
	else if (!(f->mode & FMODE_WRITE))
		r = -EBADF;
	else if (!f->inode)
		r = -ESPIPE;
	else if (S_ISFIFO(f->inode->mode))
		r = -ESPIPE;
	else if (S_ISDIR(f->inode->mode))
		r = -EISDIR;
	else if (!S_ISREG(f->inode->mode))
		r = -ENODEV;
	else if ((uint64_t)off + (uint64_t)len > (uint64_t)INT64_MAX)
		r = -EFBIG;
	else if (!f->ops->fallocate)
		r = -EOPNOTSUPP;
	else
		r = f->ops->fallocate(f, mode, off, len);
	file_put(f);
	return r;
}
