/* sentry/kernel/exec.h: loading a program into a new address space, and
 * execve. */
#pragma once
#include <sys/user.h>

struct task;
struct mm;
struct fs_context;
struct path;

/* Load path (resolved in fs: root and cwd) into a new mm (with a new
 * platform address space); "#!" scripts and PT_INTERP interpreters are
 * followed. 0 or -errno; -ENOEXEC sets *why. *exe (if not NULL) gets
 * the path of the ELF file loaded (/proc/PID/exe), referenced. */
int exec_image(struct fs_context *fs, const char *path, char *const *argv,
	       char *const *envp, struct mm **out, struct user_regs_struct *regs,
	       const char **why, struct path *exe);

/* execve: replace t's program. argv/envp are sentry copies. On success
 * the old address space is gone; on failure nothing changed. */
int task_execve(struct task *t, const char *path, char *const *argv, char *const *envp);
