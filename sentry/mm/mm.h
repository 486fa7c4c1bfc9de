/* sentry/mm/mm.h: a guest address space: VMAs, the page map, and the
 * operations behind brk/mmap/munmap/mprotect/mremap/madvise/mincore/msync
 * and page faults. The platform's struct as mirrors part of it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include "sentry/mm/memfile.h"
#include "sentry/mm/mobj.h"

struct as;
struct mobj;
struct vm_file;

/* vma.flags */
#define VMA_SHARED    0x01	/* MAP_SHARED: pages belong to the mobj */
#define VMA_GROWSDOWN 0x02	/* stack: grows on faults just below it */
#define VMA_STACK     0x04	/* the initial stack ("[stack]") */
#define VMA_HEAP      0x08	/* brk area ("[heap]") */
#define VMA_NORESERVE 0x10
#define VMA_LOCKED    0x20
#define VMA_MAYWRITE  0x40	/* shared file mapping that may become writable */
#define VMA_RESERVED  0x80	/* the platform's (mm->resv_*): the guest cannot change it */

struct vma {
	uint64_t start, end;	/* [start, end), page aligned */
	int prot;		/* PROT_READ|PROT_WRITE|PROT_EXEC */
	int flags;		/* VMA_* */
	struct mobj *obj;	/* the object mapped: shared (VMA_SHARED), or a
				 * file mapped privately (copy-on-write over
				 * its pages); NULL for anonymous private */
	uint64_t obj_off;	/* offset of start within obj */
	struct vm_file *file;	/* the file mapped (sentry/mm/vm_file.h), or
				 * NULL: referenced, for /proc/PID/maps */
	uint64_t file_off;	/* offset of start within the file */
	char name[32];		/* for /proc/PID/maps: "[stack]", a path... */
};

struct pagemap;

#define FORK_PROF_N 8
#define FORK_WIN_N 16

/* Pages written (copy-on-write breaks) soon after a fork, so that the
 * next fork copies them at once rather than faulting on them: a parent's
 * own (mm->self) and its children's (mm->kids, shared with them); and the
 * fault windows its children populated first, which the next child
 * starts with mirrored. Hints only, read and written racily (atomics). */
struct fork_prof {
	uint32_t refs;
	uint32_t next, wnext;
	uint64_t page[FORK_PROF_N];	/* page addresses; 0 = none */
	uint64_t win[FORK_WIN_N];	/* window addresses; 0 = none */
};

#define MM_WARM_MAX 6

struct mm {
	pthread_mutex_t lock;
	int refs;
	struct vma *vmas;	/* sorted by start, non-overlapping */
	size_t nvmas, cap;
	struct pagemap *pm;	/* private pages: guest page -> memfile offset */
	struct as *as;		/* the platform's mirror; may be NULL in tests */
	uint64_t mmap_base;	/* top-down search starts below this */
	uint64_t max_addr;	/* guest addresses are below this */
	uint64_t brk_start, brk;
	uint64_t stack_start;	/* lowest address of the initial stack VMA */
	uint64_t stack_limit;	/* RLIMIT_STACK, for growsdown */
	/* Set by the loader: */
	uint64_t start_code, end_code, start_data, end_data;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv[64];
	size_t auxv_len;
	uint64_t resident_pages;
	/* A range the platform keeps in every address space (one
	 * VMA_RESERVED VMA; 0, 0 if none): mmap MAP_FIXED, munmap,
	 * mprotect, mremap and madvise over it fail, like on a range above
	 * the guest's address space. */
	uint64_t resv_start, resv_end;
	bool prefault;		/* set by mm_fork and mm_warm: mm_prefault has work */
	/* Ranges a new image will touch first (mm_warm): mirrored by
	 * mm_prefault in one batch before its first instruction. */
	struct { uint64_t start, end; } warm[MM_WARM_MAX];
	unsigned nwarm;
	struct fork_prof *kids;	/* what its fork children write early */
	struct fork_prof *self;	/* what it writes right after it forks */
	struct fork_prof *rec;	/* where its early writes are noted: self, or its parent's kids */
	unsigned young;		/* early writes left to note */
	unsigned young_win;	/* a fork child: early fault windows left to note */
	bool ro_pending;	/* mm_fork_done has the parent's mirror to protect */
	uint64_t mirror_seq;	/* atomic: mirror changes that may grant an access */
};

/* After a change to mm's mirror that may let an access through that
 * faulted before (a page mapped, a protection widened): a thread's fault
 * from before it may be stale (mm_fault's -EAGAIN). */
static inline void mm_mirror_grew(struct mm *mm)
{
	__atomic_add_fetch(&mm->mirror_seq, 1, __ATOMIC_RELEASE);
}

static inline uint64_t mm_mirror_seq(struct mm *mm)
{
	return __atomic_load_n(&mm->mirror_seq, __ATOMIC_ACQUIRE);
}

/* True if [start, end) overlaps mm's reserved range. */
static inline bool mm_reserved_overlap(const struct mm *mm, uint64_t start, uint64_t end)
{
	return start < mm->resv_end && mm->resv_start < end;
}

struct mm *mm_new(struct as *as, uint64_t max_addr);
/* For the loader: [start, end) will be touched as soon as the image
 * runs (its segments, its stack, the vDSO); mm_prefault mirrors what of
 * it exists (a file's pages read in runs), in one batch, instead of a
 * fault each. Ranges beyond MM_WARM_MAX are dropped. */
void mm_warm(struct mm *mm, uint64_t start, uint64_t end);
void mm_get(struct mm *mm);
/* A copy-on-write copy of old for fork, mirrored by as. When the forking
 * task is old's only user, the parent's mirror is made read-only only by
 * mm_fork_done, which the caller must call before the parent's guest code
 * runs again (and may call after starting the child, so that both happen
 * at once); otherwise mm_fork_done does nothing. */
struct mm *mm_fork(struct mm *old, struct as *as);
void mm_fork_done(struct mm *old);
void mm_put(struct mm *mm);

/* mmap: flags are Linux MAP_*; obj is for MAP_SHARED non-anonymous
 * objects (NULL: a new anonymous object is made for MAP_SHARED). Returns
 * the address or -errno. */
int64_t mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot,
		int flags, struct mobj *obj, uint64_t off);
/* mmap of an object (a file's pages: MAP_SHARED maps them, MAP_PRIVATE
 * copies each on its first write); vflags adds VMA_* flags (VMA_MAYWRITE
 * for a shared mapping that may be made writable). The VMA takes a new
 * reference on obj. */
int64_t mm_mmap_obj(struct mm *mm, uint64_t addr, uint64_t len, int prot,
		    int flags, struct mobj *obj, uint64_t off, int vflags);
/* The same for a mapping of file (its pages in obj, or copied into
 * anonymous memory when obj is NULL and flags say MAP_ANONYMOUS) at file
 * offset off: the VMA takes a new reference on file. */
int64_t mm_mmap_file(struct mm *mm, uint64_t addr, uint64_t len, int prot,
		     int flags, struct mobj *obj, uint64_t off, int vflags,
		     struct vm_file *file);
int mm_munmap(struct mm *mm, uint64_t addr, uint64_t len);
int mm_mprotect(struct mm *mm, uint64_t addr, uint64_t len, int prot);
int64_t mm_mremap(struct mm *mm, uint64_t old_addr, uint64_t old_len,
		  uint64_t new_len, int flags, uint64_t new_addr);
int64_t mm_brk(struct mm *mm, uint64_t addr);
int mm_madvise(struct mm *mm, uint64_t addr, uint64_t len, int advice);
/* vec receives one byte per page (bit 0 = resident). */
int mm_mincore(struct mm *mm, uint64_t addr, uint64_t len, unsigned char *vec);
int mm_msync(struct mm *mm, uint64_t addr, uint64_t len, int flags);

/* A guest fault at addr with access (ACCESS_*, 0 if unknown); prot_fault:
 * the host had a page there but the access was not allowed. 0: the page
 * is now mapped, resume. -EAGAIN: a protection fault the page map does
 * not explain (the page is writable and not copy-on-write, or gone): if
 * mm_mirror_seq moved since the thread last ran guest code, another
 * thread changed the mirror after the host's fault, and the access should
 * run again; else it is a real SEGV_ACCERR (an instruction fetch, which
 * ptrace cannot tell from a write). -EFAULT:
 * SIGSEGV with SEGV_MAPERR; -EACCES: SIGSEGV with SEGV_ACCERR; -EIO:
 * SIGBUS with BUS_ADRERR (beyond the end of a mapped file); -ENOMEM: out
 * of memory. */
int mm_fault(struct mm *mm, uint64_t addr, int access, bool prot_fault);

/* Before a task runs guest code in mm: a fork child's first run copies
 * the pages its siblings wrote early and mirrors them and the windows its
 * siblings faulted in first (mm->rec); a new image's warm ranges
 * (mm_warm) are mirrored; all in one batch, so that they do not fault in
 * one by one. Does nothing when there is nothing (left) to do. */
void mm_prefault(struct mm *mm);
/* fork.c: the profile's reference; noting a page written. */
void fork_prof_put(struct fork_prof *p);
void fork_prof_note(struct fork_prof *p, uint64_t page);
void fork_prof_note_win(struct fork_prof *p, uint64_t win);

/* For the loader: write into guest memory ignoring VMA protections
 * (populating pages as needed). 0 or -EFAULT/-ENOMEM. */
int mm_poke(struct mm *mm, uint64_t addr, const void *src, size_t len);

/* Code patching for the platform (text.c): read len bytes of code at
 * addr, or replace them (old must match), in a private, executable,
 * non-writable mapping, within one present page. The patched page is a
 * fresh copy private to this address space, swapped in whole, so other
 * threads see either the old or the new page and other address spaces
 * and files keep the old bytes. 0, -EFAULT (no such code), -EAGAIN (the
 * bytes changed) or -ENOMEM. */
int mm_text_read(struct mm *mm, uint64_t addr, void *buf, size_t len);
int mm_text_patch(struct mm *mm, uint64_t addr, const void *old, const void *new, size_t len);

/* Lookup, for /proc and tests. Caller holds mm->lock. */
struct vma *mm_find_vma(struct mm *mm, uint64_t addr);
