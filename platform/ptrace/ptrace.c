/* platform/ptrace/ptrace.c: the ptrace platform's operations.
 *
 * Guest code runs in stub threads under PTRACE_SYSEMU, so every syscall
 * instruction stops in the sentry without reaching the host kernel.
 * Mapping requests are host syscalls injected at the stub's code page
 * (ptrace_stub.c). Faults arrive as SIGSEGV/SIGBUS signal-delivery stops
 * and are suppressed after the sentry handles them. ctx_interrupt() sends
 * the stub thread a host signal (SIGURG) that its tracer swallows. */
#include "platform/platform.h"
#include "platform/ptrace/ptrace_stub.h"
#include "lib/log.h"

#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE 4096UL
/* Guest addresses stay below this; the stub page sits just above. */
#define GUEST_MAX 0x7ff000000000UL
#define SIG_INTERRUPT SIGURG

extern const char ptrace_stub_start[], ptrace_stub_end[], ptrace_stub_syscall[],
	ptrace_stub_clone[];

uint64_t ptrace_stub_page, ptrace_syscall_addr, ptrace_clone_addr;

static int ptrace_init(void)
{
	size_t len = (size_t)(ptrace_stub_end - ptrace_stub_start);
	if (len > PAGE)
		return -E2BIG;
	for (uint64_t at = GUEST_MAX; at < GUEST_MAX + (1UL << 35); at += 1UL << 24) {
		void *p = mmap((void *)at, PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			continue;
		if ((uint64_t)p != at) {
			munmap(p, PAGE);
			continue;
		}
		memcpy(p, ptrace_stub_start, len);
		if (mprotect(p, PAGE, PROT_READ | PROT_EXEC) < 0)
			return -errno;
		ptrace_stub_page = at;
		ptrace_syscall_addr = at + (uint64_t)(ptrace_stub_syscall - ptrace_stub_start);
		ptrace_clone_addr = at + (uint64_t)(ptrace_stub_clone - ptrace_stub_start);
		return 0;
	}
	return -ENOMEM;
}

static uint64_t ptrace_max_user_addr(void) { return GUEST_MAX; }

struct as *as_alloc(void)
{
	struct as *as = calloc(1, sizeof(*as));
	if (!as)
		return NULL;
	pthread_mutex_init(&as->lock, NULL);
	pthread_cond_init(&as->cond, NULL);
	return as;
}

void as_free(struct as *as)
{
	pthread_cond_destroy(&as->cond);
	pthread_mutex_destroy(&as->lock);
	free(as);
}

static struct as *ptrace_as_new(void)
{
	struct as *as = as_pool_take();
	return as ? as : as_alloc();
}

static void ptrace_as_release(struct as *as)
{
	if (!as)
		return;
	/* Kill the stub and reap our own tracee first: the service thread
	 * cannot reap the stub process while a traced thread of it is a
	 * zombie waiting for its tracer. */
	pthread_mutex_lock(&as->lock);
	pid_t pid = as->pid;
	as->quit = true;
	pthread_cond_broadcast(&as->cond);
	bool running = as->service_running;
	pthread_mutex_unlock(&as->lock);
	if (pid > 0)
		kill(pid, SIGKILL);
	pid_t me = ptrace_gettid();
	for (struct stub_thread *st = as->threads, *next; st; st = next) {
		next = st->next;
		if (st->tracer == me)
			ptrace_wait(st->tid);
		if (st->ctx && st->ctx->st == st) {
			st->ctx->st = NULL;
			st->ctx->as = NULL;
		}
		free(st);
	}
	if (running) {
		/* It reaps the stub; unless it is done already, it frees as
		 * too, without us waiting for it. */
		pthread_t service = as->service;
		pthread_mutex_lock(&as->lock);
		as->threads = NULL;
		bool done = as->service_done;
		as->orphan = !done;
		pthread_mutex_unlock(&as->lock);
		if (!done) {
			pthread_detach(service);
			return;
		}
		pthread_join(service, NULL);
	}
	as_free(as);
}

static int ptrace_as_map(struct as *as, uint64_t addr, uint64_t len, int prot,
			 int fd, uint64_t off)
{
	const uint64_t a[6] = { addr, len, (uint64_t)prot, MAP_SHARED | MAP_FIXED,
				(uint64_t)fd, off };
	long r = as_syscall(as, SYS_mmap, a);
	if (r < 0 && r > -4096) {
		log_printf("ptrace: map %#lx+%#lx failed: %ld", (unsigned long)addr,
			   (unsigned long)len, r);
		return (int)r;
	}
	return 0;
}

static int ptrace_as_unmap(struct as *as, uint64_t addr, uint64_t len)
{
	const uint64_t a[6] = { addr, len };
	return (int)as_syscall(as, SYS_munmap, a);
}

static int ptrace_as_protect(struct as *as, uint64_t addr, uint64_t len, int prot)
{
	const uint64_t a[6] = { addr, len, (uint64_t)prot };
	long r = as_syscall(as, SYS_mprotect, a);
	if (r == -ENOMEM) {
		/* A hole in the range (never faulted in): mprotect stopped
		 * there; the range refaults instead. */
		const uint64_t u[6] = { addr, len };
		r = as_syscall(as, SYS_munmap, u);
	}
	return (int)r;
}

static struct ctx *ptrace_ctx_new(void)
{
	return calloc(1, sizeof(struct ctx));
}

static void ptrace_ctx_release(struct ctx *c)
{
	if (c->st && c->as)
		stub_thread_exit(c->as, c->st);
	free(c->fp_pending);
	free(c);
}

static void ptrace_ctx_interrupt(struct ctx *c)
{
	__atomic_store_n(&c->interrupt, 1, __ATOMIC_SEQ_CST);
	pid_t tid = __atomic_load_n(&c->running, __ATOMIC_SEQ_CST);
	pid_t pid = __atomic_load_n(&c->process, __ATOMIC_SEQ_CST);
	if (tid > 0)
		syscall(SYS_tgkill, pid, tid, SIG_INTERRUPT);
}

static void fill_fault(pid_t tid, int sig, struct ctx_exit *out)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	ptrace(PTRACE_GETSIGINFO, tid, 0, &si);
	out->signo = sig;
	out->si_code = si.si_code;
	out->fault_addr = (uint64_t)si.si_addr;
	out->access = 0;
	/* Page faults carry SEGV_MAPERR/ACCERR or BUS_*; a general protection
	 * fault is SI_KERNEL and is a plain signal. */
	if ((sig == SIGSEGV && (si.si_code == SEGV_MAPERR || si.si_code == SEGV_ACCERR)) ||
	    (sig == SIGBUS && si.si_code > 0 && si.si_code != SI_KERNEL))
		out->event = CTX_FAULT;
	else
		out->event = CTX_SIGNAL;
}

static void set_running(struct ctx *c, pid_t process, pid_t tid)
{
	__atomic_store_n(&c->process, process, __ATOMIC_SEQ_CST);
	__atomic_store_n(&c->running, tid, __ATOMIC_SEQ_CST);
}

static int ptrace_ctx_switch(struct ctx *c, struct as *as,
			     struct user_regs_struct *regs, struct ctx_exit *out)
{
	memset(out, 0, sizeof(*out));
	/* Moving to another address space (exec after vfork): end our
	 * thread in the old one, or our exit would EXITKILL its process. */
	if (c->st && c->as && c->as != as) {
		stub_thread_exit(c->as, c->st);
		c->st = NULL;
		c->as = NULL;
	}
	int err;
	struct stub_thread *st = as_thread(as, c, true, &err);
	if (!st)
		return err;
	c->st = st;
	c->as = as;
	pid_t tid = st->tid;
	if (c->fp_pending) {
		/* The FP state given before the first switch (fork, clone). */
		struct iovec iov = { c->fp_pending, c->fp_pending_size };
		ptrace(PTRACE_SETREGSET, tid, (void *)NT_X86_XSTATE, &iov);
		free(c->fp_pending);
		c->fp_pending = NULL;
	}
	if (__atomic_exchange_n(&c->interrupt, 0, __ATOMIC_SEQ_CST)) {
		out->event = CTX_INTERRUPTED;
		return 0;
	}
	/* orig_rax -1: a stop inside an interrupted host syscall must not
	 * be restarted by the host kernel. */
	struct user_regs_struct r = *regs;
	r.orig_rax = (uint64_t)-1;
	if (ptrace(PTRACE_SETREGS, tid, 0, &r) < 0)
		return -errno;
	ptrace_bind_cpu(st->tid, &st->cpu);
	set_running(c, as->pid, tid);
	if (__atomic_load_n(&c->interrupt, __ATOMIC_SEQ_CST))
		syscall(SYS_tgkill, as->pid, tid, SIG_INTERRUPT);
	if (ptrace(PTRACE_SYSEMU, tid, 0, 0) < 0) {
		set_running(c, 0, 0);
		return -errno;
	}
	for (;;) {
		int sig = ptrace_wait(tid);
		if (sig < 0) {
			set_running(c, 0, 0);
			return sig;
		}
		if (sig == (SIGTRAP | 0x80)) {
			out->event = CTX_SYSCALL;
		} else if (sig == SIG_INTERRUPT) {
			__atomic_store_n(&c->interrupt, 0, __ATOMIC_SEQ_CST);
			out->event = CTX_INTERRUPTED;
		} else if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
			   sig == SIGTTOU || sig == SIGCHLD || sig == SIGWINCH ||
			   sig == SIGPIPE) {
			/* Host job control or stray host signals: not the guest's. */
			if (ptrace(PTRACE_SYSEMU, tid, 0, 0) < 0) {
				set_running(c, 0, 0);
				return -errno;
			}
			continue;
		} else {
			fill_fault(tid, sig, out);
		}
		break;
	}
	set_running(c, 0, 0);
	if (ptrace(PTRACE_GETREGS, tid, 0, regs) < 0)
		return -errno;
	return 0;
}

static int ptrace_ctx_get_fpstate(struct ctx *c, void *buf, size_t size)
{
	struct iovec iov = { buf, size };
	if (!c->st)
		return -ESRCH;
	if (ptrace(PTRACE_GETREGSET, c->st->tid, (void *)NT_X86_XSTATE, &iov) < 0)
		return -errno;
	return (int)iov.iov_len;
}

static int ptrace_ctx_set_fpstate(struct ctx *c, const void *buf, size_t size)
{
	struct iovec iov = { (void *)buf, size };
	if (!c->st) {
		/* Not started: keep it for the first switch. */
		void *copy = malloc(size);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, buf, size);
		free(c->fp_pending);
		c->fp_pending = copy;
		c->fp_pending_size = size;
		return 0;
	}
	if (ptrace(PTRACE_SETREGSET, c->st->tid, (void *)NT_X86_XSTATE, &iov) < 0)
		return -errno;
	return 0;
}

extern const struct host_list ptrace_host_syscalls;
size_t ptrace_host_exec_sites(struct host_range *r, size_t max);

const struct platform_ops ptrace_platform_ops = {
	.name = "ptrace",
	.init = ptrace_init,
	.prefetch = as_pool_prefetch,	/* the first stub, while the program loads */
	.max_user_addr = ptrace_max_user_addr,
	.as_new = ptrace_as_new,
	.as_release = ptrace_as_release,
	.as_map = ptrace_as_map,
	.as_unmap = ptrace_as_unmap,
	.as_protect = ptrace_as_protect,
	.ctx_new = ptrace_ctx_new,
	.ctx_release = ptrace_ctx_release,
	.ctx_switch = ptrace_ctx_switch,
	.ctx_interrupt = ptrace_ctx_interrupt,
	.ctx_get_fpstate = ptrace_ctx_get_fpstate,
	.ctx_set_fpstate = ptrace_ctx_set_fpstate,
	.host_syscalls = &ptrace_host_syscalls,
	.host_exec_sites = ptrace_host_exec_sites,
};
