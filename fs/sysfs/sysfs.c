/* fs/sysfs/sysfs.c: a minimal, read-only /sys built on procfs's
 * generated-tree machinery (fs/procfs/procfs.h): the CPUs the sandbox
 * has (devices/system/cpu/{online,possible,present,kernel_max} and one
 * cpuN directory each, what glibc's sysconf(_SC_NPROCESSORS_*) and
 * nproc read), kernel/mm/transparent_hugepage, and the usual top-level
 * directories, empty. */
#include "fs/sysfs/sysfs.h"
#include "fs/procfs/procfs.h"
#include "sentry/kernel/machine.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The CPUs as Linux prints a cpumask list: "0-3,6". */
static void cpu_list(struct sbuf *sb, bool all)
{
	int n = machine_cpu_count();
	bool first = true;
	for (int c = 0; c < n;) {
		if (!all && !machine_cpu_online(c)) {
			c++;
			continue;
		}
		int e = c;
		while (e + 1 < n && (all || machine_cpu_online(e + 1)))
			e++;
		sbuf_printf(sb, first ? "%d" : ",%d", c);
		if (e > c)
			sbuf_printf(sb, "-%d", e);
		first = false;
		c = e + 1;
	}
	sbuf_putc(sb, '\n');
}

static int online_show(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	cpu_list(sb, false);
	return 0;
}

static int possible_show(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	cpu_list(sb, true);
	return 0;
}

static int kernel_max_show(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	sbuf_puts(sb, "8191\n");
	return 0;
}

static int cpu_online_show(const struct proc_inode *pi, struct sbuf *sb)
{
	sbuf_printf(sb, "%d\n", machine_cpu_online(pi->fd) ? 1 : 0);
	return 0;
}

static const struct proc_entry cpu_children[] = {
	PROC_REG("online", cpu_online_show),
};

static const struct proc_entry cpu_entry = PROC_DIR("cpu", cpu_children);

static int cpu_lookup(const struct proc_inode *dir, const char *name, size_t len,
		      struct proc_inode *child)
{
	(void)dir;
	if (len < 4 || len > 8 || memcmp(name, "cpu", 3) != 0 || (name[3] == '0' && len > 4))
		return -ENOENT;
	int v = 0;
	for (size_t i = 3; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -ENOENT;
		v = v * 10 + (name[i] - '0');
	}
	if (v >= machine_cpu_count())
		return -ENOENT;
	*child = (struct proc_inode){ &cpu_entry, 0, 0, v, false };
	return 0;
}

static bool cpu_next(const struct proc_inode *dir, int64_t *key, struct proc_inode *child,
		     char *name)
{
	(void)dir;
	if (*key >= machine_cpu_count())
		return false;
	*child = (struct proc_inode){ &cpu_entry, 0, 0, (int)*key, false };
	snprintf(name, 32, "cpu%d", (int)*key);
	return true;
}

static const struct proc_dyn cpu_dyn = { cpu_lookup, cpu_next };

static const struct proc_entry cpus_children[] = {
	PROC_REG("kernel_max", kernel_max_show),
	PROC_REG("online", online_show),
	PROC_REG("possible", possible_show),
	PROC_REG("present", possible_show),
};

static const struct proc_entry system_children[] = {
	{ .name = "cpu", .mode = S_IFDIR | 0555, .children = cpus_children,
	  .nchildren = PROC_NENT(cpus_children), .dyn = &cpu_dyn },
};

static const struct proc_entry devices_children[] = {
	PROC_DIR("system", system_children),
};

static int thp_enabled_show(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	sbuf_puts(sb, "always madvise [never]\n");
	return 0;
}

static const struct proc_entry thp_children[] = {
	PROC_REG("defrag", thp_enabled_show),
	PROC_REG("enabled", thp_enabled_show),
};

static const struct proc_entry mm_children[] = {
	PROC_DIR("transparent_hugepage", thp_children),
};

static const struct proc_entry kernel_children[] = {
	PROC_DIR("mm", mm_children),
};

#define EMPTY_DIR(n) { .name = n, .mode = S_IFDIR | 0555 }

static const struct proc_entry root_children[] = {
	EMPTY_DIR("block"),
	EMPTY_DIR("bus"),
	EMPTY_DIR("class"),
	EMPTY_DIR("dev"),
	PROC_DIR("devices", devices_children),
	EMPTY_DIR("firmware"),
	EMPTY_DIR("fs"),
	PROC_DIR("kernel", kernel_children),
	EMPTY_DIR("module"),
	EMPTY_DIR("power"),
};

static const struct proc_entry sysfs_root = PROC_DIR("/", root_children);

struct dentry *sysfs_mount(void)
{
	return proc_tree_mount("sysfs", &sysfs_root, 0x62656572);
}
