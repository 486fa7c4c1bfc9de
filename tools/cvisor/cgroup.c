/* tools/cvisor/cgroup.c: the per-sandbox cgroup v2 directory for --cpus
 * (see cgroup.h). The launcher's cgroup is the "0::PATH" line of
 * /proc/self/cgroup under the cgroup2 mount (/sys/fs/cgroup, or
 * /sys/fs/cgroup/unified on hybrid hosts); the sandbox's is
 * PATH/cvisor-PID, with the cpu controller enabled in PATH's
 * subtree_control when it is not yet. */
#include "tools/cvisor/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

static int write_str(const char *dir, const char *file, const char *s)
{
	char p[600];
	if (snprintf(p, sizeof(p), "%s/%s", dir, file) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, s, strlen(s));
	int e = errno;
	close(fd);
	return n < 0 ? -e : 0;
}

static bool has_cpu(const char *dir)
{
	char p[600], buf[512];
	if (snprintf(p, sizeof(p), "%s/cgroup.controllers", dir) >= (int)sizeof(p))
		return false;
	FILE *f = fopen(p, "re");
	if (!f)
		return false;
	bool yes = false;
	if (fgets(buf, sizeof(buf), f)) {
		for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
			if (strcmp(t, "cpu") == 0)
				yes = true;
	}
	fclose(f);
	return yes;
}

int sandbox_cgroup_create(struct sandbox_cgroup *cg, double cpus, char *err, size_t errlen)
{
	cg->fd = -1;
	cg->path[0] = 0;
	const char *mnt = NULL;
	static const char *const mnts[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	for (size_t i = 0; i < 2 && !mnt; i++) {
		struct statfs sf;
		if (statfs(mnts[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
			mnt = mnts[i];
	}
	if (!mnt) {
		snprintf(err, errlen, "--cpus needs cgroup v2, and no cgroup2 file system is mounted here");
		return -1;
	}
	char line[512], own[400] = "";
	FILE *f = fopen("/proc/self/cgroup", "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = 0;
			if (snprintf(own, sizeof(own), "%s", line[3] ? line + 3 : "/") >= (int)sizeof(own))
				own[0] = 0;
		}
	}
	if (f)
		fclose(f);
	if (!own[0]) {
		snprintf(err, errlen, "--cpus: this process is in no cgroup v2 cgroup");
		return -1;
	}
	char parent[440];
	if (snprintf(parent, sizeof(parent), "%s%s", mnt, strcmp(own, "/") == 0 ? "" : own) >=
	    (int)sizeof(parent)) {
		snprintf(err, errlen, "--cpus: the cgroup path is too long");
		return -1;
	}
	if (!has_cpu(parent)) {
		snprintf(err, errlen, "--cpus: the cgroup v2 cpu controller is not available in %s", parent);
		return -1;
	}
	if (snprintf(cg->path, sizeof(cg->path), "%s/cvisor-%d", parent, (int)getpid()) >=
	    (int)sizeof(cg->path)) {
		cg->path[0] = 0;
		snprintf(err, errlen, "--cpus: the cgroup path is too long");
		return -1;
	}
	if (mkdir(cg->path, 0755) < 0) {
		snprintf(err, errlen, "--cpus: cannot make %s: %s", cg->path, strerror(errno));
		cg->path[0] = 0;
		return -1;
	}
	int r = 0;
	if (!has_cpu(cg->path))
		r = write_str(parent, "cgroup.subtree_control", "+cpu");
	char max[64];
	snprintf(max, sizeof(max), "%lld 100000\n", (long long)(cpus * 100000 + 0.5));
	if (r == 0)
		r = write_str(cg->path, "cpu.max", max);
	if (r == 0) {
		cg->fd = open(cg->path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
		if (cg->fd < 0)
			r = -errno;
	}
	if (r < 0) {
		snprintf(err, errlen, "--cpus: cannot set up %s: %s", cg->path, strerror(-r));
		sandbox_cgroup_remove(cg);
		return -1;
	}
	return 0;
}

void sandbox_cgroup_remove(struct sandbox_cgroup *cg)
{
	if (cg->fd >= 0)
		close(cg->fd);
	cg->fd = -1;
	if (cg->path[0])
		rmdir(cg->path);
	cg->path[0] = 0;
}
