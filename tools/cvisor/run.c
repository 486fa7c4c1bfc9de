/* tools/cvisor/run.c: `cvisor run`, the launcher. It checks the flags,
 * starts the sentry (`/proc/self/exe sentry --gofer-fd=FD ...`) on one
 * end of a SOCK_SEQPACKET socketpair and then the gofer (`/proc/self/exe
 * gofer --done-fd=FD FD EXPORT...`: the --root directory read-only, then
 * each -v directory) on the other, in the sentry's ipc, uts and cgroup
 * namespaces, and exits with the guest's status. Neither clone makes the
 * sandbox's net namespace (the dearest to make): the launcher makes it
 * once both have started and sends it to each on a --netns-fd socket;
 * each joins it before it is confined (lib/confine.h).
 *
 * The end: the sentry writes the status on the report pipe and exits
 * (tools/cvisor/report.h); the pipe's EOF says its threads are gone. The
 * gofer finishes when the sentry's end of the socket closes: it closes its
 * files and says so on its done socket, then waits for the launcher to
 * go. The launcher waits for both and exits without reaping: the two
 * processes are dying or idle, and the rest of their teardown (the
 * sentry's memory, its stubs, each namespace's grace period, the gofer's
 * exit) happens after, reaped by init (the launcher's death kills them:
 * PR_SET_PDEATHSIG). With --cpus, or when the
 * sentry dies without a status (a signal, a forbidden host syscall), the
 * launcher reaps both as before (the cgroup must be empty to go). */
#include "tools/cvisor/commands.h"
#include "tools/cvisor/options.h"
#include "tools/cvisor/cgroup.h"
#include "tools/cvisor/spawn.h"
#include "tools/cvisor/report.h"
#include "tools/cvisor/keeper.h"
#include "lib/fdpass.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Start /proc/self/exe in new namespaces (see spawn.h). The pid, or -1
 * with a message printed. */
static pid_t spawn_with_fds(const struct spawn_args *a, int *pidfd, const char *what)
{
	pid_t pid = spawn_sandboxed(a, pidfd);
	if (pid < 0) {
		fprintf(stderr, "cvisor run: cannot start the %s: %s\n", what, strerror(-pid));
		return -1;
	}
	return pid;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The sandbox's net namespace: made by the launcher while the sentry and
 * the gofer start (it is the dearest to make, about half a millisecond
 * here, and neither waits for it until it is confined), then left: the
 * launcher stays in its own. Its fd, or -1 when the host refuses it. */
static int netns_make(void)
{
	int ours = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ours < 0)
		return -1;
	int fd = -1;
	if (unshare(CLONE_NEWNET) == 0) {
		fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (setns(ours, CLONE_NEWNET) < 0) {
			/* cannot happen (we are root in ours); if it does, the
			 * launcher just lives on in the sandbox's */
		}
	}
	close(ours);
	return fd;
}

/* Send the net namespace fd (or, if -1, nothing but the byte: the
 * process says in its log that it has none) on sock, and close sock. */
static void netns_send(int sock, int fd)
{
	char c = 0;
	struct iovec iov = { &c, 1 };
	if (fdpass_send(sock, &iov, 1, fd) < 0) {
		/* it is gone: nobody to tell */
	}
	close(sock);
}

/* The gofer, second: it joins the ipc, uts and cgroup namespaces of the
 * sentry (join, a pidfd). fd: its end of the socket; done: the write end
 * of its done pipe; netns: its end of the net namespace's socket, or -1
 * (then it makes its own with the rest). */
static pid_t start_gofer(const struct run_options *o, int fd, int done, int join, int netns)
{
	char **gargv = calloc(o->nvols + 8, sizeof(char *));
	char fdbuf[16], donebuf[32], netbuf[32];
	if (!gargv)
		return -1;
	snprintf(fdbuf, sizeof(fdbuf), "%d", fd);
	snprintf(donebuf, sizeof(donebuf), "--done-fd=%d", done);
	gargv[0] = "cvisor";
	gargv[1] = "gofer";
	gargv[2] = "--ns=0";	/* spawn_sandboxed fills it in */
	size_t n = 3;
	if (netns >= 0) {
		snprintf(netbuf, sizeof(netbuf), "--netns-fd=%d", netns);
		gargv[n++] = netbuf;
	}
	gargv[n++] = donebuf;
	gargv[n++] = fdbuf;
	size_t first = n;
	if (asprintf(&gargv[n++], "ro:%s", o->root) < 0)
		return -1;
	for (size_t i = 0; i < o->nvols; i++)
		if (asprintf(&gargv[n++], "%s:%s", o->vols[i].ro ? "ro" : "rw",
			     o->vols[i].host) < 0)
			return -1;
	int keep[3] = { fd, done, netns };
	struct spawn_args a = { .argv = gargv, .ns_slot = 2, .keep = keep, .nkeep = 3,
				.cgroup_fd = -1, .share_pidfd = join,
				.skip = netns >= 0 ? CLONE_NEWNET : 0 };
	pid_t pid = spawn_with_fds(&a, NULL, "gofer");
	for (size_t i = first; i < n; i++)
		free(gargv[i]);
	free(gargv);
	return pid;
}

static int run_sandbox(const struct run_options *o, int argc, char **argv, int cgroup_fd);

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
	if (!is_dir(o.root)) {
		fprintf(stderr, "cvisor run: --root %s is not a directory\n", o.root);
		return 2;
	}
	for (size_t i = 0; i < o.nvols; i++) {
		if (!is_dir(o.vols[i].host)) {
			fprintf(stderr, "cvisor run: -v %s: not a directory\n", o.vols[i].host);
			return 2;
		}
	}
	struct sandbox_cgroup cg = { .fd = -1 };
	if (o.cpus > 0 && sandbox_cgroup_create(&cg, o.cpus, err, sizeof(err)) < 0) {
		fprintf(stderr, "cvisor run: %s\n", err);
		return 125;
	}
	int r2 = run_sandbox(&o, argc, argv, cg.fd);
	sandbox_cgroup_remove(&cg);
	return r2;
}

/* What the sentry said on the report pipe (report.h). */
struct report {
	int status;		/* the exit status it reported, or -1 */
	char name[64];		/* the forbidden host syscall it made, or "" */
};

/* Read the report pipe until EOF: until every thread of the sentry (and
 * any process that inherited the pipe) is gone. */
static void report_read(int rfd, struct report *r)
{
	char buf[256];
	size_t len = 0;
	r->status = -1;
	r->name[0] = 0;
	for (;;) {
		char more[256];
		bool room = len < sizeof(buf) - 1;
		ssize_t n = read(rfd, room ? buf + len : more,
				 room ? sizeof(buf) - 1 - len : sizeof(more));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (room)
			len += (size_t)n;
	}
	buf[len] = 0;
	for (char *line = buf, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;	/* cut short: the sentry died while writing */
		*nl = 0;
		if (line[0] == REPORT_STATUS && line[1])
			r->status = atoi(line + 1);
		else if (!r->name[0] && line[0])
			snprintf(r->name, sizeof(r->name), "%.63s", line);
	}
}

/* After the sentry has exited: did its SIGSYS handler report a forbidden
 * host syscall? (The sentry's seccomp filter traps it; see
 * sentry/hostfilter.) */
static bool report_failure(const struct report *r, int status)
{
	if (r->name[0]) {
		fprintf(stderr, "cvisor run: sandbox failure: sentry made a forbidden host syscall %s\n",
			r->name);
		return true;
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
		fprintf(stderr, "cvisor run: sandbox failure: sentry made a forbidden host syscall "
				"(killed by SIGSYS before naming it)\n");
		return true;
	}
	return false;
}

/* The sentry's threads are gone: wait until the gofer has finished its
 * last request and closed its files (a byte, or EOF if it died, on its
 * done socket). It then waits for our exit (EOF there, and its
 * parent-death signal) before it exits itself. Not reaped: see the top of
 * this file. A gofer that does not finish within GOFER_GRACE_MS is killed
 * and reaped. */
#define GOFER_GRACE_MS 2000
static void gofer_finish(pid_t gofer, int done)
{
	struct pollfd p = { .fd = done, .events = POLLIN };
	int r;
	do
		r = poll(&p, 1, GOFER_GRACE_MS);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		return;
	kill(gofer, SIGKILL);
	while (waitpid(gofer, NULL, 0) < 0 && errno == EINTR)
		;
}

static int run_sandbox(const struct run_options *o, int argc, char **argv, int cgroup_fd)
{
	int sv[2], rp[2], gp[2], np[2] = { -1, -1 }, gnp[2] = { -1, -1 };
	/* The net namespace is made after both have started (netns_make),
	 * but with a user namespace (not root) each makes all of its own. */
	bool net_later = !(spawn_ns_flags() & CLONE_NEWUSER);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, gp) < 0 ||
	    (net_later && (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, np) < 0 ||
			   socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, gnp) < 0))) {
		fprintf(stderr, "cvisor run: socketpair: %s\n", strerror(errno));
		return 125;
	}
	if (pipe2(rp, O_CLOEXEC) < 0) {
		fprintf(stderr, "cvisor run: pipe: %s\n", strerror(errno));
		return 125;
	}
	char **sargv = calloc((size_t)argc + 6, sizeof(char *));
	char fdarg[32], rfdarg[32], nfdarg[32];
	if (!sargv) {
		fprintf(stderr, "cvisor run: out of memory\n");
		return 125;
	}
	snprintf(fdarg, sizeof(fdarg), "--gofer-fd=%d", sv[0]);
	snprintf(rfdarg, sizeof(rfdarg), "--report-fd=%d", rp[1]);
	sargv[0] = "cvisor";
	sargv[1] = "sentry";
	sargv[2] = "--ns=0";	/* spawn_sandboxed fills it in */
	sargv[3] = fdarg;
	sargv[4] = rfdarg;
	int nhidden = 5;
	if (net_later) {
		snprintf(nfdarg, sizeof(nfdarg), "--netns-fd=%d", np[0]);
		sargv[nhidden++] = nfdarg;
	}
	for (int i = 1; i < argc; i++)
		sargv[i + nhidden - 1] = argv[i];

	/* The sentry first: its start is the longer way to the guest's
	 * first instruction, and the gofer is not needed before the sentry
	 * mounts its root. It makes the namespaces the two share. */
	int fds[3] = { sv[0], rp[1], np[0] };
	struct spawn_args a = { .argv = sargv, .ns_slot = 2, .keep = fds, .nkeep = 3,
				.cgroup_fd = cgroup_fd, .share_pidfd = -1,
				.skip = net_later ? CLONE_NEWNET : 0 };
	int sentry_pidfd = -1;
	pid_t pid = spawn_with_fds(&a, &sentry_pidfd, "sentry");
	close(sv[0]);
	close(rp[1]);
	if (np[0] >= 0)
		close(np[0]);
	free(sargv);
	if (pid < 0) {
		close(sv[1]);
		close(gp[1]);
		close(rp[0]);
		close(gp[0]);
		if (net_later) {
			close(np[1]);
			close(gnp[0]);
			close(gnp[1]);
		}
		return 125;
	}
	pid_t gofer = start_gofer(o, sv[1], gp[1], sentry_pidfd, gnp[0]);
	close(sentry_pidfd);
	close(sv[1]);
	close(gp[1]);
	if (net_later) {
		/* Both wait for it (or for the EOF) before they are confined. */
		close(gnp[0]);
		int fd = netns_make();
		netns_send(np[1], fd);
		netns_send(gnp[1], fd);
		if (fd >= 0)
			close(fd);
	}
	if (gofer < 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return 125;
	}
	/* The terminal's ^C reaches the sentry too; the launcher just waits. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	struct report rep;
	report_read(rp[0], &rep);
	close(rp[0]);
	if (rep.status >= 0 && !rep.name[0] && cgroup_fd < 0) {
		/* Our own memory's teardown, after our caller has heard of our
		 * exit (see keeper.h; made while the gofer finishes, not while
		 * the sandbox starts, when both CPUs are busy). */
		struct keeper k;
		keeper_start(&k);
		gofer_finish(gofer, gp[0]);
		close(gp[0]);
		return rep.status;
	}
	close(gp[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "cvisor run: lost the sentry: %s\n", strerror(errno));
			kill(gofer, SIGKILL);
			return 125;
		}
	}
	/* The sentry's end is closed: the gofer is leaving; make sure. */
	kill(gofer, SIGKILL);
	while (waitpid(gofer, NULL, 0) < 0 && errno == EINTR)
		;
	if (report_failure(&rep, status))
		return 125;
	if (rep.status >= 0)
		return rep.status;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	fprintf(stderr, "cvisor run: the sentry died: %s\n", strsignal(WTERMSIG(status)));
	return 128 + WTERMSIG(status);
}
