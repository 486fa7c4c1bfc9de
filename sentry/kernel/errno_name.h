/* sentry/kernel/errno_name.h: names and descriptions of guest errno values
 * and signal numbers, for --strace and the debug log.
 *
 * Fixed tables of the Linux x86-64 values (not the host libc's strerror):
 * thread-safe and the same on every host. */
#pragma once

/* "ENOENT" for 2; also the kernel-internal restart codes 512..516 of
 * sentry/kernel/errno_restart.h ("ERESTARTSYS"...). NULL when err is no
 * Linux errno (0, 41, 58, > 133 but for the restart codes, negative). */
const char *errno_name(int err);
/* "No such file or directory" for 2 (glibc's wording; strace's for the
 * restart codes). NULL exactly when errno_name(err) is NULL. */
const char *errno_desc(int err);
/* "SIGINT" for 2, "SIGRTMIN" for 32, "SIGRTMIN+n" for 32+n up to 64.
 * NULL outside 1..64. */
const char *signal_name(int sig);
