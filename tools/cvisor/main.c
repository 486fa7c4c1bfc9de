/* tools/cvisor/main.c: the cvisor command: subcommand dispatch. One binary
 * plays every role; the launcher re-executes /proc/self/exe for the
 * sentry (hidden subcommand "sentry") and the gofer (hidden "gofer"). */
#include "tools/cvisor/commands.h"
#include "gofer/gofer.h"

#include <stdio.h>
#include <string.h>

#define CVISOR_VERSION "0.1.0"

#ifdef __SANITIZE_ADDRESS__
/* Sanitized builds: the launcher and the sentry exit holding their state
 * (the kernel's tasks, the parsed flags) on purpose, as a kernel does at
 * shutdown; report memory errors, not those. Unit tests keep LeakSanitizer. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

static void usage(FILE *out)
{
	fprintf(out,
"usage: cvisor COMMAND [FLAGS]\n"
"\n"
"cvisor runs untrusted Linux x86-64 programs inside a user-space kernel.\n"
"\n"
"commands:\n"
"  run [FLAGS] -- PROGRAM [ARGS...]   run a program in a new sandbox\n"
"  syscalls --host [--platform=NAME]  the host syscalls the sentry and the gofer may make\n"
"  help                               this help (cvisor run --help: run's flags)\n"
"  version                            print the version\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "sentry") == 0)
		return cmd_sentry(argc - 1, argv + 1);
	if (strcmp(cmd, "syscalls") == 0)
		return cmd_syscalls(argc - 1, argv + 1);
	if (strcmp(cmd, "gofer") == 0)
		return gofer_main(argc - 1, argv + 1);
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("cvisor version %s\n", CVISOR_VERSION);
		return 0;
	}
	fprintf(stderr, "cvisor: unknown command \"%s\" (try cvisor help)\n", cmd);
	return 2;
}
