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
#include "sentry/mm/fault.h"
#include "platform/platform.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

/* The VMA of the code at [addr, addr + len), or NULL. */
static struct vma *text_vma(struct mm *mm, uint64_t addr, size_t len)
{
	if (len == 0 || len > PAGE_SIZE || (addr & (PAGE_SIZE - 1)) > PAGE_SIZE - len)
		return NULL;
	struct vma *v = mm_find_vma(mm, addr);
	if (!v || (v->flags & (VMA_SHARED | VMA_RESERVED)) || !(v->prot & PROT_EXEC) ||
	    (v->prot & PROT_WRITE))
		return NULL;
	return v;
}

int mm_text_read(struct mm *mm, uint64_t addr, void *buf, size_t len)
{
	int ret = -EFAULT;
	pthread_mutex_lock(&mm->lock);
	struct vma *v = text_vma(mm, addr, len);
	/* The mapping's own page, or the file's page it still reads. */
	int64_t off = v ? mm_page_get(mm, v, addr, false) : -EFAULT;
	if (off >= 0) {
		memcpy(buf, (const char *)memfile_ptr((uint64_t)off) + (addr & (PAGE_SIZE - 1)), len);
		ret = 0;
	}
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

int mm_text_patch(struct mm *mm, uint64_t addr, const void *old, const void *new, size_t len)
{
	int ret = 0;
	pthread_mutex_lock(&mm->lock);
	struct vma *v = text_vma(mm, addr, len);
	int64_t from = v ? mm_page_get(mm, v, addr, false) : -EFAULT;
	uint64_t *slot = from >= 0 ? pagemap_slot(mm->pm, addr, true) : NULL;
	if (!slot) {
		ret = from < 0 ? -EFAULT : -ENOMEM;
		goto out;
	}
	uint64_t in = addr & (PAGE_SIZE - 1);
	if (memcmp((const char *)memfile_ptr((uint64_t)from) + in, old, len) != 0) {
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
	memcpy(p, memfile_ptr((uint64_t)from), PAGE_SIZE);
	memcpy(p + in, new, len);
	/* The mapping's own page is dropped; a file's page stays the file's.
	 * Dropped once the platform maps the copy in its place: until then
	 * the guest's other threads run from it, and a freed page is soon
	 * another's. */
	bool owned = *slot & PTE_PRESENT;
	*slot = (uint64_t)to | PTE_PRESENT;
	if (mm->as) {
		as_map(mm->as, PAGE_ALIGN_DOWN(addr), PAGE_SIZE, v->prot, memfile_fd(), (uint64_t)to);
		mm_mirror_grew(mm);
	}
	if (owned)
		memfile_unref((uint64_t)from);
	else
		mm->resident_pages++;
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}
