/* sentry/mm/vma.c: the sorted VMA array (see vma.h). */
#include "sentry/mm/vma.h"
#include "sentry/mm/pagemap.h"
#include "sentry/mm/vm_file.h"
#include "platform/platform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t vma_lower_bound(struct mm *mm, uint64_t addr)
{
	size_t lo = 0, hi = mm->nvmas;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (mm->vmas[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct vma *mm_find_vma(struct mm *mm, uint64_t addr)
{
	size_t i = vma_lower_bound(mm, addr);
	if (i < mm->nvmas && mm->vmas[i].start <= addr)
		return &mm->vmas[i];
	return NULL;
}

static int vma_reserve(struct mm *mm, size_t n)
{
	if (mm->nvmas + n <= mm->cap)
		return 0;
	size_t cap = mm->cap ? mm->cap * 2 : 32;
	while (cap < mm->nvmas + n)
		cap *= 2;
	struct vma *v = realloc(mm->vmas, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	mm->vmas = v;
	mm->cap = cap;
	return 0;
}

static bool vma_writable_shared(const struct vma *v)
{
	return (v->flags & (VMA_SHARED | VMA_MAYWRITE)) == (VMA_SHARED | VMA_MAYWRITE);
}

int vma_obj_share(struct mm *mm, const struct vma *v)
{
	if (mobj_map_add(v->obj, mm, vma_writable_shared(v)) < 0)
		return -ENOMEM;
	mobj_get(v->obj);
	return 0;
}

void vma_obj_release(struct mm *mm, const struct vma *v)
{
	mobj_map_del(v->obj, mm, vma_writable_shared(v));
	mobj_put(v->obj);
}

int vma_insert(struct mm *mm, const struct vma *v)
{
	if (vma_reserve(mm, 1) < 0)
		return -ENOMEM;
	if (v->obj && mobj_map_add(v->obj, mm, vma_writable_shared(v)) < 0)
		return -ENOMEM;
	size_t i = vma_lower_bound(mm, v->start);
	memmove(&mm->vmas[i + 1], &mm->vmas[i], (mm->nvmas - i) * sizeof(*v));
	mm->vmas[i] = *v;
	mm->nvmas++;
	return (int)i;
}

int vma_split_at(struct mm *mm, uint64_t addr)
{
	size_t i = vma_lower_bound(mm, addr);
	if (i == mm->nvmas || mm->vmas[i].start >= addr)
		return 0;
	if (vma_reserve(mm, 1) < 0)
		return -ENOMEM;
	struct vma *v = &mm->vmas[i];
	if (v->obj && vma_obj_share(mm, v) < 0)
		return -ENOMEM;
	memmove(&mm->vmas[i + 1], v, (mm->nvmas - i) * sizeof(*v));
	mm->nvmas++;
	struct vma *hi = &mm->vmas[i + 1];
	vm_file_get(hi->file);
	if (hi->file)
		hi->file_off += addr - v->start;
	v->end = addr;
	hi->start = addr;
	if (hi->obj)
		hi->obj_off += addr - v->start;
	return 0;
}

static bool vma_compatible(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->flags != b->flags ||
	    a->obj != b->obj || a->file != b->file || strcmp(a->name, b->name) != 0)
		return false;
	if (a->file && a->file_off + (a->end - a->start) != b->file_off)
		return false;
	return !a->obj || a->obj_off + (a->end - a->start) == b->obj_off;
}

static void vma_drop(struct mm *mm, size_t i)
{
	vm_file_put(mm->vmas[i].file);
	if (mm->vmas[i].obj)
		vma_obj_release(mm, &mm->vmas[i]);
	memmove(&mm->vmas[i], &mm->vmas[i + 1], (mm->nvmas - i - 1) * sizeof(struct vma));
	mm->nvmas--;
}

void vma_merge_around(struct mm *mm, size_t i)
{
	if (i + 1 < mm->nvmas && vma_compatible(&mm->vmas[i], &mm->vmas[i + 1])) {
		mm->vmas[i].end = mm->vmas[i + 1].end;
		vma_drop(mm, i + 1);
	}
	if (i > 0 && vma_compatible(&mm->vmas[i - 1], &mm->vmas[i])) {
		mm->vmas[i - 1].end = mm->vmas[i].end;
		vma_drop(mm, i);
	}
}

static void release_one(void *arg, uint64_t addr, uint64_t *entry)
{
	struct mm *mm = arg;
	(void)addr;
	memfile_unref(PTE_OFF(*entry));
	*entry = 0;
	mm->resident_pages--;
}

void mm_release_pages(struct mm *mm, uint64_t start, uint64_t end)
{
	pagemap_walk(mm->pm, start, end, release_one, mm);
}

void mm_unmap_pages(struct mm *mm, uint64_t start, uint64_t end)
{
	if (mm->as) {
		as_unmap(mm->as, start, end - start);
		mm_mirror_grew(mm);	/* a fault there refaults as a fresh one */
	}
	mm_release_pages(mm, start, end);
}

int vma_remove_range(struct mm *mm, uint64_t start, uint64_t end)
{
	if (!vma_range_used(mm, start, end))
		return 0;
	if (vma_split_at(mm, start) < 0 || vma_split_at(mm, end) < 0)
		return -ENOMEM;
	size_t i = vma_lower_bound(mm, start);
	size_t j = i;
	while (j < mm->nvmas && mm->vmas[j].start < end)
		j++;
	mm_unmap_pages(mm, start, end);
	for (size_t k = i; k < j; k++) {
		vm_file_put(mm->vmas[k].file);
		if (!mm->vmas[k].obj)
			continue;
		if (vma_writable_shared(&mm->vmas[k]))
			mobj_sync(mm->vmas[k].obj);	/* munmap writes back */
		vma_obj_release(mm, &mm->vmas[k]);
	}
	memmove(&mm->vmas[i], &mm->vmas[j], (mm->nvmas - j) * sizeof(struct vma));
	mm->nvmas -= j - i;
	return 0;
}

bool vma_range_used(struct mm *mm, uint64_t start, uint64_t end)
{
	size_t i = vma_lower_bound(mm, start);
	return i < mm->nvmas && mm->vmas[i].start < end;
}

bool vma_range_covered(struct mm *mm, uint64_t start, uint64_t end)
{
	size_t i = vma_lower_bound(mm, start);
	uint64_t at = start;
	for (; i < mm->nvmas && at < end; i++) {
		if (mm->vmas[i].start > at)
			return false;
		at = mm->vmas[i].end;
	}
	return at >= end;
}

/* Lowest address mmap hands out without a hint. */
#define MMAP_MIN_ADDR 0x10000UL

int64_t vma_find_free(struct mm *mm, uint64_t hint, uint64_t len)
{
	if (len > mm->max_addr)
		return -ENOMEM;
	hint = PAGE_ALIGN_DOWN(hint);
	if (hint >= MMAP_MIN_ADDR && hint <= mm->max_addr - len &&
	    !vma_range_used(mm, hint, hint + len))
		return (int64_t)hint;
	/* Top-down: walk the gaps below mmap_base from the highest. */
	uint64_t top = mm->mmap_base;
	size_t i = vma_lower_bound(mm, top);
	/* i: first VMA ending above top; gaps are between vmas[i-1] and top. */
	if (i < mm->nvmas && mm->vmas[i].start < top)
		top = mm->vmas[i].start;
	for (;;) {
		uint64_t bottom = i > 0 ? mm->vmas[i - 1].end : MMAP_MIN_ADDR;
		if (bottom < MMAP_MIN_ADDR)
			bottom = MMAP_MIN_ADDR;
		if (top >= bottom && top - bottom >= len)
			return (int64_t)(top - len);
		if (i == 0)
			break;
		i--;
		top = mm->vmas[i].start;
	}
	/* Above mmap_base, bottom-up. */
	uint64_t at = mm->mmap_base;
	for (i = vma_lower_bound(mm, at); at <= mm->max_addr - len; i++) {
		uint64_t next = i < mm->nvmas ? mm->vmas[i].start : mm->max_addr;
		if (next >= at && next - at >= len)
			return (int64_t)at;
		if (i >= mm->nvmas)
			break;
		if (mm->vmas[i].end > at)
			at = mm->vmas[i].end;
	}
	return -ENOMEM;
}
