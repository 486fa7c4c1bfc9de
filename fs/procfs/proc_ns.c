/* fs/procfs/proc_ns.c: /proc/PID/ns: one magic link per namespace type.
 * The sandbox is one set of namespaces, so every task shows the same
 * "type:[inode]" (Linux's numbers for the initial namespaces); following
 * a link gives an nsfs-like file whose stat carries that inode (what
 * tools compare) and whose read is EINVAL. setns is not supported. */
#include "fs/procfs/procfs.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

struct ns_kind {
	const char *name, *type;
	unsigned long ino;
};

static const struct ns_kind ns_kinds[] = {
	{ "cgroup", "cgroup", 4026531835ul }, { "ipc", "ipc", 4026531839ul },
	{ "mnt", "mnt", 4026531841ul },       { "net", "net", 4026531840ul },
	{ "pid", "pid", 4026531836ul },       { "pid_for_children", "pid", 4026531836ul },
	{ "time", "time", 4026531834ul },     { "time_for_children", "time", 4026531834ul },
	{ "user", "user", 4026531837ul },     { "uts", "uts", 4026531838ul },
};

static const struct ns_kind *kind_of(const struct proc_inode *pi);

static ssize_t ns_readlink(const struct proc_inode *pi, char *buf, size_t len)
{
	const struct ns_kind *k = kind_of(pi);
	char text[64];
	int n = snprintf(text, sizeof(text), "%s:[%lu]", k->type, k->ino);
	size_t m = (size_t)n < len ? (size_t)n : len;
	memcpy(buf, text, m);
	return (ssize_t)m;
}

static ssize_t ns_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	(void)f;
	(void)buf;
	(void)len;
	(void)pos;
	return -EINVAL;
}

static int ns_stat(struct file *f, struct stat *st)
{
	const struct ns_kind *k = f->priv;
	memset(st, 0, sizeof(*st));
	st->st_ino = k->ino;
	st->st_dev = makedev(0, 4);
	st->st_mode = S_IFREG | 0444;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	return 0;
}

static const struct file_ops ns_fops = {
	.read = ns_read,
	.stat = ns_stat,
};

static int ns_get_link(const struct proc_inode *pi, struct path *out, struct file **fout)
{
	(void)out;
	struct file *f = file_new(&ns_fops, O_RDONLY, (void *)kind_of(pi));
	if (!f)
		return -ENOMEM;
	*fout = f;
	return 0;
}

#define NS(n) { .name = n, .mode = S_IFLNK | 0777, .readlink = ns_readlink, .get_link = ns_get_link }

const struct proc_entry proc_ns_children[PROC_NS_N] = {
	NS("cgroup"), NS("ipc"), NS("mnt"), NS("net"), NS("pid"),
	NS("pid_for_children"), NS("time"), NS("time_for_children"), NS("user"), NS("uts"),
};

static const struct ns_kind *kind_of(const struct proc_inode *pi)
{
	for (size_t i = 0; i < PROC_NS_N; i++)
		if (pi->e == &proc_ns_children[i])
			return &ns_kinds[i];
	return &ns_kinds[0];
}
