/* fs/procfs/proc_sysctl.c: /proc/sys, the sysctls a program commonly
 * reads: kernel/ (host and domain name, writable by the sandbox's root as
 * sethostname allows, ostype and osrelease as uname, limits, boot_id and
 * a fresh uuid per read), vm/ and fs/. Others are absent. */
#include "fs/procfs/procfs.h"
#include "sentry/kernel/machine.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>

static void put_uuid(struct sbuf *sb, const unsigned char u[16])
{
	sbuf_printf(sb, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\n",
		    u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
		    u[12], u[13], u[14], u[15]);
}

static void random_uuid(unsigned char u[16])
{
	size_t done = 0;
	while (done < 16) {
		ssize_t n = getrandom(u + done, 16 - done, 0);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	u[6] = (u[6] & 0x0f) | 0x40;	/* version 4 */
	u[8] = (u[8] & 0x3f) | 0x80;	/* variant 1 */
}

static int hostname_show(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	char name[72];
	uts_get_name(false, name, sizeof(name));
	sbuf_printf(sb, "%s\n", name);
	return 0;
}

static int domainname_show(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	char name[72];
	uts_get_name(true, name, sizeof(name));
	sbuf_printf(sb, "%s\n", name);
	return 0;
}

static ssize_t uts_write(const char *buf, size_t len, bool domain)
{
	size_t n = len;
	if (n && buf[n - 1] == '\n')
		n--;
	if (memchr(buf, 0, n))
		n = strnlen(buf, n);
	int r = uts_set_name(domain, buf, n);
	return r < 0 ? r : (ssize_t)len;
}

static ssize_t hostname_write(const struct proc_inode *pi, const char *buf, size_t len)
{
	(void)pi;
	return uts_write(buf, len, false);
}

static ssize_t domainname_write(const struct proc_inode *pi, const char *buf, size_t len)
{
	(void)pi;
	return uts_write(buf, len, true);
}

/* Read-only sysctls: EACCES when opened for writing. */
#undef PROC_REG
#define PROC_REG(n, s) { .name = n, .mode = S_IFREG | 0444, .show = s, .sysctl_ro = true }

#define CONST_FILE(fn, text)						\
	static int fn(const struct proc_inode *pi, struct sbuf *sb)	\
	{								\
		(void)pi;						\
		sbuf_puts(sb, text);					\
		return 0;						\
	}

CONST_FILE(ostype_show, "Linux\n")
CONST_FILE(osrelease_show, UTS_RELEASE "\n")
CONST_FILE(version_show, UTS_VERSION "\n")
CONST_FILE(pid_max_show, "4194304\n")
CONST_FILE(threads_max_show, "8192\n")
CONST_FILE(ngroups_max_show, "65536\n")
CONST_FILE(cap_last_cap_show, "40\n")
CONST_FILE(overflowuid_show, "65534\n")
CONST_FILE(randomize_show, "2\n")
CONST_FILE(entropy_show, "256\n")
CONST_FILE(overcommit_memory_show, "0\n")
CONST_FILE(overcommit_ratio_show, "50\n")
CONST_FILE(max_map_count_show, "65530\n")
CONST_FILE(file_max_show, "9223372036854775807\n")
CONST_FILE(nr_open_show, "1048576\n")
CONST_FILE(somaxconn_show, "4096\n")

static int pipe_max_show(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	sbuf_printf(sb, "%d\n", 1048576);
	return 0;
}

static unsigned char boot_id[16];

static void boot_id_make(void)
{
	random_uuid(boot_id);
}

static int boot_id_show(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, boot_id_make);
	put_uuid(sb, boot_id);
	return 0;
}

static int uuid_show(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	unsigned char u[16];
	random_uuid(u);
	put_uuid(sb, u);
	return 0;
}

static const struct proc_entry random_children[] = {
	PROC_REG("boot_id", boot_id_show),
	PROC_REG("entropy_avail", entropy_show),
	PROC_REG("uuid", uuid_show),
};

static const struct proc_entry kernel_children[] = {
	PROC_REG("cap_last_cap", cap_last_cap_show),
	PROC_RW("domainname", domainname_show, domainname_write),
	PROC_RW("hostname", hostname_show, hostname_write),
	PROC_REG("ngroups_max", ngroups_max_show),
	PROC_REG("osrelease", osrelease_show),
	PROC_REG("ostype", ostype_show),
	PROC_REG("overflowgid", overflowuid_show),
	PROC_REG("overflowuid", overflowuid_show),
	PROC_REG("pid_max", pid_max_show),
	PROC_DIR("random", random_children),
	PROC_REG("randomize_va_space", randomize_show),
	PROC_REG("threads-max", threads_max_show),
	PROC_REG("version", version_show),
};

static const struct proc_entry vm_children[] = {
	PROC_REG("max_map_count", max_map_count_show),
	PROC_REG("overcommit_memory", overcommit_memory_show),
	PROC_REG("overcommit_ratio", overcommit_ratio_show),
};

static const struct proc_entry fs_children[] = {
	PROC_REG("file-max", file_max_show),
	PROC_REG("nr_open", nr_open_show),
	PROC_REG("pipe-max-size", pipe_max_show),
};

static const struct proc_entry core_children[] = {
	PROC_REG("somaxconn", somaxconn_show),
};

static const struct proc_entry net_children[] = {
	PROC_DIR("core", core_children),
};

static const struct proc_entry sys_children[] = {
	PROC_DIR("fs", fs_children),
	PROC_DIR("kernel", kernel_children),
	PROC_DIR("net", net_children),
	PROC_DIR("vm", vm_children),
};

const struct proc_entry proc_sys_entry = PROC_DIR("sys", sys_children);
