/* sentry/mm/fault.h: finding (and making) the page behind a guest address;
 * shared by page faults, user copies and the loader. Callers hold
 * mm->lock. */
#pragma once
#include "sentry/mm/mm.h"

/* The memfile offset of the page holding addr in v, allocated if absent;
 * with write, a copy-on-write page is copied first. Or -ENOMEM/-EFAULT. */
int64_t mm_page_get(struct mm *mm, struct vma *v, uint64_t addr, bool write);
