/* platform/systrap/stub.c: systrap stub processes: creating one, killing
 * it, and running host syscalls in its map thread.
 *
 * A stub is cloned from the sentry thread that first runs the address
 * space (like the ptrace platform's), with PDEATHSIG, its own session and
 * glibc's rseq area unregistered. Still in C (a copy of the sentry), the
 * child maps the shared pages of its stub region from the memory file and
 * its signal stack, installs the stub's signal handlers, blocks every
 * signal, sets no_new_privs and closes every fd but the memory file's;
 * then it jumps to the code page (stub.S), which unmaps the rest. */
#include "platform/systrap/systrap.h"
#include "platform/systrap/sysmsg.h"
#include "sentry/mm/memfile.h"
#include "lib/log.h"

#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern const char systrap_code_start[], systrap_code_end[], systrap_stub_handler[],
	systrap_stub_restorer[];

uint64_t systrap_base;
static uint32_t spin_iters;	/* pause instructions in SPIN_NS */

/* Signals the handler serves: the trap signals and the interrupt. */
static const int stub_signals[] = {
	SIGSYS, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SYSTRAP_SIG_INTERRUPT,
};

/* Not a canonical address: the first return to the guest sets fs and gs. */
#define BASE_UNSET 0x8000000000000001UL
/* How long each side spins before it sleeps on the futex: long enough
 * for a quick syscall's round trip, short enough not to starve others. */
#define SPIN_NS 10000
/* How long a wait sleeps before it checks that the stub lives. */
#define WAIT_SLICE_NS 50000000L
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

struct kernel_sigaction {
	uint64_t handler, flags, restorer, mask;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* How many pause instructions take SPIN_NS (pause costs from a few to
 * over a hundred cycles depending on the CPU). */
static void spin_calibrate(void)
{
	uint64_t t0 = now_ns();
	for (int i = 0; i < 2000; i++)
		__builtin_ia32_pause();
	uint64_t per = (now_ns() - t0) / 2000;
	if (per == 0)
		per = 1;
	uint64_t n = SPIN_NS / per;
	spin_iters = n < 16 ? 16 : n > 100000 ? 100000 : (uint32_t)n;
}

int systrap_stub_init(void)
{
	spin_calibrate();
	size_t len = (size_t)(systrap_code_end - systrap_code_start);
	if (len > STUB_PAGE)
		return -E2BIG;
	for (uint64_t at = SYSTRAP_GUEST_MAX; at < SYSTRAP_GUEST_MAX + (1UL << 35);
	     at += STUB_ALIGN) {
		void *p = mmap((void *)at, STUB_REGION, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
			       -1, 0);
		if (p == MAP_FAILED)
			continue;
		if ((uint64_t)p != at) {
			munmap(p, STUB_REGION);
			continue;
		}
		if (mprotect(p, STUB_PAGE, PROT_READ | PROT_WRITE) < 0)
			return -errno;
		memcpy(p, systrap_code_start, len);
		if (mprotect(p, STUB_PAGE, PROT_READ | PROT_EXEC) < 0)
			return -errno;
		systrap_base = at;
		return 0;
	}
	return -ENOMEM;
}

static int page_new(uint64_t *off, volatile uint8_t **view)
{
	size_t got;
	int64_t o = memfile_alloc(1, &got);
	if (o < 0)
		return (int)o;
	*off = (uint64_t)o;
	*view = memfile_ptr((uint64_t)o);
	return 0;
}

static void pages_free(struct as *as)
{
	uint64_t *offs[] = { &as->ctl_off, &as->rsp_off, &as->msg_off };
	for (size_t i = 0; i < 3; i++) {
		if (*offs[i])
			memfile_unref(*offs[i]);
		*offs[i] = 0;
	}
	as->ctl = as->rsp = as->msg = NULL;
}

/* Raw syscalls only from here until the jump: this is a forked copy of a
 * multithreaded process. Any failure exits; the sentry sees the death. */
static void map_fixed(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off)
{
	long r = syscall(SYS_mmap, addr, len, prot, flags | MAP_FIXED, fd, off);
	if (r != (long)addr)
		syscall(SYS_exit_group, 125);
}

static __attribute__((noreturn)) void stub_child(const struct as *as)
{
	uint64_t s = systrap_base;
	int memfd = memfile_fd();
	if (__rseq_size > 0) {
		void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
		if (syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) < 0)
			syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
	}
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	syscall(SYS_setsid);
	map_fixed(s + STUB_CTL_OFF, STUB_PAGE, PROT_READ, MAP_SHARED, memfd, as->ctl_off);
	map_fixed(s + STUB_RSP_OFF, STUB_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
		  as->rsp_off);
	map_fixed(s + STUB_MAPSTACK_OFF, STUB_PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	map_fixed(s + STUB_SLOT_OFF, STUB_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
		  as->msg_off);
	map_fixed(s + STUB_ALTSTACK_OFF, STUB_ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	stack_t ss = { .ss_sp = (void *)(s + STUB_ALTSTACK_OFF), .ss_flags = 0,
		       .ss_size = STUB_ALTSTACK_SIZE };
	if (syscall(SYS_sigaltstack, &ss, NULL) < 0)
		syscall(SYS_exit_group, 125);
	/* Every inherited handler points into the sentry's code, soon gone. */
	struct kernel_sigaction dfl = { 0 };
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, 8);
	struct kernel_sigaction sa = {
		.handler = s + (uint64_t)(systrap_stub_handler - systrap_code_start),
		.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER,
		.restorer = s + (uint64_t)(systrap_stub_restorer - systrap_code_start),
		.mask = ~0UL,
	};
	for (size_t i = 0; i < sizeof(stub_signals) / sizeof(stub_signals[0]); i++)
		if (syscall(SYS_rt_sigaction, stub_signals[i], &sa, NULL, 8) < 0)
			syscall(SYS_exit_group, 125);
	uint64_t all = ~0UL;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8);
	if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		syscall(SYS_exit_group, 125);
	if (memfd > 0)
		syscall(SYS_close_range, 0, memfd - 1, 0);
	syscall(SYS_close_range, memfd + 1, ~0U, 0);
	__asm__ volatile("jmp *%0"
			 :: "r"(s), "D"(s), "S"(s + STUB_REGION), "d"(SYSTRAP_USER_TOP)
			 : "memory");
	__builtin_unreachable();
}

int systrap_stub_start(struct as *as)
{
	int r;
	if ((r = page_new(&as->ctl_off, &as->ctl)) < 0 ||
	    (r = page_new(&as->rsp_off, &as->rsp)) < 0 ||
	    (r = page_new(&as->msg_off, &as->msg)) < 0) {
		pages_free(as);
		return r;
	}
	uint64_t s = systrap_base;
	r = systrap_filters_write(as->ctl, s, s + STUB_SLOT_OFF);
	if (r < 0) {
		pages_free(as);
		return r;
	}
	uint64_t start_mask = 1UL << (SYSTRAP_SIG_INTERRUPT - 1);
	memcpy((void *)(as->ctl + CTL_START_MASK), &start_mask, sizeof(start_mask));
	memcpy((void *)(as->ctl + CTL_SPIN), &spin_iters, sizeof(spin_iters));
	uint64_t unset = BASE_UNSET;
	memcpy((void *)(as->msg + MSG_HOST_FS), &unset, sizeof(unset));
	memcpy((void *)(as->msg + MSG_HOST_GS), &unset, sizeof(unset));

	pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (pid < 0) {
		r = -errno;
		pages_free(as);
		return r;
	}
	if (pid == 0)
		stub_child(as);
	as->pid = pid;
	as->seq = 0;
	/* The guest thread reports once, from the ud2 in the code page. */
	volatile uint32_t *state = (volatile uint32_t *)(as->msg + MSG_STATE);
	r = systrap_wait(pid, state, MSG_ST_SENTRY,
			 (volatile uint32_t *)(as->msg + MSG_SENTRY_SLEEP));
	uint32_t signo = *(volatile uint32_t *)(as->msg + MSG_SIGNO);
	if (r < 0 || signo != SIGILL) {
		int status = 0;
		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		log_printf("systrap: stub %d did not start (status 0x%x, signal %u)", pid, status,
			   signo);
		as->pid = 0;
		pages_free(as);
		return -ECHILD;
	}
	return 0;
}

void systrap_stub_release(struct as *as)
{
	if (as->pid > 0) {
		int status;
		kill(as->pid, SIGKILL);
		waitpid(as->pid, &status, __WALL);
		as->pid = 0;
	}
	pages_free(as);
}

static bool stub_alive(pid_t pid)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0)
		return errno == EINTR;
	return si.si_pid == 0;
}

void systrap_wake(volatile uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

int systrap_wait(pid_t pid, volatile uint32_t *word, uint32_t want,
		 volatile uint32_t *sleeping)
{
	for (uint32_t i = 0; i < spin_iters; i++) {
		if (__atomic_load_n(word, __ATOMIC_ACQUIRE) == want)
			return 0;
		__builtin_ia32_pause();
	}
	for (;;) {
		if (sleeping)
			__atomic_store_n(sleeping, 1, __ATOMIC_SEQ_CST);
		uint32_t v = __atomic_load_n(word, __ATOMIC_SEQ_CST);
		if (v == want)
			break;
		struct timespec ts = { 0, WAIT_SLICE_NS };
		long r = syscall(SYS_futex, word, FUTEX_WAIT, v, &ts, NULL, 0);
		if (r < 0 && errno == ETIMEDOUT && !stub_alive(pid)) {
			if (sleeping)
				*sleeping = 0;
			return -ESRCH;
		}
	}
	if (sleeping)
		*sleeping = 0;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return 0;
}

int systrap_stub_call(struct as *as, const uint64_t (*req)[7], unsigned n, int64_t *ret)
{
	if (n > CTL_MAXREQ)
		return -E2BIG;
	memcpy((void *)(as->ctl + CTL_REQS), req, n * CTL_REQ_SIZE);
	*(volatile uint32_t *)(as->ctl + CTL_NREQ) = n;
	uint32_t seq = ++as->seq;
	volatile uint32_t *req_seq = (volatile uint32_t *)(as->ctl + CTL_REQ_SEQ);
	__atomic_store_n(req_seq, seq, __ATOMIC_SEQ_CST);
	systrap_wake(req_seq);
	volatile uint32_t *done = (volatile uint32_t *)(as->rsp + RSP_SEQ);
	int r;
	while ((r = systrap_wait(as->pid, done, seq, NULL)) < 0) {
		if (r == -ESRCH)
			return r;
	}
	for (unsigned i = 0; i < n; i++)
		ret[i] = *(volatile int64_t *)(as->rsp + RSP_RETS + 8 * i);
	return 0;
}
