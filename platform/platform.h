/* platform/platform.h: how guest code runs and how its syscalls are caught.
 *
 * Modelled on gVisor's Platform/AddressSpace/Context. An address space
 * (struct as) is a host process the platform controls; it mirrors a subset
 * of the sentry's page map: every page it maps is a range of the memory
 * file (or a donated host fd), never memory the guest allocated itself.
 * A context (struct ctx) runs one guest thread until it traps back.
 *
 * Threads (the contract every platform keeps):
 *  - Each ctx belongs to one sentry host thread: only that thread calls
 *    ctx_switch, ctx_get_fpstate and ctx_set_fpstate on it (ctx_release
 *    too, or another thread once the owner is done with it).
 *  - Any number of host threads may run their own ctxs in one address
 *    space at the same time. The platform gives each (ctx, as) pair a host
 *    thread in that address space's process, made on the pair's first
 *    ctx_switch; a ctx that switches to another address space (exec after
 *    vfork) may lose its thread in the old one.
 *  - ctx_release(ctx) ends the ctx's host threads, each alone: the other
 *    threads of the address space keep running.
 *  - as_map, as_unmap and as_protect may be called from any host thread
 *    (they serialise inside the platform), while other threads run guest
 *    code in the address space. Before the first ctx_switch into an address
 *    space they may do nothing: nothing is mirrored yet and the guest's
 *    first touches fault the pages in.
 *  - as_release(as) is called once no ctx runs in it; ctxs that ran there
 *    stay valid.
 *  - ctx_interrupt(ctx) may be called from any host thread and interrupts
 *    that ctx's guest thread only.
 *  - A ctx's first switch into an address space starts with a clean FP
 *    state (never the sentry's registers) unless ctx_set_fpstate was
 *    called before it, where the platform can keep that (else -ESRCH).
 *
 * Nothing outside platform/ knows which platform runs: the rest of the
 * sentry calls the inline wrappers below, which go through the ops table of
 * the platform chosen at start-up. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

struct as;
struct ctx;
struct host_list;
struct host_range;
struct mm;

/* Why ctx_switch returned. */
enum ctx_event {
	CTX_SYSCALL = 1,	/* regs->orig_rax is the syscall number */
	CTX_FAULT,		/* memory fault: see struct ctx_exit */
	CTX_SIGNAL,		/* synchronous signal (SIGILL, SIGFPE, SIGTRAP, SIGBUS...) */
	CTX_INTERRUPTED,	/* ctx_interrupt() was called */
};

/* Access types for faults and protections (PROT_* compatible). */
#define ACCESS_READ  0x1
#define ACCESS_WRITE 0x2
#define ACCESS_EXEC  0x4

struct ctx_exit {
	enum ctx_event event;
	uint64_t fault_addr;	/* CTX_FAULT, and signals that carry an address */
	int access;		/* CTX_FAULT: ACCESS_* if known, 0 if not */
	int signo;		/* CTX_FAULT (SIGSEGV/SIGBUS) and CTX_SIGNAL */
	int si_code;		/* as the host CPU reported it */
};

/* One change to an address space's mirror, for as_batch. */
enum as_op_kind { AS_OP_MAP = 1, AS_OP_UNMAP, AS_OP_PROTECT };
struct as_op {
	enum as_op_kind kind;
	int prot, fd;		/* MAP: prot, fd, off; PROTECT: prot */
	bool populate;		/* MAP: the pages exist; fill the page table now */
	uint64_t addr, len, off;
};

/* A raw clone for a stub (no glibc atfork work in a multithreaded
 * sentry): 0 in the child, the child's pid or -errno in the parent.
 * Every stub is forked after the sentry has loaded its filter
 * (sandbox_config.before_stubs), and inherits it. */
long platform_stub_fork(unsigned long clone_flags);

struct platform_ops {
	const char *name;
	int (*init)(void);	/* once, in the sentry, after memfile_init, before any as_new */
	/* Optional, once after init: start the first stub ahead of need. */
	void (*prefetch)(void);
	/* Highest guest address + 1 that the platform leaves to the guest. */
	uint64_t (*max_user_addr)(void);

	struct as *(*as_new)(void);
	void (*as_release)(struct as *as);
	int (*as_map)(struct as *as, uint64_t addr, uint64_t len, int prot,
		      int fd, uint64_t offset);
	int (*as_unmap)(struct as *as, uint64_t addr, uint64_t len);
	/* Pages of the range that are not mirrored stay unmapped; where the
	 * host refuses (a hole in the range), the platform unmaps the range
	 * instead: it refaults. */
	int (*as_protect)(struct as *as, uint64_t addr, uint64_t len, int prot);

	struct ctx *(*ctx_new)(void);
	void (*ctx_release)(struct ctx *ctx);
	/* Run regs in as until the guest traps; regs are updated. 0 or -errno
	 * (a platform failure, not a guest event). */
	int (*ctx_switch)(struct ctx *ctx, struct as *as,
			  struct user_regs_struct *regs, struct ctx_exit *out);
	/* Make a running or future ctx_switch of this ctx (only) return
	 * CTX_INTERRUPTED soon. Callable from any sentry thread. */
	void (*ctx_interrupt)(struct ctx *ctx);
	/* The guest's FP/SSE/AVX state as an XSAVE image (standard format:
	 * fxsave layout in the first 512 bytes, XSTATE_BV at 512). size is
	 * the buffer size (CPUID(0xD,0).ebx); get returns the bytes filled
	 * or -errno. Valid only while the ctx is
	 * stopped in the sentry, between switches. set checks only the size:
	 * the host kernel checks the image when the guest resumes, and a bad
	 * one makes the guest take SIGSEGV, as a bad sigreturn frame does on
	 * Linux; it never harms the sentry. */
	int (*ctx_get_fpstate)(struct ctx *ctx, void *buf, size_t size);
	int (*ctx_set_fpstate)(struct ctx *ctx, const void *buf, size_t size);
	/* The host syscalls the platform needs in the sentry and in its
	 * stubs (forked from the sentry, they inherit its seccomp filter),
	 * added to the sentry's whitelist (sentry/hostfilter). */
	const struct host_list *host_syscalls;
	/* Where the platform's own mmap and mprotect with PROT_EXEC are made
	 * from (its stubs map guest code): up to max [start, end) ranges of
	 * the instruction pointer after the syscall instruction, valid once
	 * the platform is initialised; returns how many. The sentry's filter
	 * traps PROT_EXEC from anywhere else (sentry/hostfilter). */
	size_t (*host_exec_sites)(struct host_range *r, size_t max);

	/* Optional (NULL when a platform needs none of them): */
	/* Tell the platform which mm an address space mirrors (once, when
	 * the mm is made); the platform may then read and patch guest code
	 * through mm_text_read/mm_text_patch. */
	void (*as_set_owner)(struct as *as, struct mm *mm);
	/* A range the platform keeps in every address space, which the
	 * memory manager reserves (a read-only VMA named name that the guest
	 * cannot map over, unmap or change); false if none. */
	bool (*as_reserved)(uint64_t *start, uint64_t *len, const char **name);
	/* A platform option (before init): 0, -ENOENT if the platform has
	 * no such option, -EINVAL for a bad value. */
	int (*set_option)(const char *name, const char *value);
	/* ops[0..n) in order, as as_map/as_unmap/as_protect would, in as
	 * few round trips to the address space as the platform can: 0 or
	 * the first failure. */
	int (*as_batch)(struct as *as, const struct as_op *ops, unsigned n);
};

extern const struct platform_ops *platform;

/* Choose a platform by name ("ptrace", ...) and initialise it. */
int platform_select(const char *name);
/* The platform named name, not initialised, or NULL; platform_nth(i)
 * walks them all (NULL past the last). */
const struct platform_ops *platform_find(const char *name);
const struct platform_ops *platform_nth(size_t i);
/* Comma-separated names of the platforms built in. */
const char *platform_names(void);
/* The platform chosen when none is asked for. */
#define PLATFORM_DEFAULT "systrap"
/* Set an option of whichever platform has it (before platform_select):
 * 0, -ENOENT if none has it, -EINVAL for a bad value. */
int platform_option(const char *name, const char *value);

static inline struct as *as_new(void) { return platform->as_new(); }
static inline void as_release(struct as *as) { platform->as_release(as); }
static inline int as_map(struct as *as, uint64_t addr, uint64_t len, int prot,
			 int fd, uint64_t off)
{ return platform->as_map(as, addr, len, prot, fd, off); }
static inline int as_unmap(struct as *as, uint64_t addr, uint64_t len)
{ return platform->as_unmap(as, addr, len); }
static inline int as_protect(struct as *as, uint64_t addr, uint64_t len, int prot)
{ return platform->as_protect(as, addr, len, prot); }
static inline int as_batch(struct as *as, const struct as_op *ops, unsigned n)
{
	if (platform->as_batch)
		return platform->as_batch(as, ops, n);
	int r = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct as_op *o = &ops[i];
		int e = o->kind == AS_OP_MAP ? as_map(as, o->addr, o->len, o->prot, o->fd, o->off) :
			o->kind == AS_OP_UNMAP ? as_unmap(as, o->addr, o->len) :
			as_protect(as, o->addr, o->len, o->prot);
		if (e < 0 && r == 0)
			r = e;
	}
	return r;
}
static inline struct ctx *ctx_new(void) { return platform->ctx_new(); }
static inline void ctx_release(struct ctx *c) { platform->ctx_release(c); }
static inline int ctx_switch(struct ctx *c, struct as *as,
			     struct user_regs_struct *regs, struct ctx_exit *out)
{ return platform->ctx_switch(c, as, regs, out); }
static inline void ctx_interrupt(struct ctx *c) { platform->ctx_interrupt(c); }
static inline void as_set_owner(struct as *as, struct mm *mm)
{ if (platform && platform->as_set_owner) platform->as_set_owner(as, mm); }
static inline bool as_reserved(uint64_t *start, uint64_t *len, const char **name)
{ return platform && platform->as_reserved && platform->as_reserved(start, len, name); }
