/* sentry/kernel/exec.c: exec_image (open, new address space, ELF load)
 * and task_execve (swap the address space, close-on-exec, reset signal
 * handlers, release a vfork parent).
 *
 * Programs are found and read through the VFS (so from the gofer's root,
 * the overlay, tmpfs...), never from the host directly; "#!" scripts run
 * their interpreter with the script's path as an argument, and PT_INTERP
 * interpreters are opened the same way by the loader. */
#include "sentry/kernel/exec.h"
#include "sentry/mm/vm_file.h"
#include "sentry/kernel/cred.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/loader/loader.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/mm/mm.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/fs_context.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/vfs.h"
#include "fs/vfs/dentry.h"
#include "platform/platform.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define BINPRM_BUF_SIZE 256	/* Linux: the #! line is read from these bytes */
#define SCRIPT_DEPTH_MAX 4	/* Linux: interpreters of interpreters */

/* The file a loader reads: an open VFS file. */
static ssize_t vfsfile_pread(void *priv, void *buf, size_t len, uint64_t off)
{
	struct file *f = priv;
	int64_t pos = (int64_t)off;
	if (!f->ops->read)
		return -EACCES;
	return f->ops->read(f, buf, len, &pos);
}

/* Its pages, if the file system keeps them in a memory object. */
static struct mobj *vfsfile_obj(void *priv)
{
	struct file *f = priv;
	struct mobj *obj = NULL;
	bool maywrite;
	if (!f->ops->mmap || f->ops->mmap(f, PROT_READ, MAP_PRIVATE, &obj, &maywrite) < 0)
		return NULL;
	return obj;
}

/* Open path for execution, resolved from fs's root and cwd: a regular
 * file with an x bit (EACCES otherwise), readable. */
static int exec_open(struct fs_context *fs, const char *path, struct loader_file *lf)
{
	struct path p;
	int r = fs_context_lookup(fs, path, LOOKUP_FOLLOW | LOOKUP_OPEN, &p);
	if (r < 0)
		return r;
	struct inode *inode = p.dentry->inode;
	struct file *f = NULL;
	if (!S_ISREG(inode->mode) || inode_permission(inode, MAY_EXEC) < 0)
		r = -EACCES;
	else
		r = vfs_open_path(&p, O_RDONLY, &f);
	path_put(&p);
	if (r < 0)
		return r;
	struct stat st;
	file_stat(f, &st);
	*lf = (struct loader_file){ f, vfsfile_pread, (uint64_t)st.st_size, path, vfsfile_obj,
				    vm_file_new(&f->path) };
	return 0;
}

static void exec_close(struct loader_file *lf)
{
	vm_file_put(lf->file);
	file_put(lf->priv);
}

static int interp_open(void *ctx, const char *path, struct loader_file *out)
{
	return exec_open(ctx, path, out);
}

static void interp_close(void *ctx, struct loader_file *f)
{
	(void)ctx;
	exec_close(f);
}

/* "#!interpreter [arg]" in the first line of f: a new argv
 * (interpreter, [arg,] path, argv[1]...) in *nargv (one allocation) and
 * the interpreter in *interp. 0, 1 if f is no script, or -errno. */
static int parse_script(struct loader_file *f, const char *path, char *const *argv,
			char ***nargv, char **interp)
{
	char line[BINPRM_BUF_SIZE + 1];
	ssize_t n = f->pread(f->priv, line, BINPRM_BUF_SIZE, 0);
	if (n < 2 || line[0] != '#' || line[1] != '!')
		return n < 0 ? (int)n : 1;
	line[n] = 0;
	char *nl = strchr(line, '\n');
	if (nl)
		*nl = 0;
	else if (n == BINPRM_BUF_SIZE)
		return -ENOEXEC;	/* the interpreter line is too long */
	char *p = line + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;
	char *name = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	char *arg = NULL;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			arg = p;	/* the rest of the line, trailing blanks cut */
			char *e = arg + strlen(arg);
			while (e > arg && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = 0;
		}
	}
	size_t argc = 0, bytes = 0;
	for (; argv && argv[argc]; argc++)
		;
	size_t nargs = 1 + (arg ? 1 : 0) + 1 + (argc ? argc - 1 : 0);
	bytes = strlen(name) + 1 + (arg ? strlen(arg) + 1 : 0) + strlen(path) + 1;
	char **v = malloc((nargs + 1) * sizeof(char *) + bytes);
	if (!v)
		return -ENOMEM;
	char *s = (char *)(v + nargs + 1);
	size_t k = 0;
	v[k++] = s;
	s = stpcpy(s, name) + 1;
	if (arg) {
		v[k++] = s;
		s = stpcpy(s, arg) + 1;
	}
	v[k++] = s;
	stpcpy(s, path);
	for (size_t i = 1; i < argc; i++)
		v[k++] = argv[i];
	v[k] = NULL;
	*nargv = v;
	*interp = v[0];
	return 0;
}

int exec_image(struct fs_context *fs, const char *path, char *const *argv,
	       char *const *envp, struct mm **out, struct user_regs_struct *regs,
	       const char **why, struct path *exe)
{
	struct loader_file lf;
	char **owned[SCRIPT_DEPTH_MAX + 1] = { 0 };
	int depth = 0;
	const char *execfn = path;
	int r = exec_open(fs, path, &lf);
	if (r < 0)
		return r;
	/* #! scripts, up to SCRIPT_DEPTH_MAX interpreters deep (ELOOP). */
	for (;;) {
		char **nargv = NULL, *interp = NULL;
		r = parse_script(&lf, path, argv, &nargv, &interp);
		if (r == 1)
			break;
		exec_close(&lf);
		if (r < 0)
			goto out;
		owned[depth++] = nargv;
		argv = nargv;
		path = interp;
		if (depth > SCRIPT_DEPTH_MAX) {
			r = -ELOOP;
			goto out;
		}
		r = exec_open(fs, path, &lf);
		if (r < 0)
			goto out;
	}
	struct as *as = as_new();
	struct mm *mm = as ? mm_new(as, platform->max_user_addr()) : NULL;
	if (!mm) {
		if (as)
			as_release(as);
		exec_close(&lf);
		r = -ENOMEM;
		goto out;
	}
	struct loader_args la = { argv, envp, execfn, interp_open, interp_close, fs };
	r = loader_exec(mm, &lf, &la, regs, why);
	if (r == 0 && exe) {
		struct file *ef = lf.priv;
		*exe = ef->path;
		path_get(exe);
	}
	exec_close(&lf);
	if (r < 0) {
		mm_put(mm);
		goto out;
	}
	*out = mm;
out:
	for (int i = 0; i < depth; i++)
		free(owned[i]);
	return r;
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
		if (!others || t->exiting) {
			if (!others && !t->exiting)
				exec_become_leader_locked(t);
			break;
		}
		cputime_idle(t);
		pthread_cond_wait(&t->wake, &kernel.lock);
		cputime_sys(t);
	}
	pthread_mutex_unlock(&kernel.lock);
}

int task_execve(struct task *t, const char *path, char *const *argv, char *const *envp)
{
	struct user_regs_struct regs;
	struct mm *mm;
	const char *why = NULL;
	struct fs_context *fs = task_fs(t);
	if (!fs)
		return -ENOMEM;
	struct path exe = { 0 };
	int r = exec_image(fs, path, argv, envp, &mm, &regs, &why, &exe);
	if (r < 0)
		return r;
	exec_kill_other_threads(t);
	timers_release(t->tg, true);
	/* procfs reads mm and exe under kernel.lock. */
	pthread_mutex_lock(&kernel.lock);
	struct mm *old = t->mm;
	t->mm = mm;
	struct path old_exe = t->tg->exe;
	t->tg->exe = exe;
	pthread_mutex_unlock(&kernel.lock);
	mm_put(old);
	if (old_exe.dentry)
		path_put(&old_exe);
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
	cred_exec(t);
	t->robust_list = t->robust_len = 0;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strnlen(base, sizeof(t->comm) - 1);
	memcpy(t->comm, base, n);
	t->comm[n] = 0;
	task_vfork_done(t);
	return 0;
}
