/* sentry/mm/mremap.c: mremap: shrink, grow in place, or move a mapping
 * (private pages move with it, without copying). */
#include "sentry/mm/mm.h"
#include "sentry/mm/pagemap.h"
#include "sentry/mm/vma.h"
#include "sentry/mm/vm_file.h"
#include "platform/platform.h"

#include <errno.h>
#include <sys/mman.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

struct move_arg {
	struct mm *mm;
	uint64_t from, to;
	int err;
};

static void move_one(void *arg, uint64_t addr, uint64_t *entry)
{
	struct move_arg *m = arg;
	uint64_t *dst = pagemap_slot(m->mm->pm, addr - m->from + m->to, true);
	if (!dst) {
		m->err = -ENOMEM;
		return;
	}
	*dst = *entry & ~PTE_RO_MAPPED;
	*entry = 0;
}

/* Move the mapping [old, old+old_len) of v to new_addr, new_len long. */
static int64_t move_mapping(struct mm *mm, size_t vi, uint64_t old, uint64_t old_len,
			    uint64_t new_addr, uint64_t new_len, bool dontunmap)
{
	struct vma nv = mm->vmas[vi];
	nv.start = new_addr;
	nv.end = new_addr + new_len;
	nv.flags &= ~(VMA_STACK | VMA_HEAP);
	nv.name[0] = 0;
	if (nv.file)
		nv.file_off += old - mm->vmas[vi].start;
	if (nv.obj) {
		nv.obj_off += old - mm->vmas[vi].start;
		if (mobj_grow(nv.obj, nv.obj_off + new_len) < 0)
			return -ENOMEM;
		mobj_get(nv.obj);
	}
	vm_file_get(nv.file);
	uint64_t moved = old_len < new_len ? old_len : new_len;
	struct move_arg m = { mm, old, new_addr, 0 };
	pagemap_walk(mm->pm, old, old + moved, move_one, &m);
	int i = vma_insert(mm, &nv);
	if (i < 0 || m.err < 0) {
		if (nv.obj)
			mobj_put(nv.obj);
		vm_file_put(nv.file);
		return -ENOMEM;
	}
	if (dontunmap) {
		/* The old range stays mapped, empty. */
		mm_unmap_pages(mm, old, old + old_len);
	} else {
		vma_remove_range(mm, old, old + old_len);
	}
	vma_merge_around(mm, (size_t)vma_lower_bound(mm, new_addr));
	return (int64_t)new_addr;
}

int64_t mm_mremap(struct mm *mm, uint64_t old, uint64_t old_len,
		  uint64_t new_len, int flags, uint64_t new_addr)
{
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (old & (PAGE_SIZE - 1))
		return -EINVAL;
	if (old_len > mm->max_addr || new_len > mm->max_addr)
		return new_len == 0 ? -EINVAL : -ENOMEM;
	old_len = PAGE_ALIGN_UP(old_len);
	uint64_t nl = PAGE_ALIGN_UP(new_len);
	if (new_len == 0 || nl < new_len)
		return -EINVAL;
	new_len = nl;
	if (new_len > mm->max_addr || old_len > mm->max_addr)
		return -ENOMEM;
	if ((flags & MREMAP_DONTUNMAP) && old_len != new_len)
		return -EINVAL;
	if (flags & MREMAP_FIXED) {
		if (new_addr & (PAGE_SIZE - 1))
			return -EINVAL;
		if (new_addr > mm->max_addr - new_len)
			return -EINVAL;
		if (new_addr < old + old_len && old < new_addr + new_len)
			return -EINVAL;
		if (mm_reserved_overlap(mm, new_addr, new_addr + new_len))
			return -EINVAL;
	}
	if (mm_reserved_overlap(mm, old, old + (old_len ? old_len : PAGE_SIZE)))
		return -EINVAL;

	int64_t ret;
	pthread_mutex_lock(&mm->lock);
	struct vma *v = mm_find_vma(mm, old);
	if (!v || (old_len && old + old_len > v->end)) {
		ret = -EFAULT;
		goto out;
	}
	if (old_len == 0) {
		/* Duplicating a shared mapping; private ones cannot. */
		if (!(v->flags & VMA_SHARED) || !(flags & MREMAP_MAYMOVE)) {
			ret = -EINVAL;
			goto out;
		}
	}
	if ((flags & MREMAP_DONTUNMAP) && (v->flags & VMA_SHARED)) {
		ret = -EINVAL;
		goto out;
	}
	size_t vi = (size_t)(v - mm->vmas);

	if (flags & MREMAP_FIXED) {
		if ((ret = vma_remove_range(mm, new_addr, new_addr + new_len)) < 0)
			goto out;
		vi = vma_lower_bound(mm, old);
		ret = move_mapping(mm, vi, old, old_len, new_addr, new_len,
				   flags & MREMAP_DONTUNMAP);
		goto out;
	}
	/* Shrinking (or keeping the size) happens in place; DONTUNMAP
	 * always moves, even at the same size. */
	if (new_len <= old_len && old_len && !(flags & MREMAP_DONTUNMAP)) {
		if (new_len < old_len)
			ret = vma_remove_range(mm, old + new_len, old + old_len);
		else
			ret = 0;
		if (ret == 0)
			ret = (int64_t)old;
		goto out;
	}
	/* Grow in place when the mapping ends the VMA and the space is free. */
	uint64_t end = old + old_len;
	if (old_len && end == v->end && !(flags & MREMAP_DONTUNMAP) &&
	    old + new_len <= mm->max_addr &&
	    !vma_range_used(mm, end, old + new_len)) {
		if (v->obj && mobj_grow(v->obj, v->obj_off + (old + new_len - v->start)) < 0) {
			ret = -ENOMEM;
			goto out;
		}
		v->end = old + new_len;
		vma_merge_around(mm, vi);
		ret = (int64_t)old;
		goto out;
	}
	if (!(flags & MREMAP_MAYMOVE)) {
		ret = -ENOMEM;
		goto out;
	}
	ret = vma_find_free(mm, 0, new_len);
	if (ret < 0)
		goto out;
	if (old_len == 0) {
		/* Shared duplicate: a new VMA on the same object. */
		struct vma nv = *v;
		nv.obj_off += old - v->start;
		if (nv.file)
			nv.file_off += old - v->start;
		nv.start = (uint64_t)ret;
		nv.end = nv.start + new_len;
		mobj_get(nv.obj);
		vm_file_get(nv.file);
		if (vma_insert(mm, &nv) < 0) {
			mobj_put(nv.obj);
			vm_file_put(nv.file);
			ret = -ENOMEM;
		}
		goto out;
	}
	ret = move_mapping(mm, vi, old, old_len, (uint64_t)ret, new_len,
			   flags & MREMAP_DONTUNMAP);
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}
