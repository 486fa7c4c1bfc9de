/* platform/systrap/systrap.h: what the files of the systrap platform share.
 *
 * stub.c starts stub processes, spawns their guest threads and serves
 * their map requests; filter.c writes their seccomp programs; systrap.c is
 * the platform (ops table, ctx_switch, FP state). Layout of the shared
 * pages: sysmsg.h.
 *
 * An address space is one stub process; each context that runs in it gets
 * its own stub thread there (a slot: message page and signal stack), made
 * on the context's first switch into that address space. A context keeps
 * the list of its slots (it may have run in several address spaces). */
#pragma once
#include "platform/systrap/sysmsg.h"
#include "platform/systrap/mirror.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* Guest addresses stay below this; stub regions sit above. */
#define SYSTRAP_GUEST_MAX 0x7ff000000000UL
#define SYSTRAP_USER_TOP  0x7ffffffff000UL
/* The signal ctx_interrupt() sends to a running guest thread. */
#define SYSTRAP_SIG_INTERRUPT SIGURG

/* The stub region's base, the same in the sentry and every stub. */
extern uint64_t systrap_base;

struct ctx;
struct as;
struct mm;

/* One guest thread of a stub: slot idx of the stub region. */
/* The CPU this thread runs on, without a syscall (see CPUNODE_SEG). */
static inline uint32_t host_cpu(void)
{
	uint32_t p;
	__asm__ volatile("lsl %1, %0" : "=r"(p) : "r"((uint32_t)CPUNODE_SEG));
	return p & 0xfff;
}

struct slot {
	struct as *as;
	unsigned idx;
	pid_t tid;		/* its stub thread; 0 before the first spawn */
	struct ctx *owner;	/* NULL: free (once tid is gone) */
	bool ready;		/* spawned ahead, no owner yet: its thread waits for its first run */
	bool via_tramp;		/* the last stop came through a trampoline (no signal frame) */
	uint32_t spin, stub_spin;	/* adaptive spin budgets (pause iterations) */
	uint32_t stub_spin_given;	/* the budget the stub waits with now */
	unsigned probe;
	unsigned colo;		/* turns left on the stub's CPU (the sandbox's start) */
	unsigned same_rounds;	/* rounds in a row with the stub on the sentry's CPU */
	bool same_cpu;		/* this round: the stub reported from our CPU */
	bool skip_spin;		/* ... and had not slept: we do not spin */
	uint64_t moved_at;	/* when the sentry's thread last moved off the stub's CPU */
	struct slot *ctx_next;	/* the owner's other slots (bind_lock) */
	uint64_t off[STUB_SLOT_PAGES];		/* memory-file page of each slot page */
	volatile uint8_t *page[STUB_SLOT_PAGES];	/* the sentry's views */
};

struct as {
	pthread_mutex_t lock;	/* map requests, slots, start-up */
	pid_t pid;		/* stub process (its map thread); 0 until started */
	uint32_t seq;		/* last map batch sent */
	uint64_t ctl_off, rsp_off;		/* memory-file pages; 0 = none */
	volatile uint8_t *ctl, *rsp;		/* the sentry's views */
	unsigned nslots;
	struct slot *slots[STUB_MAX_THREADS];
	/* Syscall-site patching (patch.c; patch_lock) */
	struct mm *owner;	/* the mm this address space mirrors */
	bool patch_off;		/* patches undone, no more (a thread has its own gs) */
	uint64_t *site_key;	/* traps counted per site: open addressing */
	uint8_t *site_n;
	unsigned site_used, site_cap;
	struct as *dead_next;	/* stub.c: killed stubs waiting to be reaped */
	struct mirror mir;	/* its guest range's mappings (as->lock) */
};

/* Reserve the stub region in the sentry, copy the code page there and
 * start the thread that forks stubs. */
int systrap_stub_init(void);
/* Give as a stub: one made ahead by the stub-forking thread (so that its
 * parent-death signal follows the sentry, not the calling thread), with
 * its map thread up and one guest thread spawned, waiting for its first
 * systrap_slot_spawn; of several, the one whose old mappings suit the
 * first batch ops[n] best (mirror_cost). Called with as->lock held. */
int systrap_stub_start(struct as *as, const struct as_op *ops, unsigned n);
/* What of the guest range a full clear keeps: the trap table while
 * syscall sites are patched (the guest cannot map there then), else
 * nothing (start == end == 0). */
void systrap_guest_kept(uint64_t *start, uint64_t *end);
/* Unmap all of the guest range but what systrap_guest_kept says (mirror
 * reset). Called with as->lock held (or by the forker, which owns the
 * stub). */
int systrap_guest_clear(struct as *as);
/* The address space is gone: the stub-forking thread recycles the stub
 * (its guest threads gone, its guest range unmapped, a fresh guest
 * thread) into the pool, or kills and reaps it and frees the shared
 * pages and the slots (their structs included). */
void systrap_stub_release(struct as *as);
/* Give owner a stub thread in as: reuse a free slot whose thread is gone
 * or make a new one, clone the thread and wait for its first report.
 * Called with as->lock held and the stub started. */
int systrap_slot_spawn(struct as *as, struct ctx *owner, struct slot **out);
/* Ask the slot's thread to exit and free the slot for reuse. The thread
 * must be stopped in its handler. Called with as->lock held. */
void systrap_slot_retire(struct slot *sl);
/* Run host syscalls in the stub's map thread: n (<= CTL_MAXREQ) requests
 * of {nr, a1..a6}; results in ret. Called with as->lock held. */
int systrap_stub_call(struct as *as, const uint64_t (*req)[7], unsigned n, int64_t *ret);

/* Wait until the u32 at word reads want: spin, then sleep on the futex
 * (setting *sleeping meanwhile, if not NULL). Checks every so often that
 * the stub (and its thread tid, if not 0) is alive; -ESRCH when it died. */
int systrap_wait(pid_t pid, pid_t tid, volatile uint32_t *word, uint32_t want,
		 volatile uint32_t *sleeping);
/* The same with a spin budget of its own; *slept tells whether it had
 * to sleep on the futex. */
int systrap_wait_spin(pid_t pid, pid_t tid, volatile uint32_t *word, uint32_t want,
		      volatile uint32_t *sleeping, uint32_t spin, bool *slept);
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t systrap_now_ns(void);
/* The calibrated spin budget (about 10 us of pause instructions). */
uint32_t systrap_spin_max(void);
/* Spin policy (spin.c). systrap_spin_before: the sentry's budget for
 * this turn and, in *stub_spin, the stub's; it may move the calling
 * thread to another CPU. After the hand over, systrap_spin_handed with
 * what MSG_STUB_SLEEP read gives the budget to wait with (0 when the
 * stub runs on this CPU); after the wait, systrap_spin_waited. */
void systrap_spin_init(void);
uint32_t systrap_spin_before(struct slot *sl, volatile uint8_t *msg, uint32_t *stub_spin);
uint32_t systrap_spin_handed(struct slot *sl, uint32_t stub_slept, uint32_t sspin, uint32_t spin);
void systrap_spin_waited(struct slot *sl, uint32_t spin, bool slept);
/* FUTEX_WAKE (shared) one waiter of word. */
void systrap_wake(volatile uint32_t *word);
/* The sandbox's first address space is being made: start the first stub
 * (the zygote, then a stub from it) now, while the sentry loads the
 * program, instead of at its first switch. */
void systrap_stub_prefetch(void);

/* Copy between a slot's pages (stub address addr, within the slot) and
 * buf. -EFAULT if the range leaves the slot. */
int systrap_slot_read(const struct slot *sl, uint64_t addr, void *buf, size_t len);
int systrap_slot_write(struct slot *sl, uint64_t addr, const void *buf, size_t len);
/* The slot's address in the stub. */
static inline uint64_t systrap_slot_addr(const struct slot *sl)
{
	return systrap_base + STUB_SLOT_OFF + (uint64_t)sl->idx * STUB_SLOT_SIZE;
}
/* Reset the FP state in the slot's pending signal frame to the initial
 * state (a new thread must not start with the sentry's registers). */
void systrap_fp_reset(struct slot *sl);

/* --- syscall-site patching (patch.c) --- */
/* --systrap-patch: on unless turned off before init. */
extern bool systrap_patch_on;
/* Allocate the global trap table and trampoline pages (once). */
int systrap_patch_pages(void);
/* In a new stub (raw syscalls): map the table and trampolines, or unmap
 * the table's range when patching is off. 0 or -1. */
int systrap_patch_stub_map(int memfd);
/* The same as map requests for an exec'ed stub's map thread (stub.c's
 * image_spawn): how many were written to req (at most max; 0 when
 * patching is off), or -1 when they do not fit. */
int systrap_patch_stub_reqs(uint64_t (*req)[7], unsigned max, int memfd);
/* A raw mmap: -errno on failure. The only place outside the stub code
 * page the sentry's filter lets a PROT_EXEC mapping come from (the new
 * stub's trampolines; host_syscalls.c). */
long systrap_exec_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, uint64_t fd,
		       uint64_t off);
/* The raw execveat of the stub image (host_syscalls.c), the one exec
 * site the exec guard allows: 0 never (the exec replaces us), -errno. */
long systrap_exec_image(int fd, const char *path, char *const argv[], char *const envp[],
			int flags);
/* The range every address space reserves for the table. */
bool systrap_patch_reserved(uint64_t *start, uint64_t *len, const char **name);
/* A syscall trapped at regs->rip - 2: count it, patch the site if hot. */
void systrap_patch_trap(struct as *as, const struct user_regs_struct *regs);
/* A SIGILL at regs->rip: if it is site + 5 of a patched site, turn regs
 * into the syscall the original instruction there makes; true if so. */
bool systrap_patch_sigill(struct as *as, struct user_regs_struct *regs);
/* Undo every patch in as and patch no more there. */
void systrap_patch_disable(struct as *as);
/* Free as's patch bookkeeping. */
void systrap_patch_release(struct as *as);

/* The host syscalls a stub makes, for the sandbox's own seccomp policy
 * (the sentry makes them on the stub's behalf or lets it make them):
 * its map thread's (from the code page, filter.c) and its guest threads'
 * handler and trampoline syscalls; see systrap_stub_syscalls in filter.c. */
extern const int systrap_stub_syscalls[];
extern const unsigned systrap_stub_nsyscalls;

/* Write the guest threads' and the map thread's seccomp programs into the
 * control page (sentry view ctl). */
int systrap_filters_write(volatile uint8_t *ctl, uint64_t base);
