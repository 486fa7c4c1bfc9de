/* fs/procfs/proc_root.c: the root of /proc: the global files, self and
 * thread-self, mounts (-> self/mounts), sys/, and one directory per
 * process of the sandbox's pid namespace, listed from the task list. */
#include "fs/procfs/procfs.h"
#include "sentry/kernel/task.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static ssize_t link_text(char *buf, size_t len, const char *text)
{
	size_t n = strlen(text);
	if (n > len)
		n = len;
	memcpy(buf, text, n);
	return (ssize_t)n;
}

static ssize_t self_readlink(const struct proc_inode *pi, char *buf, size_t len)
{
	(void)pi;
	char s[32];
	if (!current)
		return -ENOENT;
	snprintf(s, sizeof(s), "%d", current->tgid);
	return link_text(buf, len, s);
}

static ssize_t thread_self_readlink(const struct proc_inode *pi, char *buf, size_t len)
{
	(void)pi;
	char s[48];
	if (!current)
		return -ENOENT;
	snprintf(s, sizeof(s), "%d/task/%d", current->tgid, current->tid);
	return link_text(buf, len, s);
}

static ssize_t mounts_readlink(const struct proc_inode *pi, char *buf, size_t len)
{
	(void)pi;
	return link_text(buf, len, "self/mounts");
}

static ssize_t net_readlink(const struct proc_inode *pi, char *buf, size_t len)
{
	(void)pi;
	return link_text(buf, len, "self/net");
}

/* Parse a decimal pid without leading zeros or sign; -1 if not one. */
static int parse_pid(const char *name, size_t len)
{
	if (len == 0 || len > 9 || (name[0] == '0'))
		return -1;
	int v = 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return v;
}

static int pid_lookup(const struct proc_inode *dir, const char *name, size_t len,
		      struct proc_inode *child)
{
	(void)dir;
	int pid = parse_pid(name, len);
	if (pid <= 0)
		return -ENOENT;
	/* A thread's id works too (not listed), as in Linux. */
	pthread_mutex_lock(&kernel.lock);
	struct task *t = task_lookup(pid);
	int tgid = t ? t->tgid : 0;
	pthread_mutex_unlock(&kernel.lock);
	if (!tgid)
		return -ENOENT;
	*child = (struct proc_inode){ &proc_tgid_entry, tgid, pid, -1, pid != tgid };
	return 0;
}

/* The smallest process id >= *key. */
static bool pid_next(const struct proc_inode *dir, int64_t *key, struct proc_inode *child,
		     char *name)
{
	(void)dir;
	int best = -1;
	pthread_mutex_lock(&kernel.lock);
	for (struct task *t = kernel.tasks; t; t = t->next)
		if (t->tid == t->tgid && t->tgid >= *key && (best < 0 || t->tgid < best))
			best = t->tgid;
	pthread_mutex_unlock(&kernel.lock);
	if (best < 0)
		return false;
	*key = best;
	*child = (struct proc_inode){ &proc_tgid_entry, best, best, -1, false };
	snprintf(name, 32, "%d", best);
	return true;
}

static const struct proc_dyn pid_dyn = { pid_lookup, pid_next };

static const struct proc_entry root_children[] = {
	PROC_REG("cmdline", proc_cmdline),
	PROC_REG("cpuinfo", proc_cpuinfo),
	PROC_REG("devices", proc_devices),
	PROC_REG("filesystems", proc_filesystems),
	PROC_REG("loadavg", proc_loadavg),
	PROC_REG("meminfo", proc_meminfo),
	PROC_LNK("mounts", mounts_readlink),
	PROC_LNK("net", net_readlink),
	PROC_REG("partitions", proc_partitions),
	PROC_LNK("self", self_readlink),
	PROC_REG("stat", proc_stat),
	PROC_REG("swaps", proc_swaps),
	{ .name = "sys", .mode = S_IFDIR | 0555 },	/* filled below */
	PROC_LNK("thread-self", thread_self_readlink),
	PROC_REG("uptime", proc_uptime),
	PROC_REG("version", proc_version),
	PROC_REG("vmstat", proc_vmstat),
};

static struct proc_entry root_children_rw[PROC_NENT(root_children)];
static struct proc_entry proc_root_entry = {
	.name = "/", .mode = S_IFDIR | 0555, .dyn = &pid_dyn,
};

/* sys/ is defined elsewhere (proc_sysctl.c): put it in at first mount. */
static void root_init(void)
{
	memcpy(root_children_rw, root_children, sizeof(root_children));
	for (size_t i = 0; i < PROC_NENT(root_children_rw); i++)
		if (strcmp(root_children_rw[i].name, "sys") == 0)
			root_children_rw[i] = proc_sys_entry;
	proc_root_entry.children = root_children_rw;
	proc_root_entry.nchildren = PROC_NENT(root_children_rw);
}

struct dentry *procfs_mount(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, root_init);
	return proc_tree_mount("proc", &proc_root_entry, 0x9fa0);
}
