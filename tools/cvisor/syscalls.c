/* tools/cvisor/syscalls.c: `cvisor syscalls --host [--platform=NAME]`:
 * print the host syscalls the sentry (for each platform, or one) and the
 * gofer may make, with their argument constraints and counts. */
#include "tools/cvisor/commands.h"
#include "sentry/hostfilter/hostfilter.h"
#include "platform/platform.h"
#include "gofer/gofer.h"

#include <stdio.h>
#include <string.h>

int cmd_syscalls(int argc, char **argv)
{
	bool host = false;
	const char *only = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--host") == 0) {
			host = true;
		} else if (strncmp(argv[i], "--platform=", 11) == 0) {
			only = argv[i] + 11;
			if (!platform_find(only)) {
				fprintf(stderr, "cvisor syscalls: unknown platform \"%s\" (available: %s)\n",
					only, platform_names());
				return 2;
			}
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("usage: cvisor syscalls --host [--platform=NAME]\n"
			       "print the host syscalls the sentry and the gofer may make\n");
			return 0;
		} else {
			fprintf(stderr, "cvisor syscalls: unknown flag %s (usage: cvisor syscalls --host [--platform=NAME])\n",
				argv[i]);
			return 2;
		}
	}
	if (!host) {
		fprintf(stderr, "cvisor syscalls: only --host is supported (usage: cvisor syscalls --host [--platform=NAME])\n");
		return 2;
	}
	for (size_t i = 0; platform_nth(i); i++) {
		const struct platform_ops *p = platform_nth(i);
		if (only && strcmp(p->name, only) != 0)
			continue;
		hostfilter_print(stdout, p);
		putchar('\n');
	}
	gofer_filter_print(stdout);
	return 0;
}
