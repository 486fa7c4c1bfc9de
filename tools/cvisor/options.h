/* tools/cvisor/options.h: the flags of `cvisor run`, parsed once by the
 * launcher and again (the same argv) by the sentry role. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "sentry/kernel/task.h"

/* -v HOST:GUEST[:ro] */
struct volume {
	const char *host, *guest;
	bool ro;
};

struct run_options {
	struct sandbox_config cfg;
	const char *root;	/* --root: the host directory served as / */
	struct volume *vols;
	size_t nvols;
	int gofer_fd;		/* hidden --gofer-fd (the sentry's end), or -1 */
	int report_fd;		/* hidden --report-fd: pipe to the launcher, or -1 */
	int netns_fd;		/* hidden --netns-fd: the launcher sends the net
				 * namespace to join on it (run.c), or -1 */
	double cpus;		/* --cpus (0: no limit) */
	unsigned long ns;	/* hidden --ns: the CLONE_NEW* the launcher gave us */
	/* hidden --testonly-forbidden-syscall[=WHAT]: once confined, the
	 * sentry makes a host syscall its filter forbids (tests/security):
	 * socket (the default; outside the whitelist), mmap-exec or
	 * mprotect-exec (PROT_EXEC from the sentry's own code), or execveat
	 * (from the sentry's own code: only systrap's stub image site may). */
	enum { TESTONLY_NONE, TESTONLY_SOCKET, TESTONLY_MMAP_EXEC, TESTONLY_MPROTECT_EXEC,
	       TESTONLY_EXECVEAT }
		testonly_forbidden;
	const char *debug_log;
	char **env;		/* NULL terminated, owned */
	size_t nenv;
};

/* Parse argv (argv[0] is the subcommand name). 0 on success, 1 if --help
 * was printed, or -1 with a one-line message in err. */
int run_options_parse(int argc, char **argv, struct run_options *o,
		      char *err, size_t errlen);
void run_usage(FILE *out);
