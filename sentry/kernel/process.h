/* sentry/kernel/process.h: the process tree (see process.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct task;

#ifndef CLONE_VM
#include <sched.h>
#endif

struct fork_args {
	uint64_t flags;		/* CLONE_* */
	int exit_signal;
	uint64_t stack;		/* new rsp, 0: same */
	uint64_t parent_tid, child_tid, tls;
	/* CLONE_PIDFD: set to the new process's thread group, referenced
	 * (the caller drops it with tgroup_put()); NULL on failure. */
	struct tgroup **pidfd_tg;
};

struct sighand;
struct tgroup;

struct sighand *sighand_new(const struct sighand *copy);
void sighand_put(struct sighand *sh);
struct tgroup *tgroup_new(struct task *leader);
/* References to a thread group (pidfds hold one); kernel.lock held for
 * the _locked forms. */
void tgroup_get_locked(struct tgroup *tg);
void tgroup_put_locked(struct tgroup *tg);
void tgroup_put(struct tgroup *tg);
/* Every thread of the group exits with status; kernel.lock held. */
void group_exit_locked(struct tgroup *tg, int status);

/* Create a child process or thread of t (clone). Returns its tid or -errno;
 * with CLONE_VFORK, returns once the child has exec'd or exited. */
int64_t task_fork(struct task *t, const struct fork_args *fa);
/* exec succeeded or the task exited: release a vfork parent. */
void task_vfork_done(struct task *t);

enum wait_which { WAITFOR_ANY, WAITFOR_PID, WAITFOR_PGID };

struct wait_args {
	enum wait_which which;
	int id;
	int options;		/* WNOHANG, WEXITED, WNOWAIT, __WALL, __WCLONE */
};

struct wait_result {
	int pid;
	int status;		/* wait(2) encoding */
};

/* Reap (or with WNOWAIT, look at) an exited child. The child's pid, 0
 * with WNOHANG when none has exited, -ECHILD when none matches. */
int task_wait(struct task *t, const struct wait_args *w, struct wait_result *res);

int task_setpgid(struct task *t, int pid, int pgid);
int task_setsid(struct task *t);
/* getpgid (session false) or getsid (true) of pid, 0 meaning t. */
int task_getpgid(struct task *t, int pid, bool session);
/* The session of the live process group pgid, or -ESRCH. */
int pgrp_session(int pgid);
int task_getppid(struct task *t);
