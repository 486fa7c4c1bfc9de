/* sentry/kernel/task.h: a task (one guest thread) and the sandbox-wide
 * kernel state it belongs to.
 *
 * Each task runs its loop on its own host thread: switch into the guest,
 * handle the syscall or fault, switch again (task_run()). */
#pragma once
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/user.h>
#include <time.h>

#include "sentry/kernel/cputime.h"
#include "fs/vfs/mount.h"
#include "sentry/kernel/cred.h"

struct mm;
struct ctx;
struct fdtable;
struct fs_context;

/* Guest-visible signal action, in the kernel's layout (struct
 * kernel_sigaction of x86-64). */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

#define KSIG_MAX 64
/* Real-time signals (32..64) queue every instance, each in its own FIFO
 * (struct sigqueue is private to signal.c). */
#define KSIG_RT_FIRST 32
#define KSIG_NRT (KSIG_MAX - KSIG_RT_FIRST + 1)
struct sigqueue;
struct sigqueue_list {
	struct sigqueue *head, *tail;
};

struct sandbox_config {
	const char *platform;
	bool strace;
	char **argv;		/* the guest's argv; argv[0] is the path run */
	char **envp;
	const char *cwd;
	const char *hostname;
	uint64_t memory_limit;	/* bytes of guest memory */
	int pids_max;		/* --pids: most tasks at once (0: the default cap) */
	/* Called once the platform, the memory file and the init task
	 * exist, before any guest instruction runs (the launcher's seccomp
	 * filter); a negative errno stops the sandbox. May be NULL. */
	int (*before_guest)(void);
	/* Before the platform's first stub, which inherits what it loads
	 * (the sentry's filter). */
	int (*before_stubs)(void);
};

/* The sandbox-wide kernel: one per sentry. */
struct kernel {
	pthread_mutex_t lock;
	const struct sandbox_config *cfg;
	int next_tid;
	int exit_status;	/* wait(2) status of the init process */
	bool strace;
	uint64_t boot_ns;	/* CLOCK_MONOTONIC at start, for uptime */
	/* Under lock: every task that is alive or a zombie. */
	struct task *tasks;
	int ntasks;		/* live and zombie tasks, for the limits */
	bool init_done;		/* the init process has exited */
	pthread_cond_t init_cond;
};

extern struct kernel kernel;

/* Signal dispositions, shared by the threads that share CLONE_SIGHAND.
 * Changed under kernel.lock. */
struct sighand {
	int refs;
	struct k_sigaction action[KSIG_MAX];
};

/* A thread group: a process. Under kernel.lock. */
struct tgroup {
	int refs;
	int live;			/* threads not yet exited */
	struct task *leader;		/* represents the process in the tree */
	uint64_t shared_pending;	/* process-directed signals */
	siginfo_t shared_info[KSIG_MAX];
	struct sigqueue_list shared_rtq[KSIG_NRT];	/* queued RT instances */
	bool group_exit;		/* exit_group or a fatal signal */
	int group_exit_status;
	struct cputime dead_threads;	/* CPU time of exited threads */
	struct cputime children;	/* of reaped children (wait) */
	struct path exe;		/* the program (/proc/PID/exe), or NULLs */
	bool undumpable;		/* PR_GET_DUMPABLE reads 0 */
	bool subreaper;			/* PR_SET_CHILD_SUBREAPER */
	/* Job control (signal.c): a group stop in progress waits for
	 * stop_count threads; stopped once they all have. stop_report and
	 * cont_report are the stop (its signal) and the continue that wait
	 * has yet to report. */
	bool stop_pending, stopped;
	int stop_sig, stop_count;
	int stop_report;
	bool cont_report;
};

struct task {
	struct kernel *k;
	int tid, tgid;
	struct mm *mm;
	struct ctx *ctx;
	struct user_regs_struct regs;
	struct fdtable *files;
	struct fs_context *fs;	/* root, cwd, umask (fs/vfs/fs_context.h) */

	/* Signals (sentry/kernel/signal.c). Pending state and the mask are
	 * under kernel.lock; sigmask is also read without it by its owner. */
	struct sighand *sighand;	/* shared by CLONE_SIGHAND */
	struct k_sigaction *sigactions;	/* sighand->action */
	struct tgroup *tg;		/* the thread group (process) */
	uint64_t sigmask;
	uint64_t sig_pending;		/* bit n-1: signal n */
	siginfo_t sig_info[KSIG_MAX];	/* a standard signal's one instance */
	struct sigqueue_list sig_rtq[KSIG_NRT];	/* queued RT instances */
	uint64_t saved_sigmask;		/* rt_sigsuspend/pselect's mask to restore */
	bool restore_sigmask;
	bool sigreturned;		/* rt_sigreturn set every register */
	uint64_t mirror_seen;		/* mm_mirror_seq before the last switch */
	bool stopped;			/* SIGSTOP and friends */
	bool jobctl_stop;		/* must join the group stop */
	bool sleeping;			/* blocked in task_block() (procfs 'S') */
	/* restart_syscall: continue an interrupted relative sleep. */
	clockid_t restart_clock;
	struct timespec restart_deadline;
	uint64_t restart_urem;
	pthread_cond_t wake;		/* with kernel.lock: the task blocks here */
	uint64_t altstack_sp, altstack_size;
	int altstack_flags;

	uint64_t clear_child_tid;
	uint64_t robust_list, robust_len;
	struct rlimit rlim[RLIM_NLIMITS];
	char comm[16];
	struct cred cred;		/* sentry/kernel/cred.h */
	/* Scheduling as the guest set it (sys_sched.c; the host schedules):
	 * under kernel.lock. */
	int sched_policy, sched_priority, nice;
	bool sched_reset_on_fork;
	bool affinity_set;		/* else every CPU the sandbox may use */
	uint64_t affinity[16];		/* CPUs 0..1023 */
	unsigned personality;		/* personality(2), inherited, kept by exec */
	int pdeath_signal;		/* PR_SET_PDEATHSIG */
	int parent_tid;			/* the thread that forked us (pdeathsig) */
	struct task_clock clock;	/* CPU time (sentry/kernel/cputime.h) */
	uint64_t start_ns;	/* CLOCK_BOOTTIME at creation (procfs starttime) */
	int oom_score_adj;	/* /proc/PID/oom_score_adj, kept per process */

	bool exiting;		/* leave the task loop */
	bool exited;		/* past its last guest instruction: its platform
				 * context is gone and joiners are (about to be)
				 * told; procfs no longer shows the thread */
	int exit_status;	/* wait(2) encoding */
	pthread_t thread;

	/* The process tree, under kernel.lock. parent is the leader of the
	 * parent process; the fields below describe the process when t is
	 * its leader. */
	struct task *parent;	/* NULL for init */
	struct task *next;	/* kernel.tasks list */
	int exit_signal;	/* sent to the parent at exit (SIGCHLD) */
	int pgid, sid;
	bool zombie;		/* exited, waiting to be reaped */
	bool autoreap;		/* the parent ignores SIGCHLD: nobody reaps */
	bool vfork_done;	/* exec'd or exited: a vfork parent may go on */
	bool thread_dead;	/* a leader whose thread exited before the group */
};

/* Create the first task from the config: load argv[0], set up the fd
 * table from the host stdio. 0 or -errno (with a message on stderr). */
int task_create_init(const struct sandbox_config *cfg, struct task **out);
/* Run the task loop on the calling host thread until the task exits. */
void task_run(struct task *t);
/* Start t's loop on a new detached host thread. 0 or -errno. */
int task_start(struct task *t);
/* After the loop: release the task's resources, reparent its children,
 * and become a zombie for the parent (or vanish if nobody will reap). */
void task_exit_finish(struct task *t);
/* Look a task up by tid; caller holds kernel.lock. */
struct task *task_lookup(int tid);
/* A write hit a broken pipe: SIGPIPE, whose default action kills the
 * process (handlers run once signal delivery exists). */
void task_sigpipe(struct task *t);
/* The task's thread group is done: exit_group(status). */
void task_exit_group(struct task *t, int wait_status);
/* Only this thread ends (exit(2)); the process ends with its last thread. */
void task_exit_thread(struct task *t, int wait_status);

/* The current task of this host thread. */
extern __thread struct task *current;
