/* sentry/kernel/kernel.h: the sentry's entry point and kernel-wide
 * helpers. struct kernel itself is in task.h. */
#pragma once
#include <stdint.h>
#include <time.h>

struct sandbox_config;

/* Run the sandbox to completion. Returns the init process's wait(2)
 * status, or -errno if the sandbox could not start (a message was
 * printed): -ENOENT when the program does not exist, -ENOEXEC/-EACCES
 * when it cannot be executed. */
int kernel_run(const struct sandbox_config *cfg);

uint64_t kernel_now_ns(clockid_t clk);
