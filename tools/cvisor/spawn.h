/* tools/cvisor/spawn.h: starting the sentry and the gofer (re-executions of
 * /proc/self/exe) in new namespaces, optionally in a cgroup. */
#pragma once
#include <stddef.h>
#include <sys/types.h>

/* The namespaces a sandbox process gets: mount, pid, net, ipc, uts,
 * cgroup, and user when the launcher is not root. */
unsigned long spawn_ns_flags(void);

/* Start /proc/self/exe with argv (NULL-terminated; argv[ns_slot], if
 * ns_slot > 0, is replaced by "--ns=HEX", the CLONE_NEW* flags actually
 * obtained) with the fds in keep inherited (every other fd is close-on-
 * exec already) in new namespaces, or in none when the host refuses
 * them. cgroup_fd >= 0: start it in that cgroup v2 directory. The pid,
 * or -errno. */
pid_t spawn_sandboxed(char **argv, size_t ns_slot, const int *keep, size_t nkeep, int cgroup_fd);
