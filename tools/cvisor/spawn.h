/* tools/cvisor/spawn.h: starting the sentry and the gofer (re-executions of
 * /proc/self/exe) in new namespaces, optionally in a cgroup. */
#pragma once
#include <stddef.h>
#include <sys/types.h>

/* The namespaces a sandbox process gets: mount, pid, net, ipc, uts,
 * cgroup, and user when the launcher is not root. */
unsigned long spawn_ns_flags(void);

struct spawn_args {
	char **argv;		/* NULL-terminated, for /proc/self/exe */
	size_t ns_slot;		/* > 0: argv[ns_slot] becomes "--ns=HEX", the
				 * CLONE_NEW* flags actually obtained */
	const int *keep;	/* fds it inherits (every other fd is close-on-
				 * exec already) */
	size_t nkeep;
	int cgroup_fd;		/* >= 0: start it in that cgroup v2 directory */
	int share_pidfd;	/* >= 0: a pidfd of the sandbox's other process,
				 * whose ipc, uts and cgroup namespaces it
				 * joins (never when a user namespace is made) */
	unsigned long skip;	/* CLONE_NEW* not to make (ignored when a user
				 * namespace is made): the net namespace of a
				 * process that joins one later */
};

/* Start /proc/self/exe as a sandbox process in new namespaces, or in
 * none when the host refuses them. The pid (and a pidfd of it in
 * *pidfd_out if not NULL), or -errno. */
pid_t spawn_sandboxed(const struct spawn_args *a, int *pidfd_out);
