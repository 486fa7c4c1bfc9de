/* fs/procfs/proc_task.c: how procfs reaches tasks: by tid under
 * kernel.lock on every access, taking references on the memory, fd table
 * and fs context it then reads without the lock; and the names of open
 * files and paths as the reading task sees them. */
#include "fs/procfs/procfs.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/fs_context.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* The task of pi, kernel.lock held: NULL if reaped, or a thread (not
 * the process's leader) that has exited: pthread_join may have returned
 * already, so it is gone for the process as on Linux. */
static struct task *task_of_locked(int tgid, int tid)
{
	struct task *t = task_lookup(tid);
	if (!t || t->tgid != tgid || (t->exited && t != t->tg->leader))
		return NULL;
	return t;
}

bool proc_task_exists(int tgid, int tid)
{
	pthread_mutex_lock(&kernel.lock);
	bool r = task_of_locked(tgid, tid) != NULL;
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

/* The task whose objects stand for pi: the thread itself, or for a
 * process whose leader thread has exited, another live thread. */
static struct task *holder_locked(const struct proc_inode *pi)
{
	struct task *t = task_of_locked(pi->tgid, pi->tid);
	if (!t || t->zombie)
		return NULL;
	if (t->mm || pi->tid != pi->tgid)
		return t;
	for (struct task *q = kernel.tasks; q; q = q->next)
		if (q->tg == t->tg && q->mm)
			return q;
	return NULL;
}

void proc_task_owner(const struct proc_inode *pi, uid_t *uid, gid_t *gid)
{
	*uid = *gid = 0;
	pthread_mutex_lock(&kernel.lock);
	struct task *t = task_of_locked(pi->tgid, pi->tid);
	if (t && !t->tg->undumpable) {	/* undumpable: root's, as Linux */
		*uid = t->cred.euid;
		*gid = t->cred.egid;
	}
	pthread_mutex_unlock(&kernel.lock);
}

struct mm *proc_task_mm(const struct proc_inode *pi)
{
	pthread_mutex_lock(&kernel.lock);
	struct task *t = holder_locked(pi);
	struct mm *mm = t ? t->mm : NULL;
	if (mm)
		mm_get(mm);
	pthread_mutex_unlock(&kernel.lock);
	return mm;
}

struct fdtable *proc_task_files(const struct proc_inode *pi)
{
	pthread_mutex_lock(&kernel.lock);
	struct task *t = holder_locked(pi);
	struct fdtable *ft = t ? t->files : NULL;
	if (ft)
		fdtable_get(ft);
	pthread_mutex_unlock(&kernel.lock);
	return ft;
}

struct fs_context *proc_task_fs(const struct proc_inode *pi)
{
	pthread_mutex_lock(&kernel.lock);
	struct task *t = holder_locked(pi);
	struct fs_context *fs = t ? t->fs : NULL;
	if (fs)
		fs_context_get(fs);
	pthread_mutex_unlock(&kernel.lock);
	return fs;
}

void proc_reader_root(struct path *root)
{
	if (current && current->fs)
		fs_context_root(current->fs, root);
	else
		mount_root_path(root);
}

int proc_path_name(const struct path *p, char *buf, size_t len)
{
	struct path root;
	proc_reader_root(&root);
	int r = vfs_d_path(&root, p, buf, len);
	path_put(&root);
	return r;
}

int proc_file_name(struct file *f, char *buf, size_t len)
{
	if (f->path.dentry)
		return proc_path_name(&f->path, buf, len);
	if (f->ops && f->ops->anon_name)
		return snprintf(buf, len, "anon_inode:%s", f->ops->anon_name) + 1;
	struct stat st;
	if (file_stat(f, &st) < 0)
		return snprintf(buf, len, "anon_inode:[unknown]") + 1;
	if (S_ISFIFO(st.st_mode))
		return snprintf(buf, len, "pipe:[%lu]", (unsigned long)st.st_ino) + 1;
	if (S_ISSOCK(st.st_mode))
		return snprintf(buf, len, "socket:[%lu]", (unsigned long)st.st_ino) + 1;
	if (S_ISCHR(st.st_mode)) {
		/* The host's terminal or device behind inherited stdio. */
		unsigned ma = major(st.st_rdev), mi = minor(st.st_rdev);
		if (ma == 136)
			return snprintf(buf, len, "/dev/pts/%u", mi) + 1;
		if (ma == 1 && mi == 3)
			return snprintf(buf, len, "/dev/null") + 1;
		if (ma == 5 && mi == 0)
			return snprintf(buf, len, "/dev/tty") + 1;
		if (ma == 4)
			return snprintf(buf, len, "/dev/tty%u", mi) + 1;
	}
	if (S_ISREG(st.st_mode))
		return snprintf(buf, len, "/[host file %lu]", (unsigned long)st.st_ino) + 1;
	return snprintf(buf, len, "anon_inode:[unknown]") + 1;
}
