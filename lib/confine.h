/* lib/confine.h: confining a process of the sandbox (the sentry and the
 * gofer): its root, its fds, its capabilities, its rlimits. The launcher
 * (tools/cvisor/spawn.c) has already put it in new namespaces; these run
 * inside it, in this order, before it serves anything. Each returns 0 or
 * -errno; callers log what the host refused and go on where that is safe. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Make every mount private, then pivot_root into dir (a host directory,
 * bind-mounted onto itself first) or, when dir is NULL, into a new empty
 * tmpfs; the old root is detached. read_only: the new root is remounted
 * read-only (and nosuid, nodev, noexec when empty). Needs a mount
 * namespace of our own and CAP_SYS_ADMIN in it. */
int confine_pivot_root(const char *dir, int read_only);
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
