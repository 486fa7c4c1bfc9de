/* sentry/kernel/machine.h: the machine the sandbox shows: its UTS names
 * (node and domain name, kept by sys_uname.c) and its CPUs (the sentry's
 * host affinity, read once by sys_sched.c), for procfs and sysfs. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define UTS_RELEASE "6.1.0"
#define UTS_VERSION "#1 SMP cvisor"

/* The current name, NUL-terminated, into buf. */
void uts_get_name(bool domain, char *buf, size_t len);
/* Set it from len bytes (at most 64, else -EINVAL). */
int uts_set_name(bool domain, const char *name, size_t len);

/* One past the highest CPU the sandbox has, and whether cpu is one. */
int machine_cpu_count(void);
bool machine_cpu_online(int cpu);
