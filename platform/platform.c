/* platform/platform.c: choosing the platform at start-up, and the raw
 * fork of a stub. */
#include "platform/platform.h"

#include <errno.h>
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

long platform_stub_fork(unsigned long clone_flags)
{
	long pid = syscall(SYS_clone, clone_flags, 0, NULL, NULL, 0);
	return pid < 0 ? -errno : pid;
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
