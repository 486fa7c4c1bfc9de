/* platform/platform.c: choosing the platform at start-up, and the fork
 * of a stub against the sentry's filter load. */
#include "platform/platform.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern const struct platform_ops ptrace_platform_ops;
extern const struct platform_ops systrap_platform_ops;

static const struct platform_ops *const platforms[] = {
	&ptrace_platform_ops,
	&systrap_platform_ops,
};

const struct platform_ops *platform;

const struct sock_fprog *volatile platform_stub_filter;
static pthread_mutex_t stub_filter_lock = PTHREAD_MUTEX_INITIALIZER;

void platform_stub_filter_lock(void) { pthread_mutex_lock(&stub_filter_lock); }
void platform_stub_filter_unlock(void) { pthread_mutex_unlock(&stub_filter_lock); }

/* A raw clone (no glibc atfork work in a multithreaded sentry): 0 in the
 * child, the child's pid or -errno in the parent. */
long platform_stub_fork(unsigned long clone_flags)
{
	pthread_mutex_lock(&stub_filter_lock);
	long pid = syscall(SYS_clone, clone_flags, 0, NULL, NULL, 0);
	if (pid == 0)
		return 0;
	int err = errno;
	pthread_mutex_unlock(&stub_filter_lock);
	return pid < 0 ? -err : pid;
}

int platform_select(const char *name)
{
	for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++) {
		if (strcmp(platforms[i]->name, name) == 0) {
			platform = platforms[i];
			return platform->init();
		}
	}
	return -ENOENT;
}

const struct platform_ops *platform_find(const char *name)
{
	for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++)
		if (strcmp(platforms[i]->name, name) == 0)
			return platforms[i];
	return NULL;
}

const struct platform_ops *platform_nth(size_t i)
{
	return i < sizeof(platforms) / sizeof(platforms[0]) ? platforms[i] : NULL;
}

const char *platform_names(void)
{
	return "ptrace,systrap";
}

int platform_option(const char *name, const char *value)
{
	for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++) {
		if (!platforms[i]->set_option)
			continue;
		int r = platforms[i]->set_option(name, value);
		if (r != -ENOENT)
			return r;
	}
	return -ENOENT;
}
