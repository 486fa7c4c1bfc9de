/* sentry/kernel/task.c: creating the init task and the task loop: switch
 * into the guest, then handle the syscall, fault or signal that brought
 * it back. */
#include "sentry/kernel/task.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/errno_restart.h"
#include "sentry/kernel/errno_name.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/rlimit.h"
#include "sentry/kernel/signal.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/fs_context.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/vfs.h"
#include "platform/platform.h"
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- loading the first program ------------------------------------------ */

/* Is path, in the sandbox's file system, a file exec could run? */
static int program_at(struct fs_context *fs, const char *path)
{
	struct path p;
	int r = fs_context_lookup(fs, path, LOOKUP_FOLLOW | LOOKUP_OPEN, &p);
	if (r < 0)
		return r;
	if (!S_ISREG(p.dentry->inode->mode))
		r = -EACCES;
	path_put(&p);
	return r;
}

/* Resolve a command name like execvp, in the sandbox's file system:
 * names without '/' are searched in the guest's PATH. 0 or -errno. */
static int open_program(struct fs_context *fs, const char *name, char **envp,
			char *path, size_t pathlen)
{
	if (strchr(name, '/')) {
		if ((size_t)snprintf(path, pathlen, "%s", name) >= pathlen)
			return -ENAMETOOLONG;
		return program_at(fs, path);
	}
	const char *p = "/usr/local/bin:/usr/bin:/bin";
	for (char **e = envp; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			p = *e + 5;
	int err = -ENOENT;
	while (*p) {
		size_t n = strcspn(p, ":");
		if ((size_t)snprintf(path, pathlen, "%.*s/%s", (int)n, p, name) < pathlen) {
			int r = program_at(fs, path);
			if (r == 0)
				return 0;
			if (r != -ENOENT && r != -ENOTDIR)
				err = r;
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return err;
}

static int install_stdio(struct fdtable *fdt)
{
	for (int fd = 0; fd < 3; fd++) {
		int flags = fcntl(fd, F_GETFL);
		if (flags < 0)
			continue;	/* not open on the host: not open in the guest */
		int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (copy < 0)
			return -errno;
		struct file *f = host_file_new(copy, flags & (O_ACCMODE | O_APPEND | O_NONBLOCK));
		if (!f)
			return -ENOMEM;
		int r = fdtable_install_at(fdt, fd, f, INT_MAX, false);
		file_put(f);
		if (r < 0)
			return r;
	}
	return 0;
}

int task_create_init(const struct sandbox_config *cfg, struct task **out)
{
	struct task *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->k = &kernel;
	pthread_cond_init(&t->wake, NULL);
	t->tid = t->tgid = kernel.next_tid++;
	t->start_ns = kernel_now_ns(CLOCK_BOOTTIME);
	t->sighand = sighand_new(NULL);
	t->tg = tgroup_new(t);
	if (!t->sighand || !t->tg)
		return -ENOMEM;
	t->sigactions = t->sighand->action;
	t->altstack_flags = 2;	/* SS_DISABLE */
	cred_init_root(&t->cred);
	rlimit_init_defaults(t->rlim);
	t->files = fdtable_new();
	t->fs = fs_context_new(cfg->cwd);
	t->ctx = ctx_new();
	if (!t->files || !t->fs || !t->ctx) {
		fprintf(stderr, "cvisor: out of memory creating the first task\n");
		return -ENOMEM;
	}
	int r = install_stdio(t->files);
	if (r < 0) {
		fprintf(stderr, "cvisor: cannot pass stdio into the sandbox: %s\n", strerror(-r));
		return r;
	}

	char path[PATH_MAX];
	r = open_program(t->fs, cfg->argv[0], cfg->envp, path, sizeof(path));
	if (r < 0) {
		fprintf(stderr, "cvisor: %s: %s\n", cfg->argv[0], strerror(-r));
		return r;
	}
	const char *why = NULL;
	struct mm *mm;
	r = exec_image(t->fs, path, cfg->argv, cfg->envp, &mm, &t->regs, &why, &t->tg->exe);
	if (r < 0) {
		fprintf(stderr, "cvisor: %s: cannot execute: %s\n", path,
			why ? why : strerror(-r));
		return r;
	}
	t->mm = mm;
	t->pgid = t->sid = t->tgid;
	t->exit_signal = SIGCHLD;
	pthread_mutex_lock(&kernel.lock);
	t->next = kernel.tasks;
	kernel.tasks = t;
	kernel.ntasks++;
	pthread_mutex_unlock(&kernel.lock);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strnlen(base, sizeof(t->comm) - 1);
	memcpy(t->comm, base, n);
	t->comm[n] = 0;
	*out = t;
	return 0;
}

/* --- the task loop ------------------------------------------------------- */

static void task_syscall(struct task *t)
{
	struct user_regs_struct *r = &t->regs;
	uint64_t a[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };
	int64_t ret = syscall_dispatch(t, r->orig_rax, a);
	if (t->exiting || t->sigreturned)
		return;
	/* Restart codes are settled by signal_deliver(). */
	r->rax = (uint64_t)ret;
}

static void task_fault(struct task *t, const struct ctx_exit *ev)
{
	if (ev->signo == SIGSEGV) {
		int r = mm_fault(t->mm, ev->fault_addr, ev->access, ev->si_code == SEGV_ACCERR);
		if (r == -EAGAIN) {
			/* Stale if the mirror grew while the guest ran. */
			if (mm_mirror_seq(t->mm) != t->mirror_seen)
				return;
			r = -EACCES;
		}
		if (r == 0)
			return;
		if (r == -ENOMEM) {
			task_exit_group(t, SIGKILL);
			return;
		}
		if (r == -EIO) {	/* beyond the end of a mapped file */
			signal_force(t, SIGBUS, BUS_ADRERR, ev->fault_addr);
			return;
		}
		signal_force(t, SIGSEGV, r == -EACCES ? SEGV_ACCERR : SEGV_MAPERR, ev->fault_addr);
		return;
	}
	signal_force(t, ev->signo, ev->si_code, ev->fault_addr);
}

static bool is_restart(uint64_t rax)
{
	int64_t r = (int64_t)rax;
	return r == -ERESTARTSYS || r == -ERESTARTNOINTR || r == -ERESTARTNOHAND ||
	       r == -ERESTART_RESTARTBLOCK;
}

void task_run(struct task *t)
{
	cputime_start(t);
	while (!t->exiting) {
		struct ctx_exit ev;
		/* A fork child's or a new image's first pages, in one go. */
		mm_prefault(t->mm);
		cputime_user(t);
		t->mirror_seen = mm_mirror_seq(t->mm);
		int r = ctx_switch(t->ctx, t->mm->as, &t->regs, &ev);
		cputime_sys(t);
		if (r < 0) {
			fprintf(stderr, "cvisor: platform failure running task %d: %s\n",
				t->tid, strerror(-r));
			task_exit_group(t, SIGKILL);
			break;
		}
		bool after_syscall = false;
		switch (ev.event) {
		case CTX_SYSCALL:
			task_syscall(t);
			after_syscall = !t->sigreturned;
			t->sigreturned = false;
			break;
		case CTX_FAULT:
			task_fault(t, &ev);
			break;
		case CTX_SIGNAL:
			signal_force(t, ev.signo, ev.si_code, ev.fault_addr);
			break;
		case CTX_INTERRUPTED:
			break;
		}
		if (t->exiting)
			break;
		if (signal_pending(t) || t->restore_sigmask ||
		    (after_syscall && is_restart(t->regs.rax)))
			signal_deliver(t, after_syscall);
	}
	task_exit_finish(t);
}

void task_sigpipe(struct task *t)
{
	if (t->sigactions[SIGPIPE - 1].handler == (uint64_t)SIG_DFL &&
	    !(t->sigmask & (1ULL << (SIGPIPE - 1)))) {
		if (t->k->strace)
			log_printf("[%4d] +++ killed by SIGPIPE +++", t->tid);
		task_exit_group(t, SIGPIPE);
	}
}

