/* sentry/mm/fault.c: guest page faults: stack growth, protection checks,
 * copy-on-write, and populating a window of pages around the fault in one
 * mapping request to the platform; and a fork child's first mappings
 * (mm_prefault), batched. */
#include "sentry/mm/fault.h"
#include "sentry/mm/pagemap.h"
#include "sentry/mm/vma.h"
#include "platform/platform.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

/* Pages populated around a fault (aligned window). */
#define FAULT_WINDOW 16UL
/* Gap kept free below a growing stack. */
#define STACK_GUARD PAGE_SIZE

static int64_t cow_break(struct mm *mm, struct vma *v, uint64_t addr, uint64_t *slot)
{
	if (mm->young && mm->rec) {
		mm->young--;
		fork_prof_note(mm->rec, PAGE_ALIGN_DOWN(addr));
	}
	uint64_t old = PTE_OFF(*slot), page = old;
	if (memfile_refcount(old) > 1) {
		size_t got;
		int64_t off = memfile_alloc(1, &got);
		if (off < 0)
			return off;
		memcpy(memfile_ptr((uint64_t)off), memfile_ptr(old), PAGE_SIZE);
		page = (uint64_t)off;
	}
	bool mirrored = *slot & PTE_RO_MAPPED;
	*slot = page | PTE_PRESENT;
	if (mirrored && mm->as) {
		as_map(mm->as, PAGE_ALIGN_DOWN(addr), PAGE_SIZE, v->prot, memfile_fd(), page);
		mm_mirror_grew(mm);
	}
	/* Our reference on the shared page goes once the mirror no longer
	 * shows it (the other side may drop its own meanwhile). */
	if (page != old)
		memfile_unref(old);
	return (int64_t)page;
}

/* The object page behind addr in v (which has one). */
static int64_t obj_page(struct vma *v, uint64_t addr)
{
	return mobj_page(v->obj, (v->obj_off + (addr - v->start)) / PAGE_SIZE);
}

/* The first private write to a page of a privately mapped file: a copy
 * of the file's page becomes the mapping's own. */
static int64_t file_cow(struct mm *mm, struct vma *v, uint64_t addr, uint64_t *slot)
{
	int64_t src = obj_page(v, addr);
	if (src < 0)
		return src;
	size_t got;
	int64_t off = memfile_alloc(1, &got);
	if (off < 0)
		return off;
	memcpy(memfile_ptr((uint64_t)off), memfile_ptr((uint64_t)src), PAGE_SIZE);
	*slot = (uint64_t)off | PTE_PRESENT;
	mm->resident_pages++;
	if (mm->as) {
		as_map(mm->as, PAGE_ALIGN_DOWN(addr), PAGE_SIZE, v->prot, memfile_fd(), (uint64_t)off);
		mm_mirror_grew(mm);
	}
	return off;
}

int64_t mm_page_get(struct mm *mm, struct vma *v, uint64_t addr, bool write)
{
	if (v->flags & VMA_RESERVED)
		return -EFAULT;	/* the platform's pages, not the guest's */
	if (v->flags & VMA_SHARED)
		return obj_page(v, addr);
	if (v->obj && !write) {
		/* A private file page not yet copied reads the file's page. */
		uint64_t *s = pagemap_slot(mm->pm, addr, false);
		if (!s || !(*s & PTE_PRESENT))
			return obj_page(v, addr);
	}
	uint64_t *slot = pagemap_slot(mm->pm, addr, true);
	if (!slot)
		return -ENOMEM;
	if (!(*slot & PTE_PRESENT)) {
		if (v->obj)
			return file_cow(mm, v, addr, slot);
		size_t got;
		int64_t off = memfile_alloc(1, &got);
		if (off < 0)
			return off;
		*slot = (uint64_t)off | PTE_PRESENT;
		mm->resident_pages++;
		return off;
	}
	if (write && (memfile_refcount(PTE_OFF(*slot)) > 1 || (*slot & PTE_RO_MAPPED)))
		return cow_break(mm, v, addr, slot);
	return (int64_t)PTE_OFF(*slot);
}

/* A fault just below a growsdown VMA extends it, within the stack limit. */
static struct vma *grow_stack(struct mm *mm, uint64_t addr)
{
	size_t i = vma_lower_bound(mm, addr);
	if (i == mm->nvmas || !(mm->vmas[i].flags & VMA_GROWSDOWN))
		return NULL;
	struct vma *v = &mm->vmas[i];
	uint64_t start = PAGE_ALIGN_DOWN(addr);
	if (v->end - start > mm->stack_limit)
		return NULL;
	if (i > 0 && mm->vmas[i - 1].end + STACK_GUARD > start)
		return NULL;
	v->start = start;
	if (v->flags & VMA_STACK)
		mm->stack_start = start;
	return v;
}

/* Allocate the absent private pages of [start, end) in contiguous runs. */
static int populate_private(struct mm *mm, uint64_t start, uint64_t end)
{
	for (uint64_t p = start; p < end;) {
		uint64_t *slot = pagemap_slot(mm->pm, p, true);
		if (!slot)
			return -ENOMEM;
		if (*slot & PTE_PRESENT) {
			p += PAGE_SIZE;
			continue;
		}
		size_t want = 1;
		while (p + want * PAGE_SIZE < end) {
			uint64_t *s = pagemap_slot(mm->pm, p + want * PAGE_SIZE, false);
			if (s && (*s & PTE_PRESENT))
				break;
			want++;
		}
		size_t got;
		int64_t off = memfile_alloc(want, &got);
		if (off < 0)
			return (int)off;
		for (size_t k = 0; k < got; k++) {
			slot = pagemap_slot(mm->pm, p, true);
			if (!slot) {
				for (size_t r = k; r < got; r++)
					memfile_unref((uint64_t)off + r * PAGE_SIZE);
				return -ENOMEM;
			}
			*slot = ((uint64_t)off + k * PAGE_SIZE) | PTE_PRESENT;
			mm->resident_pages++;
			p += PAGE_SIZE;
		}
	}
	return 0;
}

/* A run of pages to mirror, queued on a batch (sent by batch_flush) so
 * that a window's runs go in one request. */
struct batch {
	struct as_op ops[32];
	unsigned n;
	bool populate;
};

struct run {
	uint64_t addr, len, off;
	int prot;
	struct batch *batch;
};

static void batch_flush(struct mm *mm, struct batch *b)
{
	if (b->n) {
		as_batch(mm->as, b->ops, b->n);
		mm_mirror_grew(mm);
	}
	b->n = 0;
}

static void run_flush(struct mm *mm, struct run *r)
{
	struct batch *b = r->batch;
	if (r->len) {
		if (b->n == sizeof(b->ops) / sizeof(b->ops[0]))
			batch_flush(mm, b);
		b->ops[b->n++] = (struct as_op){ .kind = AS_OP_MAP, .addr = r->addr, .len = r->len,
						 .prot = r->prot, .fd = memfile_fd(), .off = r->off,
						 .populate = b->populate };
	}
	r->len = 0;
}

static void run_add(struct mm *mm, struct run *r, uint64_t addr, uint64_t off, int prot)
{
	if (r->len && r->addr + r->len == addr && r->off + r->len == off && r->prot == prot) {
		r->len += PAGE_SIZE;
		return;
	}
	run_flush(mm, r);
	*r = (struct run){ addr, PAGE_SIZE, off, prot, r->batch };
}

/* A cache's missing pages of [start, end) of v, read in runs (before
 * map_window, which would otherwise fill them one by one). */
static void fill_window(struct vma *v, uint64_t start, uint64_t end)
{
	if (v->obj)
		mobj_fill_range(v->obj, (v->obj_off + (start - v->start)) / PAGE_SIZE,
				(end - start) / PAGE_SIZE);
}

/* Mirror [start, end) of v into the platform, coalescing contiguous runs
 * queued on batch. */
static int map_window(struct mm *mm, struct vma *v, uint64_t start, uint64_t end,
		      struct batch *batch)
{
	struct run r = { .batch = batch };
	for (uint64_t p = start; p < end; p += PAGE_SIZE) {
		uint64_t off;
		int prot = v->prot;
		uint64_t *slot = (v->flags & VMA_SHARED) ? NULL : pagemap_slot(mm->pm, p, false);
		if ((v->flags & VMA_SHARED) || (v->obj && (!slot || !(*slot & PTE_PRESENT)))) {
			/* Shared, or a private file page not copied yet:
			 * read-only until the first write copies it. */
			int64_t o = mobj_page_window(v->obj, (v->obj_off + (p - v->start)) / PAGE_SIZE);
			if (o < 0) {
				run_flush(mm, &r);
				continue;
			}
			off = (uint64_t)o;
			if (!(v->flags & VMA_SHARED))
				prot &= ~PROT_WRITE;
		} else {
			if (!slot || !(*slot & PTE_PRESENT)) {
				run_flush(mm, &r);
				continue;
			}
			off = PTE_OFF(*slot);
			*slot &= ~PTE_RO_MAPPED;
			if ((prot & PROT_WRITE) && memfile_refcount(off) > 1) {
				prot &= ~PROT_WRITE;
				*slot |= PTE_RO_MAPPED;
			}
		}
		run_add(mm, &r, p, off, prot);
	}
	run_flush(mm, &r);
	return 0;
}

/* After a copy-on-write break at addr: the window's other pages that are
 * mirrored read-only only because of a fork whose other side has let go
 * of them (refcount 1 again) become writable too, in one request per run,
 * rather than one fault each. */
static void remap_window(struct mm *mm, struct vma *v, uint64_t addr)
{
	uint64_t start = addr & ~(FAULT_WINDOW * PAGE_SIZE - 1), end = start + FAULT_WINDOW * PAGE_SIZE;
	if (start < v->start)
		start = v->start;
	if (end > v->end)
		end = v->end;
	struct batch b = { .n = 0 };
	struct run r = { .batch = &b };
	for (uint64_t p = start; p < end; p += PAGE_SIZE) {
		uint64_t *slot = pagemap_slot(mm->pm, p, false);
		if (!slot || (*slot & (PTE_PRESENT | PTE_RO_MAPPED)) != (PTE_PRESENT | PTE_RO_MAPPED) ||
		    memfile_refcount(PTE_OFF(*slot)) > 1) {
			run_flush(mm, &r);
			continue;
		}
		*slot &= ~PTE_RO_MAPPED;
		run_add(mm, &r, p, PTE_OFF(*slot), v->prot);
	}
	run_flush(mm, &r);
	batch_flush(mm, &b);
}

/* A young fork child's populated window: its siblings start with it. */
static void win_note(struct mm *mm, uint64_t wstart)
{
	if (mm->young_win && mm->rec) {
		mm->young_win--;
		fork_prof_note_win(mm->rec, wstart & ~(FAULT_WINDOW * PAGE_SIZE - 1));
	}
}

/* A new image's writable private pages in its warm ranges (data, bss,
 * the top of the stack) are made its own at once, up to this many per
 * range, since libc's start writes most of them: a copy costs far less
 * than the write fault it saves. */
#define WARM_COPY_MAX 32

static void warm_copy(struct mm *mm, struct vma *v, uint64_t start, uint64_t end,
		      unsigned *budget)
{
	if ((v->flags & VMA_SHARED) || !(v->prot & PROT_WRITE))
		return;
	for (uint64_t p = start; p < end && *budget; p += PAGE_SIZE) {
		uint64_t *slot = pagemap_slot(mm->pm, p, false);
		if (slot && (*slot & PTE_PRESENT))
			continue;
		if (mm_page_get(mm, v, p, true) < 0)
			return;
		(*budget)--;
	}
}

/* Mirror what exists of [start, end), which may span VMAs: each part as
 * a fault there would; with budget, writable private pages are made
 * first (warm_copy). */
static void map_range(struct mm *mm, uint64_t start, uint64_t end, struct batch *b,
		      unsigned *budget)
{
	for (uint64_t p = start; p < end;) {
		struct vma *v = mm_find_vma(mm, p);
		if (!v) {
			size_t k = vma_lower_bound(mm, p);
			if (k == mm->nvmas || mm->vmas[k].start <= p || mm->vmas[k].start >= end)
				break;
			p = mm->vmas[k].start;
			continue;
		}
		uint64_t e = v->end < end ? v->end : end;
		if (v->prot != PROT_NONE && !(v->flags & VMA_RESERVED)) {
			fill_window(v, p, e);
			if (budget)
				warm_copy(mm, v, p, e, budget);
			map_window(mm, v, p, e, b);
		}
		p = e;
	}
}

void mm_warm(struct mm *mm, uint64_t start, uint64_t end)
{
	pthread_mutex_lock(&mm->lock);
	if (mm->nwarm < MM_WARM_MAX && start < end) {
		mm->warm[mm->nwarm].start = start & ~(PAGE_SIZE - 1);
		mm->warm[mm->nwarm].end = end;
		mm->nwarm++;
		__atomic_store_n(&mm->prefault, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&mm->lock);
}

void mm_prefault(struct mm *mm)
{
	if (!__atomic_load_n(&mm->prefault, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&mm->lock);
	if (!mm->prefault || !mm->as) {
		mm->prefault = false;
		pthread_mutex_unlock(&mm->lock);
		return;
	}
	mm->prefault = false;
	struct batch b;
	b.n = 0;
	/* All of it is touched soon (a fork child's profile, a new image's
	 * start): a host page-table entry made now costs a fraction of the
	 * stub's fault on first touch. */
	b.populate = true;
	/* Pages its siblings wrote early: its own copies now, mapped writable. */
	uint64_t eager[FORK_PROF_N];
	unsigned neager = 0;
	for (unsigned i = 0; mm->rec && i < FORK_PROF_N; i++) {
		uint64_t a = __atomic_load_n(&mm->rec->page[i], __ATOMIC_RELAXED);
		struct vma *v = a ? mm_find_vma(mm, a) : NULL;
		if (!v || (v->flags & (VMA_SHARED | VMA_RESERVED)) || !(v->prot & PROT_WRITE))
			continue;
		uint64_t *slot = pagemap_slot(mm->pm, a, false);
		if (!slot || !(*slot & PTE_PRESENT) || memfile_refcount(PTE_OFF(*slot)) < 2)
			continue;
		*slot &= ~PTE_RO_MAPPED;	/* nothing is mirrored yet */
		unsigned young = mm->young;
		mm->young = 0;	/* not a write of its own */
		int64_t r = cow_break(mm, v, a, slot);
		mm->young = young;
		if (r >= 0)
			eager[neager++] = a;
	}
	uint64_t wins[FORK_WIN_N];
	for (unsigned i = 0; i < FORK_WIN_N; i++)
		wins[i] = mm->rec ? __atomic_load_n(&mm->rec->win[i], __ATOMIC_RELAXED) : 0;
	for (unsigned i = 0; i < FORK_WIN_N; i++)
		if (wins[i])
			map_range(mm, wins[i], wins[i] + FAULT_WINDOW * PAGE_SIZE, &b, NULL);
	for (unsigned i = 0; i < mm->nwarm; i++) {
		unsigned budget = WARM_COPY_MAX;
		map_range(mm, mm->warm[i].start, mm->warm[i].end, &b, &budget);
	}
	mm->nwarm = 0;
	for (unsigned i = 0; i < neager; i++) {
		uint64_t w = eager[i] & ~(FAULT_WINDOW * PAGE_SIZE - 1);
		bool hot = false;
		for (unsigned k = 0; k < FORK_WIN_N && !hot; k++)
			hot = wins[k] == w;
		struct vma *v = mm_find_vma(mm, eager[i]);
		if (!hot && v)
			map_window(mm, v, eager[i], eager[i] + PAGE_SIZE, &b);
	}
	batch_flush(mm, &b);
	pthread_mutex_unlock(&mm->lock);
}

int mm_fault(struct mm *mm, uint64_t addr, int access, bool prot_fault)
{
	int ret = 0;
	pthread_mutex_lock(&mm->lock);
	struct vma *v = mm_find_vma(mm, addr);
	if (!v)
		v = grow_stack(mm, addr);
	if (!v) {
		ret = -EFAULT;
		goto out;
	}
	if (v->prot == PROT_NONE || (v->flags & VMA_RESERVED) ||
	    ((access & ACCESS_WRITE) && !(v->prot & PROT_WRITE)) ||
	    ((access & ACCESS_EXEC) && !(v->prot & PROT_EXEC))) {
		ret = -EACCES;
		goto out;
	}
	if (prot_fault) {
		/* The host had the page: only a copy-on-write page explains
		 * it (of an earlier fork, or of a privately mapped file). */
		uint64_t *slot = (v->flags & VMA_SHARED) ? NULL : pagemap_slot(mm->pm, addr, false);
		int64_t off;
		if (!(v->prot & PROT_WRITE) || (v->flags & VMA_SHARED)) {
			/* Nothing copy-on-write: a real violation, or a
			 * fault older than another thread's mprotect. */
			ret = -EAGAIN;
			goto out;
		}
		if (slot && (*slot & PTE_PRESENT) && !(*slot & PTE_RO_MAPPED) &&
		    memfile_refcount(PTE_OFF(*slot)) > 1)
			*slot |= PTE_RO_MAPPED;	/* shared: copy it, as below */
		if (slot && (*slot & PTE_PRESENT)) {
			if (!(*slot & PTE_RO_MAPPED)) {
				/* The page is ours and its mirror writable: the
				 * host's fault is older than another thread's
				 * copy of the page (both wrote it), or it was no
				 * write (ptrace cannot tell an instruction
				 * fetch). The caller tells which. */
				ret = -EAGAIN;
				goto out;
			}
			off = cow_break(mm, v, addr, slot);
			if (off >= 0 && mm->as)
				remap_window(mm, v, addr);
		} else if (v->obj) {
			off = mm_page_get(mm, v, addr, true);
		} else {
			/* No page any more: it went (MADV_DONTNEED, munmap)
			 * after the host's fault; so did its mirror. */
			ret = -EAGAIN;
			goto out;
		}
		ret = off == -ENOMEM ? -ENOMEM : off < 0 ? -EIO : 0;
		goto out;
	}
	uint64_t wstart = addr & ~(FAULT_WINDOW * PAGE_SIZE - 1);
	uint64_t wend = wstart + FAULT_WINDOW * PAGE_SIZE;
	if (wstart < v->start)
		wstart = v->start;
	if (wend > v->end)
		wend = v->end;
	if (v->obj) {
		/* The window's cache pages in runs, then the faulting page
		 * (the window maps only pages that exist): beyond the end of
		 * the object is SIGBUS; a write known as such copies at once. */
		fill_window(v, wstart, wend);
		int64_t off = mm_page_get(mm, v, addr, access & ACCESS_WRITE);
		if (off < 0) {
			ret = off == -ENOMEM ? -ENOMEM : -EIO;
			goto out;
		}
	} else {
		ret = populate_private(mm, wstart, wend);
		if (ret < 0)
			goto out;
		/* A write to a copy-on-write page: copy it now, so that the
		 * window maps it writable instead of faulting again. */
		uint64_t *slot = pagemap_slot(mm->pm, addr, false);
		if ((access & ACCESS_WRITE) && slot && (*slot & PTE_PRESENT) &&
		    memfile_refcount(PTE_OFF(*slot)) > 1) {
			*slot &= ~PTE_RO_MAPPED;	/* not mirrored: this fault says so */
			if (cow_break(mm, v, addr, slot) < 0) {
				ret = -ENOMEM;
				goto out;
			}
		}
	}
	if (mm->as) {
		/* One request for the window's runs (a file's cached pages
		 * are seldom contiguous in the memory file). */
		struct batch b = { .n = 0 };
		ret = map_window(mm, v, wstart, wend, &b);
		batch_flush(mm, &b);
	}
	win_note(mm, wstart);
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

int mm_poke(struct mm *mm, uint64_t addr, const void *src, size_t len)
{
	const char *s = src;
	int ret = 0;
	pthread_mutex_lock(&mm->lock);
	while (len > 0) {
		struct vma *v = mm_find_vma(mm, addr);
		if (!v) {
			ret = -EFAULT;
			break;
		}
		int64_t off = mm_page_get(mm, v, addr, true);
		if (off < 0) {
			ret = (int)off;
			break;
		}
		size_t in = addr & (PAGE_SIZE - 1);
		size_t n = PAGE_SIZE - in < len ? PAGE_SIZE - in : len;
		memcpy((char *)memfile_ptr((uint64_t)off) + in, s, n);
		s += n;
		addr += n;
		len -= n;
	}
	pthread_mutex_unlock(&mm->lock);
	return ret;
}
