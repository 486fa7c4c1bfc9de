/* sentry/kernel/kernel.c: the sandbox-wide kernel state and the sentry's
 * top level: set up the platform and the memory file, create the init
 * task, run it, and return its wait status.
 *
 * The init task runs on the calling (main) thread rather than on a new
 * one like every other task: a thread's creation and the first touches
 * of its stack cost a few hundred microseconds at start-up here, and
 * when init's leader is also its last thread to go the status is known
 * on the thread that returns it, with no wake-up. (Only if the main
 * thread's stack may be smaller than a task's does init get a thread.) */
#include "sentry/kernel/kernel.h"
#include "sentry/loader/vdso.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "platform/platform.h"
#include "lib/log.h"

#include <errno.h>
#include <pthread.h>
#include <sys/resource.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct kernel kernel = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.next_tid = 1,
	.init_cond = PTHREAD_COND_INITIALIZER,
};
__thread struct task *current;

uint64_t kernel_now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Every task's host stack (sentry/kernel/process.c). */
#define TASK_STACK (1 << 20)

static void *task_thread(void *arg)
{
	struct task *t = arg;
	current = t;
	task_run(t);
	current = NULL;
	return NULL;
}

/* May the main thread's stack grow to a task's? (Asked before the host
 * filter, which does not allow getrlimit.) */
static bool main_stack_fits(void)
{
	struct rlimit rl;
	return getrlimit(RLIMIT_STACK, &rl) == 0 &&
	       (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= 2 * TASK_STACK);
}

int kernel_run(const struct sandbox_config *cfg)
{
	bool on_main = main_stack_fits();
	kernel.cfg = cfg;
	kernel.strace = cfg->strace;
	kernel.boot_ns = kernel_now_ns(CLOCK_MONOTONIC);

	/* The memory file first: the platform starts its first stub at once,
	 * and the stub maps it. */
	int r = memfile_init(cfg->memory_limit);
	if (r < 0) {
		fprintf(stderr, "cvisor: memory file: %s\n", strerror(-r));
		return -EIO;
	}
	r = platform_select(cfg->platform);
	if (r < 0) {
		fprintf(stderr, "cvisor: platform %s: %s\n", cfg->platform, strerror(-r));
		return -EIO;
	}
	/* The sentry's filter, then the first stub while the program loads:
	 * every stub inherits the filter. */
	if (cfg->before_stubs && (r = cfg->before_stubs()) < 0) {
		fprintf(stderr, "cvisor: cannot make the sentry's filter: %s\n", strerror(-r));
		return -EIO;
	}
	if (platform->prefetch)
		platform->prefetch();
	r = vdso_init();
	if (r < 0) {
		fprintf(stderr, "cvisor: vDSO: %s\n", strerror(-r));
		return -EIO;
	}
	struct task *init;
	r = task_create_init(cfg, &init);
	if (r < 0)
		return r;
	if (cfg->before_guest && (r = cfg->before_guest()) < 0) {
		fprintf(stderr, "cvisor: cannot confine the sentry: %s\n", strerror(-r));
		return -EIO;
	}
	if (on_main) {
		init->thread = pthread_self();
		task_thread(init);
	} else {
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, TASK_STACK);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		r = pthread_create(&init->thread, &attr, task_thread, init);
		pthread_attr_destroy(&attr);
		if (r != 0) {
			fprintf(stderr, "cvisor: cannot start the init task: %s\n", strerror(r));
			return -EIO;
		}
	}
	/* The sandbox ends when its init process does (with its last
	 * thread); the other processes die with the sentry. */
	pthread_mutex_lock(&kernel.lock);
	while (!kernel.init_done)
		pthread_cond_wait(&kernel.init_cond, &kernel.lock);
	int status = kernel.exit_status;
	pthread_mutex_unlock(&kernel.lock);
	return status;
}
