/* sentry/mm/mm.c: address-space lifetime and the mapping operations behind
 * mmap, munmap, mprotect, brk, madvise, mincore and msync. mremap lives in
 * mremap.c, faults in fault.c. Every change to the VMAs is reflected in the
 * platform's mirror (unmap or protect); new pages reach it lazily, by
 * faults. */
#include "sentry/mm/mm.h"
#include "sentry/mm/pagemap.h"
#include "sentry/mm/vma.h"
#include "sentry/mm/vm_file.h"
#include "platform/platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

struct mm *mm_new(struct as *as, uint64_t max_addr)
{
	struct mm *mm = calloc(1, sizeof(*mm));
	if (!mm)
		return NULL;
	mm->pm = pagemap_new();
	if (!mm->pm) {
		free(mm);
		return NULL;
	}
	pthread_mutex_init(&mm->lock, NULL);
	mm->refs = 1;
	mm->as = as;
	mm->max_addr = max_addr;
	/* Like Linux: mmap_base sits below the stack's maximum size plus a
	 * gap, a gap of at most 5/6 of the address space (so that a small
	 * one, in tests, does not wrap mmap_base above max_addr). */
	uint64_t gap = 1UL << 30;
	if (gap > max_addr / 6 * 5)
		gap = max_addr / 6 * 5;
	mm->mmap_base = PAGE_ALIGN_DOWN(max_addr - gap);
	mm->stack_limit = 8UL << 20;
	if (as) {
		as_set_owner(as, mm);
		uint64_t rs, rl;
		const char *name;
		if (as_reserved(&rs, &rl, &name) && rs < max_addr && rl <= max_addr - rs) {
			struct vma v = { .start = rs, .end = rs + rl, .prot = PROT_READ,
					 .flags = VMA_RESERVED };
			snprintf(v.name, sizeof(v.name), "%s", name);
			if (vma_insert(mm, &v) >= 0) {
				mm->resv_start = rs;
				mm->resv_end = rs + rl;
			}
		}
	}
	return mm;
}

void mm_get(struct mm *mm)
{
	__atomic_add_fetch(&mm->refs, 1, __ATOMIC_RELAXED);
}

void mm_put(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; i < mm->nvmas; i++) {
		struct vma *v = &mm->vmas[i];
		vm_file_put(v->file);
		if (!v->obj)
			continue;
		if ((v->flags & (VMA_SHARED | VMA_MAYWRITE)) == (VMA_SHARED | VMA_MAYWRITE))
			mobj_sync(v->obj);	/* as munmap */
		vma_obj_release(mm, v);
	}
	mm_release_pages(mm, 0, mm->max_addr);
	pagemap_free(mm->pm);
	fork_prof_put(mm->kids);
	fork_prof_put(mm->self);
	fork_prof_put(mm->rec);
	if (mm->as)
		as_release(mm->as);
	free(mm->vmas);
	pthread_mutex_destroy(&mm->lock);
	free(mm);
}

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)
#define MAP_KNOWN (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | \
		   MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | \
		   MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | \
		   MAP_HUGETLB | MAP_SYNC | MAP_FIXED_NOREPLACE | MAP_32BIT | \
		   (0x3fU << 26) /* MAP_HUGE_SHIFT sizes */)

int64_t mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot,
		int flags, struct mobj *obj, uint64_t off)
{
	return mm_mmap_obj(mm, addr, len, prot, flags, obj, off,
			   obj ? VMA_MAYWRITE : 0);
}

int64_t mm_mmap_obj(struct mm *mm, uint64_t addr, uint64_t len, int prot,
		    int flags, struct mobj *obj, uint64_t off, int vflags)
{
	return mm_mmap_file(mm, addr, len, prot, flags, obj, off, vflags, NULL);
}

int64_t mm_mmap_file(struct mm *mm, uint64_t addr, uint64_t len, int prot,
		     int flags, struct mobj *obj, uint64_t off, int vflags,
		     struct vm_file *file)
{
	int type = flags & MAP_SHARED_VALIDATE;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE && (flags & ~MAP_KNOWN))
		return -EOPNOTSUPP;
	if (prot & ~PROT_ALL)
		return -EINVAL;
	if (len == 0)
		return -EINVAL;
	if (len > mm->max_addr)
		return -ENOMEM;
	len = PAGE_ALIGN_UP(len);
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed && (addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (fixed && (addr > mm->max_addr - len))
		return -ENOMEM;

	struct vma v = { .prot = prot, .flags = vflags & VMA_MAYWRITE, .file = file,
			 .file_off = file ? off : 0 };
	if (type != MAP_PRIVATE) {
		v.flags |= VMA_SHARED;
		if (obj) {
			mobj_get(obj);
		} else if (!(obj = mobj_new(len))) {
			return -ENOMEM;
		} else {
			v.flags |= VMA_MAYWRITE;
		}
		v.obj = obj;
		v.obj_off = off;
	} else if (obj) {
		mobj_get(obj);
		v.obj = obj;
		v.obj_off = off;
		v.flags &= ~VMA_MAYWRITE;
	}
	if (flags & MAP_GROWSDOWN)
		v.flags |= VMA_GROWSDOWN;
	if (flags & MAP_NORESERVE)
		v.flags |= VMA_NORESERVE;

	int64_t ret;
	vm_file_get(v.file);
	pthread_mutex_lock(&mm->lock);
	if (fixed) {
		if (vma_range_used(mm, addr, addr + len)) {
			if ((flags & MAP_FIXED) && mm_reserved_overlap(mm, addr, addr + len)) {
				ret = -ENOMEM;
				goto fail;
			}
			if (!(flags & MAP_FIXED)) {
				ret = -EEXIST;
				goto fail;
			}
			if ((ret = vma_remove_range(mm, addr, addr + len)) < 0)
				goto fail;
		}
	} else {
		ret = vma_find_free(mm, addr, len);
		if (ret < 0)
			goto fail;
		addr = (uint64_t)ret;
	}
	v.start = addr;
	v.end = addr + len;
	int i = vma_insert(mm, &v);
	if (i < 0) {
		ret = i;
		goto fail;
	}
	vma_merge_around(mm, (size_t)i);
	pthread_mutex_unlock(&mm->lock);
	return (int64_t)addr;
fail:
	pthread_mutex_unlock(&mm->lock);
	if (v.obj)
		mobj_put(v.obj);
	vm_file_put(v.file);
	return ret;
}

/* Validate an (addr, len) pair of munmap/mprotect/madvise style calls. */
static int range_check(struct mm *mm, uint64_t addr, uint64_t *len)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t l = PAGE_ALIGN_UP(*len);
	if (l < *len || addr + l < addr)
		return -EINVAL;
	if (addr + l > mm->max_addr || mm_reserved_overlap(mm, addr, addr + l))
		return -ENOMEM;
	*len = l;
	return 0;
}

int mm_munmap(struct mm *mm, uint64_t addr, uint64_t len)
{
	if (len == 0)
		return -EINVAL;
	int r = range_check(mm, addr, &len);
	if (r < 0)
		return r == -ENOMEM ? -EINVAL : r;
	pthread_mutex_lock(&mm->lock);
	r = vma_remove_range(mm, addr, addr + len);
	pthread_mutex_unlock(&mm->lock);
	return r;
}

int mm_mprotect(struct mm *mm, uint64_t addr, uint64_t len, int prot)
{
	if (prot & ~(PROT_ALL | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP))
		return -EINVAL;
	int r = range_check(mm, addr, &len);
	if (r < 0)
		return r;
	if (len == 0)
		return 0;
	prot &= PROT_ALL;
	pthread_mutex_lock(&mm->lock);
	uint64_t end = addr + len;
	if (!vma_range_covered(mm, addr, end)) {
		r = -ENOMEM;
		goto out;
	}
	/* A shared mapping of a file not open for writing (or sealed) never
	 * becomes writable. */
	if (prot & PROT_WRITE) {
		for (size_t k = vma_lower_bound(mm, addr); k < mm->nvmas && mm->vmas[k].start < end; k++) {
			if ((mm->vmas[k].flags & (VMA_SHARED | VMA_MAYWRITE)) == VMA_SHARED) {
				r = -EACCES;
				goto out;
			}
		}
	}
	if ((r = vma_split_at(mm, addr)) < 0 || (r = vma_split_at(mm, end)) < 0)
		goto out;
	bool widen = false;
	size_t first = vma_lower_bound(mm, addr), last = first;
	for (size_t k = first; k < mm->nvmas && mm->vmas[k].start < end; k++) {
		if (prot & ~mm->vmas[k].prot)
			widen = true;
		mm->vmas[k].prot = prot;
		last = k;
	}
	for (size_t k = last + 1; k-- > first;)
		if (k < mm->nvmas)
			vma_merge_around(mm, k);
	/* Narrowing can be mirrored as it is; widening (or anything that
	 * could make a copy-on-write page writable) refaults lazily. */
	if (mm->as) {
		if (widen || (prot & PROT_WRITE)) {
			as_unmap(mm->as, addr, len);
			mm_mirror_grew(mm);	/* what faulted may refault now */
		} else
			as_protect(mm->as, addr, len, prot);
	}
out:
	pthread_mutex_unlock(&mm->lock);
	return r;
}

int64_t mm_brk(struct mm *mm, uint64_t newbrk)
{
	pthread_mutex_lock(&mm->lock);
	uint64_t old = mm->brk;
	if (newbrk < mm->brk_start || newbrk > mm->max_addr)
		goto out;
	uint64_t oldend = PAGE_ALIGN_UP(old), newend = PAGE_ALIGN_UP(newbrk);
	if (newend > oldend) {
		if (vma_range_used(mm, oldend, newend))
			goto out;
		struct vma v = { .start = oldend, .end = newend,
				 .prot = PROT_READ | PROT_WRITE, .flags = VMA_HEAP };
		strcpy(v.name, "[heap]");
		int i = vma_insert(mm, &v);
		if (i < 0)
			goto out;
		vma_merge_around(mm, (size_t)i);
	} else if (newend < oldend) {
		if (vma_remove_range(mm, newend, oldend) < 0)
			goto out;
	}
	mm->brk = newbrk;
out:
	newbrk = mm->brk;
	pthread_mutex_unlock(&mm->lock);
	return (int64_t)newbrk;
}

int mm_madvise(struct mm *mm, uint64_t addr, uint64_t len, int advice)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t l = PAGE_ALIGN_UP(len);
	if (l < len || addr + l < addr || mm_reserved_overlap(mm, addr, addr + l))
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL:
	case MADV_WILLNEED: case MADV_DONTFORK: case MADV_DOFORK:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE: case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
	case MADV_WIPEONFORK: case MADV_KEEPONFORK: case MADV_COLD:
	case MADV_PAGEOUT:
	case MADV_DONTNEED: case MADV_FREE: case MADV_REMOVE:
		break;
	default:
		return -EINVAL;
	}
	if (l == 0)
		return 0;
	int ret = 0;
	uint64_t end = addr + l;
	/* Object pages go after mm->lock is dropped: mobj_discard takes
	 * every mapper's lock, and two of them must never be held. */
	struct discard { struct mobj *obj; uint64_t idx, n; } *dis = NULL;
	size_t ndis = 0;
	pthread_mutex_lock(&mm->lock);
	if (!vma_range_covered(mm, addr, end))
		ret = -ENOMEM;
	if (advice == MADV_REMOVE && mm->nvmas &&
	    !(dis = calloc(mm->nvmas, sizeof(*dis)))) {
		pthread_mutex_unlock(&mm->lock);
		return -ENOMEM;
	}
	if (advice == MADV_DONTNEED || advice == MADV_FREE || advice == MADV_REMOVE) {
		for (size_t i = vma_lower_bound(mm, addr); i < mm->nvmas && mm->vmas[i].start < end; i++) {
			struct vma *v = &mm->vmas[i];
			uint64_t s = v->start > addr ? v->start : addr;
			uint64_t e = v->end < end ? v->end : end;
			if (v->flags & VMA_LOCKED) {
				ret = -EINVAL;
				break;
			}
			/* MADV_REMOVE punches a hole in a file: a private
			 * mapping has none to punch (anonymous: EINVAL), or
			 * must not write it (EACCES), as Linux. */
			if (advice == MADV_REMOVE &&
			    (v->flags & (VMA_SHARED | VMA_MAYWRITE)) != (VMA_SHARED | VMA_MAYWRITE)) {
				ret = v->obj ? -EACCES : -EINVAL;
				break;
			}
			if (!(v->flags & VMA_SHARED)) {
				mm_unmap_pages(mm, s, e);
			} else if (advice == MADV_REMOVE) {
				mobj_get(v->obj);
				dis[ndis++] = (struct discard){ v->obj,
					(v->obj_off + s - v->start) / PAGE_SIZE, (e - s) / PAGE_SIZE };
				if (mm->as) {
					as_unmap(mm->as, s, e - s);
					mm_mirror_grew(mm);
				}
			}
		}
	}
	pthread_mutex_unlock(&mm->lock);
	for (size_t k = 0; k < ndis; k++) {
		mobj_discard(dis[k].obj, dis[k].idx, dis[k].n);
		mobj_put(dis[k].obj);
	}
	free(dis);
	return ret;
}

int mm_mincore(struct mm *mm, uint64_t addr, uint64_t len, unsigned char *vec)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t l = PAGE_ALIGN_UP(len);
	if (l < len || addr + l < addr || addr + l > mm->max_addr)
		return -ENOMEM;
	int ret = 0;
	pthread_mutex_lock(&mm->lock);
	if (!vma_range_covered(mm, addr, addr + l)) {
		ret = -ENOMEM;
		goto out;
	}
	for (uint64_t p = addr, n = 0; p < addr + l; p += PAGE_SIZE, n++) {
		struct vma *v = mm_find_vma(mm, p);
		bool present;
		uint64_t *slot = (v->flags & VMA_SHARED) ? NULL : pagemap_slot(mm->pm, p, false);
		if ((v->flags & VMA_SHARED) || (v->obj && (!slot || !(*slot & PTE_PRESENT)))) {
			present = mobj_page_present(v->obj, (v->obj_off + p - v->start) / PAGE_SIZE);
		} else {
			/* Pages populated around a fault but never touched are
			 * not resident in the memory file yet: ask the host. */
			present = slot && (*slot & PTE_PRESENT) &&
				  memfile_resident(PTE_OFF(*slot));
		}
		vec[n] = present;
	}
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

int mm_msync(struct mm *mm, uint64_t addr, uint64_t len, int flags)
{
	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t l = PAGE_ALIGN_UP(len);
	if (l < len || addr + l < addr)
		return -ENOMEM;
	pthread_mutex_lock(&mm->lock);
	int ret = vma_range_covered(mm, addr, addr + l) ? 0 : -ENOMEM;
	/* Shared file mappings: write back (files that need it). */
	for (size_t i = vma_lower_bound(mm, addr); i < mm->nvmas && mm->vmas[i].start < addr + l; i++) {
		struct vma *v = &mm->vmas[i];
		if ((v->flags & VMA_SHARED) && v->obj && mobj_sync(v->obj) < 0 && ret == 0)
			ret = -EIO;
	}
	pthread_mutex_unlock(&mm->lock);
	return ret;
}
