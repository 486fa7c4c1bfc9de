/* tools/cvisor/cgroup.h: --cpus, a cgroup v2 directory per sandbox with
 * cpu.max, made under the launcher's own cgroup. */
#pragma once
#include <stddef.h>

struct sandbox_cgroup {
	char path[512];
	int fd;			/* the directory, for CLONE_INTO_CGROUP; -1 if none */
};

/* Make the cgroup with cpu.max = cpus. 0, or -1 with a one-line reason
 * in err (cgroup v2 or its cpu controller not available here). */
int sandbox_cgroup_create(struct sandbox_cgroup *cg, double cpus, char *err, size_t errlen);
/* Remove it (once its processes are gone). */
void sandbox_cgroup_remove(struct sandbox_cgroup *cg);
