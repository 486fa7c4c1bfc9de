/* sentry/strace.h: --strace: one decoded log line per guest syscall,
 * written with log_printf (lib/log.h). The formats of each syscall's
 * arguments and result are in sentry/syscalls/table.c; their letters are
 * described at the top of strace.c. */
#pragma once
#include <signal.h>
#include <stdint.h>

struct task;

/* Log "[ tid] name(args) = result" for syscall nr of t, which returned ret
 * (the raw result: -errno, and the -ERESTART* codes, are decoded). Guest
 * strings and buffers are read through t->mm; an unreadable one prints as
 * its address. Unknown numbers print as "syscall_NR(0x.., ...)". */
void strace_syscall(struct task *t, uint64_t nr, const uint64_t a[6], int64_t ret);

/* Log "[ tid] name(args) = ?" before a syscall that does not return (exit,
 * exit_group, execve): buffers that the syscall would fill print as their
 * address. */
void strace_syscall_enter(struct task *t, uint64_t nr, const uint64_t a[6]);

/* Log "[ tid] --- SIG {si_code=..., ...} ---" for a signal delivered to t
 * (to a handler, or killing it), as strace does: a fault's address for
 * the signals the CPU raises, else the sender's pid. */
void strace_signal(struct task *t, const siginfo_t *info);
