/* sentry/hostfilter/hostfilter.h: the sentry's host-syscall whitelist
 * (seccomp, built with libseccomp), installed before the first guest
 * instruction runs. The list is the sentry's base list (memory file,
 * gofer channel, clocks, futexes, threads, host stdio), the chosen
 * platform's own list (platform_ops.host_syscalls), and in sanitized
 * builds what the sanitizer runtime needs. A syscall outside it raises
 * SIGSYS (SECCOMP_RET_TRAP); the handler writes the syscall's name to the
 * report fd (a pipe the launcher reads) and the debug log, and exits the
 * sentry with HOSTFILTER_EXIT. */
#pragma once
#include <stddef.h>
#include <stdio.h>

struct platform_ops;

/* The sentry's exit status after a forbidden host syscall. */
#define HOSTFILTER_EXIT 125

/* Where the SIGSYS handler reports a forbidden syscall's name (-1: none). */
void hostfilter_set_report_fd(int fd);
/* Install the SIGSYS handler and the filter on the calling thread, from
 * which every later thread and stub inherits it. 0 or -errno. */
int hostfilter_install(const struct platform_ops *p);
/* The exec guard (execguard.c): mmap and mprotect with PROT_EXEC, and
 * execveat, only from the sites of p (platform_ops.host_exec_sites, at most
 * HOSTFILTER_EXEC_SITES), SIGSYS from anywhere else. build writes it into
 * prog (max instructions; HOSTFILTER_EXECGUARD_MAX is always enough) and
 * returns its length (0 if it does not fit); it ends by jumping past its
 * end. program makes it, in front of the whitelist made of lists, into
 * one program (*prog malloc'ed, *n instructions). */
#define HOSTFILTER_EXEC_SITES 8
#define HOSTFILTER_EXECGUARD_MAX (16 + 6 * 2 * HOSTFILTER_EXEC_SITES)
struct sock_filter;
struct host_list;
size_t hostfilter_execguard_build(const struct platform_ops *p, struct sock_filter *prog,
				  size_t max);
int hostfilter_execguard_program(const struct platform_ops *p, const struct host_list *lists,
				 size_t nlists, struct sock_filter **prog, size_t *n);
/* The lists of the whitelist for platform p (at most HOSTFILTER_LISTS,
 * into l): base, the platform's, the sanitizer's. Its default action is
 * HOSTFILTER_ACTION. */
#define HOSTFILTER_LISTS 3
#define HOSTFILTER_ACTION SCMP_ACT_TRAP
struct host_list;
size_t hostfilter_lists(const struct platform_ops *p, struct host_list *l);
/* `cvisor syscalls --host`: print the sentry's list for platform p.
 * Returns the number of distinct syscalls. */
size_t hostfilter_print(FILE *out, const struct platform_ops *p);
