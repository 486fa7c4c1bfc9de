/* tools/cvisor/sentry.c: the sentry role of the cvisor binary: set up the
 * log, run the kernel, turn the guest's wait status into an exit code
 * (128+N for a guest killed by signal N, like a shell). */
#include "tools/cvisor/commands.h"
#include "tools/cvisor/options.h"
#include "sentry/kernel/kernel.h"
#include "fs/goferfs/goferfs.h"
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int cmd_sentry(int argc, char **argv)
{
	struct run_options o;
	char err[256];
	if (run_options_parse(argc, argv, &o, err, sizeof(err)) != 0) {
		fprintf(stderr, "cvisor sentry: %s\n", err);
		return 2;
	}
	if (o.debug_log) {
		int fd = open(o.debug_log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "cvisor: --debug-log %s: %s\n", o.debug_log, strerror(errno));
			return 125;
		}
		log_set_fd(fd);
	} else if (o.cfg.strace) {
		log_set_fd(fcntl(2, F_DUPFD_CLOEXEC, 3));
	}
	/* Host signals meant for the guest must not kill the sentry's
	 * writes: a closed stdout gives the guest EPIPE instead. */
	signal(SIGPIPE, SIG_IGN);

	if (o.gofer_fd >= 0) {
		const char **guest = calloc(o.nvols + 1, sizeof(char *));
		bool *ro = calloc(o.nvols + 1, sizeof(bool));
		for (size_t i = 0; guest && ro && i < o.nvols; i++) {
			guest[i] = o.vols[i].guest;
			ro[i] = o.vols[i].ro;
		}
		if (!guest || !ro || goferfs_configure(o.gofer_fd, o.nvols, guest, ro) < 0) {
			fprintf(stderr, "cvisor sentry: out of memory\n");
			return 125;
		}
		free(guest);
		free(ro);
	}
	int ws = kernel_run(&o.cfg);
	/* Like a shell (and runc): 127 not found, 126 not executable. */
	if (ws == -ENOENT)
		return 127;
	if (ws == -ENOEXEC || ws == -EACCES || ws == -E2BIG)
		return 126;
	if (ws < 0)
		return 125;
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	return 125;
}
