/* platform/systrap/stub.c: systrap stub processes: creating one, killing
 * it, spawning its guest threads and running host syscalls in its map
 * thread.
 *
 * The zygote is forked once by a sentry thread that exists only for that,
 * the forker (so that PR_SET_PDEATHSIG, which follows the parent *thread*,
 * fires only when the sentry dies), with its own session and glibc's rseq
 * area unregistered. Still in C (a copy of the sentry), the child maps its
 * control and response pages from the memory file, installs the stub's
 * signal handlers, blocks every signal, sets no_new_privs and closes every
 * fd but the memory file's; then it jumps to the code page (stub.S), which
 * unmaps the rest and becomes the zygote. Every stub is a fork of that
 * small process (CLONE_PARENT: a child of the forker too) that maps its
 * own control and response pages and becomes a map thread. Guest threads
 * are clones of the map thread, one per slot (sysmsg.h): the sentry maps
 * the slot's pages and asks for the clone through the map thread like any
 * other request. The forker makes stubs ahead of need (the pool below)
 * and reaps dead ones.
 *
 * The sandbox's first stub is not forked: a vfork-like child of the
 * forker execs the stub image (a one-page ELF of the code page, sealed in
 * a memfd; stub_image_make, image_spawn), whose entry (systrap_stub_boot)
 * does in assembly what stub_child does in C. A fork of the sentry copies
 * its page tables (about a millisecond here, while every sentry thread
 * that faults waits for the copy), leaves its written pages copy-on-write
 * and has the child unmap them all; the exec costs a fraction of that.
 * The zygote is exec'ed from the image too (zygote_start). Where the host
 * refuses the exec, both are forked as before. */
#include "platform/systrap/systrap.h"
#include "platform/platform.h"
#include "platform/systrap/sysmsg.h"
#include "sentry/mm/memfile.h"
#include "lib/log.h"

#include <assert.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern const char systrap_code_start[], systrap_code_end[], systrap_stub_handler[],
	systrap_stub_restorer[], systrap_stub_boot[];

uint64_t systrap_base;
static uint32_t spin_iters;	/* pause instructions in SPIN_NS */

/* Signals the handler serves: the trap signals and the interrupt, 0
 * ended (stub.S: the stub image's boot installs the same). */
extern const unsigned char systrap_stub_sigs[];

/* Not a canonical address: the first return to the guest sets fs and gs. */
#define BASE_UNSET 0x8000000000000001UL
/* How long each side spins at most before it sleeps on the futex: long
 * enough for a quick syscall's round trip plus the other side's wake-up
 * (tens of microseconds on a virtual machine, where waking an idle CPU
 * goes through the host), short enough not to starve others; spin.c
 * halves it when it does not pay. */
#define SPIN_NS 50000
/* How long a wait sleeps before it checks that the stub lives. */
#define WAIT_SLICE_NS 50000000L
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

struct kernel_sigaction {
	uint64_t handler, flags, restorer, mask;
};

uint64_t systrap_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* How many pause instructions take SPIN_NS (pause costs from a few to
 * over a hundred cycles depending on the CPU). The fastest of a few short
 * rounds: a round the host preempted (a virtual CPU that spins may be
 * descheduled) says nothing, and one long round could cost milliseconds. */
static void spin_calibrate(void)
{
	uint64_t best = UINT64_MAX;
	for (int k = 0; k < 5; k++) {
		uint64_t t0 = systrap_now_ns();
		for (int i = 0; i < 200; i++)
			__builtin_ia32_pause();
		uint64_t d = systrap_now_ns() - t0;
		if (d < best)
			best = d;
	}
	uint64_t per = best / 200;
	if (per == 0)
		per = 1;
	uint64_t n = SPIN_NS / per;
	spin_iters = n < 16 ? 16 : n > 100000 ? 100000 : (uint32_t)n;
}

/* The stub-forking thread (the forker) makes stubs ahead of need and reaps
 * dead ones, so that neither waits on the critical path of fork, exec or
 * exit. A pooled stub is complete: its map thread answered, and one guest
 * thread is spawned and waits for its first registers (a "ready" slot).
 * A stub whose address space is released is recycled when it can be
 * (stub_recycle): once every guest thread it had has exited, the map
 * thread unmaps the whole guest range and the stub, with a fresh guest
 * thread, joins the pool again, like gVisor's subprocess pool. What a
 * guest could leave behind in its stub goes with that: its memory and
 * mappings (it cannot make its own: every syscall of guest code traps),
 * its threads (and any signal mask a forged rt_sigreturn gave them); the
 * stub's own pages it can write (the response page, message pages and
 * signal stacks) the sentry never trusts. A stub that does not answer,
 * or whose threads do not go, is killed instead, and the forker reaps it
 * and frees its pages afterwards.
 *
 * The pool stays empty (want 0) until the second address space starts:
 * a sandbox that never forks makes no spare stub. From then on the forker
 * keeps POOL_MAX ready. All pool and corpse fields: fork_lock. */
#define POOL_MAX 2
static pthread_mutex_t fork_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fork_cond = PTHREAD_COND_INITIALIZER;	/* the forker waits */
static pthread_cond_t pool_cond = PTHREAD_COND_INITIALIZER;	/* a taker waits */
static struct as *pool[POOL_MAX];
static unsigned pool_n, pool_want, pool_takes;
static int pool_err;		/* the last failed preparation, for a waiting taker */
static struct as *corpses;	/* killed stubs to reap (linked by dead_next) */
static struct as *spent;	/* released stubs to recycle (linked by dead_next) */
static uint64_t last_take_ns;	/* when a stub last left the pool */
/* While the pool is not empty, the forker waits this long after a take
 * before it makes a new stub: the stub of a process that exits meanwhile
 * (a fork child, the old image of an exec) is recycled instead, at a
 * fraction of the cost. */
#define RECYCLE_GRACE_NS 5000000ULL

static int stub_make(struct as *as, bool direct, uint64_t (*pre)[7], unsigned *npre);
static int slot_spawn(struct as *as, struct ctx *owner, struct slot **out,
		      const uint64_t (*pre)[7], unsigned npre);
static int stub_call_maps(struct as *as, const uint64_t (*req)[7], unsigned n);
static void pages_free(struct as *as);
static bool stub_recycle(struct as *p);
static void stub_kill(struct as *d);
static void corpse_reap(struct as *d);
static __attribute__((noreturn)) void stub_child(const struct as *as, bool zygote);

/* Move the stub (process, shared pages, slots) from src to dst. */
static void stub_move(struct as *dst, struct as *src)
{
	dst->pid = src->pid;
	dst->seq = src->seq;
	dst->ctl_off = src->ctl_off;
	dst->rsp_off = src->rsp_off;
	dst->ctl = src->ctl;
	dst->rsp = src->rsp;
	dst->nslots = src->nslots;
	dst->mir = src->mir;
	mirror_reset(&src->mir);
	for (unsigned i = 0; i < src->nslots; i++) {
		dst->slots[i] = src->slots[i];
		dst->slots[i]->as = dst;
		src->slots[i] = NULL;
	}
	src->pid = 0;
	src->nslots = 0;
	src->ctl_off = src->rsp_off = 0;
	src->ctl = src->rsp = NULL;
}

static struct as *shell_new(void)
{
	struct as *p = calloc(1, sizeof(*p));
	if (p)
		pthread_mutex_init(&p->lock, NULL);
	return p;
}

static void shell_free(struct as *p)
{
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* A stub for the pool (in the forker): started, with a ready slot.
 * direct: forked from the sentry itself (see stub_make). */
static int stub_prepare(struct as **out, bool direct)
{
	struct as *p = shell_new();
	if (!p)
		return -ENOMEM;
	uint64_t pre[CTL_MAXREQ][7];
	unsigned npre;
	int r = stub_make(p, direct, pre, &npre);
	if (r < 0) {
		shell_free(p);
		return r;
	}
	/* Its first batches (the slot's pages, its thread's clone) also show
	 * that the map thread is up; a stub that fails them is killed. An
	 * exec'ed one gets what a forked one maps itself first (pre: the trap
	 * table and the trampolines), in the same batch as the slot's pages
	 * when they fit. */
	if (npre > CTL_MAXREQ - STUB_SLOT_PAGES) {
		r = stub_call_maps(p, (const uint64_t (*)[7])pre, npre);
		npre = 0;
	}
	struct slot *sl;
	if (r == 0)
		r = slot_spawn(p, NULL, &sl, (const uint64_t (*)[7])pre, npre);
	if (r < 0) {
		log_printf("systrap: stub %d did not start: %s", p->pid, strerror(-r));
		stub_kill(p);
		corpse_reap(p);
		return r;
	}
	sl->ready = true;
	*out = p;
	return 0;
}

static void stub_kill(struct as *d)
{
	if (d->pid > 0)
		kill(d->pid, SIGKILL);
}

/* Kill the stub of a sandbox that never forked (released: its init has
 * exited, the sandbox is ending) with its threads lowered to SCHED_IDLE
 * first: its teardown (its memory and page tables, about a millisecond
 * of CPU here) then takes no CPU from the sandbox's end, like the
 * sentry's (tools/cvisor/keeper.h). Not for stubs of a forking sandbox:
 * the forker waits for each corpse, and must not wait behind the idle
 * class while it has pools to fill. */
static void stub_kill_idle(struct as *d)
{
	struct sched_param sp = { 0 };
	if (d->pid > 0)
		sched_setscheduler(d->pid, SCHED_IDLE, &sp);
	for (unsigned i = 0; i < d->nslots; i++)
		if (d->slots[i]->tid > 0)
			sched_setscheduler(d->slots[i]->tid, SCHED_IDLE, &sp);
	stub_kill(d);
}

/* How long the forker waits for a released stub's threads to go. */
#define RECYCLE_WAIT_NS 20000000ULL

/* A released stub (in the forker, which owns it now): wait for its old
 * guest threads to exit, unmap the guest range but the trap table
 * (unless its mappings are known exactly: the next owner's first batch
 * settles them, mirror.h), and give it a ready guest thread. False if it
 * cannot be reused. */
static bool stub_recycle(struct as *p)
{
	uint64_t deadline = systrap_now_ns() + RECYCLE_WAIT_NS;
	bool ready = false;
	for (unsigned i = 0; i < p->nslots; i++) {
		struct slot *sl = p->slots[i];
		if (sl->ready) {
			ready = true;	/* spawned ahead, never ran guest code */
			continue;
		}
		while (sl->tid > 0 && syscall(SYS_tgkill, p->pid, sl->tid, 0) == 0) {
			if (systrap_now_ns() > deadline)
				return false;
			/* Sleep, not yield: the threads that matter now are
			 * the sandbox's, not this one. */
			struct timespec ts = { 0, 20000 };
			nanosleep(&ts, NULL);
		}
	}
	if (!p->mir.lost)
		p->mir.stale = true;
	else if (systrap_guest_clear(p) < 0)
		return false;
	struct slot *sl;
	if (!ready) {
		if (systrap_slot_spawn(p, NULL, &sl) < 0)
			return false;
		sl->ready = true;
	}
	return true;
}

void systrap_guest_kept(uint64_t *start, uint64_t *end)
{
	*start = *end = 0;
	if (systrap_patch_on) {
		*start = TRAP_TABLE_ADDR;
		*end = TRAP_TABLE_ADDR + TRAP_TABLE_SIZE;
	}
}

int systrap_guest_clear(struct as *as)
{
	uint64_t ks, ke;
	systrap_guest_kept(&ks, &ke);
	/* Above the kept range, and below it if there is one. */
	const uint64_t req[2][7] = {
		{ SYS_munmap, ke, SYSTRAP_GUEST_MAX - ke, 0, 0, 0, 0 },
		{ SYS_munmap, 0, ks, 0, 0, 0, 0 },
	};
	unsigned n = ks ? 2 : 1;
	int64_t ret[2] = { 0, 0 };
	int r = systrap_stub_call(as, req, n, ret);
	if (r < 0)
		return r;
	if (ret[0] != 0 || ret[1] != 0)
		return -EIO;
	mirror_reset(&as->mir);
	return 0;
}

static void corpse_reap(struct as *d)
{
	int status;
	while (waitpid(d->pid, &status, __WALL) < 0 && errno == EINTR)
		;
	d->pid = 0;
	pages_free(d);
	shell_free(d);
}

/* Set while the forker works (recycling, making or reaping stubs): the
 * one background consumer of CPU the sentry knows of. A wait for a map
 * batch does not spin then (systrap_stub_call). */
static volatile uint32_t forker_busy;

static void *forker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&fork_lock);
	for (;;) {
		__atomic_store_n(&forker_busy, 1, __ATOMIC_RELAXED);
		if (corpses) {
			struct as *list = corpses;
			corpses = NULL;
			pthread_mutex_unlock(&fork_lock);
			while (list) {
				struct as *d = list;
				list = d->dead_next;
				corpse_reap(d);
			}
			pthread_mutex_lock(&fork_lock);
			continue;
		}
		if (spent) {
			struct as *p = spent;
			spent = p->dead_next;
			p->dead_next = NULL;
			bool wanted = pool_n < pool_want;
			bool only = pool_want == 0;	/* the sandbox never forked */
			pthread_mutex_unlock(&fork_lock);
			bool ok = wanted && stub_recycle(p);
			pthread_mutex_lock(&fork_lock);
			if (ok && pool_n < POOL_MAX) {
				pool[pool_n++] = p;
				pthread_cond_broadcast(&pool_cond);
			} else {
				pthread_mutex_unlock(&fork_lock);
				if (only)
					stub_kill_idle(p);
				else
					stub_kill(p);
				corpse_reap(p);
				pthread_mutex_lock(&fork_lock);
			}
			continue;
		}
		if (pool_n < pool_want && pool_n > 0 &&
		    systrap_now_ns() < last_take_ns + RECYCLE_GRACE_NS) {
			struct timespec until;	/* fork_cond's clock */
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += (long)RECYCLE_GRACE_NS;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			__atomic_store_n(&forker_busy, 0, __ATOMIC_RELAXED);
			pthread_cond_timedwait(&fork_cond, &fork_lock, &until);
			continue;
		}
		if (pool_n < pool_want) {
			bool first = pool_takes == 0;
			pthread_mutex_unlock(&fork_lock);
			struct as *p = NULL;
			int r = stub_prepare(&p, first);
			pthread_mutex_lock(&fork_lock);
			if (r < 0) {
				pool_err = r;
				pool_want = 0;	/* until the next take: no retry loop */
			} else {
				pool[pool_n++] = p;
			}
			pthread_cond_broadcast(&pool_cond);
			continue;
		}
		__atomic_store_n(&forker_busy, 0, __ATOMIC_RELAXED);
		pthread_cond_wait(&fork_cond, &fork_lock);
	}
	return NULL;
}

/* Start the forker on the first need (under fork_lock): after the
 * sentry's filter is loaded (kernel_run's before_stubs), so that the
 * forker and every stub it forks inherit the filter rather than compile
 * a copy of their own. 0 or -errno. */
static int forker_start_locked(void)
{
	static bool started;
	if (started)
		return 0;
	/* The forking thread takes no signals (its stubs block them all). */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	long min = sysconf(_SC_THREAD_STACK_MIN);
	pthread_attr_setstacksize(&attr, min > 256 * 1024 ? (size_t)min : 256 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_t th;
	int r = pthread_create(&th, &attr, forker, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	started = r == 0;
	return -r;
}

void systrap_stub_prefetch(void)
{
	pthread_mutex_lock(&fork_lock);
	if (pool_takes == 0 && pool_want == 0 && pool_n == 0 && forker_start_locked() == 0) {
		pool_want = 1;
		pthread_cond_signal(&fork_cond);
	}
	pthread_mutex_unlock(&fork_lock);
}

/* Give as a pooled stub, waiting for one if need be. Of takers waiting
 * together, one gets a failed preparation's error; the others ask again. */
static int pool_take(struct as *as, const struct as_op *ops, unsigned n)
{
	pthread_mutex_lock(&fork_lock);
	int r = forker_start_locked();
	if (r < 0) {
		pthread_mutex_unlock(&fork_lock);
		return r;
	}
	pool_takes++;
	pool_err = 0;
	while (pool_n == 0 && !pool_err) {
		if (pool_want == 0) {
			pool_want = 1;
			pthread_cond_signal(&fork_cond);
		}
		pthread_cond_wait(&pool_cond, &fork_lock);
	}
	if (pool_n == 0) {
		r = pool_err;
		pool_err = 0;
		pool_want = 0;
		pthread_mutex_unlock(&fork_lock);
		return r;
	}
	/* The stub whose mappings suit the first batch best (mirror.h);
	 * of equals, the last recycled. */
	unsigned best = pool_n - 1;
	unsigned best_cost = mirror_cost(&pool[best]->mir, ops, n, memfile_fd());
	for (unsigned i = pool_n - 1; i-- > 0;) {
		unsigned c = mirror_cost(&pool[i]->mir, ops, n, memfile_fd());
		if (c < best_cost) {
			best = i;
			best_cost = c;
		}
	}
	struct as *p = pool[best];
	pool[best] = pool[--pool_n];
	last_take_ns = systrap_now_ns();
	pool_want = pool_takes > 1 ? POOL_MAX : 0;
	pthread_cond_signal(&fork_cond);
	pthread_mutex_unlock(&fork_lock);
	stub_move(as, p);
	shell_free(p);
	return 0;
}

/* The stub image: a sealed memfd holding an ELF whose one loadable page
 * is the code page at S (entry systrap_stub_boot, stub.S), or -1. The
 * sandbox's first stub is exec'ed from it by a vfork-like child of the
 * forker (image_spawn) rather than forked from the sentry: no copy of
 * the sentry's page tables, no unmapping of them in the child, no
 * copy-on-write faults in the sentry afterwards, and the sentry's threads
 * are not held off its memory while the copy is made. Made before the
 * sentry's filter (memfd_create is not in it); the filter and
 * no_new_privs outlive the exec. */
static int stub_image_fd = -1;

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

static void stub_image_make(void)
{
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph[2];
	} h;
	static_assert(sizeof(h) <= STUB_PAGE, "ELF headers fit a page");
	memset(&h, 0, sizeof(h));
	memcpy(h.eh.e_ident, ELFMAG, SELFMAG);
	h.eh.e_ident[EI_CLASS] = ELFCLASS64;
	h.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	h.eh.e_ident[EI_VERSION] = EV_CURRENT;
	h.eh.e_type = ET_EXEC;
	h.eh.e_machine = EM_X86_64;
	h.eh.e_version = EV_CURRENT;
	h.eh.e_entry = systrap_base + (uint64_t)(systrap_stub_boot - systrap_code_start);
	h.eh.e_phoff = offsetof(__typeof__(h), ph);
	h.eh.e_ehsize = sizeof(Elf64_Ehdr);
	h.eh.e_phentsize = sizeof(Elf64_Phdr);
	h.eh.e_phnum = 2;
	h.ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = STUB_PAGE,
				.p_vaddr = systrap_base, .p_paddr = systrap_base,
				.p_filesz = STUB_PAGE, .p_memsz = STUB_PAGE, .p_align = STUB_PAGE };
	h.ph[1] = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W, .p_align = 16 };
	size_t len = (size_t)(systrap_code_end - systrap_code_start);
	int fd = memfd_create("cvisor-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0)
		fd = memfd_create("cvisor-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return;
	if (ftruncate(fd, 2 * STUB_PAGE) < 0 ||
	    pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    pwrite(fd, systrap_code_start, len, STUB_PAGE) != (ssize_t)len ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		close(fd);
		return;
	}
	stub_image_fd = fd;
}

struct image_child {
	int memfd;
	int err;		/* why the exec failed (errno), in the child */
	char *argv[6];
};

/* The vfork-like child (its own stack, the forker's memory): only
 * syscalls, then the exec. The forker blocks every signal: so does the
 * stub. */
static int image_child_main(void *arg)
{
	struct image_child *c = arg;
	static char *const envp[] = { NULL };
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	syscall(SYS_setsid);
	syscall(SYS_fcntl, c->memfd, F_SETFD, 0);
	int lo = c->memfd < stub_image_fd ? c->memfd : stub_image_fd;
	int hi = c->memfd < stub_image_fd ? stub_image_fd : c->memfd;
	if (lo > 0)
		syscall(SYS_close_range, 0, lo - 1, 0);
	if (hi > lo + 1)
		syscall(SYS_close_range, lo + 1, hi - 1, 0);
	syscall(SYS_close_range, hi + 1, ~0U, 0);
	long r = systrap_exec_image(stub_image_fd, "", c->argv, envp, AT_EMPTY_PATH);
	c->err = r < 0 ? (int)-r : EIO;
	syscall(SYS_exit_group, 127);
	return 127;
}

/* A stub exec'ed from the image, its control and response pages as's
 * (no exit signal, like the zygote): its pid, or -errno. zygote: it
 * becomes the zygote, which first makes the mmaps written in its control
 * page. */
static pid_t image_spawn(const struct as *as, bool zygote)
{
	static _Alignas(16) char stack[16 * 1024];	/* the forker's only */
	char fdbuf[16], ctlbuf[24], rspbuf[24];
	struct image_child c = { .memfd = memfile_fd() };
	snprintf(fdbuf, sizeof(fdbuf), "%d", c.memfd);
	snprintf(ctlbuf, sizeof(ctlbuf), "%" PRIu64, as->ctl_off);
	snprintf(rspbuf, sizeof(rspbuf), "%" PRIu64, as->rsp_off);
	c.argv[0] = "cvisor-stub";
	c.argv[1] = fdbuf;
	c.argv[2] = ctlbuf;
	c.argv[3] = rspbuf;
	c.argv[4] = zygote ? "1" : "0";
	c.argv[5] = NULL;
	pid_t pid = clone(image_child_main, stack + sizeof(stack), CLONE_VM | CLONE_VFORK, &c);
	if (pid < 0)
		return -errno;
	if (c.err) {
		/* The exec failed (a host that forbids exec from a memfd):
		 * the child is gone. */
		int status;
		while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
			;
		log_printf("systrap: the stub image did not exec: %s", strerror(c.err));
		return -c.err;
	}
	return pid;
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
		break;
	}
	if (!systrap_base)
		return -ENOMEM;
	stub_image_make();
	return 0;
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

static void slot_pages_free(struct slot *sl)
{
	for (unsigned i = 0; i < STUB_SLOT_PAGES; i++) {
		if (sl->off[i])
			memfile_unref(sl->off[i]);
		sl->off[i] = 0;
		sl->page[i] = NULL;
	}
}

static void pages_free(struct as *as)
{
	uint64_t *offs[] = { &as->ctl_off, &as->rsp_off };
	for (size_t i = 0; i < 2; i++) {
		if (*offs[i])
			memfile_unref(*offs[i]);
		*offs[i] = 0;
	}
	as->ctl = as->rsp = NULL;
	for (unsigned i = 0; i < as->nslots; i++) {
		slot_pages_free(as->slots[i]);
		free(as->slots[i]);
		as->slots[i] = NULL;
	}
	as->nslots = 0;
}

/* Raw syscalls only from here until the jump: this is a forked copy of a
 * multithreaded process. Any failure exits; the sentry sees the death. */
static void map_fixed(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off)
{
	long r = syscall(SYS_mmap, addr, len, prot, flags | MAP_FIXED, fd, off);
	if (r != (long)addr)
		syscall(SYS_exit_group, 125);
}

/* zygote: become the zygote (stub.S) instead of a map thread. */
static __attribute__((noreturn)) void stub_child(const struct as *as, bool zygote)
{
	uint64_t s = systrap_base;
	int memfd = memfile_fd();
	/* The sentry's filter is inherited (platform_stub_fork). */
	if (__rseq_size > 0) {
		void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
		if (syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) < 0)
			syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
	}
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	syscall(SYS_prctl, PR_SET_NAME, "cvisor-stub", 0, 0, 0);
	syscall(SYS_setsid);
	map_fixed(s + STUB_CTL_OFF, STUB_PAGE, PROT_READ, MAP_SHARED, memfd, as->ctl_off);
	/* Read-only but for the zygote: the map thread pwrites it (sysmsg.h). */
	map_fixed(s + STUB_RSP_OFF, STUB_PAGE, zygote ? PROT_READ | PROT_WRITE : PROT_READ,
		  MAP_SHARED, memfd, as->rsp_off);
	map_fixed(s + STUB_MAPSTACK_OFF, STUB_PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (systrap_patch_stub_map(memfd) < 0)
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
	for (const unsigned char *sig = systrap_stub_sigs; *sig; sig++)
		if (syscall(SYS_rt_sigaction, *sig, &sa, NULL, 8) < 0)
			syscall(SYS_exit_group, 125);
	uint64_t all = ~0UL;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8);
	/* No signal stack for the map thread: it takes no signals. */
	stack_t ss = { .ss_flags = SS_DISABLE };
	syscall(SYS_sigaltstack, &ss, NULL);
	if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		syscall(SYS_exit_group, 125);
	if (memfd > 0)
		syscall(SYS_close_range, 0, memfd - 1, 0);
	syscall(SYS_close_range, memfd + 1, ~0U, 0);
	register uint64_t fd_r8 __asm__("r8") = (uint64_t)memfd;
	__asm__ volatile("jmp *%0"
			 :: "r"(s), "D"(s), "S"(s + STUB_REGION), "d"(SYSTRAP_USER_TOP),
			    "c"((uint64_t)zygote), "r"(fd_r8)
			 : "memory");
	__builtin_unreachable();
}

int systrap_stub_start(struct as *as, const struct as_op *ops, unsigned n)
{
	return pool_take(as, ops, n);
}

/* The zygote (stub.S): a stub process, exec'ed from the image (or forked
 * from the sentry) once, that forks the others. Only the forker uses it. */
static struct as zygote;

static void zygote_kill(void)
{
	if (zygote.pid > 0) {
		int status;
		kill(zygote.pid, SIGKILL);
		waitpid(zygote.pid, &status, __WALL);
		zygote.pid = 0;
	}
	pages_free(&zygote);
}

static int zygote_start(void)
{
	int r;
	if ((r = page_new(&zygote.ctl_off, &zygote.ctl)) < 0 ||
	    (r = page_new(&zygote.rsp_off, &zygote.rsp)) < 0) {
		pages_free(&zygote);
		return r;
	}
	/* No exit signal: a SIGCHLD, blocked in this thread, would be
	 * delivered to another sentry thread, and interrupt a timed futex
	 * wait there into restart_syscall, which the sentry may not make.
	 * The stubs it forks inherit that (CLONE_PARENT). Exec'ed from the
	 * image (the trap table and trampolines it maps first, and its forks
	 * inherit, written in its control page), else forked. */
	long pid = -ENOEXEC;
	if (stub_image_fd >= 0) {
		uint64_t req[CTL_MAXREQ][7];
		int n = systrap_patch_stub_reqs(req, CTL_MAXREQ, memfile_fd());
		if (n >= 0) {
			if (n)
				memcpy((void *)(zygote.ctl + CTL_REQS), req, (size_t)n * CTL_REQ_SIZE);
			*(volatile uint32_t *)(zygote.ctl + CTL_BOOT_NREQ) = (uint32_t)n;
			pid = image_spawn(&zygote, true);
		}
	}
	if (pid < 0) {
		pid = platform_stub_fork(0);
		if (pid == 0)
			stub_child(&zygote, true);
	}
	if (pid < 0) {
		pages_free(&zygote);
		return (int)pid;
	}
	zygote.pid = (pid_t)pid;
	zygote.seq = 0;
	int64_t none;
	r = systrap_stub_call(&zygote, NULL, 0, &none);
	if (r < 0) {
		log_printf("systrap: the zygote did not start");
		zygote_kill();
		return -ECHILD;
	}
	return 0;
}

/* A new stub process whose control and response pages are as's, forked
 * by the zygote (started first, or again if it died): its pid or -errno. */
static pid_t zygote_fork(const struct as *as)
{
	for (int tries = 0; tries < 2; tries++) {
		int r = 0;
		if (zygote.pid <= 0 && (r = zygote_start()) < 0)
			return r;
		const uint64_t req[1][7] = { { 0, as->ctl_off, as->rsp_off, 0, 0, 0, 0 } };
		int64_t pid = 0;
		r = systrap_stub_call(&zygote, req, 1, &pid);
		if (r == 0 && pid > 0 && pid <= 0x3fffffff)
			return (pid_t)pid;
		if (r == 0 && pid < 0 && pid > -4096)
			return (pid_t)pid;	/* clone failed (EAGAIN...): the zygote lives */
		zygote_kill();
	}
	return -ECHILD;
}

/* The sandbox's first stub, forked from the sentry like the zygote
 * (stub_child) but becoming a map thread at once: the zygote would be one
 * more process and two more round trips on the way to the first
 * instruction, and a program that never forks never needs it. Its pid or
 * -errno. */
static pid_t sentry_fork(const struct as *as)
{
	long pid = platform_stub_fork(0);
	if (pid == 0)
		stub_child(as, false);
	return (pid_t)pid;
}

/* Allocate the shared pages and fork the stub (in the forker, so that its
 * parent-death signal follows the sentry, not a task's thread): from the
 * zygote, or, for the first stub (direct) while there is none, exec'ed
 * from the stub image (then *npre requests in pre, at most CTL_MAXREQ,
 * are what it must map first; else *npre is 0), or forked from the
 * sentry where that cannot be. Whether its map thread is up, its first
 * batch tells (stub_prepare). */
static int stub_make(struct as *as, bool direct, uint64_t (*pre)[7], unsigned *npre)
{
	int r = systrap_patch_pages();
	if (r < 0)
		return r;
	if ((r = page_new(&as->ctl_off, &as->ctl)) < 0 ||
	    (r = page_new(&as->rsp_off, &as->rsp)) < 0) {
		pages_free(as);
		return r;
	}
	uint64_t s = systrap_base;
	r = systrap_filters_write(as->ctl, s);
	if (r < 0) {
		pages_free(as);
		return r;
	}
	uint64_t start_mask = 1UL << (SYSTRAP_SIG_INTERRUPT - 1);
	memcpy((void *)(as->ctl + CTL_START_MASK), &start_mask, sizeof(start_mask));
	memcpy((void *)(as->ctl + CTL_SPIN), &spin_iters, sizeof(spin_iters));
	uint32_t memfd = (uint32_t)memfile_fd();
	memcpy((void *)(as->ctl + CTL_MEMFD), &memfd, sizeof(memfd));
	memcpy((void *)(as->ctl + CTL_RSP_FOFF), &as->rsp_off, sizeof(as->rsp_off));

	pid_t pid = -ENOEXEC;
	int n = direct && zygote.pid <= 0 && stub_image_fd >= 0 ?
			systrap_patch_stub_reqs(pre, CTL_MAXREQ, (int)memfd) : -1;
	if (n >= 0 && (pid = image_spawn(as, false)) < 0) {
		close(stub_image_fd);	/* this host will not exec it: fork */
		stub_image_fd = -1;
	}
	*npre = pid > 0 ? (unsigned)n : 0;
	if (pid < 0)
		pid = direct && zygote.pid <= 0 ? sentry_fork(as) : zygote_fork(as);
	if (pid < 0) {
		pages_free(as);
		return pid;
	}
	as->pid = pid;
	as->seq = 0;
	return 0;
}

/* A released stub's slots: true when each is free or ready (none failed
 * to start, none still owned). */
static bool slots_spent(const struct as *as)
{
	for (unsigned i = 0; i < as->nslots; i++)
		if (as->slots[i]->owner && !as->slots[i]->ready)
			return false;
	return true;
}

/* Move as's stub to a new shell on the forker's list *list (spent or
 * corpses). False when out of memory. */
static bool hand_to_forker(struct as *as, struct as **list)
{
	struct as *d = shell_new();
	if (!d)
		return false;
	stub_move(d, as);
	pthread_mutex_lock(&fork_lock);
	d->dead_next = *list;
	*list = d;
	pthread_cond_signal(&fork_cond);
	pthread_mutex_unlock(&fork_lock);
	return true;
}

void systrap_stub_release(struct as *as)
{
	/* To the forker, to recycle (stub_recycle) or kill. */
	if (as->pid > 0 && slots_spent(as) && hand_to_forker(as, &spent))
		return;
	if (as->pid > 0) {
		/* Dead at once (no guest code runs there any more); its pages
		 * are freed once the forker has reaped it, since a thread on
		 * its way out may still touch its slot. */
		kill(as->pid, SIGKILL);
		if (hand_to_forker(as, &corpses))
			return;
		int status;
		waitpid(as->pid, &status, __WALL);
		as->pid = 0;
	}
	pages_free(as);
}

/* Whether the stub process, and its thread tid if not 0, still run. */
static bool stub_alive(pid_t pid, pid_t tid)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0) {
		if (errno != EINTR)
			return false;
	} else if (si.si_pid != 0) {
		return false;
	}
	if (tid > 0 && syscall(SYS_tgkill, pid, tid, 0) < 0 && errno == ESRCH)
		return false;
	return true;
}

void systrap_wake(volatile uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

uint32_t systrap_spin_max(void)
{
	return spin_iters;
}

int systrap_wait(pid_t pid, pid_t tid, volatile uint32_t *word, uint32_t want,
		 volatile uint32_t *sleeping)
{
	bool slept;
	return systrap_wait_spin(pid, tid, word, want, sleeping, spin_iters, &slept);
}

int systrap_wait_spin(pid_t pid, pid_t tid, volatile uint32_t *word, uint32_t want,
		      volatile uint32_t *sleeping, uint32_t spin, bool *slept)
{
	*slept = false;
	for (uint32_t i = 0; i < spin; i++) {
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
		*slept = true;
		long r = syscall(SYS_futex, word, FUTEX_WAIT, v, &ts, NULL, 0);
		if (r < 0 && errno == ETIMEDOUT && !stub_alive(pid, tid)) {
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
	if (n)
		memcpy((void *)(as->ctl + CTL_REQS), req, n * CTL_REQ_SIZE);
	*(volatile uint32_t *)(as->ctl + CTL_NREQ) = n;
	uint32_t seq = ++as->seq;
	volatile uint32_t *req_seq = (volatile uint32_t *)(as->ctl + CTL_REQ_SEQ);
	__atomic_store_n(req_seq, seq, __ATOMIC_SEQ_CST);
	systrap_wake(req_seq);
	/* Only the map thread can write the sequence number, after the batch
	 * (sysmsg.h); the results may be garbage: the callers check them. */
	volatile uint32_t *done = (volatile uint32_t *)(as->rsp + RSP_SEQ);
	/* The map thread sleeps between batches: its wake-up alone takes
	 * tens of microseconds here. Spinning for it pays when a CPU is free
	 * for it; while the forker works (a recycle's unmap, a new stub) one
	 * is not, and a spin would only hold the CPU they need. */
	bool slept;
	uint32_t spin = __atomic_load_n(&forker_busy, __ATOMIC_RELAXED) ? 0 : spin_iters;
	int r = systrap_wait_spin(as->pid, 0, done, seq, NULL, spin, &slept);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < n; i++)
		ret[i] = *(volatile int64_t *)(as->rsp + RSP_RETS + 8 * i);
	return 0;
}

/* --- slots ---------------------------------------------------------------- */

int systrap_slot_read(const struct slot *sl, uint64_t addr, void *buf, size_t len)
{
	uint64_t base = systrap_slot_addr(sl);
	if (addr < base || len > STUB_SLOT_SIZE || addr - base > STUB_SLOT_SIZE - len)
		return -EFAULT;
	uint8_t *out = buf;
	uint64_t o = addr - base;
	while (len) {
		size_t in_page = STUB_PAGE - (o % STUB_PAGE);
		size_t n = len < in_page ? len : in_page;
		memcpy(out, (const void *)(sl->page[o / STUB_PAGE] + o % STUB_PAGE), n);
		out += n;
		o += n;
		len -= n;
	}
	return 0;
}

int systrap_slot_write(struct slot *sl, uint64_t addr, const void *buf, size_t len)
{
	uint64_t base = systrap_slot_addr(sl);
	if (addr < base || len > STUB_SLOT_SIZE || addr - base > STUB_SLOT_SIZE - len)
		return -EFAULT;
	const uint8_t *in = buf;
	uint64_t o = addr - base;
	while (len) {
		size_t in_page = STUB_PAGE - (o % STUB_PAGE);
		size_t n = len < in_page ? len : in_page;
		memcpy((void *)(sl->page[o / STUB_PAGE] + o % STUB_PAGE), in, n);
		in += n;
		o += n;
		len -= n;
	}
	return 0;
}

/* One batch of n MAP_FIXED mmaps (n <= CTL_MAXREQ): 0 when each landed
 * at its address, else the first failure's -errno (-ENOMEM for garbage). */
static int stub_call_maps(struct as *as, const uint64_t (*req)[7], unsigned n)
{
	int64_t ret[CTL_MAXREQ];
	int r = systrap_stub_call(as, req, n, ret);
	for (unsigned i = 0; r == 0 && i < n; i++)
		if (ret[i] != (int64_t)req[i][1])
			r = ret[i] < 0 && ret[i] > -4096 ? (int)ret[i] : -ENOMEM;
	return r;
}

/* A new slot: its pages, mapped into the stub (runs of contiguous
 * memory-file pages, one mmap each), after the npre requests of pre in
 * the same batch (maps whose result must be their address). */
static int slot_new(struct as *as, struct slot **out, const uint64_t (*pre)[7], unsigned npre)
{
	if (as->nslots >= STUB_MAX_THREADS)
		return -EAGAIN;
	struct slot *sl = calloc(1, sizeof(*sl));
	if (!sl)
		return -ENOMEM;
	sl->as = as;
	sl->idx = as->nslots;
	uint64_t req[CTL_MAXREQ][7];
	unsigned nreq = npre;
	int r = 0;
	if (npre > CTL_MAXREQ - STUB_SLOT_PAGES) {
		free(sl);
		return -E2BIG;
	}
	if (npre)
		memcpy(req, pre, npre * sizeof(req[0]));
	for (unsigned i = 0; i < STUB_SLOT_PAGES;) {
		size_t got;
		int64_t o = memfile_alloc(STUB_SLOT_PAGES - i, &got);
		if (o < 0) {
			r = (int)o;
			break;
		}
		uint64_t addr = systrap_slot_addr(sl) + (uint64_t)i * STUB_PAGE;
		uint64_t req1[7] = { SYS_mmap, addr, got * STUB_PAGE, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_FIXED, (uint64_t)memfile_fd(), (uint64_t)o };
		memcpy(req[nreq++], req1, sizeof(req1));
		for (size_t k = 0; k < got; k++, i++) {
			sl->off[i] = (uint64_t)o + k * STUB_PAGE;
			sl->page[i] = memfile_ptr(sl->off[i]);
		}
	}
	if (r == 0)
		r = stub_call_maps(as, (const uint64_t (*)[7])req, nreq);
	if (r < 0) {
		slot_pages_free(sl);
		free(sl);
		return r;
	}
	as->slots[as->nslots++] = sl;
	*out = sl;
	return 0;
}

/* Not a canonical address: the first return to the guest sets fs and gs. */
static void msg_reset(struct slot *sl)
{
	volatile uint8_t *msg = sl->page[0];
	memset((void *)msg, 0, MSG_GREGS);
	uint64_t unset = BASE_UNSET;
	memcpy((void *)(msg + MSG_HOST_FS), &unset, sizeof(unset));
	memcpy((void *)(msg + MSG_HOST_GS), &unset, sizeof(unset));
	uint64_t self = systrap_slot_addr(sl);
	memcpy((void *)(msg + MSG_SELF), &self, sizeof(self));
	memcpy((void *)(msg + MSG_SPIN), &spin_iters, sizeof(spin_iters));
	sl->spin = sl->stub_spin = sl->stub_spin_given = spin_iters;
}

int systrap_slot_spawn(struct as *as, struct ctx *owner, struct slot **out)
{
	return slot_spawn(as, owner, out, NULL, 0);
}

/* systrap_slot_spawn, with pre's requests (maps) sent before the new
 * slot's pages, in the same batch; they need a new slot. */
static int slot_spawn(struct as *as, struct ctx *owner, struct slot **out,
		      const uint64_t (*pre)[7], unsigned npre)
{
	struct slot *sl = NULL;
	for (unsigned i = 0; i < as->nslots; i++) {
		struct slot *c = as->slots[i];
		if (c->ready) {
			/* Spawned ahead (the pool): its thread waits. */
			c->ready = false;
			c->owner = owner;
			*out = c;
			return 0;
		}
		if (c->owner)
			continue;
		/* A retired thread may still be on its way out. */
		if (c->tid > 0 && syscall(SYS_tgkill, as->pid, c->tid, 0) == 0)
			continue;
		sl = c;
		break;
	}
	int r;
	if (npre && sl)
		return -EINVAL;
	if (!sl && (r = slot_new(as, &sl, pre, npre)) < 0)
		return r;
	sl->tid = 0;
	msg_reset(sl);
	uint64_t slot = systrap_slot_addr(sl);
	struct {
		uint64_t sp;
		int32_t flags, pad;
		uint64_t size;
	} ss = { slot + STUB_PAGE, 0, 0, STUB_ALTSTACK_SIZE };
	memcpy((void *)(as->ctl + CTL_SPAWN_SS), &ss, sizeof(ss));
	const uint64_t req[1][7] = {
		{ SYS_clone, STUB_THREAD_CLONE, slot + STUB_SLOT_SIZE, 0, 0, 0, 0 },
	};
	int64_t tid = 0;
	r = systrap_stub_call(as, req, 1, &tid);
	if (r == 0 && (tid <= 0 || tid > 0x3fffffff))
		r = tid < 0 && tid > -4096 ? (int)tid : -ECHILD;
	if (r < 0)
		return r;
	/* The new thread reports once, from the ud2 in the code page. */
	volatile uint8_t *msg = sl->page[0];
	r = systrap_wait(as->pid, (pid_t)tid, (volatile uint32_t *)(msg + MSG_STATE),
			 MSG_ST_SENTRY, (volatile uint32_t *)(msg + MSG_SENTRY_SLEEP));
	uint32_t signo = *(volatile uint32_t *)(msg + MSG_SIGNO);
	if (r < 0 || signo != SIGILL) {
		log_printf("systrap: stub %d: thread %ld did not start (signal %u)", as->pid,
			   (long)tid, signo);
		/* It is in an unknown state: the slot stays taken. */
		sl->tid = (pid_t)tid;
		sl->owner = (struct ctx *)sl;
		return -ECHILD;
	}
	sl->tid = (pid_t)tid;
	sl->owner = owner;
	systrap_fp_reset(sl);
	*out = sl;
	return 0;
}

void systrap_slot_retire(struct slot *sl)
{
	volatile uint8_t *msg = sl->page[0];
	volatile uint32_t *state = (volatile uint32_t *)(msg + MSG_STATE);
	__atomic_store_n(state, MSG_ST_EXIT, __ATOMIC_SEQ_CST);
	systrap_wake(state);
	sl->owner = NULL;
	sl->ctx_next = NULL;
}
