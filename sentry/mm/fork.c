/* sentry/mm/fork.c: copying an address space for fork. Private pages are
 * shared copy-on-write: each gains a reference and neither side may write
 * it in place any more, so the parent's writable private ranges are
 * dropped from its mirror and refault read-only (see fault.c). Shared
 * mappings keep sharing their object. */
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
	memcpy(mm->auxv, old->auxv, sizeof(mm->auxv));
	mm->auxv_len = old->auxv_len;

	struct fork_arg f = { mm, false };
	pagemap_walk(old->pm, 0, old->max_addr, share_page, &f);
	/* The parent may no longer write its private pages in place. */
	for (size_t i = 0; i < old->nvmas && old->as; i++) {
		struct vma *v = &old->vmas[i];
		if (!(v->flags & VMA_SHARED) && (v->prot & PROT_WRITE))
			as_unmap(old->as, v->start, v->end - v->start);
	}
	pthread_mutex_unlock(&old->lock);
	if (f.failed) {
		mm_put(mm);
		return NULL;
	}
	return mm;
}
