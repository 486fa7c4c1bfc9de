/* sentry/mm/text.c: reading and patching guest code for the platform
 * (syscall-site patching): mm_text_read and mm_text_patch.
 *
 * Only private, executable, non-writable mappings qualify (program and
 * library text), never shared ones (the bytes would reach a file or
 * another process) nor writable ones (JIT code that the guest rewrites
 * and reads back). A patch never writes into the page the guest runs:
 * it copies the page, changes the copy, points the page map at it and
 * mirrors it into the platform in one mapping request, so a concurrently
 * running thread sees the old page or the new one, never a torn
 * instruction, and the old page (shared after fork, or copied from a
 * file) stays as it was for everyone else. */
#include "sentry/mm/mm.h"
#include "sentry/mm/pagemap.h"
#include "platform/platform.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

/* The memory-file slot of the code page at addr, or NULL. */
static uint64_t *text_slot(struct mm *mm, uint64_t addr, size_t len, struct vma **vp)
{
	if (len == 0 || len > PAGE_SIZE || (addr & (PAGE_SIZE - 1)) > PAGE_SIZE - len)
		return NULL;
	struct vma *v = mm_find_vma(mm, addr);
	if (!v || (v->flags & (VMA_SHARED | VMA_RESERVED)) || !(v->prot & PROT_EXEC) ||
	    (v->prot & PROT_WRITE))
		return NULL;
	uint64_t *slot = pagemap_slot(mm->pm, addr, false);
	if (!slot || !(*slot & PTE_PRESENT))
		return NULL;
	*vp = v;
	return slot;
}

int mm_text_read(struct mm *mm, uint64_t addr, void *buf, size_t len)
{
	struct vma *v;
	pthread_mutex_lock(&mm->lock);
	uint64_t *slot = text_slot(mm, addr, len, &v);
	if (slot)
		memcpy(buf, (const char *)memfile_ptr(PTE_OFF(*slot)) + (addr & (PAGE_SIZE - 1)),
		       len);
	pthread_mutex_unlock(&mm->lock);
	return slot ? 0 : -EFAULT;
}

int mm_text_patch(struct mm *mm, uint64_t addr, const void *old, const void *new, size_t len)
{
	struct vma *v;
	int ret = 0;
	pthread_mutex_lock(&mm->lock);
	uint64_t *slot = text_slot(mm, addr, len, &v);
	if (!slot) {
		ret = -EFAULT;
		goto out;
	}
	uint64_t from = PTE_OFF(*slot), in = addr & (PAGE_SIZE - 1);
	if (memcmp((const char *)memfile_ptr(from) + in, old, len) != 0) {
		ret = -EAGAIN;
		goto out;
	}
	size_t got;
	int64_t to = memfile_alloc(1, &got);
	if (to < 0) {
		ret = (int)to;
		goto out;
	}
	char *p = memfile_ptr((uint64_t)to);
	memcpy(p, memfile_ptr(from), PAGE_SIZE);
	memcpy(p + in, new, len);
	*slot = (uint64_t)to | PTE_PRESENT;
	if (mm->as)
		as_map(mm->as, PAGE_ALIGN_DOWN(addr), PAGE_SIZE, v->prot, memfile_fd(), (uint64_t)to);
	memfile_unref(from);
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}
