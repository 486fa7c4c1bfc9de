/* sentry/kernel/exec.c: exec_image (open, new address space, ELF load)
 * and task_execve (swap the address space, close-on-exec, reset signal
 * handlers, release a vfork parent).
 *
 * Programs are read from the host's file system until the VFS and the
 * gofer serve them; exec_open is the one place that knows. */
#include "sentry/kernel/exec.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"
#include "fs/vfs/fdtable.h"
#include "platform/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static ssize_t hostfd_pread(void *priv, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread((int)(intptr_t)priv, buf, len, (off_t)off);
	return n < 0 ? -errno : n;
}

static int exec_open(const char *path, struct loader_file *lf)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		int err = S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)
			  ? -EACCES : -errno;
		close(fd);
		return err;
	}
	*lf = (struct loader_file){ (void *)(intptr_t)fd, hostfd_pread,
				    (uint64_t)st.st_size, path };
	return 0;
}

int exec_image(const char *path, char *const *argv, char *const *envp,
	       struct mm **out, struct user_regs_struct *regs, const char **why)
{
	struct loader_file lf;
	int r = exec_open(path, &lf);
	if (r < 0)
		return r;
	struct as *as = as_new();
	struct mm *mm = as ? mm_new(as, platform->max_user_addr()) : NULL;
	if (!mm) {
		if (as)
			as_release(as);
		close((int)(intptr_t)lf.priv);
		return -ENOMEM;
	}
	struct loader_args la = { argv, envp, path };
	r = loader_exec(mm, &lf, &la, regs, why);
	close((int)(intptr_t)lf.priv);
	if (r < 0) {
		mm_put(mm);
		return r;
	}
	*out = mm;
	return 0;
}

/* The point of no return of exec in a multi-threaded process: every other
 * thread exits; wait until they are gone. */
static void exec_kill_other_threads(struct task *t)
{
	pthread_mutex_lock(&kernel.lock);
	for (;;) {
		int others = 0;
		for (struct task *p = kernel.tasks; p; p = p->next) {
			if (p->tg != t->tg || p == t || p->thread_dead || p->zombie)
				continue;
			others++;
			if (!p->exiting) {
				__atomic_store_n(&p->exiting, true, __ATOMIC_RELEASE);
				task_wake_locked(p);
			}
		}
		if (!others || t->exiting)
			break;
		pthread_cond_wait(&t->wake, &kernel.lock);
	}
	pthread_mutex_unlock(&kernel.lock);
}

int task_execve(struct task *t, const char *path, char *const *argv, char *const *envp)
{
	struct user_regs_struct regs;
	struct mm *mm;
	const char *why = NULL;
	int r = exec_image(path, argv, envp, &mm, &regs, &why);
	if (r < 0)
		return r;
	exec_kill_other_threads(t);
	timers_release(t->tg, true);
	struct mm *old = t->mm;
	t->mm = mm;
	mm_put(old);
	/* Dispositions become private to the new program. */
	if (__atomic_load_n(&t->sighand->refs, __ATOMIC_ACQUIRE) > 1) {
		struct sighand *sh = sighand_new(t->sighand);
		if (sh) {
			pthread_mutex_lock(&kernel.lock);
			sighand_put(t->sighand);
			t->sighand = sh;
			t->sigactions = sh->action;
			pthread_mutex_unlock(&kernel.lock);
		}
	}
	t->regs = regs;
	fdtable_close_on_exec(t->files);
	/* Caught signals go back to their default action; ignored stay. */
	for (int i = 0; i < KSIG_MAX; i++) {
		if (t->sigactions[i].handler != (uint64_t)SIG_IGN)
			memset(&t->sigactions[i], 0, sizeof(t->sigactions[i]));
	}
	t->altstack_sp = t->altstack_size = 0;
	t->altstack_flags = SS_DISABLE;
	t->clear_child_tid = 0;
	t->robust_list = t->robust_len = 0;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strnlen(base, sizeof(t->comm) - 1);
	memcpy(t->comm, base, n);
	t->comm[n] = 0;
	task_vfork_done(t);
	return 0;
}
