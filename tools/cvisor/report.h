/* tools/cvisor/report.h: what the sentry tells the launcher on the report
 * pipe (hidden --report-fd), one line each:
 *  - "NAME\n" or "NAME with PROT_EXEC\n": the sentry made a forbidden host
 *    syscall (sentry/hostfilter's SIGSYS handler) and exits 125;
 *  - "=CODE\n": the sandbox is over (its init process has exited, or it
 *    could not start) and CODE is the launcher's exit status; the sentry
 *    exits at once.
 * The pipe reaches EOF once every thread of the sentry is gone: after that
 * the sandbox can no longer act on the host except through the gofer, which
 * has a pipe of its own (hidden --done-fd, see gofer/gofer.c). */
#pragma once

#define REPORT_STATUS '='
