/* lib/log.h: the debug log (--debug-log / --strace output) and panic().
 *
 * The debug log is one host fd; each call writes one whole line with a
 * single write(2), so lines from several sentry threads never interleave.
 * panic() is for sentry bugs only (never for guest input): it prints the
 * message and a libunwind backtrace to stderr and aborts. */
#pragma once
#include <stdarg.h>
#include <stdbool.h>

void log_set_fd(int fd);            /* -1 discards the log */
int log_get_fd(void);               /* the log's fd, or -1 */
bool log_enabled(void);
void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_vprintf(const char *fmt, va_list ap);

_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define BUG_ON(cond) \
	do { if (__builtin_expect(!!(cond), 0)) \
		panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); } while (0)
