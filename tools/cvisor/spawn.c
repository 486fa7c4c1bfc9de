/* tools/cvisor/spawn.c: starting a sandbox process in new namespaces (see
 * spawn.h). A fork-like clone3 (clone when clone3 is refused) with the
 * CLONE_NEW* flags; if the host refuses those (a container without the
 * privilege), the process starts in the launcher's namespaces and says so
 * in its debug log (hidden --ns). The child only maps its ids (user
 * namespace), clears close-on-exec on the kept fds and execs. */
#include "tools/cvisor/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

unsigned long spawn_ns_flags(void)
{
	unsigned long f = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
			  CLONE_NEWUTS | CLONE_NEWCGROUP;
	if (geteuid() != 0)
		f |= CLONE_NEWUSER;
	return f;
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0) {
			/* the process runs with unmapped ids; it still starts */
		}
		close(fd);
	}
}

static pid_t do_clone(unsigned long flags, int cgroup_fd)
{
	struct clone_args ca;
	memset(&ca, 0, sizeof(ca));
	ca.flags = flags;
	ca.exit_signal = SIGCHLD;
	if (cgroup_fd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgroup_fd;
	}
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0 && errno == ENOSYS && cgroup_fd < 0)
		pid = syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
	return (pid_t)pid;
}

pid_t spawn_sandboxed(char **argv, size_t ns_slot, const int *keep, size_t nkeep, int cgroup_fd)
{
	unsigned long flags = spawn_ns_flags();
	uid_t uid = geteuid();
	gid_t gid = getegid();
	pid_t pid = do_clone(flags, cgroup_fd);
	if (pid < 0 && (errno == EPERM || errno == EINVAL || errno == ENOSPC || errno == EUSERS)) {
		flags = 0;
		pid = do_clone(0, cgroup_fd);
	}
	if (pid < 0)
		return -errno;
	if (pid > 0)
		return pid;
	/* The child: a copy of the (single-threaded) launcher. */
	if (flags & CLONE_NEWUSER) {
		char map[64];
		write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
		write_file("/proc/self/uid_map", map);
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
		write_file("/proc/self/gid_map", map);
	}
	char nsarg[40];
	if (ns_slot > 0) {
		snprintf(nsarg, sizeof(nsarg), "--ns=%lx", flags);
		argv[ns_slot] = nsarg;
	}
	for (size_t i = 0; i < nkeep; i++)
		if (keep[i] >= 0)
			fcntl(keep[i], F_SETFD, 0);
	execve("/proc/self/exe", argv, environ);
	_exit(125);
}
