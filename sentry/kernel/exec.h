/* sentry/kernel/exec.h: loading a program into a new address space, and
 * execve. */
#pragma once
#include <sys/user.h>

struct task;
struct mm;

/* Load path into a new mm (with a new platform address space). 0 or
 * -errno; -ENOEXEC sets *why. */
int exec_image(const char *path, char *const *argv, char *const *envp,
	       struct mm **out, struct user_regs_struct *regs, const char **why);

/* execve: replace t's program. argv/envp are sentry copies. On success
 * the old address space is gone; on failure nothing changed. */
int task_execve(struct task *t, const char *path, char *const *argv, char *const *envp);
