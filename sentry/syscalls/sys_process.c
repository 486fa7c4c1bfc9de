/* sentry/syscalls/sys_process.c: fork, vfork, clone, clone3, execve,
 * wait4, waitid, and process groups/sessions. The work is in
 * sentry/kernel/process.c and exec.c. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/path_at.h"
#include "fs/anon/pidfd.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define CLONE_NS_FLAGS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
			CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
#define K_CLONE_DETACHED 0x00400000ULL

/* CLONE_PIDFD: a close-on-exec pidfd for the child, its number stored at
 * upidfd (checked writable before the child is made). The fd is installed
 * after the child exists, so a full fd table gives EMFILE with the child
 * already running (Linux reserves the fd first). Thread pidfds
 * (CLONE_THREAD, Linux 6.9) are not supported: EINVAL. */
static int64_t clone_with_pidfd(struct task *t, struct fork_args *fa, uint64_t upidfd)
{
	if (fa->flags & (CLONE_THREAD | K_CLONE_DETACHED))
		return -EINVAL;
	int probe = -1;
	int r = copy_out(t->mm, upidfd, &probe, sizeof(probe));
	if (r < 0)
		return r;
	struct tgroup *tg = NULL;
	fa->pidfd_tg = &tg;
	int64_t tid = task_fork(t, fa);
	if (tid < 0)
		return tid;
	struct file *pf;
	r = pidfd_from_tgroup(tg, (int)tid, 0, &pf);
	if (r == 0) {
		r = fdtable_install(t->files, pf, 0, fd_limit(t), true);
		file_put(pf);
	}
	if (r < 0)
		return r;
	copy_out(t->mm, upidfd, &r, sizeof(r));
	return tid;
}

static int64_t do_clone(struct task *t, struct fork_args *fa, uint64_t upidfd)
{
	uint64_t f = fa->flags;
	if ((f & CLONE_SIGHAND) && !(f & CLONE_VM))
		return -EINVAL;
	if ((f & CLONE_THREAD) && !(f & CLONE_SIGHAND))
		return -EINVAL;
	if ((f & CLONE_FS) && (f & CLONE_NEWNS))
		return -EINVAL;
	if (fa->exit_signal < 0 || fa->exit_signal > 64)
		return -EINVAL;
	if (f & CLONE_NS_FLAGS)
		return -EPERM;	/* namespaces inside the sandbox: not yet */
	if (f & CLONE_PIDFD)
		return clone_with_pidfd(t, fa, upidfd);
	return task_fork(t, fa);
}

int64_t sys_fork(struct task *t, const uint64_t a[6])
{
	(void)a;
	struct fork_args fa = { .exit_signal = SIGCHLD };
	return do_clone(t, &fa, 0);
}

int64_t sys_vfork(struct task *t, const uint64_t a[6])
{
	(void)a;
	struct fork_args fa = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };
	return do_clone(t, &fa, 0);
}

/* x86-64 argument order: flags, stack, parent_tid, child_tid, tls. */
int64_t sys_clone(struct task *t, const uint64_t a[6])
{
	struct fork_args fa = {
		.flags = a[0] & ~0xffUL, .exit_signal = (int)(a[0] & 0xff),
		.stack = a[1], .parent_tid = a[2], .child_tid = a[3], .tls = a[4],
	};
	/* The pidfd goes where the parent's tid would. */
	if ((fa.flags & CLONE_PIDFD) && (fa.flags & CLONE_PARENT_SETTID))
		return -EINVAL;
	return do_clone(t, &fa, a[2]);
}

int64_t sys_clone3(struct task *t, const uint64_t a[6])
{
	struct clone_args ca;
	uint64_t size = a[1];
	if (size > 4096)
		return -E2BIG;
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	memset(&ca, 0, sizeof(ca));
	int r = copy_in(t->mm, &ca, a[0], size < sizeof(ca) ? size : sizeof(ca));
	if (r < 0)
		return r;
	/* Bytes past what we know must be zero. */
	for (uint64_t off = sizeof(ca); off < size; off++) {
		char c;
		if ((r = copy_in(t->mm, &c, a[0] + off, 1)) < 0)
			return r;
		if (c)
			return -E2BIG;
	}
	if (ca.exit_signal > 64 || (ca.flags & 0xff))
		return -EINVAL;
	if (ca.set_tid || ca.set_tid_size || ca.cgroup)
		return -EINVAL;
	if (!!ca.stack != !!ca.stack_size)
		return -EINVAL;
	struct fork_args fa = {
		.flags = ca.flags, .exit_signal = (int)ca.exit_signal,
		.stack = ca.stack ? ca.stack + ca.stack_size : 0,
		.parent_tid = ca.parent_tid, .child_tid = ca.child_tid, .tls = ca.tls,
	};
	return do_clone(t, &fa, ca.pidfd);
}

/* --- execve -------------------------------------------------------------- */

/* Linux's limits: strings plus pointers within a quarter of the stack
 * limit; each string below MAX_ARG_STRLEN. */
#define MAX_ARG_STRLEN (32 * 4096)
#define MAX_ARG_TOTAL (2 * 1024 * 1024)

struct strvec {
	char **v;
	size_t n, cap;
};

static void strvec_free(struct strvec *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* Copy a NULL-terminated guest pointer array of strings. */
static int strvec_copy_in(struct task *t, uint64_t uptr, struct strvec *s, size_t *total)
{
	memset(s, 0, sizeof(*s));
	for (uint64_t i = 0; uptr; i++) {
		uint64_t p;
		int r = copy_in(t->mm, &p, uptr + i * 8, 8);
		if (r < 0)
			return r;
		if (!p)
			break;
		if (s->n + 2 > s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			char **v = realloc(s->v, cap * sizeof(char *));
			if (!v)
				return -ENOMEM;
			s->v = v;
			s->cap = cap;
		}
		char *buf = malloc(MAX_ARG_STRLEN);
		if (!buf)
			return -ENOMEM;
		ssize_t len = copy_string_in(t->mm, buf, p, MAX_ARG_STRLEN);
		if (len < 0) {
			free(buf);
			return len == -ENAMETOOLONG ? -E2BIG : (int)len;
		}
		*total += (size_t)len + 1 + sizeof(char *);
		if (*total > MAX_ARG_TOTAL) {
			free(buf);
			return -E2BIG;
		}
		char *str = realloc(buf, (size_t)len + 1);
		s->v[s->n++] = str ? str : buf;
	}
	if (!s->v && !(s->v = malloc(sizeof(char *))))
		return -ENOMEM;
	s->v[s->n] = NULL;
	return 0;
}

int64_t sys_execve(struct task *t, const uint64_t a[6])
{
	char path[PATH_MAX];
	ssize_t len = copy_string_in(t->mm, path, a[0], sizeof(path));
	if (len < 0)
		return len;
	if (len == 0)
		return -ENOENT;
	struct strvec argv, envp;
	size_t total = 0;
	int r = strvec_copy_in(t, a[1], &argv, &total);
	if (r == 0)
		r = strvec_copy_in(t, a[2], &envp, &total);
	else
		memset(&envp, 0, sizeof(envp));
	if (r == 0)
		r = task_execve(t, path, argv.v, envp.v);
	strvec_free(&argv);
	strvec_free(&envp);
	return r;
}

/* --- wait ----------------------------------------------------------------- */

int64_t sys_wait4(struct task *t, const uint64_t a[6])
{
	int pid = (int)a[0], options = (int)a[2];
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	struct wait_args w = { .options = options | WEXITED };
	if (pid == INT_MIN)
		return -ESRCH;
	if (pid < -1) {
		w.which = WAITFOR_PGID;
		w.id = -pid;
	} else if (pid == 0) {
		w.which = WAITFOR_PGID;
		w.id = t->pgid;
	} else if (pid > 0) {
		w.which = WAITFOR_PID;
		w.id = pid;
	}
	struct wait_result res;
	int r = task_wait(t, &w, &res);
	if (r <= 0)
		return r;
	if (a[1] && (r = copy_out(t->mm, a[1], &res.status, sizeof(int))) < 0)
		return r;
	if (a[3]) {
		struct rusage ru;
		memset(&ru, 0, sizeof(ru));
		if ((r = copy_out(t->mm, a[3], &ru, sizeof(ru))) < 0)
			return r;
	}
	return res.pid;
}

int64_t sys_waitid(struct task *t, const uint64_t a[6])
{
	int idtype = (int)a[0], id = (int)a[1], options = (int)a[3];
	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED |
			__WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	struct wait_args w = { .options = options };
	bool pidfd_nonblock = false;
	switch (idtype) {
	case P_ALL:
		w.which = WAITFOR_ANY;
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		w.which = WAITFOR_PID;
		w.id = id;
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		w.which = WAITFOR_PGID;
		w.id = id ? id : t->pgid;
		break;
	case P_PIDFD: {
		/* The pidfd's process; O_NONBLOCK on it means WNOHANG, and
		 * EAGAIN instead of 0 when nothing is there yet. */
		if (id < 0)
			return -EINVAL;
		struct file *pf = fd_file(t, id, false);
		if (pf && file_is_pidfd(pf)) {
			w.which = WAITFOR_PID;
			w.id = pidfd_pid(pf);
			pidfd_nonblock = __atomic_load_n(&pf->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
		}
		file_put(pf);
		if (!w.id)
			return -EBADF;
		if (pidfd_nonblock)
			w.options |= WNOHANG;
		break;
	}
	default:
		return -EINVAL;
	}
	struct wait_result res = { 0 };
	int r = task_wait(t, &w, &res);
	if (r < 0)
		return r;
	if (r == 0 && pidfd_nonblock && !(options & WNOHANG))
		return -EAGAIN;
	if (a[2]) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		if (r > 0) {
			si.si_signo = SIGCHLD;
			si.si_pid = res.pid;
			si.si_uid = 0;
			if (WIFEXITED(res.status)) {
				si.si_code = CLD_EXITED;
				si.si_status = WEXITSTATUS(res.status);
			} else {
				si.si_code = WCOREDUMP(res.status) ? CLD_DUMPED : CLD_KILLED;
				si.si_status = WTERMSIG(res.status);
			}
		}
		if ((r = copy_out(t->mm, a[2], &si, sizeof(si))) < 0)
			return r;
	}
	if (a[4]) {
		struct rusage ru;
		memset(&ru, 0, sizeof(ru));
		if ((r = copy_out(t->mm, a[4], &ru, sizeof(ru))) < 0)
			return r;
	}
	return 0;
}

/* --- process groups and sessions ------------------------------------------ */

int64_t sys_setpgid(struct task *t, const uint64_t a[6])
{
	return task_setpgid(t, (int)a[0], (int)a[1]);
}

int64_t sys_getpgid(struct task *t, const uint64_t a[6])
{
	return task_getpgid(t, (int)a[0], false);
}

int64_t sys_getpgrp(struct task *t, const uint64_t a[6])
{
	(void)a;
	return task_getpgid(t, 0, false);
}

int64_t sys_getsid(struct task *t, const uint64_t a[6])
{
	return task_getpgid(t, (int)a[0], true);
}

int64_t sys_setsid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return task_setsid(t);
}
