/* platform/ptrace/ptrace_stub.h: the ptrace platform's address spaces:
 * a stub process per address space, a service thread per stub that traces
 * its master thread, and one stub thread per sentry thread running guest
 * code in it (see ptrace_stub.c). */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ctx;

/* One stub thread, traced by one sentry thread. */
struct stub_thread {
	pid_t tracer;		/* host tid of the sentry thread */
	pid_t tid;		/* the stub thread */
	struct ctx *ctx;	/* the context running on it */
	int cpu;		/* the host CPU it is bound to, or -1 */
	struct stub_thread *next;
};

struct as {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pid_t pid;		/* stub process (its master thread); 0 before start */
	bool service_running;	/* the service thread exists */
	bool started, failed, quit;
	bool orphan;		/* released: the service thread frees it when done */
	bool service_done;	/* the service thread has reaped the stub */
	pthread_t service;
	struct stub_thread *threads;
	/* One request to the service thread at a time. */
	bool req_busy, req_pending, req_done;
	long req_nr;
	uint64_t req_args[6], req_rip;
	long req_ret;
	int req_cpu;		/* the requester's CPU (the service thread follows) */
};

struct ctx {
	int interrupt;		/* atomic: ctx_interrupt() was called */
	pid_t running;		/* stub tid while the guest runs, else 0 */
	pid_t process;		/* stub process of running */
	struct stub_thread *st;	/* the stub thread of the last switch */
	struct as *as;		/* its address space (cleared by as_release) */
	void *fp_pending;	/* ctx_set_fpstate before the first switch */
	size_t fp_pending_size;
};

extern uint64_t ptrace_stub_page, ptrace_syscall_addr, ptrace_clone_addr;

pid_t ptrace_gettid(void);
/* Run a host syscall in stopped tracee tid (traced by the caller) from
 * the instruction at rip. Its result, or -errno for a platform failure. */
long ptrace_inject(pid_t tid, uint64_t rip, long nr, const uint64_t args[6]);
/* Bind tracee tid to the caller's CPU if that is not *cpu (the CPU it
 * was last bound to, -1 for none), and note it in *cpu. */
void ptrace_bind_cpu(pid_t tid, int *cpu);
/* Wait for tid to stop: the stop signal (| 0x80 for syscall stops), or
 * -ESRCH when it died. */
int ptrace_wait(pid_t tid);

/* The calling thread's stub thread in as, created if create is set. */
struct stub_thread *as_thread(struct as *as, struct ctx *c, bool create, int *err);
/* A host syscall in the address space: through the caller's own stub
 * thread if it has one, else through the service thread. */
long as_syscall(struct as *as, long nr, const uint64_t args[6]);
void stub_thread_exit(struct as *as, struct stub_thread *st);
/* A new address space, not started; freeing one whose service thread never ran. */
struct as *as_alloc(void);
void as_free(struct as *as);
/* A started address space made ahead of need, or NULL (ptrace_stub.c). */
struct as *as_pool_take(void);
/* Start the first address space ahead of its need (at the platform's init). */
void as_pool_prefetch(void);
