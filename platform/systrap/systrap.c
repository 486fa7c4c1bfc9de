/* platform/systrap/systrap.c: the systrap platform.
 *
 * Guest code runs in stub processes (stub.c, stub.S), one per address
 * space, with one stub thread per context that runs in it. Guest threads
 * have a seccomp filter that traps every syscall made outside the stub
 * code page (filter.c). The trap, faults, other synchronous signals and
 * the interrupt signal all enter the stub's signal handler, which copies
 * the registers into the thread's message page (a memory-file page the
 * sentry sees too), hands the turn to the sentry and waits for it to hand
 * it back. ctx_switch is the sentry's half of that exchange; no ptrace and
 * no host syscall when both sides find each other while spinning. The FP
 * state stays in the handler's signal frame, which lives in memory-file
 * pages too: ctx_get_fpstate/ctx_set_fpstate read and rewrite it there and
 * the handler's rt_sigreturn loads it (the host kernel checks it).
 * Mapping requests go to the stub's map thread (systrap_stub_call).
 *
 * Hot syscall sites are patched (patch.c) into jumps to trampolines that
 * make the same exchange without a signal (stub.S systrap_tramp_entry).
 * Such a stop has no signal frame: the FP state is still in the stub
 * thread's registers, so ctx_get_fpstate/ctx_set_fpstate first convert it
 * (MSG_ST_CONVERT: the thread re-reports through the handler), and so
 * does a return that must change the gs base or set the trap flag. While
 * patching is on, a guest thread whose gs base is 0 runs with %gs = its
 * message page (the trampolines find it there); the sentry's registers
 * keep the guest's own value.
 *
 * Threads: any sentry thread may switch its own ctx into an address space
 * others run in too. The first switch of a ctx into an address space
 * spawns a stub thread for the pair (a slot, systrap_slot_spawn) and
 * links it into the ctx's list; later switches take the cached slot
 * without a lock. ctx_release retires the ctx's threads; as_release kills
 * the whole stub and unlinks its slots from their ctxs. bind_lock guards
 * the links between ctxs and slots; it is taken before an as->lock.
 *
 * Everything read from a message page or a signal frame is untrusted:
 * other guest threads of the same process can write it. It only ever
 * becomes guest registers, guest FP state or a guest event the guest could
 * have caused itself. */
#include "platform/platform.h"
#include "platform/systrap/systrap.h"
#include "platform/systrap/sysmsg.h"
#include "sentry/mm/memfile.h"
#include "lib/log.h"

#include <errno.h>
#include <linux/audit.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <unistd.h>

struct ctx {
	int interrupt;		/* atomic: ctx_interrupt() was called */
	uint64_t running;	/* atomic: pid << 32 | tid while in ctx_switch, else 0 */
	struct as *cur_as;	/* atomic: the address space of cur */
	struct slot *cur;	/* the slot of the last switch */
	struct slot *slots;	/* all its slots, linked by ctx_next (bind_lock) */
	void *fp_pending;	/* ctx_set_fpstate before its first switch */
	size_t fp_pending_size;
};

static pthread_mutex_t bind_lock = PTHREAD_MUTEX_INITIALIZER;

static int systrap_init(void)
{
	systrap_spin_init();
	return systrap_stub_init();
}

static void systrap_as_set_owner(struct as *as, struct mm *mm)
{
	as->owner = mm;
}

static int systrap_set_option(const char *name, const char *value)
{
	if (strcmp(name, "systrap-patch") != 0)
		return -ENOENT;
	if (strcmp(value, "on") == 0)
		systrap_patch_on = true;
	else if (strcmp(value, "off") == 0)
		systrap_patch_on = false;
	else
		return -EINVAL;
	return 0;
}

static uint64_t systrap_max_user_addr(void) { return SYSTRAP_GUEST_MAX; }

static struct as *systrap_as_new(void)
{
	systrap_stub_prefetch();
	struct as *as = calloc(1, sizeof(*as));
	if (as)
		pthread_mutex_init(&as->lock, NULL);
	return as;
}

static void systrap_as_release(struct as *as)
{
	if (!as)
		return;
	pthread_mutex_lock(&bind_lock);
	pthread_mutex_lock(&as->lock);
	for (unsigned i = 0; i < as->nslots; i++) {
		struct slot *sl = as->slots[i];
		struct ctx *c = sl->owner;
		if (!c || c == (struct ctx *)sl)
			continue;
		for (struct slot **p = &c->slots; *p; p = &(*p)->ctx_next)
			if (*p == sl) {
				*p = sl->ctx_next;
				break;
			}
		if (c->cur == sl) {
			__atomic_store_n(&c->cur_as, NULL, __ATOMIC_RELEASE);
			c->cur = NULL;
		}
		/* Its context lives on elsewhere (an exec): no task runs here
		 * any more, so the thread waits in its handler; let it go. */
		systrap_slot_retire(sl);
	}
	systrap_stub_release(as);
	systrap_patch_release(as);
	pthread_mutex_unlock(&as->lock);
	pthread_mutex_unlock(&bind_lock);
	pthread_mutex_destroy(&as->lock);
	free(as);
}

static int as_batch_start(struct as *as, const struct as_op *ops, unsigned n, bool start);

/* Single requests: nothing before the stub starts (nothing is mirrored
 * yet: the first batch or the guest's first touches map the pages). */
static int systrap_as_map(struct as *as, uint64_t addr, uint64_t len, int prot, int fd,
			  uint64_t off)
{
	return as_batch_start(as, &(struct as_op){ .kind = AS_OP_MAP, .addr = addr, .len = len,
						    .prot = prot, .fd = fd, .off = off }, 1, false);
}

static int systrap_as_unmap(struct as *as, uint64_t addr, uint64_t len)
{
	return as_batch_start(as, &(struct as_op){ .kind = AS_OP_UNMAP, .addr = addr,
						    .len = len }, 1, false);
}

/* Record what a request did to the guest range (mirror.h). */
static void track(struct as *as, const struct as_op *o, int64_t ret)
{
	struct mirror *m = &as->mir;
	bool ok = o->kind == AS_OP_MAP ? ret == (int64_t)o->addr : ret == 0;
	if (!ok)
		m->lost = true;
	else if (o->kind == AS_OP_MAP)
		mirror_map(m, o->addr, o->len, o->off, o->prot);
	else if (o->kind == AS_OP_UNMAP)
		mirror_unmap(m, o->addr, o->len);
	else
		mirror_protect(m, o->addr, o->len, o->prot);
}

/* Batches of requests to the map thread (CTL_MAXREQ at a time). An
 * mprotect that fails with ENOMEM met a hole in the mirror (pages never
 * faulted in) and stopped there: the range is unmapped instead, and
 * refaults. */
static int systrap_as_batch(struct as *as, const struct as_op *ops, unsigned n)
{
	return as_batch_start(as, ops, n, true);
}

/* start: a batch of maps may start the stub. */
static int as_batch_start(struct as *as, const struct as_op *ops, unsigned n, bool start)
{
	for (unsigned i = 0; i < n; i++)
		if (ops[i].addr >= SYSTRAP_GUEST_MAX || ops[i].len > SYSTRAP_GUEST_MAX - ops[i].addr)
			return -EINVAL;
	int err = 0;
	struct as_op *own = NULL;
	pthread_mutex_lock(&as->lock);
	/* Mappings before the first switch (a fork child's prefault): the
	 * stub starts now rather than at the first switch. */
	if (start && as->pid <= 0 && n && ops[0].kind == AS_OP_MAP)
		err = systrap_stub_start(as, ops, n);
	if (as->pid > 0 && as->mir.stale) {
		own = malloc((n + as->mir.n + 2) * sizeof(*own));
		if (!own) {
			pthread_mutex_unlock(&as->lock);
			return -ENOMEM;
		}
		uint64_t ks, ke;
		systrap_guest_kept(&ks, &ke);
		n = mirror_settle(&as->mir, ops, n, memfile_fd(), ks, ke, SYSTRAP_GUEST_MAX, own);
		ops = own;
		as->mir.stale = false;
	}
	for (unsigned at = 0; at < n && as->pid > 0;) {
		uint64_t req[CTL_MAXREQ][7];
		int64_t ret[CTL_MAXREQ];
		unsigned k = 0;
		for (; k < CTL_MAXREQ && at + k < n; k++) {
			const struct as_op *o = &ops[at + k];
			req[k][0] = o->kind == AS_OP_MAP ? SYS_mmap :
				    o->kind == AS_OP_UNMAP ? SYS_munmap : SYS_mprotect;
			req[k][1] = o->addr;
			req[k][2] = o->len;
			req[k][3] = (uint64_t)o->prot;
			req[k][4] = MAP_SHARED | MAP_FIXED | (o->populate ? MAP_POPULATE : 0);
			req[k][5] = (uint64_t)o->fd;
			req[k][6] = o->off;
		}
		int r = systrap_stub_call(as, (const uint64_t (*)[7])req, k, ret);
		if (r < 0) {
			as->mir.lost = true;
			err = err ? err : r;
			break;
		}
		unsigned nu = 0;
		uint64_t unmap[CTL_MAXREQ][7];
		int64_t uret[CTL_MAXREQ];
		for (unsigned i = 0; i < k; i++) {
			const struct as_op *o = &ops[at + i];
			int64_t v = ret[i];
			if (req[i][0] == SYS_mprotect && v == -ENOMEM) {
				uint64_t u[7] = { SYS_munmap, o->addr, o->len, 0, 0, 0, 0 };
				memcpy(unmap[nu++], u, sizeof(u));
				continue;
			}
			track(as, o, v);
			if (req[i][0] == SYS_mmap && v == (int64_t)o->addr)
				v = 0;
			if (v < 0 && v > -4096) {
				if (o->kind == AS_OP_MAP)
					log_printf("systrap: map %#lx+%#lx failed: %ld",
						   (unsigned long)o->addr, (unsigned long)o->len, (long)v);
				err = err ? err : (int)v;
			}
		}
		if (nu && (r = systrap_stub_call(as, (const uint64_t (*)[7])unmap, nu, uret)) < 0) {
			as->mir.lost = true;
			err = err ? err : r;
		}
		for (unsigned i = 0; r >= 0 && i < nu; i++)
			track(as, &(struct as_op){ .kind = AS_OP_UNMAP, .addr = unmap[i][1],
						   .len = unmap[i][2] }, uret[i]);
		at += k;
	}
	/* Settling failed part way: the stub's first switch clears it all. */
	if (own && err)
		as->mir.stale = true;
	pthread_mutex_unlock(&as->lock);
	free(own);
	return err;
}

static int systrap_as_protect(struct as *as, uint64_t addr, uint64_t len, int prot)
{
	if (addr >= SYSTRAP_GUEST_MAX || len > SYSTRAP_GUEST_MAX - addr)
		return -EINVAL;
	return systrap_as_batch(as, &(struct as_op){ .kind = AS_OP_PROTECT, .addr = addr,
						      .len = len, .prot = prot }, 1);
}

static struct ctx *systrap_ctx_new(void)
{
	return calloc(1, sizeof(struct ctx));
}

static void systrap_ctx_release(struct ctx *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&bind_lock);
	while (c->slots) {
		struct slot *sl = c->slots;
		c->slots = sl->ctx_next;
		struct as *as = sl->as;
		pthread_mutex_lock(&as->lock);
		systrap_slot_retire(sl);
		pthread_mutex_unlock(&as->lock);
	}
	pthread_mutex_unlock(&bind_lock);
	free(c->fp_pending);
	free(c);
}

static void systrap_ctx_interrupt(struct ctx *c)
{
	__atomic_store_n(&c->interrupt, 1, __ATOMIC_SEQ_CST);
	uint64_t run = __atomic_load_n(&c->running, __ATOMIC_SEQ_CST);
	if (run)
		syscall(SYS_tgkill, (pid_t)(run >> 32), (pid_t)(uint32_t)run,
			SYSTRAP_SIG_INTERRUPT);
}

static int systrap_ctx_set_fpstate(struct ctx *c, const void *buf, size_t size);

/* The slot of c in as: the cached one, one of c's, or a new stub thread
 * (starting the stub first if need be). */
static int bind(struct ctx *c, struct as *as, struct slot **out)
{
	int r = 0;
	struct slot *sl;
	pthread_mutex_lock(&bind_lock);
	/* Moving to another address space (exec after vfork): end the
	 * threads in the old ones, which may live on without this ctx. */
	for (struct slot **p = &c->slots; *p;) {
		sl = *p;
		if (sl->as == as) {
			p = &sl->ctx_next;
			continue;
		}
		*p = sl->ctx_next;
		if (c->cur == sl) {
			__atomic_store_n(&c->cur_as, NULL, __ATOMIC_RELEASE);
			c->cur = NULL;
		}
		pthread_mutex_lock(&sl->as->lock);
		systrap_slot_retire(sl);
		pthread_mutex_unlock(&sl->as->lock);
	}
	sl = c->slots;
	if (!sl) {
		pthread_mutex_lock(&as->lock);
		if (as->pid <= 0)
			r = systrap_stub_start(as, NULL, 0);
		/* No batch came first: nothing of an earlier owner's stays. */
		if (r == 0 && as->mir.stale)
			r = systrap_guest_clear(as);
		if (r == 0)
			r = systrap_slot_spawn(as, c, &sl);
		pthread_mutex_unlock(&as->lock);
		if (r == 0) {
			sl->ctx_next = c->slots;
			c->slots = sl;
		}
	}
	if (r == 0) {
		c->cur = sl;
		__atomic_store_n(&c->cur_as, as, __ATOMIC_RELEASE);
		*out = sl;
	}
	pthread_mutex_unlock(&bind_lock);
	if (r == 0 && c->fp_pending) {
		systrap_ctx_set_fpstate(c, c->fp_pending, c->fp_pending_size);
		free(c->fp_pending);
		c->fp_pending = NULL;
	}
	return r;
}

/* user_regs_struct <-> uc_mcontext.gregs */
/* The gs base the stub thread runs with: the guest's, or its message
 * page while the guest's is 0 and trampolines may run (stub.S). */
static uint64_t gs_for(const struct slot *sl, const struct user_regs_struct *r)
{
	if (r->gs_base == 0 && systrap_patch_on && !sl->as->patch_off)
		return systrap_slot_addr(sl);
	return r->gs_base;
}

static void regs_out(volatile uint8_t *msg, const struct slot *sl,
		     const struct user_regs_struct *r)
{
	uint64_t gs = gs_for(sl, r);
	uint64_t g[MSG_NGREGS_IN];
	g[REG_R8] = r->r8; g[REG_R9] = r->r9; g[REG_R10] = r->r10; g[REG_R11] = r->r11;
	g[REG_R12] = r->r12; g[REG_R13] = r->r13; g[REG_R14] = r->r14; g[REG_R15] = r->r15;
	g[REG_RDI] = r->rdi; g[REG_RSI] = r->rsi; g[REG_RBP] = r->rbp; g[REG_RBX] = r->rbx;
	g[REG_RDX] = r->rdx; g[REG_RAX] = r->rax; g[REG_RCX] = r->rcx; g[REG_RSP] = r->rsp;
	g[REG_RIP] = r->rip; g[REG_EFL] = r->eflags;
	memcpy((void *)(msg + MSG_GREGS), g, sizeof(g));
	memcpy((void *)(msg + MSG_FS_BASE), &r->fs_base, 8);
	memcpy((void *)(msg + MSG_GS_BASE), &gs, 8);
}

static void regs_in(const uint64_t *g, struct user_regs_struct *r)
{
	r->r8 = g[REG_R8]; r->r9 = g[REG_R9]; r->r10 = g[REG_R10]; r->r11 = g[REG_R11];
	r->r12 = g[REG_R12]; r->r13 = g[REG_R13]; r->r14 = g[REG_R14]; r->r15 = g[REG_R15];
	r->rdi = g[REG_RDI]; r->rsi = g[REG_RSI]; r->rbp = g[REG_RBP]; r->rbx = g[REG_RBX];
	r->rdx = g[REG_RDX]; r->rax = g[REG_RAX]; r->rcx = g[REG_RCX]; r->rsp = g[REG_RSP];
	r->rip = g[REG_RIP]; r->eflags = g[REG_EFL];
	r->orig_rax = (uint64_t)-1;
	/* fs/gs bases and selectors stay as the sentry set them. */
}

/* Turn the handler's report (a snapshot of the message page) into an
 * event and registers. */
static void report_in(const uint8_t *m, struct user_regs_struct *regs, struct ctx_exit *out)
{
	uint32_t signo, arch;
	int32_t code, nr;
	uint64_t addr, g[MSG_NGREGS];
	memcpy(&signo, m + MSG_SIGNO, 4);
	memcpy(&code, m + MSG_SICODE, 4);
	memcpy(&arch, m + MSG_SIARCH, 4);
	memcpy(&nr, m + MSG_SISYSCALL, 4);
	memcpy(&addr, m + MSG_SIADDR, 8);
	memcpy(g, m + MSG_GREGS, sizeof(g));
	regs_in(g, regs);
	out->signo = (int)signo;
	out->si_code = code;
	out->fault_addr = addr;
	switch (signo) {
	case SIGSYS:
		if (arch != AUDIT_ARCH_X86_64) {
			out->event = CTX_SIGNAL;	/* int $0x80 and the like */
			break;
		}
		out->event = CTX_SYSCALL;
		/* After SECCOMP_RET_TRAP rax holds the number again, unless
		 * it looked like -ERESTART* and signal delivery rewound rip. */
		if (g[REG_RIP] == addr) {
			regs->orig_rax = g[REG_RAX];
		} else {
			regs->orig_rax = (uint64_t)(int64_t)nr;
			regs->rip = addr;
		}
		regs->rax = (uint64_t)-ENOSYS;
		out->fault_addr = 0;
		break;
	case SYSTRAP_SIG_INTERRUPT:
		out->event = CTX_INTERRUPTED;
		break;
	case SIGSEGV:
		if (code == SEGV_MAPERR || code == SEGV_ACCERR) {
			uint64_t err = g[REG_ERR];
			out->event = CTX_FAULT;
			out->access = (err & 0x10) ? ACCESS_EXEC :
				      (err & 0x2) ? ACCESS_WRITE : ACCESS_READ;
		} else {
			out->event = CTX_SIGNAL;
		}
		break;
	case SIGBUS:
		out->event = code > 0 && code != SI_KERNEL ? CTX_FAULT : CTX_SIGNAL;
		break;
	case SIGFPE:
	case SIGILL:
	case SIGTRAP:
		out->event = CTX_SIGNAL;
		break;
	default:
		/* The handler serves no other signal: a forged report. */
		out->event = CTX_SIGNAL;
		out->signo = SIGSEGV;
		out->si_code = SI_KERNEL;
		break;
	}
}

/* A thread stopped in a trampoline has no signal frame: make it re-report
 * through the handler (tramp_convert), which gives it one, with the FP
 * state the guest had. */
static int convert(struct slot *sl)
{
	if (!sl->via_tramp)
		return 0;
	volatile uint8_t *msg = sl->page[0];
	volatile uint32_t *state = (volatile uint32_t *)(msg + MSG_STATE);
	__atomic_exchange_n(state, MSG_ST_CONVERT, __ATOMIC_SEQ_CST);
	if (__atomic_load_n((volatile uint32_t *)(msg + MSG_STUB_SLEEP), __ATOMIC_SEQ_CST))
		systrap_wake(state);
	int r = systrap_wait(sl->as->pid, sl->tid, state, MSG_ST_SENTRY,
			     (volatile uint32_t *)(msg + MSG_SENTRY_SLEEP));
	if (r < 0)
		return r;
	sl->via_tramp = *(volatile uint32_t *)(msg + MSG_VIA) != 0;
	return sl->via_tramp ? -EFAULT : 0;
}

static int systrap_ctx_switch(struct ctx *c, struct as *as, struct user_regs_struct *regs,
			      struct ctx_exit *out)
{
	memset(out, 0, sizeof(*out));
	struct slot *sl = c->cur;
	if (__atomic_load_n(&c->cur_as, __ATOMIC_ACQUIRE) != as || !sl) {
		int r = bind(c, as, &sl);
		if (r < 0)
			return r;
	}
	if (__atomic_exchange_n(&c->interrupt, 0, __ATOMIC_SEQ_CST)) {
		out->event = CTX_INTERRUPTED;
		return 0;
	}
	pid_t pid = as->pid, tid = sl->tid;
	volatile uint8_t *msg = sl->page[0];
	volatile uint32_t *state = (volatile uint32_t *)(msg + MSG_STATE);
	/* A guest gs base of its own: trampolines cannot find the message
	 * page, so this address space's patches go. */
	if (regs->gs_base != 0 && systrap_patch_on && !as->patch_off)
		systrap_patch_disable(as);
	/* The trampoline's way back restores neither the gs base nor a trap
	 * flag: those go back through a signal frame. */
	if (sl->via_tramp) {
		uint64_t host_gs;
		memcpy(&host_gs, (const void *)(msg + MSG_HOST_GS), 8);
		if ((regs->eflags & 0x100) || gs_for(sl, regs) != host_gs) {
			int r = convert(sl);
			if (r < 0)
				return r;
		}
	}
	regs_out(msg, sl, regs);
	*(volatile uint32_t *)(msg + MSG_INTR) = 0;
	__atomic_store_n(&c->running, (uint64_t)pid << 32 | (uint32_t)tid, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->interrupt, __ATOMIC_SEQ_CST))
		syscall(SYS_tgkill, pid, tid, SYSTRAP_SIG_INTERRUPT);
	/* Hand the turn to the stub; wake it if it sleeps (spin.c). */
	uint32_t sspin, spin = systrap_spin_before(sl, msg, &sspin);
	*(volatile uint32_t *)(msg + MSG_SPIN) = sspin;
	__atomic_exchange_n(state, MSG_ST_RUN, __ATOMIC_SEQ_CST);
	uint32_t stub_slept = __atomic_load_n((volatile uint32_t *)(msg + MSG_STUB_SLEEP),
					      __ATOMIC_SEQ_CST);
	if (stub_slept)
		systrap_wake(state);
	spin = systrap_spin_handed(sl, stub_slept, sspin, spin);
	bool slept;
	int r = systrap_wait_spin(pid, tid, state, MSG_ST_SENTRY,
				  (volatile uint32_t *)(msg + MSG_SENTRY_SLEEP), spin, &slept);
	systrap_spin_waited(sl, spin, slept);
	__atomic_store_n(&c->running, 0, __ATOMIC_SEQ_CST);
	if (r < 0)
		return r;
	uint8_t snap[MSG_GREGS + 8 * MSG_NGREGS];
	memcpy(snap, (const void *)msg, sizeof(snap));
	uint32_t via;
	memcpy(&via, snap + MSG_VIA, 4);
	sl->via_tramp = via != 0;
	report_in(snap, regs, out);
	if (!sl->via_tramp && systrap_patch_on) {
		if (out->event == CTX_SYSCALL) {
			systrap_patch_trap(as, regs);
		} else if (out->event == CTX_SIGNAL && out->signo == SIGILL &&
			   systrap_patch_sigill(as, regs)) {
			memset(out, 0, sizeof(*out));
			out->event = CTX_SYSCALL;
		}
	}
	if (out->event == CTX_INTERRUPTED)
		__atomic_store_n(&c->interrupt, 0, __ATOMIC_SEQ_CST);
	return 0;
}

/* --- FP state --------------------------------------------------------------
 * The handler's ucontext is on the slot's signal stack; its fpstate
 * pointer leads to the XSAVE image the kernel saved there (64-byte
 * aligned, standard format, fx_sw_bytes in bytes 464..511 giving its
 * size). Every pointer and size is checked against the slot. */

#define UC_FPREGS		224	/* uc_mcontext.fpregs */
#define FX_SW_OFF		464
#define FX_SW_MAGIC1		0x46505853U
#define FX_SW_XSTATE_SIZE	(FX_SW_OFF + 16)
#define FXSAVE_SIZE		512
#define XSAVE_HDR_SIZE		64

static int fp_locate(struct slot *sl, uint64_t *fp, uint32_t *xsize)
{
	uint64_t base = systrap_slot_addr(sl), end = base + STUB_SLOT_SIZE, uc;
	memcpy(&uc, (const void *)(sl->page[0] + MSG_UCTX), sizeof(uc));
	if (uc < base + STUB_PAGE || uc > end - 512)
		return -EFAULT;
	if (systrap_slot_read(sl, uc + UC_FPREGS, fp, sizeof(*fp)) < 0)
		return -EFAULT;
	if (*fp % 64 || *fp < base + STUB_PAGE || *fp > end - FXSAVE_SIZE)
		return -EFAULT;
	uint32_t magic, size;
	systrap_slot_read(sl, *fp + FX_SW_OFF, &magic, sizeof(magic));
	systrap_slot_read(sl, *fp + FX_SW_XSTATE_SIZE, &size, sizeof(size));
	if (magic == FX_SW_MAGIC1 && size >= FXSAVE_SIZE + XSAVE_HDR_SIZE &&
	    size <= end - *fp)
		*xsize = size;
	else
		*xsize = FXSAVE_SIZE;
	return 0;
}

static int systrap_ctx_get_fpstate(struct ctx *c, void *buf, size_t size)
{
	struct slot *sl = c->cur;
	uint64_t fp;
	uint32_t xsize;
	if (!sl)
		return -ESRCH;
	if (size < FXSAVE_SIZE)
		return -EINVAL;
	if (convert(sl) < 0 || fp_locate(sl, &fp, &xsize) < 0)
		return -EFAULT;
	size_t n = size < xsize ? size : xsize;
	systrap_slot_read(sl, fp, buf, n);
	memset((uint8_t *)buf + n, 0, size - n);
	return (int)n;
}

/* The image replaces the frame's, except the software-reserved bytes,
 * which stay the kernel's own (they describe the frame, not the state).
 * Bad contents make the stub's rt_sigreturn fail: the guest gets SIGSEGV,
 * as on Linux. */
static int systrap_ctx_set_fpstate(struct ctx *c, const void *buf, size_t size)
{
	struct slot *sl = c->cur;
	uint64_t fp;
	uint32_t xsize;
	if (size < FXSAVE_SIZE)
		return -EINVAL;
	if (!sl) {
		/* Not switched yet: the first switch loads it. */
		void *copy = malloc(size);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, buf, size);
		free(c->fp_pending);
		c->fp_pending = copy;
		c->fp_pending_size = size;
		return 0;
	}
	if (convert(sl) < 0 || fp_locate(sl, &fp, &xsize) < 0)
		return -EFAULT;
	size_t n = size < xsize ? size : xsize;
	systrap_slot_write(sl, fp, buf, FX_SW_OFF);
	if (n > FXSAVE_SIZE)
		systrap_slot_write(sl, fp + FXSAVE_SIZE, (const uint8_t *)buf + FXSAVE_SIZE,
				   n - FXSAVE_SIZE);
	return 0;
}

void systrap_fp_reset(struct slot *sl)
{
	uint64_t fp;
	uint32_t xsize;
	if (fp_locate(sl, &fp, &xsize) < 0)
		return;
	uint8_t img[FXSAVE_SIZE + XSAVE_HDR_SIZE];
	memset(img, 0, sizeof(img));
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = 0x1f80;
	memcpy(img, &fcw, sizeof(fcw));
	memcpy(img + 24, &mxcsr, sizeof(mxcsr));
	/* XSTATE_BV = 0: every component in its initial state. */
	systrap_slot_write(sl, fp, img, FX_SW_OFF);
	if (xsize > FXSAVE_SIZE)
		systrap_slot_write(sl, fp + FXSAVE_SIZE, img + FXSAVE_SIZE, XSAVE_HDR_SIZE);
}

extern const struct host_list systrap_host_syscalls;
size_t systrap_host_exec_sites(struct host_range *r, size_t max);

const struct platform_ops systrap_platform_ops = {
	.name = "systrap",
	.init = systrap_init,
	.prefetch = systrap_stub_prefetch,	/* the zygote and a first stub */
	.max_user_addr = systrap_max_user_addr,
	.as_new = systrap_as_new,
	.as_release = systrap_as_release,
	.as_map = systrap_as_map,
	.as_unmap = systrap_as_unmap,
	.as_protect = systrap_as_protect,
	.ctx_new = systrap_ctx_new,
	.ctx_release = systrap_ctx_release,
	.ctx_switch = systrap_ctx_switch,
	.ctx_interrupt = systrap_ctx_interrupt,
	.ctx_get_fpstate = systrap_ctx_get_fpstate,
	.ctx_set_fpstate = systrap_ctx_set_fpstate,
	.as_set_owner = systrap_as_set_owner,
	.as_reserved = systrap_patch_reserved,
	.set_option = systrap_set_option,
	.as_batch = systrap_as_batch,
	.host_syscalls = &systrap_host_syscalls,
	.host_exec_sites = systrap_host_exec_sites,
};
