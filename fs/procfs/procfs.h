/* fs/procfs/procfs.h: procfs, and the generated-tree machinery sysfs
 * shares.
 *
 * Like Linux's fs/proc, the tree is described by tables of struct
 * proc_entry (a name, a mode and the ops of one kind of node: a file
 * whose text show() generates, a symlink, a magic link, a directory with
 * static children and optionally dynamic ones: pids, tids, fds). Each
 * inode carries a struct proc_inode: its entry and the ids it is about
 * (tgid/tid for per-task nodes, fd for fd/N). Nothing about a task is
 * cached: every read, readlink and lookup finds the task by tid under
 * kernel.lock (proc_task.c) and fails with ESRCH/ENOENT once it is
 * reaped; cached dentries of gone tasks fail revalidation and leave the
 * dcache. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "fs/procfs/sbuf.h"
#include "fs/vfs/mount.h"

struct dentry;
struct dir_context;
struct file;
struct inode;
struct super_block;

struct proc_entry;

/* What an inode of the generated tree is about. */
struct proc_inode {
	const struct proc_entry *e;
	int tgid;	/* 0: not per-task */
	int tid;	/* the thread (== tgid for /proc/PID) */
	int fd;		/* fd/N, fdinfo/N; -1 otherwise */
	bool thread;	/* under task/TID: about the thread, not the process */
};

/* Dynamic children of a directory (after its static ones). */
struct proc_dyn {
	/* Fill *child (its entry and ids) for name; 0 or -ENOENT. */
	int (*lookup)(const struct proc_inode *dir, const char *name, size_t len,
		      struct proc_inode *child);
	/* The first child whose key is >= *key: set *key, fill child and
	 * name (NUL-terminated, at most 32 bytes); false when none. Keys
	 * are small non-negative numbers (pids, fds) that order readdir. */
	bool (*next)(const struct proc_inode *dir, int64_t *key, struct proc_inode *child,
		     char *name);
};

struct proc_entry {
	const char *name;
	mode_t mode;	/* S_IFREG|0444, S_IFDIR|0555, S_IFLNK|0777... */
	/* Regular files: generate the text (0 or -errno: -ESRCH when the
	 * task is gone). */
	int (*show)(const struct proc_inode *pi, struct sbuf *sb);
	/* Writable files: take len bytes (sentry memory). */
	ssize_t (*write)(const struct proc_inode *pi, const char *buf, size_t len);
	/* Symlinks: the text into buf (at most len): its length or -errno. */
	ssize_t (*readlink)(const struct proc_inode *pi, char *buf, size_t len);
	/* Magic links: the object (see inode_ops.get_link). */
	int (*get_link)(const struct proc_inode *pi, struct path *out, struct file **fout);
	/* Directories. */
	const struct proc_entry *children;
	size_t nchildren;
	const struct proc_dyn *dyn;
	/* A read-only sysctl: opening it for writing is EACCES (other files
	 * without write open, and writing gives EINVAL per task, EIO else). */
	bool sysctl_ro;
};

#define PROC_REG(n, s)		{ .name = n, .mode = S_IFREG | 0444, .show = s }
#define PROC_RW(n, s, w)	{ .name = n, .mode = S_IFREG | 0644, .show = s, .write = w }
#define PROC_LNK(n, r)		{ .name = n, .mode = S_IFLNK | 0777, .readlink = r }
#define PROC_DIR(n, c)		{ .name = n, .mode = S_IFDIR | 0555, .children = c, \
				  .nchildren = sizeof(c) / sizeof(c[0]) }
#define PROC_NENT(a)		(sizeof(a) / sizeof((a)[0]))

/* --- the generic machinery (proc_inode.c) --------------------------------- */

/* A new generated file system whose root is entry root ("proc", "sysfs"):
 * its root dentry, or NULL (ENOMEM). magic is statfs's f_type. */
struct dentry *proc_tree_mount(const char *type, const struct proc_entry *root, long magic);

/* --- procfs (proc_root.c) ------------------------------------------------- */

struct dentry *procfs_mount(void);
/* The tables of a /proc/PID (or task/TID) directory. */
extern const struct proc_entry proc_tgid_entry, proc_tid_entry;

/* --- per-task access (proc_task.c) ---------------------------------------- */

struct task;
struct mm;
struct fdtable;
struct fs_context;

/* Does the task still exist (alive or a zombie, not reaped)? */
bool proc_task_exists(int tgid, int tid);
/* The owner of a task's nodes: its effective uid and gid (root if gone
 * or undumpable). */
void proc_task_owner(const struct proc_inode *pi, uid_t *uid, gid_t *gid);
/* References to the task's objects, taken under kernel.lock: NULL when
 * the task is gone (or a zombie, which has none). */
struct mm *proc_task_mm(const struct proc_inode *pi);
struct fdtable *proc_task_files(const struct proc_inode *pi);
struct fs_context *proc_task_fs(const struct proc_inode *pi);
/* The reader's root (for the names of paths), referenced. */
void proc_reader_root(struct path *root);
/* A path's name as the reader sees it ("(deleted)" appended if removed). */
int proc_path_name(const struct path *p, char *buf, size_t len);
/* The name fd/N shows for an open file: a path, "pipe:[ino]",
 * "socket:[ino]", "anon_inode:[eventfd]". */
int proc_file_name(struct file *f, char *buf, size_t len);

/* The callbacks of pid directories (proc_pid.c, proc_fd.c, ...). */
int proc_pid_stat(const struct proc_inode *pi, struct sbuf *sb);
int proc_pid_statm(const struct proc_inode *pi, struct sbuf *sb);
int proc_pid_status(const struct proc_inode *pi, struct sbuf *sb);
int proc_pid_cmdline(const struct proc_inode *pi, struct sbuf *sb);
int proc_pid_environ(const struct proc_inode *pi, struct sbuf *sb);
int proc_pid_maps(const struct proc_inode *pi, struct sbuf *sb);
int proc_pid_smaps(const struct proc_inode *pi, struct sbuf *sb);
int proc_pid_mounts(const struct proc_inode *pi, struct sbuf *sb);
int proc_pid_mountinfo(const struct proc_inode *pi, struct sbuf *sb);
int proc_pid_mountstats(const struct proc_inode *pi, struct sbuf *sb);
extern const struct proc_dyn proc_fd_dyn, proc_fdinfo_dyn;
int proc_pid_auxv(const struct proc_inode *pi, struct sbuf *sb);
int proc_pid_io(const struct proc_inode *pi, struct sbuf *sb);
int proc_pid_wchan(const struct proc_inode *pi, struct sbuf *sb);
int proc_pid_personality(const struct proc_inode *pi, struct sbuf *sb);
int proc_pid_loginuid(const struct proc_inode *pi, struct sbuf *sb);
int proc_pid_schedstat(const struct proc_inode *pi, struct sbuf *sb);
/* net/ (proc_misc.c): its children, PROC_NET_N of them. */
#define PROC_NET_N 8
/* ns/ (proc_ns.c). */
#define PROC_NS_N 10
extern const struct proc_entry proc_ns_children[PROC_NS_N];
extern const struct proc_entry proc_net_children[PROC_NET_N];
ssize_t proc_exe_readlink(const struct proc_inode *pi, char *buf, size_t len);
int proc_exe_get_link(const struct proc_inode *pi, struct path *out, struct file **fout);
ssize_t proc_cwd_readlink(const struct proc_inode *pi, char *buf, size_t len);
int proc_cwd_get_link(const struct proc_inode *pi, struct path *out, struct file **fout);
ssize_t proc_root_readlink(const struct proc_inode *pi, char *buf, size_t len);
int proc_root_get_link(const struct proc_inode *pi, struct path *out, struct file **fout);

/* Global files (proc_sys.c, proc_sysctl.c). */
int proc_cpuinfo(const struct proc_inode *pi, struct sbuf *sb);
int proc_meminfo(const struct proc_inode *pi, struct sbuf *sb);
int proc_uptime(const struct proc_inode *pi, struct sbuf *sb);
int proc_loadavg(const struct proc_inode *pi, struct sbuf *sb);
int proc_stat(const struct proc_inode *pi, struct sbuf *sb);
int proc_version(const struct proc_inode *pi, struct sbuf *sb);
int proc_filesystems(const struct proc_inode *pi, struct sbuf *sb);
int proc_cmdline(const struct proc_inode *pi, struct sbuf *sb);
int proc_swaps(const struct proc_inode *pi, struct sbuf *sb);
int proc_vmstat(const struct proc_inode *pi, struct sbuf *sb);
int proc_partitions(const struct proc_inode *pi, struct sbuf *sb);
int proc_devices(const struct proc_inode *pi, struct sbuf *sb);
extern const struct proc_entry proc_sys_entry;

/* Clock ticks (USER_HZ) as Linux's /proc shows them. */
#define PROC_HZ 100
static inline uint64_t proc_ns_to_ticks(uint64_t ns)
{
	return ns / (1000000000ull / PROC_HZ);
}
