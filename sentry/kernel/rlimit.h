/* sentry/kernel/rlimit.h: resource limits: the defaults a new sandbox's
 * init task starts with, and the sandbox's fixed ceilings. */
#pragma once
#include <sys/resource.h>

/* fs.nr_open: no RLIMIT_NOFILE hard limit may exceed it (EPERM). */
#define RLIMIT_NR_OPEN 1048576UL

/* Fill rl[RLIM_NLIMITS] with Linux's boot-time defaults (INIT_RLIMITS),
 * with the open-file hard limit raised as a container runtime does. */
void rlimit_init_defaults(struct rlimit *rl);
