/* tools/cvisor/run.c: `cvisor run`, the launcher. It checks the flags,
 * starts the sentry by re-executing /proc/self/exe, waits for it and exits
 * with the guest's status. */
#include "tools/cvisor/commands.h"
#include "tools/cvisor/options.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int cmd_run(int argc, char **argv)
{
	struct run_options o;
	char err[256];
	int r = run_options_parse(argc, argv, &o, err, sizeof(err));
	if (r == 1)
		return 0;
	if (r < 0) {
		fprintf(stderr, "cvisor run: %s\n", err);
		return 2;
	}
	char **sargv = calloc((size_t)argc + 2, sizeof(char *));
	if (!sargv) {
		fprintf(stderr, "cvisor run: out of memory\n");
		return 125;
	}
	sargv[0] = "cvisor";
	sargv[1] = "sentry";
	for (int i = 1; i < argc; i++)
		sargv[i + 1] = argv[i];

	/* posix_spawn (vfork underneath) costs less than fork + exec. */
	pid_t pid;
	extern char **environ;
	int serr = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, sargv, environ);
	if (serr != 0) {
		fprintf(stderr, "cvisor run: cannot start the sentry: %s\n", strerror(serr));
		return 125;
	}
	/* The terminal's ^C reaches the sentry too; the launcher just waits. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "cvisor run: lost the sentry: %s\n", strerror(errno));
			return 125;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	fprintf(stderr, "cvisor run: the sentry died: %s\n", strsignal(WTERMSIG(status)));
	return 128 + WTERMSIG(status);
}
