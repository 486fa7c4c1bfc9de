/* lib/confine.h: confining a process of the sandbox (the sentry and the
 * gofer): its root, its fds, its capabilities, its rlimits. The launcher
 * (tools/cvisor/spawn.c) has already put it in new namespaces; these run
 * inside it, in this order, before it serves anything. Each returns 0 or
 * -errno; callers log what the host refused and go on where that is safe. */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Join the sandbox's net namespace, whose fd the launcher sends on sock
 * (one byte with it as SCM_RIGHTS, or the byte alone when the host
 * refused one; tools/cvisor/run.c), and close sock. Waits for the
 * message or the EOF. Before any other thread is made: threads and
 * processes made later are in it. 1 joined, 0 none sent, -errno. */
int confine_join_netns(int sock);

/* A pivot_root whose old root is being detached. */
struct confine_pivot {
	pthread_t thread;
	bool started;
	int err;
};

/* Make every mount private, then pivot_root into dir (a host directory,
 * bind-mounted recursively first) or, when dir is NULL, into a new empty
 * tmpfs. read_only: the new root is read-only (and nosuid, nodev, noexec
 * when empty). Needs a mount namespace of our own and CAP_SYS_ADMIN in
 * it.
 *
 * The detach of the old root waits for an RCU grace period (milliseconds
 * on a busy host), so it runs in a thread of its own while the caller
 * goes on (that thread also makes / the cwd): confine_pivot_finish(p)
 * waits for it, and needs no syscall but the join's. Until then the old
 * root is out of reach by path all the same (it is
 * stacked on the new root, which no lookup crosses), but the caller must
 * not chdir, and must call confine_pivot_finish before it serves or runs
 * anything untrusted. 0 or -errno; on failure there is nothing to
 * finish. */
int confine_pivot_root(const char *dir, int read_only, struct confine_pivot *p);
/* 0 once the old root is gone, or -errno. */
int confine_pivot_finish(struct confine_pivot *p);
/* If path (in the new root) is a mount point, hide it and everything
 * beneath it under an empty read-only tmpfs: the same as a detach for
 * every lookup, without the grace period. 1 covered, 0 not a mount point
 * (or missing), -errno. */
int confine_cover(const char *path);
/* Close every fd but those in keep (n of them). */
void confine_close_fds(const int *keep, size_t n);
/* Drop every capability not in keep (a mask of 1<<CAP_*) from the
 * effective, permitted, inheritable, ambient and bounding sets, lock the
 * securebits so that none comes back, and set PR_SET_NO_NEW_PRIVS. */
int confine_drop_caps(uint64_t keep);
/* Lower the rlimits that bound a sandbox process: no core dumps (guest
 * memory), nofile at most nofile, no locked memory, no message queues,
 * no real-time priority. */
void confine_rlimits(uint64_t nofile);
