/* fs/procfs/proc_fd.c: the links and tables of a task's files: fd/N and
 * fdinfo/N, the magic links exe, cwd and root (readlink gives the name,
 * following gives the object itself), and mounts, mountinfo and
 * mountstats from the mount table as the reading task's root sees it. */
#include "fs/procfs/procfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/fs_context.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/task.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

static ssize_t copy_name(char *buf, size_t len, const char *name)
{
	size_t n = strlen(name);
	if (n > len)
		n = len;
	memcpy(buf, name, n);
	return (ssize_t)n;
}

/* The open file at pi's fd, referenced, or NULL. */
static struct file *fd_file_of(const struct proc_inode *pi)
{
	struct fdtable *ft = proc_task_files(pi);
	if (!ft)
		return NULL;
	struct file *f = fdtable_get_file(ft, pi->fd);
	fdtable_put(ft);
	return f;
}

static ssize_t fd_readlink(const struct proc_inode *pi, char *buf, size_t len)
{
	struct file *f = fd_file_of(pi);
	if (!f)
		return -ENOENT;
	char *name = malloc(PATH_MAX + 16);
	if (!name) {
		file_put(f);
		return -ENOMEM;
	}
	int r = proc_file_name(f, name, PATH_MAX + 16);
	file_put(f);
	ssize_t n = r < 0 ? r : copy_name(buf, len, name);
	free(name);
	return n;
}

static int fd_get_link(const struct proc_inode *pi, struct path *out, struct file **fout)
{
	struct file *f = fd_file_of(pi);
	if (!f)
		return -ENOENT;
	if (f->path.dentry) {
		*out = f->path;
		path_get(out);
		file_put(f);
	} else {
		*fout = f;
	}
	return 0;
}

static const struct proc_entry fd_link_entry = {
	.name = "fd", .mode = S_IFLNK | 0700, .readlink = fd_readlink, .get_link = fd_get_link,
};

/* Mount ids: the position in the mount table (mounts are never removed). */
static int mount_id_of(const struct mount *want)
{
	int id = 1;
	vfs_lock();
	for (struct mount *m = mount_first(); m; m = m->next, id++)
		if (m == want)
			break;
	vfs_unlock();
	return want ? id : 0;
}

static int fdinfo_show(const struct proc_inode *pi, struct sbuf *sb)
{
	struct fdtable *ft = proc_task_files(pi);
	if (!ft)
		return -ESRCH;
	struct file *f = fdtable_get_file(ft, pi->fd);
	int cloexec = fdtable_get_cloexec(ft, pi->fd);
	fdtable_put(ft);
	if (!f)
		return -ENOENT;
	int flags = f->flags | (cloexec > 0 ? O_CLOEXEC : 0);
	int64_t pos = __atomic_load_n(&f->pos, __ATOMIC_RELAXED);
	struct stat st;
	unsigned long ino = file_stat(f, &st) == 0 ? (unsigned long)st.st_ino : 0;
	sbuf_printf(sb, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%lu\n", (long long)pos,
		    (unsigned)flags, mount_id_of(f->path.mnt), ino);
	file_put(f);
	return 0;
}

static const struct proc_entry fdinfo_entry = {
	.name = "fdinfo", .mode = S_IFREG | 0444, .show = fdinfo_show,
};

static int parse_fd(const char *name, size_t len)
{
	if (len == 0 || len > 9 || (name[0] == '0' && len > 1))
		return -1;
	int v = 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return v;
}

static int fd_lookup_with(const struct proc_inode *dir, const char *name, size_t len,
			  struct proc_inode *child, const struct proc_entry *e)
{
	int fd = parse_fd(name, len);
	if (fd < 0)
		return -ENOENT;
	struct fdtable *ft = proc_task_files(dir);
	if (!ft)
		return -ENOENT;
	bool open = fdtable_next_fd(ft, fd) == fd;
	fdtable_put(ft);
	if (!open)
		return -ENOENT;
	*child = (struct proc_inode){ e, dir->tgid, dir->tid, fd, dir->thread };
	return 0;
}

static bool fd_next_with(const struct proc_inode *dir, int64_t *key, struct proc_inode *child,
			 char *name, const struct proc_entry *e)
{
	if (*key > INT_MAX)
		return false;
	struct fdtable *ft = proc_task_files(dir);
	if (!ft)
		return false;
	int fd = fdtable_next_fd(ft, (int)*key);
	fdtable_put(ft);
	if (fd < 0)
		return false;
	*key = fd;
	*child = (struct proc_inode){ e, dir->tgid, dir->tid, fd, dir->thread };
	snprintf(name, 32, "%d", fd);
	return true;
}

static int fd_lookup(const struct proc_inode *dir, const char *name, size_t len,
		     struct proc_inode *child)
{
	return fd_lookup_with(dir, name, len, child, &fd_link_entry);
}

static bool fd_next(const struct proc_inode *dir, int64_t *key, struct proc_inode *child,
		    char *name)
{
	return fd_next_with(dir, key, child, name, &fd_link_entry);
}

static int fdinfo_lookup(const struct proc_inode *dir, const char *name, size_t len,
			 struct proc_inode *child)
{
	return fd_lookup_with(dir, name, len, child, &fdinfo_entry);
}

static bool fdinfo_next(const struct proc_inode *dir, int64_t *key, struct proc_inode *child,
			char *name)
{
	return fd_next_with(dir, key, child, name, &fdinfo_entry);
}

const struct proc_dyn proc_fd_dyn = { fd_lookup, fd_next };
const struct proc_dyn proc_fdinfo_dyn = { fdinfo_lookup, fdinfo_next };

/* --- exe, cwd, root --------------------------------------------------------- */

enum which_path { PATH_EXE, PATH_CWD, PATH_ROOT };

static int task_path(const struct proc_inode *pi, enum which_path w, struct path *out)
{
	if (w == PATH_EXE) {
		int r = -ENOENT;
		pthread_mutex_lock(&kernel.lock);
		struct task *t = task_lookup(pi->tid);
		if (t && t->tgid == pi->tgid && !t->tg->leader->zombie && t->tg->exe.dentry) {
			*out = t->tg->exe;
			path_get(out);
			r = 0;
		}
		pthread_mutex_unlock(&kernel.lock);
		return r;
	}
	struct fs_context *fs = proc_task_fs(pi);
	if (!fs)
		return -ENOENT;
	if (w == PATH_CWD)
		fs_context_cwd(fs, out);
	else
		fs_context_root(fs, out);
	fs_context_put(fs);
	return 0;
}

static ssize_t path_readlink(const struct proc_inode *pi, enum which_path w, char *buf,
			     size_t len)
{
	struct path p;
	int r = task_path(pi, w, &p);
	if (r < 0)
		return r;
	char *name = malloc(PATH_MAX + 16);
	if (!name) {
		path_put(&p);
		return -ENOMEM;
	}
	r = proc_path_name(&p, name, PATH_MAX + 16);
	path_put(&p);
	ssize_t n = r < 0 ? r : copy_name(buf, len, name);
	free(name);
	return n;
}

static int path_get_link(const struct proc_inode *pi, enum which_path w, struct path *out,
			 struct file **fout)
{
	(void)fout;
	return task_path(pi, w, out);
}

ssize_t proc_exe_readlink(const struct proc_inode *pi, char *buf, size_t len)
{
	return path_readlink(pi, PATH_EXE, buf, len);
}

int proc_exe_get_link(const struct proc_inode *pi, struct path *out, struct file **fout)
{
	return path_get_link(pi, PATH_EXE, out, fout);
}

ssize_t proc_cwd_readlink(const struct proc_inode *pi, char *buf, size_t len)
{
	return path_readlink(pi, PATH_CWD, buf, len);
}

int proc_cwd_get_link(const struct proc_inode *pi, struct path *out, struct file **fout)
{
	return path_get_link(pi, PATH_CWD, out, fout);
}

ssize_t proc_root_readlink(const struct proc_inode *pi, char *buf, size_t len)
{
	return path_readlink(pi, PATH_ROOT, buf, len);
}

int proc_root_get_link(const struct proc_inode *pi, struct path *out, struct file **fout)
{
	return path_get_link(pi, PATH_ROOT, out, fout);
}

/* --- mounts, mountinfo ------------------------------------------------------ */

#define MOUNTS_MAX 4096

/* Every mount (they are never freed) with its id and its parent's. */
static size_t mount_snapshot(struct mount **out, int *ids, int *parents)
{
	size_t n = 0;
	vfs_lock();
	for (struct mount *m = mount_first(); m && n < MOUNTS_MAX; m = m->next) {
		out[n] = m;
		ids[n] = (int)n + 1;
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		parents[i] = ids[i];
		for (size_t j = 0; j < n; j++)
			if (out[i]->parent == out[j])
				parents[i] = ids[j];
	}
	vfs_unlock();
	return n;
}

enum mounts_format { MOUNTS, MOUNTINFO, MOUNTSTATS };

static int mounts_common(const struct proc_inode *pi, struct sbuf *sb, enum mounts_format fmt)
{
	/* A zombie has no mount namespace any more: EINVAL, as Linux. */
	struct fs_context *fs = proc_task_fs(pi);
	if (!fs)
		return proc_task_exists(pi->tgid, pi->tid) ? -EINVAL : -ESRCH;
	fs_context_put(fs);
	struct mount **ms = malloc(MOUNTS_MAX * sizeof(*ms));
	int *ids = malloc(MOUNTS_MAX * sizeof(int));
	int *parents = malloc(MOUNTS_MAX * sizeof(int));
	char *name = malloc(PATH_MAX + 16);
	if (!ms || !ids || !parents || !name) {
		free(ms);
		free(ids);
		free(parents);
		free(name);
		return -ENOMEM;
	}
	size_t n = mount_snapshot(ms, ids, parents);
	for (size_t i = 0; i < n; i++) {
		struct mount *m = ms[i];
		struct path p = { m, m->root };
		if (proc_path_name(&p, name, PATH_MAX + 16) < 0 || name[0] != '/')
			continue;	/* outside the reader's root */
		bool ro = (m->flags & MNT_RDONLY) || m->sb->rdonly;
		const char *type = m->sb->type ? m->sb->type : "none";
		bool pseudo = strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0;
		const char *opts = pseudo ? ",nosuid,nodev,noexec,relatime" : ",relatime";
		if (fmt == MOUNTSTATS) {
			sbuf_puts(sb, "device ");
			sbuf_put_escaped(sb, m->source);
			sbuf_puts(sb, " mounted on ");
			sbuf_put_escaped(sb, name);
			sbuf_printf(sb, " with fstype %s\n", type);
		} else if (fmt == MOUNTINFO) {
			sbuf_printf(sb, "%d %d %u:%u / ", ids[i], parents[i],
				    major(m->sb->dev), minor(m->sb->dev));
			sbuf_put_escaped(sb, name);
			sbuf_printf(sb, " %s%s - %s ", ro ? "ro" : "rw", opts, type);
			sbuf_put_escaped(sb, m->source);
			sbuf_printf(sb, " %s\n", ro ? "ro" : "rw");
		} else {
			sbuf_put_escaped(sb, m->source);
			sbuf_putc(sb, ' ');
			sbuf_put_escaped(sb, name);
			sbuf_printf(sb, " %s %s%s 0 0\n", type, ro ? "ro" : "rw", opts);
		}
	}
	free(ms);
	free(ids);
	free(parents);
	free(name);
	return 0;
}

int proc_pid_mounts(const struct proc_inode *pi, struct sbuf *sb)
{
	return mounts_common(pi, sb, MOUNTS);
}

int proc_pid_mountinfo(const struct proc_inode *pi, struct sbuf *sb)
{
	return mounts_common(pi, sb, MOUNTINFO);
}

int proc_pid_mountstats(const struct proc_inode *pi, struct sbuf *sb)
{
	return mounts_common(pi, sb, MOUNTSTATS);
}
