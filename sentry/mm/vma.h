/* sentry/mm/vma.h: the sorted VMA array of a struct mm: lookup, insert,
 * split, merge and range removal (which releases the pages and tells the
 * platform's mirror). Callers hold mm->lock. */
#pragma once
#include "sentry/mm/mm.h"

/* Index of the first VMA with end > addr (nvmas if none). */
size_t vma_lower_bound(struct mm *mm, uint64_t addr);
/* A VMA on an object: a reference and an entry in its reverse map
 * (release: both dropped). vma_insert takes the caller's reference and
 * adds the entry itself. */
int vma_obj_share(struct mm *mm, const struct vma *v);
void vma_obj_release(struct mm *mm, const struct vma *v);
/* Insert v, which overlaps nothing. Returns its index or -ENOMEM. */
int vma_insert(struct mm *mm, const struct vma *v);
/* Make addr a VMA boundary if it falls inside one. 0 or -ENOMEM. */
int vma_split_at(struct mm *mm, uint64_t addr);
/* Merge VMA i with its neighbours where they are compatible. */
void vma_merge_around(struct mm *mm, size_t i);
/* Remove every mapping in [start, end): pages released, mirror unmapped. */
int vma_remove_range(struct mm *mm, uint64_t start, uint64_t end);
/* True if [start, end) overlaps any VMA. */
bool vma_range_used(struct mm *mm, uint64_t start, uint64_t end);
/* True if [start, end) is covered by VMAs with no holes. */
bool vma_range_covered(struct mm *mm, uint64_t start, uint64_t end);
/* A free range of len bytes: at hint if it fits, else top-down from
 * mm->mmap_base. Returns the address or -ENOMEM. */
int64_t vma_find_free(struct mm *mm, uint64_t hint, uint64_t len);

/* Release the private pages in [start, end) (unref + clear), with no
 * platform request: for an address space no guest code runs in any more. */
void mm_release_pages(struct mm *mm, uint64_t start, uint64_t end);
/* Take [start, end) out of the platform's mirror, then release its private
 * pages: in that order, so that no page is handed out again while a guest
 * thread can still reach it (a released page is soon another process's). */
void mm_unmap_pages(struct mm *mm, uint64_t start, uint64_t end);
