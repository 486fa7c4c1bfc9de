/* tools/cvisor/sentry.c: the sentry role of the cvisor binary: set up the
 * log, confine the process (see "Confinement" below), run the kernel,
 * turn the guest's wait status into an exit code (128+N for a guest
 * killed by signal N, like a shell).
 *
 * Confinement, before the first guest instruction: the launcher started
 * us in new mount, pid, ipc, uts and cgroup namespaces (and a user
 * namespace when not root; hidden --ns says which it got). Here: join the
 * sandbox's net namespace, which the launcher makes while we start and
 * sends (hidden --netns-fd; with a user namespace the launcher made us
 * our own instead); close every fd but stdio, the gofer's socket, the log
 * and the report pipe;
 * pivot_root into an empty read-only tmpfs; lower the rlimits; drop every
 * capability (CapEff 0) with PR_SET_NO_NEW_PRIVS; and, once the platform,
 * the memory file and the init task exist, wait for the old root's
 * detach (a thread of its own meanwhile, see lib/confine.h) and install
 * the seccomp filters (sentry/hostfilter). What the host refuses is
 * logged (debug log) and skipped, except the capabilities and the
 * filters, which must hold.
 *
 * The end: once the guest's status is known the sentry writes it on the
 * report pipe (tools/cvisor/report.h) and _exits. A keeper process
 * (keeper.h) shares its memory, so that its threads die and its files
 * close (the launcher's signal that the sandbox is over) before the
 * memory is torn down. */
#include "tools/cvisor/commands.h"
#include "tools/cvisor/options.h"
#include "tools/cvisor/keeper.h"
#include "tools/cvisor/report.h"
#include "sentry/kernel/kernel.h"
#include "sentry/hostfilter/hostfilter.h"
#include "fs/goferfs/goferfs.h"
#include "platform/platform.h"
#include "lib/confine.h"
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Host fds the sentry may hold at once (donated gofer fds back guest files). */
#define SENTRY_NOFILE 65536

static int testonly_forbidden;	/* TESTONLY_* (options.h) */
/* The old root's detach, finished before the first guest instruction. */
static struct confine_pivot pivot;
static bool pivoting;
static struct keeper keeper = { .fd = -1 };

/* The tests of the filter's report (tests/security/confine.sh): each of
 * these must kill the sentry with a one-line report naming it; if the
 * filter let it through, the sandbox runs on and the test sees that. */
static void testonly_forbidden_syscall(void)
{
	if (testonly_forbidden == TESTONLY_SOCKET) {
		/* socket(2) is not listed */
		if (syscall(SYS_socket, AF_INET, SOCK_STREAM, 0) >= 0)
			log_printf("confine: --testonly-forbidden-syscall: socket was allowed");
	} else if (testonly_forbidden == TESTONLY_MMAP_EXEC) {
		/* executable memory from the sentry's own code */
		void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			log_printf("confine: --testonly-forbidden-syscall: mmap(PROT_EXEC) was allowed");
	} else if (testonly_forbidden == TESTONLY_EXECVEAT) {
		/* an exec of an fd it holds, as the stub image's is made */
		static char *const none[] = { NULL };
		if (syscall(SYS_execveat, 0, "", none, none, AT_EMPTY_PATH) == 0 || errno != ENOEXEC)
			log_printf("confine: --testonly-forbidden-syscall: execveat was allowed");
	} else if (testonly_forbidden == TESTONLY_MPROTECT_EXEC) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED && mprotect(p, 4096, PROT_READ | PROT_EXEC) == 0)
			log_printf("confine: --testonly-forbidden-syscall: mprotect(PROT_EXEC) was allowed");
	}
}

/* The filter, once the platform has made its executable stub code and
 * before its first stub and the sentry's other threads: they inherit it
 * (one compilation of the program for the whole sandbox), and the
 * gofer's replies and the guest's executable are read under it. */
static int before_stubs(void)
{
	return hostfilter_install(platform);
}

static int before_guest(void)
{
	if (pivoting) {
		pivoting = false;
		int e = confine_pivot_finish(&pivot);
		if (e < 0)
			log_printf("confine: detaching the host's root: %s", strerror(-e));
	}
	if (keeper.fd >= 0 && !keeper_confined(&keeper))
		log_printf("confine: the memory keeper died; the sentry exits without one");
	if (testonly_forbidden)
		testonly_forbidden_syscall();
	return 0;
}

/* As pid 1 of its pid namespace the sentry ignores signals it has no
 * handler for; the terminal's ^C and a kill from the host still end it. */
static void on_term(int sig)
{
	_exit(128 + sig);
}

static int confine(struct run_options *o, int logfd)
{
	if (o->netns_fd >= 0) {
		int r = confine_join_netns(o->netns_fd);
		o->netns_fd = -1;
		if (r > 0)
			o->ns |= CLONE_NEWNET;
		else if (r < 0)
			log_printf("confine: joining the sandbox's network namespace: %s", strerror(-r));
	}
	int keep[] = { 0, 1, 2, o->gofer_fd, logfd, o->report_fd };
	confine_close_fds(keep, sizeof(keep) / sizeof(keep[0]));
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (!(o->ns & CLONE_NEWPID))
		log_printf("confine: no pid namespace of its own (the host refused it)");
	if (!(o->ns & CLONE_NEWNET))
		log_printf("confine: no network namespace of its own (the host refused it)");
	if (o->ns & CLONE_NEWNS) {
		int r = confine_pivot_root(NULL, 1, &pivot);
		if (r < 0)
			log_printf("confine: pivot_root into an empty root: %s; going on in the host's root",
				   strerror(-r));
		pivoting = r == 0;
	} else {
		log_printf("confine: no mount namespace of its own: no pivot_root");
	}
	confine_rlimits(SENTRY_NOFILE);
	int r = confine_drop_caps(0);
	if (r < 0) {
		fprintf(stderr, "cvisor: cannot drop the sentry's capabilities: %s\n", strerror(-r));
		return -1;
	}
	/* Confined but for seccomp: the keeper starts with what we have now. */
	r = keeper_start(&keeper);
	if (r < 0)
		log_printf("confine: no memory keeper: %s", strerror(-r));
	return 0;
}

/* The launcher's exit status for the guest's wait status (or a negative
 * errno from kernel_run): like a shell (and runc), 127 not found, 126 not
 * executable, 128+N killed by signal N. */
static int exit_code(int ws)
{
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

/* Tell the launcher the sandbox's status; it waits for our threads to
 * be gone (the pipe's EOF), not for our process to be reaped. */
static void report_status(int fd, int code)
{
	if (fd < 0)
		return;
	char line[16];
	int n = snprintf(line, sizeof(line), "%c%d\n", REPORT_STATUS, code);
	if (write(fd, line, (size_t)n) < 0) {
		/* the launcher is gone: nobody to tell */
	}
}

int cmd_sentry(int argc, char **argv)
{
	struct run_options o;
	char err[256];
	prctl(PR_SET_NAME, "cvisor-sentry", 0, 0, 0);	/* for ps (the exec made it "exe") */
	if (run_options_parse(argc, argv, &o, err, sizeof(err)) != 0) {
		fprintf(stderr, "cvisor sentry: %s\n", err);
		return 2;
	}
	int logfd = -1;
	if (o.debug_log) {
		logfd = open(o.debug_log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
		if (logfd < 0) {
			fprintf(stderr, "cvisor: --debug-log %s: %s\n", o.debug_log, strerror(errno));
			return 125;
		}
		log_set_fd(logfd);
	} else if (o.cfg.strace) {
		logfd = fcntl(2, F_DUPFD_CLOEXEC, 3);
		log_set_fd(logfd);
	}
	/* Host signals meant for the guest must not kill the sentry's
	 * writes: a closed stdout gives the guest EPIPE instead. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_term);
	signal(SIGTERM, on_term);
	signal(SIGHUP, on_term);
	if (confine(&o, logfd) < 0)
		return 125;
	hostfilter_set_report_fd(o.report_fd);
	o.cfg.before_guest = before_guest;
	o.cfg.before_stubs = before_stubs;
	testonly_forbidden = o.testonly_forbidden;

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
	int code = exit_code(kernel_run(&o.cfg));
	/* Other guest processes die with us: no clean-up to wait for (the
	 * sentry holds nothing that outlives it; stdio is unbuffered or
	 * unused, the log unbuffered). */
	fflush(stdout);
	report_status(o.report_fd, code);
	_exit(code);
}
