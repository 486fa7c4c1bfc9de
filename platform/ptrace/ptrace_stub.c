/* platform/ptrace/ptrace_stub.c: stub processes and stub threads.
 *
 * An address space starts when a sentry thread first needs it: a service
 * thread is created, forks the stub process (PTRACE_TRACEME; the stub
 * unmaps all but its code page and stops) and keeps tracing its master
 * thread, which never runs guest code. A sentry thread that wants to run
 * guest code in the address space asks the service thread to inject a
 * clone into the master; the new thread spins in the stub page until the
 * sentry thread seizes it (PTRACE_SEIZE + PTRACE_INTERRUPT). Only a
 * thread's tracer may drive it, so every sentry thread has its own. */
#include "platform/ptrace/ptrace_stub.h"
#include "platform/platform.h"
#include "sentry/mm/memfile.h"
#include "lib/log.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define USER_TOP 0x7ffffffff000UL
#define PAGE 4096UL

pid_t ptrace_gettid(void) { return (pid_t)syscall(SYS_gettid); }

int ptrace_wait(pid_t tid)
{
	int status;
	for (;;) {
		pid_t r = waitpid(tid, &status, __WALL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != tid)
			return -ESRCH;
		if (WIFSTOPPED(status))
			return WSTOPSIG(status);
		return -ESRCH;	/* exited or killed */
	}
}

/* A tracee runs on its tracer's CPU, as in gVisor's ptrace platform:
 * every stop wakes the tracer and every resume the tracee, and on one
 * CPU those are local context switches instead of cross-CPU wake-ups
 * (several times faster where an idle CPU is woken by an interrupt).
 * The tracer stays free to move; its tracee follows at the next resume.
 * A failure only costs speed. */
void ptrace_bind_cpu(pid_t tid, int *cpu)
{
	int now = sched_getcpu();
	if (now < 0 || now == *cpu || now >= CPU_SETSIZE)
		return;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(now, &one);
	if (sched_setaffinity(tid, sizeof(one), &one) == 0)
		*cpu = now;
}

long ptrace_inject(pid_t tid, uint64_t rip, long nr, const uint64_t a[6])
{
	struct user_regs_struct r;
	if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0)
		return -errno;
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1;
	r.rdi = a[0]; r.rsi = a[1]; r.rdx = a[2]; r.r10 = a[3]; r.r8 = a[4]; r.r9 = a[5];
	r.rip = rip;
	if (ptrace(PTRACE_SETREGS, tid, 0, &r) < 0)
		return -errno;
	if (ptrace(PTRACE_CONT, tid, 0, 0) < 0)
		return -errno;
	for (;;) {
		int sig = ptrace_wait(tid);
		if (sig < 0)
			return sig;
		if (sig == SIGTRAP)
			break;
		/* A stray signal (an interrupt that raced with us): swallow it;
		 * ctx_interrupt's flag keeps the request. */
		if (ptrace(PTRACE_CONT, tid, 0, 0) < 0)
			return -errno;
	}
	errno = 0;
	long ret = ptrace(PTRACE_PEEKUSER, tid, (void *)offsetof(struct user_regs_struct, rax), 0);
	return errno ? -errno : ret;
}

/* Fork the stub process from the calling (service) thread. */
static int stub_fork(void)
{
	long r = platform_stub_fork(SIGCHLD);
	if (r < 0)
		return (int)r;
	pid_t pid = (pid_t)r;
	if (pid == 0) {
		/* Raw syscalls only, then into the stub page. glibc's rseq area
		 * is about to be unmapped: the kernel would kill us with
		 * SIGSEGV on the next preemption. */
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
		syscall(SYS_prctl, PR_SET_NAME, "cvisor-stub", 0, 0, 0);
		syscall(SYS_setsid);
		/* Already traced (a debugger with follow-fork): give up. */
		if (syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0) < 0)
			syscall(SYS_exit_group, 126);
		__asm__ volatile("jmp *%0"
				 :: "r"(ptrace_stub_page), "D"(ptrace_stub_page),
				    "S"(ptrace_stub_page + PAGE), "d"(USER_TOP)
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
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0) {
		int err = errno;
		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		return -err;
	}
	return pid;
}

/* Move the calling thread to cpu (a requester's) if it is not *at. */
static void follow_cpu(int cpu, int *at)
{
	if (cpu < 0 || cpu == *at || cpu >= CPU_SETSIZE)
		return;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) == 0)
		*at = cpu;
}

static void *service_main(void *arg)
{
	struct as *as = arg;
	int pid = stub_fork();
	pthread_mutex_lock(&as->lock);
	as->started = true;
	as->failed = pid < 0;
	as->pid = pid > 0 ? pid : 0;
	pthread_cond_broadcast(&as->cond);
	int self_cpu = -1, master_cpu = -1;
	while (!as->quit) {
		if (!as->req_pending) {
			pthread_cond_wait(&as->cond, &as->lock);
			continue;
		}
		as->req_pending = false;
		long nr = as->req_nr;
		uint64_t args[6], rip = as->req_rip;
		memcpy(args, as->req_args, sizeof(args));
		int want = as->req_cpu;
		pthread_mutex_unlock(&as->lock);
		/* The requester sleeps until we are done: serve on its CPU,
		 * with the master there too. */
		follow_cpu(want, &self_cpu);
		if (!as->failed)
			ptrace_bind_cpu(pid, &master_cpu);
		long ret = as->failed ? -ESRCH : ptrace_inject(pid, rip, nr, args);
		pthread_mutex_lock(&as->lock);
		as->req_ret = ret;
		as->req_done = true;
		pthread_cond_broadcast(&as->cond);
	}
	pthread_mutex_unlock(&as->lock);
	if (pid > 0) {
		int status;
		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
	}
	pthread_mutex_lock(&as->lock);
	as->service_done = true;
	bool orphan = as->orphan;
	pthread_mutex_unlock(&as->lock);
	if (orphan)
		as_free(as);	/* as_release left it to us (it did not wait) */
	return NULL;
}

static int as_start_locked(struct as *as);

/* Address spaces started ahead of need (service thread up, stub stopped
 * and traced), made by the refill thread once a second address space is
 * asked for: a fork then does not wait for a thread and a process to be
 * created. A pooled stub never ran guest code; used ones are never
 * reused. */
#define POOL_MAX 2
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cond = PTHREAD_COND_INITIALIZER;
static struct as *pool[POOL_MAX];
static unsigned pool_n, pool_want, pool_takes;
static bool refill_running;

static void *refill_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pool_lock);
	for (;;) {
		while (pool_n >= pool_want)
			pthread_cond_wait(&pool_cond, &pool_lock);
		pthread_mutex_unlock(&pool_lock);
		struct as *as = as_alloc();
		int r = -ENOMEM;
		if (as) {
			pthread_mutex_lock(&as->lock);
			r = as_start_locked(as);
			pthread_mutex_unlock(&as->lock);
		}
		pthread_mutex_lock(&pool_lock);
		if (r < 0) {
			if (as)
				as_free(as);
			pool_want = 0;	/* until the next take: no retry loop */
			continue;
		}
		pool[pool_n++] = as;
	}
	return NULL;
}

/* Under pool_lock. */
static void refill_start_locked(void)
{
	if (refill_running)
		return;
	/* Detached. Not with signals blocked: the stubs its service threads
	 * fork inherit their mask, and a stub must take the interrupt
	 * (SIGURG) for its tracer to see it. */
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_t th;
	refill_running = pthread_create(&th, &attr, refill_main, NULL) == 0;
	pthread_attr_destroy(&attr);
}

void as_pool_prefetch(void)
{
	pthread_mutex_lock(&pool_lock);
	if (pool_takes == 0 && pool_want == 0) {
		pool_want = 1;
		refill_start_locked();
		pthread_cond_signal(&pool_cond);
	}
	pthread_mutex_unlock(&pool_lock);
}

struct as *as_pool_take(void)
{
	struct as *as = NULL;
	pthread_mutex_lock(&pool_lock);
	if (pool_n > 0)
		as = pool[--pool_n];
	if (++pool_takes > 1) {
		pool_want = POOL_MAX;
		refill_start_locked();
		pthread_cond_signal(&pool_cond);
	} else {
		pool_want = 0;	/* one process may be all there is */
	}
	pthread_mutex_unlock(&pool_lock);
	return as;
}

/* Start the service thread (and so the stub) if needed; as->lock held. */
static int as_start_locked(struct as *as)
{
	if (!as->service_running) {
		int r = pthread_create(&as->service, NULL, service_main, as);
		if (r != 0)
			return -r;
		as->service_running = true;
	}
	while (!as->started)
		pthread_cond_wait(&as->cond, &as->lock);
	return as->failed ? -ECHILD : 0;
}

static long service_request(struct as *as, uint64_t rip, long nr, const uint64_t args[6])
{
	pthread_mutex_lock(&as->lock);
	int r = as_start_locked(as);
	if (r < 0) {
		pthread_mutex_unlock(&as->lock);
		return r;
	}
	while (as->req_busy)
		pthread_cond_wait(&as->cond, &as->lock);
	as->req_busy = true;
	as->req_cpu = sched_getcpu();
	as->req_nr = nr;
	as->req_rip = rip;
	memcpy(as->req_args, args, sizeof(as->req_args));
	as->req_done = false;
	as->req_pending = true;
	pthread_cond_broadcast(&as->cond);
	while (!as->req_done)
		pthread_cond_wait(&as->cond, &as->lock);
	long ret = as->req_ret;
	as->req_busy = false;
	pthread_cond_broadcast(&as->cond);
	pthread_mutex_unlock(&as->lock);
	return ret;
}

struct stub_thread *as_thread(struct as *as, struct ctx *c, bool create, int *err)
{
	pid_t me = ptrace_gettid();
	*err = 0;
	pthread_mutex_lock(&as->lock);
	for (struct stub_thread *st = as->threads; st; st = st->next) {
		if (st->tracer == me) {
			pthread_mutex_unlock(&as->lock);
			return st;
		}
	}
	pthread_mutex_unlock(&as->lock);
	if (!create)
		return NULL;

	struct stub_thread *st = calloc(1, sizeof(*st));
	if (!st) {
		*err = -ENOMEM;
		return NULL;
	}
	const uint64_t args[6] = {
		CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM,
		0, 0, 0, 0, 0,
	};
	long tid = service_request(as, ptrace_clone_addr, SYS_clone, args);
	if (tid <= 0) {
		free(st);
		*err = tid < 0 ? (int)tid : -ECHILD;
		return NULL;
	}
	if (ptrace(PTRACE_SEIZE, (pid_t)tid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0 ||
	    ptrace(PTRACE_INTERRUPT, (pid_t)tid, 0, 0) < 0) {
		*err = -errno;
		free(st);
		return NULL;
	}
	int sig = ptrace_wait((pid_t)tid);
	if (sig < 0) {
		*err = sig;
		free(st);
		return NULL;
	}
	st->tracer = me;
	st->tid = (pid_t)tid;
	st->cpu = -1;
	st->ctx = c;
	pthread_mutex_lock(&as->lock);
	st->next = as->threads;
	as->threads = st;
	pthread_mutex_unlock(&as->lock);
	return st;
}

long as_syscall(struct as *as, long nr, const uint64_t args[6])
{
	int err;
	struct stub_thread *st = as_thread(as, NULL, false, &err);
	if (st) {
		ptrace_bind_cpu(st->tid, &st->cpu);
		return ptrace_inject(st->tid, ptrace_syscall_addr, nr, args);
	}
	pthread_mutex_lock(&as->lock);
	bool running = as->service_running;
	pthread_mutex_unlock(&as->lock);
	if (!running)
		return 0;	/* not started: nothing is mirrored yet */
	return service_request(as, ptrace_syscall_addr, nr, args);
}

/* End the caller's stub thread without touching its siblings. */
void stub_thread_exit(struct as *as, struct stub_thread *st)
{
	pthread_mutex_lock(&as->lock);
	for (struct stub_thread **p = &as->threads; *p; p = &(*p)->next) {
		if (*p == st) {
			*p = st->next;
			break;
		}
	}
	pthread_mutex_unlock(&as->lock);
	const uint64_t args[6] = { 0 };
	if (ptrace_inject(st->tid, ptrace_syscall_addr, SYS_exit, args) != -ESRCH)
		ptrace_wait(st->tid);
	free(st);
}
