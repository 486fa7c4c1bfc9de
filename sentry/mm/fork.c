/* sentry/mm/fork.c: copying an address space for fork. Private pages are
 * shared copy-on-write: each gains a reference and neither side may write
 * it in place any more, so the parent's present private pages of writable
 * ranges become read-only in its mirror (one batch) and its writes fault
 * (see fault.c). Shared mappings keep sharing their object. Pages each
 * side wrote right after earlier forks are copied at once instead of
 * faulting, and a child starts with the windows its siblings faulted in
 * first mirrored (the fork profiles; mm_prefault in fault.c). */
#include "sentry/mm/mm.h"
#include "sentry/mm/pagemap.h"
#include "sentry/mm/vma.h"
#include "sentry/mm/vm_file.h"
#include "platform/platform.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct fork_arg {
	struct mm *child;
	bool failed;
};

static void share_page(void *arg, uint64_t addr, uint64_t *entry)
{
	struct fork_arg *f = arg;
	if (f->failed)
		return;
	uint64_t *slot = pagemap_slot(f->child->pm, addr, true);
	if (!slot) {
		f->failed = true;
		return;
	}
	memfile_ref(PTE_OFF(*entry));
	*slot = PTE_OFF(*entry) | PTE_PRESENT;
	f->child->resident_pages++;
}

/* The parent's mirror after fork: each run of present private pages of a
 * writable VMA becomes read-only (PTE_RO_MAPPED), in batches; a VMA with
 * too many runs is unmapped whole instead (it refaults). */
#define RO_BATCH 32
#define RO_RUNS_MAX 64

struct ro_pass {
	struct mm *mm;
	const struct vma *v;
	struct as_op ops[RO_BATCH];
	unsigned n, runs, flushes;
	uint64_t run_start, run_end;
	uint64_t drop[RO_BATCH];	/* pages to unref once ops are sent */
	unsigned ndrop;
};

static void ro_flush(struct ro_pass *r)
{
	if (r->n) {
		as_batch(r->mm->as, r->ops, r->n);
		mm_mirror_grew(r->mm);	/* the eager copies, mapped writable */
	}
	r->n = 0;
	r->flushes++;
	/* Replaced in the mirror: the old pages may go now. */
	for (unsigned i = 0; i < r->ndrop; i++)
		memfile_unref(r->drop[i]);
	r->ndrop = 0;
}

static void ro_op(struct ro_pass *r, enum as_op_kind kind, uint64_t start, uint64_t end)
{
	if (r->n == RO_BATCH)
		ro_flush(r);
	r->ops[r->n++] = (struct as_op){ .kind = kind, .addr = start, .len = end - start,
					 .prot = r->v->prot & ~PROT_WRITE };
}

static void ro_run_end(struct ro_pass *r)
{
	if (r->run_end > r->run_start) {
		r->runs++;
		if (r->runs <= RO_RUNS_MAX)
			ro_op(r, AS_OP_PROTECT, r->run_start, r->run_end);
	}
	r->run_start = r->run_end = 0;
}

static void mark_ro(void *arg, uint64_t addr, uint64_t *entry)
{
	struct ro_pass *r = arg;
	*entry |= PTE_RO_MAPPED;
	if (addr != r->run_end) {
		ro_run_end(r);
		r->run_start = addr;
	}
	r->run_end = addr + PAGE_SIZE;
}

static struct fork_prof *prof_get(struct fork_prof *p)
{
	if (p)
		__atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
	return p;
}

void fork_prof_put(struct fork_prof *p)
{
	if (p && __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(p);
}

/* v into ring (n entries, next: where the next one goes), once. */
static void ring_note(uint64_t *ring, uint32_t *next, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++)
		if (__atomic_load_n(&ring[i], __ATOMIC_RELAXED) == v)
			return;
	unsigned i = __atomic_fetch_add(next, 1, __ATOMIC_RELAXED) % n;
	__atomic_store_n(&ring[i], v, __ATOMIC_RELAXED);
}

void fork_prof_note(struct fork_prof *p, uint64_t page)
{
	ring_note(p->page, &p->next, FORK_PROF_N, page);
}

void fork_prof_note_win(struct fork_prof *p, uint64_t win)
{
	ring_note(p->win, &p->wnext, FORK_WIN_N, win);
}

/* The parent's pages it wrote right after its last forks: its own copies
 * now (the child keeps the originals), mapped writable after the
 * protects. */
static void parent_eager(struct mm *old, struct ro_pass *r)
{
	for (unsigned i = 0; old->self && i < FORK_PROF_N; i++) {
		uint64_t a = __atomic_load_n(&old->self->page[i], __ATOMIC_RELAXED);
		struct vma *v = a ? mm_find_vma(old, a) : NULL;
		if (!v || (v->flags & (VMA_SHARED | VMA_RESERVED)) || !(v->prot & PROT_WRITE))
			continue;
		uint64_t *slot = pagemap_slot(old->pm, a, false);
		if (!slot || !(*slot & PTE_PRESENT) || memfile_refcount(PTE_OFF(*slot)) < 2)
			continue;
		size_t got;
		int64_t off = memfile_alloc(1, &got);
		if (off < 0)
			return;
		memcpy(memfile_ptr((uint64_t)off), memfile_ptr(PTE_OFF(*slot)), PAGE_SIZE);
		if (r->n == RO_BATCH)
			ro_flush(r);
		r->drop[r->ndrop++] = PTE_OFF(*slot);
		*slot = (uint64_t)off | PTE_PRESENT;
		r->ops[r->n++] = (struct as_op){ .kind = AS_OP_MAP, .addr = a, .len = PAGE_SIZE,
						 .prot = v->prot, .fd = memfile_fd(),
						 .off = (uint64_t)off };
	}
}

static void flag_ro(void *arg, uint64_t addr, uint64_t *entry)
{
	(void)arg;
	(void)addr;
	*entry |= PTE_RO_MAPPED;
}

static void parent_ro(struct mm *old)
{
	struct ro_pass r = { .mm = old };
	for (size_t i = 0; i < old->nvmas; i++) {
		struct vma *v = &old->vmas[i];
		if ((v->flags & VMA_SHARED) || !(v->prot & PROT_WRITE))
			continue;
		r.v = v;
		r.runs = 0;
		unsigned first = r.n, flushes = r.flushes;
		pagemap_walk(old->pm, v->start, v->end, mark_ro, &r);
		ro_run_end(&r);
		if (r.runs > RO_RUNS_MAX) {
			/* Too scattered: drop this VMA's protects (those not yet
			 * sent are harmless to send) and unmap it whole. */
			r.n = r.flushes == flushes ? first : 0;
			ro_op(&r, AS_OP_UNMAP, v->start, v->end);
		}
	}
	parent_eager(old, &r);
	ro_flush(&r);
}

struct mm *mm_fork(struct mm *old, struct as *as)
{
	struct mm *mm = mm_new(as, old->max_addr);
	if (!mm)
		return NULL;
	pthread_mutex_lock(&old->lock);
	free(mm->vmas);	/* mm_new's (the reserved range): the parent's replace them */
	mm->resv_start = old->resv_start;
	mm->resv_end = old->resv_end;
	mm->vmas = malloc((old->nvmas ? old->nvmas : 1) * sizeof(struct vma));
	if (!mm->vmas) {
		pthread_mutex_unlock(&old->lock);
		mm_put(mm);
		return NULL;
	}
	memcpy(mm->vmas, old->vmas, old->nvmas * sizeof(struct vma));
	for (size_t i = 0; i < old->nvmas; i++) {
		if (mm->vmas[i].obj && vma_obj_share(mm, &mm->vmas[i]) < 0)
			break;
		vm_file_get(mm->vmas[i].file);
		mm->nvmas = mm->cap = i + 1;
	}
	mm->cap = old->nvmas ? old->nvmas : 1;
	if (mm->nvmas != old->nvmas) {
		pthread_mutex_unlock(&old->lock);
		mm_put(mm);
		return NULL;
	}
	mm->mmap_base = old->mmap_base;
	mm->brk_start = old->brk_start;
	mm->brk = old->brk;
	mm->stack_start = old->stack_start;
	mm->stack_limit = old->stack_limit;
	mm->start_code = old->start_code;
	mm->end_code = old->end_code;
	mm->start_data = old->start_data;
	mm->end_data = old->end_data;
	mm->arg_start = old->arg_start;
	mm->arg_end = old->arg_end;
	mm->env_start = old->env_start;
	mm->env_end = old->env_end;
	mm->prefault = true;
	/* Early writes: the child's are noted for its siblings, the
	 * parent's for its own next fork. */
	if (!old->kids) {
		old->kids = calloc(1, sizeof(struct fork_prof));
		old->self = calloc(1, sizeof(struct fork_prof));
		if (old->kids)
			old->kids->refs = 1;
		if (old->self)
			old->self->refs = 1;
	}
	mm->rec = prof_get(old->kids);
	mm->young = FORK_PROF_N;
	mm->young_win = FORK_WIN_N;
	fork_prof_put(old->rec);
	old->rec = prof_get(old->self);
	old->young = FORK_PROF_N;
	memcpy(mm->auxv, old->auxv, sizeof(mm->auxv));
	mm->auxv_len = old->auxv_len;

	struct fork_arg f = { mm, false };
	pagemap_walk(old->pm, 0, old->max_addr, share_page, &f);
	/* The parent may no longer write its private pages in place: its
	 * mirror keeps them, read-only, so that reads do not fault, and a
	 * write faults as a protection fault on a PTE_RO_MAPPED page. */
	if (old->as && __atomic_load_n(&old->refs, __ATOMIC_ACQUIRE) == 1) {
		/* mm_fork_done, once the child runs. The pages are flagged
		 * now: a copy-on-write break before then (a copy_out into the
		 * parent) must replace the page in the mirror. */
		for (size_t i = 0; i < old->nvmas; i++) {
			struct vma *v = &old->vmas[i];
			if (!(v->flags & VMA_SHARED) && (v->prot & PROT_WRITE))
				pagemap_walk(old->pm, v->start, v->end, flag_ro, NULL);
		}
		old->ro_pending = true;
	} else if (old->as) {
		parent_ro(old);
	}
	pthread_mutex_unlock(&old->lock);
	if (f.failed) {
		mm_put(mm);
		return NULL;
	}
	return mm;
}

void mm_fork_done(struct mm *old)
{
	pthread_mutex_lock(&old->lock);
	if (old->ro_pending) {
		old->ro_pending = false;
		parent_ro(old);
	}
	pthread_mutex_unlock(&old->lock);
}
