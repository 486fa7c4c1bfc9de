/* fs/procfs/proc_mem.c: what procfs reads of a task's address space:
 * cmdline and environ (guest memory between the loader's arg/env
 * bounds, read through the user-copy helpers, so a bad range gives what
 * could be read), maps and smaps (from a copy of the VMAs taken under
 * the mm's lock; file mappings named by the file each VMA records). */
#include "fs/procfs/procfs.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/pagemap.h"
#include "sentry/mm/usercopy.h"
#include "sentry/mm/vm_file.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

#define ARGS_MAX (4u << 20)	/* bytes of cmdline/environ shown at most */

/* Append guest bytes [start, end) of mm, a page at a time, stopping at
 * the first unreadable page. */
static void read_guest(struct mm *mm, uint64_t start, uint64_t end, struct sbuf *sb)
{
	char page[4096];
	if (end <= start)
		return;
	if (end - start > ARGS_MAX)
		end = start + ARGS_MAX;
	for (uint64_t a = start; a < end;) {
		uint64_t lim = (a & ~(uint64_t)4095) + 4096;
		size_t n = (size_t)((end < lim ? end : lim) - a);
		if (copy_in(mm, page, a, n) < 0)
			return;
		sbuf_put(sb, page, n);
		a += n;
	}
}

static int args_show(const struct proc_inode *pi, struct sbuf *sb, bool env)
{
	struct mm *mm = proc_task_mm(pi);
	if (!mm)
		return proc_task_exists(pi->tgid, pi->tid) ? 0 : -ESRCH;
	pthread_mutex_lock(&mm->lock);
	uint64_t as = mm->arg_start, ae = mm->arg_end, es = mm->env_start, ee = mm->env_end;
	pthread_mutex_unlock(&mm->lock);
	if (env) {
		read_guest(mm, es, ee, sb);
	} else {
		read_guest(mm, as, ae, sb);
		/* A program that rewrote its arguments without a final NUL
		 * (setproctitle) shows them up to the first NUL, as Linux. */
		if (sb->len && sb->buf[sb->len - 1] != 0) {
			size_t n = strnlen(sb->buf, sb->len);
			if (n < sb->len) {
				sb->len = n;
			} else {
				struct sbuf more;
				sbuf_init(&more);
				read_guest(mm, es, es + 4096 < ee ? es + 4096 : ee, &more);
				sbuf_put(sb, more.buf, more.len ? strnlen(more.buf, more.len) : 0);
				sbuf_free(&more);
			}
		}
	}
	mm_put(mm);
	return 0;
}

int proc_pid_cmdline(const struct proc_inode *pi, struct sbuf *sb)
{
	return args_show(pi, sb, false);
}

int proc_pid_environ(const struct proc_inode *pi, struct sbuf *sb)
{
	return args_show(pi, sb, true);
}

static const char *vma_name(const struct mm *mm, const struct vma *v)
{
	if (v->name[0])
		return v->name;
	if ((v->flags & VMA_STACK) ||
	    (mm->arg_start && v->start <= mm->arg_start && mm->arg_start < v->end) ||
	    (mm->stack_start && v->start <= mm->stack_start && mm->stack_start < v->end))
		return "[stack]";
	if ((v->flags & VMA_HEAP) || (mm->brk > mm->brk_start && v->start >= mm->brk_start &&
				      v->end <= PAGE_ALIGN_UP(mm->brk)))
		return "[heap]";
	return NULL;
}

/* A VMA as maps and smaps show it, copied under mm->lock (its file
 * referenced) so that the file's name is made without mm->lock: naming
 * takes the VFS lock, which is taken before mm->lock elsewhere. */
struct vma_snap {
	struct vma v;
	const char *special;	/* "[stack]", "[heap]", a platform name */
	uint64_t rss;		/* pages, for smaps */
};

static uint64_t vma_rss_pages(struct mm *mm, const struct vma *v);

/* The VMAs of mm (its reference is dropped): *n of them, or NULL. */
static struct vma_snap *vma_snapshot(struct mm *mm, size_t *n, bool rss)
{
	pthread_mutex_lock(&mm->lock);
	struct vma_snap *s = calloc(mm->nvmas ? mm->nvmas : 1, sizeof(*s));
	*n = s ? mm->nvmas : 0;
	for (size_t i = 0; i < *n; i++) {
		s[i].v = mm->vmas[i];
		vm_file_get(s[i].v.file);
		const char *name = vma_name(mm, &mm->vmas[i]);
		s[i].special = name == mm->vmas[i].name ? s[i].v.name : name;
		if (rss)
			s[i].rss = vma_rss_pages(mm, &mm->vmas[i]);
	}
	pthread_mutex_unlock(&mm->lock);
	mm_put(mm);
	return s;
}

static void vma_snapshot_free(struct vma_snap *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vm_file_put(s[i].v.file);
	free(s);
}

/* One line of maps: a file mapping shows its offset, device, inode and
 * path (as the reader's root sees it, " (deleted)" once removed). */
static void vma_line(struct sbuf *sb, const struct vma_snap *s)
{
	const struct vma *v = &s->v;
	size_t start = sb->len;
	unsigned long long off = (v->flags & VMA_SHARED) ? v->obj_off : 0;
	unsigned dmaj = 0, dmin = 0;
	unsigned long long ino = 0;
	const char *name = s->special;
	char *path = NULL;
	if (v->file) {
		struct stat st;
		inode_stat(v->file->path.dentry->inode, &st);
		off = v->file_off;
		dmaj = major(st.st_dev);
		dmin = minor(st.st_dev);
		ino = st.st_ino;
		path = malloc(PATH_MAX);
		if (path && proc_path_name(&v->file->path, path, PATH_MAX) > 0)
			name = path;
	}
	sbuf_printf(sb, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
		    (unsigned long long)v->start, (unsigned long long)v->end,
		    (v->prot & PROT_READ) ? 'r' : '-', (v->prot & PROT_WRITE) ? 'w' : '-',
		    (v->prot & PROT_EXEC) ? 'x' : '-', (v->flags & VMA_SHARED) ? 's' : 'p',
		    off, dmaj, dmin, ino);
	if (name) {
		/* The name starts at column 73 (or a space after a longer
		 * prefix), as Linux pads it; the prefix ends in a space. */
		size_t used = sb->len - start;
		for (; used < 72; used++)
			sbuf_putc(sb, ' ');
		sbuf_putc(sb, ' ');
		sbuf_puts(sb, name);
	}
	sbuf_putc(sb, '\n');
	free(path);
}

int proc_pid_maps(const struct proc_inode *pi, struct sbuf *sb)
{
	struct mm *mm = proc_task_mm(pi);
	if (!mm)
		return proc_task_exists(pi->tgid, pi->tid) ? 0 : -ESRCH;
	size_t n;
	struct vma_snap *s = vma_snapshot(mm, &n, false);
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n && !sb->overflow; i++)
		vma_line(sb, &s[i]);
	vma_snapshot_free(s, n);
	return 0;
}

static void count_page(void *arg, uint64_t addr, uint64_t *entry)
{
	(void)addr;
	if (*entry & PTE_PRESENT)
		++*(uint64_t *)arg;
}

static uint64_t vma_rss_pages(struct mm *mm, const struct vma *v)
{
	uint64_t n = 0;
	if (v->flags & VMA_SHARED) {
		if (!v->obj)
			return 0;
		uint64_t first = v->obj_off / PAGE_SIZE, count = (v->end - v->start) / PAGE_SIZE;
		for (uint64_t i = 0; i < count && first + i < v->obj->size / PAGE_SIZE; i++)
			if (mobj_page_present(v->obj, first + i))
				n++;
		return n;
	}
	pagemap_walk(mm->pm, v->start, v->end, count_page, &n);
	return n;
}

int proc_pid_smaps(const struct proc_inode *pi, struct sbuf *sb)
{
	struct mm *mm = proc_task_mm(pi);
	if (!mm)
		return proc_task_exists(pi->tgid, pi->tid) ? 0 : -ESRCH;
	size_t n;
	struct vma_snap *s = vma_snapshot(mm, &n, true);
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n && !sb->overflow; i++) {
		const struct vma *v = &s[i].v;
		vma_line(sb, &s[i]);
		unsigned long long size = (v->end - v->start) / 1024;
		unsigned long long rss = s[i].rss * (PAGE_SIZE / 1024);
		bool shared = v->flags & VMA_SHARED;
		sbuf_printf(sb, "Size:           %8llu kB\nKernelPageSize: %8d kB\n"
			    "MMUPageSize:    %8d kB\nRss:            %8llu kB\n"
			    "Pss:            %8llu kB\n", size, 4, 4, rss, rss);
		sbuf_printf(sb, "Shared_Clean:   %8d kB\nShared_Dirty:   %8llu kB\n"
			    "Private_Clean:  %8d kB\nPrivate_Dirty:  %8llu kB\n"
			    "Referenced:     %8llu kB\nAnonymous:      %8llu kB\n",
			    0, shared ? rss : 0, 0, shared ? 0 : rss, rss, shared ? 0 : rss);
		sbuf_printf(sb, "LazyFree:       %8d kB\nAnonHugePages:  %8d kB\n"
			    "ShmemPmdMapped: %8d kB\nFilePmdMapped:  %8d kB\n"
			    "Shared_Hugetlb: %8d kB\nPrivate_Hugetlb: %7d kB\n"
			    "Swap:           %8d kB\nSwapPss:        %8d kB\n"
			    "Locked:         %8llu kB\nTHPeligible:    %8d\n",
			    0, 0, 0, 0, 0, 0, 0, 0, (v->flags & VMA_LOCKED) ? rss : 0, 0);
		sbuf_printf(sb, "VmFlags:%s%s%s%s%s%s%s\n", (v->prot & PROT_READ) ? " rd" : "",
			    (v->prot & PROT_WRITE) ? " wr" : "", (v->prot & PROT_EXEC) ? " ex" : "",
			    " mr mw me", shared ? " sh" : "",
			    (v->flags & VMA_GROWSDOWN) ? " gd" : "", " ac");
	}
	vma_snapshot_free(s, n);
	return 0;
}
