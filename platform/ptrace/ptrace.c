/* platform/ptrace/ptrace.c: the ptrace platform.
 *
 * Each address space is a stub process forked from the sentry by the host
 * thread that first uses it; that thread is its tracer (PTRACE_TRACEME,
 * PTRACE_O_EXITKILL). The stub unmaps everything but its code page (see
 * stub.S). Guest code runs under PTRACE_SYSEMU, so every syscall
 * instruction stops in the sentry without reaching the host kernel.
 * Mapping requests are host syscalls injected at the stub's code page.
 * Faults arrive as SIGSEGV/SIGBUS signal-delivery stops and are suppressed
 * after the sentry handles them. ctx_interrupt() sends the stub a host
 * signal (SIGURG) that the tracer swallows. */
#include "platform/platform.h"
#include "lib/log.h"
#include "sentry/mm/memfile.h"

#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL
/* Guest addresses stay below this; the stub page sits just above. */
#define GUEST_MAX 0x7ff000000000UL
#define USER_TOP  0x7ffffffff000UL
#define SIG_INTERRUPT SIGURG

extern const char ptrace_stub_start[], ptrace_stub_end[], ptrace_stub_syscall[];

static uint64_t stub_page;		/* address of the code page */
static uint64_t stub_syscall_addr;	/* the injected syscall instruction */

struct as {
	pid_t pid;		/* stub process; 0 until first use */
	pid_t tracer;		/* host tid of the sentry thread tracing it */
};

struct ctx {
	int interrupt;		/* atomic: ctx_interrupt() was called */
	pid_t running;		/* stub tid while in ctx_switch, else 0 */
	pid_t tid;		/* stub thread of the last switch */
};

static pid_t gettid_host(void) { return (pid_t)syscall(SYS_gettid); }

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
		stub_page = at;
		stub_syscall_addr = at + (uint64_t)(ptrace_stub_syscall - ptrace_stub_start);
		return 0;
	}
	return -ENOMEM;
}

static uint64_t ptrace_max_user_addr(void) { return GUEST_MAX; }

/* Fork a stub from the calling thread and wait for its first stop. */
static int stub_start(struct as *as)
{
	pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* The child: raw syscalls only, then into the stub page. Its
		 * rseq area (glibc's, in TLS) is about to be unmapped: the
		 * kernel would kill it with SIGSEGV on the next preemption. */
		if (__rseq_size > 0) {
			void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
			if (syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) < 0)
				syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
		}
		/* Keep only the memory file: nothing else of the sentry's. */
		int mfd = memfile_fd();
		if (mfd > 0)
			syscall(SYS_close_range, 0, mfd - 1, 0);
		syscall(SYS_close_range, mfd + 1, ~0U, 0);
		syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		syscall(SYS_setsid);
		/* Already traced (a debugger with follow-fork): give up. */
		if (syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0) < 0)
			syscall(SYS_exit_group, 126);
		__asm__ volatile("jmp *%0"
				 :: "r"(stub_page), "D"(stub_page), "S"(stub_page + PAGE),
				    "d"(USER_TOP)
				 : "memory");
		__builtin_unreachable();
	}
	int status;
	if (waitpid(pid, &status, __WALL) != pid || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != SIGSTOP) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		log_printf("ptrace: stub %d did not start (status 0x%x)", pid, status);
		return -ECHILD;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, 0,
		   PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0) {
		int err = errno;
		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		return -err;
	}
	as->pid = pid;
	as->tracer = gettid_host();
	return 0;
}

static struct as *ptrace_as_new(void)
{
	return calloc(1, sizeof(struct as));
}

static void ptrace_as_release(struct as *as)
{
	if (!as)
		return;
	if (as->pid > 0) {
		int status;
		kill(as->pid, SIGKILL);
		waitpid(as->pid, &status, __WALL);
	}
	free(as);
}

/* Wait for the stub to stop. Returns the stop signal (with 0x80 for
 * syscall stops), or -ESRCH if it died. */
static int stub_wait(pid_t pid)
{
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, __WALL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != pid)
			return -ESRCH;
		if (WIFSTOPPED(status))
			return WSTOPSIG(status);
		return -ESRCH;	/* exited or killed */
	}
}

/* Run one host syscall inside the stub; the stub must be stopped and
 * traced by this thread. The guest's registers are not preserved: every
 * ctx_switch sets them anew. */
static long stub_syscall(struct as *as, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
			 uint64_t a4, uint64_t a5, uint64_t a6)
{
	if (as->pid == 0)
		return 0;	/* not started: nothing mirrored yet */
	if (as->tracer != gettid_host()) {
		log_printf("ptrace: address space %d used from a thread that does not trace it",
			   as->pid);
		return -EPERM;
	}
	struct user_regs_struct r;
	if (ptrace(PTRACE_GETREGS, as->pid, 0, &r) < 0)
		return -errno;
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1;
	r.rdi = a1; r.rsi = a2; r.rdx = a3; r.r10 = a4; r.r8 = a5; r.r9 = a6;
	r.rip = stub_syscall_addr;
	if (ptrace(PTRACE_SETREGS, as->pid, 0, &r) < 0)
		return -errno;
	if (ptrace(PTRACE_CONT, as->pid, 0, 0) < 0)
		return -errno;
	for (;;) {
		int sig = stub_wait(as->pid);
		if (sig < 0)
			return sig;
		if (sig == SIGTRAP)
			break;
		/* An interrupt that raced with us: keep it for ctx_switch. */
		if (sig == SIG_INTERRUPT) {
			ptrace(PTRACE_CONT, as->pid, 0, 0);
			continue;
		}
		log_printf("ptrace: stub %d stopped by signal %d during injected syscall %ld",
			   as->pid, sig, nr);
		return -EFAULT;
	}
	errno = 0;
	long ret = ptrace(PTRACE_PEEKUSER, as->pid,
			  (void *)offsetof(struct user_regs_struct, rax), 0);
	if (errno)
		return -errno;
	return ret;
}

static int ptrace_as_map(struct as *as, uint64_t addr, uint64_t len, int prot,
			 int fd, uint64_t off)
{
	long r = stub_syscall(as, SYS_mmap, addr, len, (uint64_t)prot,
			      MAP_SHARED | MAP_FIXED, (uint64_t)fd, off);
	if (r < 0 && r > -4096) {
		log_printf("ptrace: map %#lx+%#lx failed: %ld", (unsigned long)addr,
			   (unsigned long)len, r);
		return (int)r;
	}
	return 0;
}

static int ptrace_as_unmap(struct as *as, uint64_t addr, uint64_t len)
{
	return (int)stub_syscall(as, SYS_munmap, addr, len, 0, 0, 0, 0);
}

static int ptrace_as_protect(struct as *as, uint64_t addr, uint64_t len, int prot)
{
	return (int)stub_syscall(as, SYS_mprotect, addr, len, (uint64_t)prot, 0, 0, 0);
}

static struct ctx *ptrace_ctx_new(void)
{
	return calloc(1, sizeof(struct ctx));
}

static void ptrace_ctx_release(struct ctx *c)
{
	free(c);
}

static void ptrace_ctx_interrupt(struct ctx *c)
{
	__atomic_store_n(&c->interrupt, 1, __ATOMIC_SEQ_CST);
	pid_t pid = __atomic_load_n(&c->running, __ATOMIC_SEQ_CST);
	if (pid > 0)
		kill(pid, SIG_INTERRUPT);
}

static void fill_fault(struct as *as, int sig, struct ctx_exit *out)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	ptrace(PTRACE_GETSIGINFO, as->pid, 0, &si);
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

static int ptrace_ctx_switch(struct ctx *c, struct as *as,
			     struct user_regs_struct *regs, struct ctx_exit *out)
{
	memset(out, 0, sizeof(*out));
	if (as->pid == 0) {
		int r = stub_start(as);
		if (r < 0)
			return r;
	}
	if (as->tracer != gettid_host())
		return -EPERM;
	if (__atomic_exchange_n(&c->interrupt, 0, __ATOMIC_SEQ_CST)) {
		out->event = CTX_INTERRUPTED;
		return 0;
	}
	if (ptrace(PTRACE_SETREGS, as->pid, 0, regs) < 0)
		return -errno;
	c->tid = as->pid;
	__atomic_store_n(&c->running, as->pid, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->interrupt, __ATOMIC_SEQ_CST))
		kill(as->pid, SIG_INTERRUPT);
	if (ptrace(PTRACE_SYSEMU, as->pid, 0, 0) < 0) {
		__atomic_store_n(&c->running, 0, __ATOMIC_SEQ_CST);
		return -errno;
	}
	for (;;) {
		int sig = stub_wait(as->pid);
		if (sig < 0) {
			__atomic_store_n(&c->running, 0, __ATOMIC_SEQ_CST);
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
			if (ptrace(PTRACE_SYSEMU, as->pid, 0, 0) < 0)
				return -errno;
			continue;
		} else {
			fill_fault(as, sig, out);
		}
		break;
	}
	__atomic_store_n(&c->running, 0, __ATOMIC_SEQ_CST);
	if (ptrace(PTRACE_GETREGS, as->pid, 0, regs) < 0)
		return -errno;
	return 0;
}

static int ptrace_ctx_get_fpstate(struct ctx *c, void *buf, size_t size)
{
	struct iovec iov = { buf, size };
	if (c->tid == 0)
		return -ESRCH;
	if (ptrace(PTRACE_GETREGSET, c->tid, (void *)NT_X86_XSTATE, &iov) < 0)
		return -errno;
	return (int)iov.iov_len;
}

static int ptrace_ctx_set_fpstate(struct ctx *c, const void *buf, size_t size)
{
	struct iovec iov = { (void *)buf, size };
	if (c->tid == 0)
		return -ESRCH;
	if (ptrace(PTRACE_SETREGSET, c->tid, (void *)NT_X86_XSTATE, &iov) < 0)
		return -errno;
	return 0;
}

const struct platform_ops ptrace_platform_ops = {
	.name = "ptrace",
	.init = ptrace_init,
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
};
