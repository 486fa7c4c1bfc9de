/* lib/log.c: the debug log and panic() with a libunwind backtrace. */
#define UNW_LOCAL_ONLY
#include "lib/log.h"

#include <libunwind.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int log_fd = -1;

void log_set_fd(int fd) { log_fd = fd; }
int log_get_fd(void) { return log_fd; }
bool log_enabled(void) { return log_fd >= 0; }

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void log_vprintf(const char *fmt, va_list ap)
{
	char line[1024];
	if (log_fd < 0)
		return;
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	if (n == 0 || line[n - 1] != '\n')
		line[n++] = '\n';
	write_all(log_fd, line, (size_t)n);
}

void log_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vprintf(fmt, ap);
	va_end(ap);
}

static void print_backtrace(void)
{
	unw_context_t uc;
	unw_cursor_t cur;
	char name[256], line[400];
	if (unw_getcontext(&uc) != 0 || unw_init_local(&cur, &uc) != 0)
		return;
	for (int depth = 0; depth < 64 && unw_step(&cur) > 0; depth++) {
		unw_word_t ip = 0, off = 0;
		unw_get_reg(&cur, UNW_REG_IP, &ip);
		if (unw_get_proc_name(&cur, name, sizeof(name), &off) != 0)
			strcpy(name, "?");
		int n = snprintf(line, sizeof(line), "  #%d 0x%lx %s+0x%lx\n",
				 depth, (unsigned long)ip, name, (unsigned long)off);
		write_all(2, line, (size_t)n);
	}
}

void panic(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char line[600];
	int n = snprintf(line, sizeof(line), "cvisor: sentry panic: %s\n", msg);
	write_all(2, line, (size_t)n);
	print_backtrace();
	abort();
}
