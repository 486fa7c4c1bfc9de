/* sentry/loader/vdso.c: the vDSO in guest address spaces. The image
 * (sentry/loader/vdso/vdso.c, built as linux-vdso.so.1 and carried in
 * the cvisor binary by vdso_image.S) is copied once into a memory-file
 * object; every exec maps it read+exec, private, with the one-page data
 * object (struct vvar, kept by sentry/kernel/timekeeper.c) shared and
 * read-only just below it, named [vdso] and [vvar] as on Linux. */
#include "sentry/loader/vdso.h"
#include "sentry/loader/vdso/vvar.h"
#include "sentry/kernel/timekeeper.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/mobj.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

extern const char cvisor_vdso_start[], cvisor_vdso_end[];

static struct mobj *text, *data;
static uint64_t text_len;

/* A new object holding len bytes of src. */
static struct mobj *mobj_of(const void *src, size_t len)
{
	struct mobj *o = mobj_new(len);
	if (!o)
		return NULL;
	for (size_t done = 0; done < len; done += PAGE_SIZE) {
		int64_t off = mobj_page(o, done / PAGE_SIZE);
		if (off < 0) {
			mobj_put(o);
			return NULL;
		}
		size_t n = len - done < PAGE_SIZE ? len - done : PAGE_SIZE;
		if (src)
			memcpy(memfile_ptr((uint64_t)off), (const char *)src + done, n);
	}
	return o;
}

int vdso_init(void)
{
	size_t len = (size_t)(cvisor_vdso_end - cvisor_vdso_start);
	if (text || len == 0)
		return 0;
	text_len = PAGE_ALIGN_UP(len);
	text = mobj_of(cvisor_vdso_start, len);
	data = mobj_of(NULL, PAGE_SIZE);
	if (!text || !data) {
		if (text)
			mobj_put(text);
		if (data)
			mobj_put(data);
		text = data = NULL;
		return -ENOMEM;
	}
	int64_t off = mobj_page(data, 0);
	timekeeper_start(off < 0 ? NULL : (struct vvar *)memfile_ptr((uint64_t)off));
	return 0;
}

static void name(struct mm *mm, uint64_t addr, const char *what)
{
	pthread_mutex_lock(&mm->lock);
	struct vma *v = mm_find_vma(mm, addr);
	if (v && v->start == addr)
		strcpy(v->name, what);
	pthread_mutex_unlock(&mm->lock);
}

int64_t vdso_map(struct mm *mm)
{
	if (!text)
		return 0;
	/* One hole for both, then each in its place. */
	int64_t at = mm_mmap(mm, 0, PAGE_SIZE + text_len, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
	if (at < 0)
		return at;
	uint64_t base = (uint64_t)at;
	int64_t r = mm_mmap_obj(mm, base, PAGE_SIZE, PROT_READ, MAP_SHARED | MAP_FIXED, data, 0, 0);
	if (r >= 0)
		r = mm_mmap_obj(mm, base + PAGE_SIZE, text_len, PROT_READ | PROT_EXEC,
				MAP_PRIVATE | MAP_FIXED, text, 0, 0);
	if (r < 0) {
		mm_munmap(mm, base, PAGE_SIZE + text_len);
		return r;
	}
	name(mm, base, "[vvar]");
	name(mm, base + PAGE_SIZE, "[vdso]");
	mm_warm(mm, base, base + PAGE_SIZE + text_len);	/* libc's start calls it */
	return (int64_t)(base + PAGE_SIZE);
}
