/* sentry/mm/userpin.c: guest buffers pinned as memory-file pages for
 * direct I/O (see userpin.h). */
#include "sentry/mm/userpin.h"
#include "sentry/mm/fault.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/pagemap.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

int user_pin(struct mm *mm, uint64_t uaddr, size_t len, bool write, struct user_pin *p)
{
	p->addr = uaddr;
	p->len = 0;
	p->npages = 0;
	p->write = write;
	if (len == 0 || uaddr + len < uaddr || uaddr + len > mm->max_addr)
		return -EFAULT;
	size_t in = uaddr & (PAGE_SIZE - 1);
	if (len > USER_PIN_PAGES * PAGE_SIZE - in)
		len = USER_PIN_PAGES * PAGE_SIZE - in;
	int ret = 0;
	uint64_t a = PAGE_ALIGN_DOWN(uaddr), end = uaddr + len;
	struct vma *v = NULL;
	pthread_mutex_lock(&mm->lock);
	for (; a < end; a += PAGE_SIZE) {
		if (!v || a >= v->end || a < v->start) {
			v = mm_find_vma(mm, a);
			if (!v || v->prot == PROT_NONE || (write && !(v->prot & PROT_WRITE))) {
				ret = -EFAULT;
				break;
			}
		}
		int64_t off = mm_page_get(mm, v, a, write);
		if (off < 0) {
			ret = off == -ENOMEM ? -ENOMEM : -EFAULT;
			break;
		}
		memfile_ref((uint64_t)off);
		p->pages[p->npages++] = (uint64_t)off;
	}
	pthread_mutex_unlock(&mm->lock);
	if (p->npages == 0)
		return ret;
	p->len = p->npages * PAGE_SIZE - in;
	if (p->len > len)
		p->len = len;
	return 0;
}

size_t user_pin_run(const struct user_pin *p, size_t at, char **ptr)
{
	size_t in = p->addr & (PAGE_SIZE - 1);
	size_t i = (in + at) / PAGE_SIZE;
	size_t first = i;
	*ptr = (char *)memfile_ptr(p->pages[i]) + (in + at) % PAGE_SIZE;
	while (i + 1 < p->npages && p->pages[i + 1] == p->pages[i] + PAGE_SIZE)
		i++;
	size_t run = (i + 1 - first) * PAGE_SIZE - (in + at) % PAGE_SIZE;
	return run < p->len - at ? run : p->len - at;
}

/* The page addr maps to now, without changing anything; -1 if none. */
static int64_t page_now(struct mm *mm, struct vma *v, uint64_t addr)
{
	if (v->flags & VMA_SHARED)
		return -1;	/* object pages are never swapped for a copy */
	uint64_t *s = pagemap_slot(mm->pm, addr, false);
	if (!s || !(*s & PTE_PRESENT))
		return -1;
	return (int64_t)PTE_OFF(*s);
}

void user_unpin(struct mm *mm, struct user_pin *p, size_t done)
{
	if (p->npages == 0)
		return;
	size_t in = p->addr & (PAGE_SIZE - 1);
	if (done > p->len)
		done = p->len;
	pthread_mutex_lock(&mm->lock);
	for (size_t i = 0; i < p->npages; i++) {
		uint64_t a = PAGE_ALIGN_DOWN(p->addr) + i * PAGE_SIZE;
		/* The written bytes of page i: [lo, hi) within the page. */
		size_t lo = i == 0 ? in : 0;
		size_t hi = in + done > (i + 1) * PAGE_SIZE ? PAGE_SIZE
			  : in + done > i * PAGE_SIZE ? in + done - i * PAGE_SIZE : 0;
		if (p->write && hi > lo) {
			struct vma *v = mm_find_vma(mm, a);
			int64_t now = v && (v->prot & PROT_WRITE) ? page_now(mm, v, a) : -1;
			if (now >= 0 && (uint64_t)now != p->pages[i]) {
				/* Swapped while filled: the page mapped now gets the bytes. */
				int64_t dst = mm_page_get(mm, v, a, true);
				if (dst >= 0 && (uint64_t)dst != p->pages[i])
					memcpy((char *)memfile_ptr((uint64_t)dst) + lo,
					       (char *)memfile_ptr(p->pages[i]) + lo, hi - lo);
			}
		}
		memfile_unref(p->pages[i]);
	}
	pthread_mutex_unlock(&mm->lock);
	p->npages = 0;
	p->len = 0;
}
