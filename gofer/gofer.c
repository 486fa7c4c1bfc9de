/* gofer/gofer.c: the gofer process: `cvisor gofer [--ns=FLAGS]
 * [--netns-fd=FD] [--done-fd=FD] FD EXPORT...`, started by the launcher
 * after the sentry. FD is its end of the SOCK_SEQPACKET socketpair; each
 * EXPORT is "rw:/host/dir" or "ro:/host/dir" (export 0 is the root file
 * system); the launcher started it in new namespaces (--ns says which)
 * and sends the sandbox's net namespace on --netns-fd. It opens the
 * exports, joins that namespace, confines itself (gofer_confine:
 * pivot_root into the root export, fds, capabilities, seccomp), dies with
 * the launcher, and then serves one
 * request at a time until the sentry closes its end. Then it closes every
 * other fd it holds, says so on the done fd (its end of a socketpair with
 * the launcher) and waits there until the launcher is gone: the launcher
 * knows that the gofer is finished without waiting for its exit, and the
 * gofer's exit (its teardown) does not take a CPU from the launcher's. Requests are checked
 * before any handler sees them: sizes, and names that are one path
 * component (no '/', not empty, ".", or "..", at most NAME_MAX). */
#include "gofer/gofer.h"
#include "lib/confine.h"
#include "lib/fdpass.h"

#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static bool name_ok(const char *s, size_t len)
{
	if (len == 0 || len > GOFER_NAME_MAX || memchr(s, '/', len))
		return false;
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	return true;
}

/* Split the names after the request; false if malformed. */
static bool parse_names(const struct gofer_req *req, size_t msglen,
			const char **name, const char **name2)
{
	size_t off = sizeof(*req);
	*name = *name2 = NULL;
	if (req->namelen) {
		if (msglen - off < (size_t)req->namelen + 1)
			return false;
		const char *s = (const char *)req + off;
		if (s[req->namelen] || strlen(s) != req->namelen || !name_ok(s, req->namelen))
			return false;
		*name = s;
		off += (size_t)req->namelen + 1;
	}
	if (req->name2len) {
		if (req->name2len >= PATH_MAX || msglen - off < (size_t)req->name2len + 1)
			return false;
		const char *s = (const char *)req + off;
		if (s[req->name2len] || strlen(s) != req->name2len)
			return false;
		/* A rename's second name is a component; a symlink's is its
		 * target, any string (the sentry resolves it, never us). */
		if (req->op == GOFER_RENAME && !name_ok(s, req->name2len))
			return false;
		*name2 = s;
	}
	return true;
}

static int send_reply(int sock, const struct gofer_resp *resp, const char *data, int fd)
{
	struct iovec iov[2] = {
		{ (void *)resp, sizeof(*resp) },
		{ (void *)data, resp->datalen },
	};
	return fdpass_send(sock, iov, resp->datalen ? 2 : 1, fd) < 0 ? -1 : 0;
}

/* Serve on the CPU the sentry's requests come from (req->cpu, a hint):
 * the sentry's thread sleeps until the reply, so both wake-ups of a round
 * trip are then local switches instead of cross-CPU wake-ups (54 -> 12 us
 * for a socketpair round trip on the 2026-11-28 host). Called after the
 * reply: moving costs a cross-CPU wake-up, which then overlaps the
 * sentry's work instead of delaying the reply; the next request from
 * that CPU finds us there. A CPU we may not use, or a bad hint, only
 * costs that speed. */
static void follow_cpu(const struct gofer_req *req)
{
	static uint32_t bound;	/* the hint we last moved to */
	if (!req->cpu || req->cpu == bound || req->cpu > CPU_SETSIZE)
		return;
	bound = req->cpu;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(req->cpu - 1, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

static int serve(struct gofer_state *g)
{
	static _Alignas(8) char in[GOFER_MSG_MAX];
	static _Alignas(8) char data[GOFER_DATA_MAX + PATH_MAX];
	for (;;) {
		ssize_t n = recv(g->sock, in, sizeof(in), MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;	/* the sentry is gone */
		struct gofer_resp resp;
		int fd = -1;
		const struct gofer_req *req = (const struct gofer_req *)in;
		const char *name, *name2;
		if ((size_t)n > sizeof(in) || (size_t)n < sizeof(*req) ||
		    !parse_names(req, (size_t)n, &name, &name2)) {
			memset(&resp, 0, sizeof(resp));
			resp.err = -EINVAL;
		} else {
			gofer_handle(g, req, name, name2, &resp, data, &fd);
		}
		int r = send_reply(g->sock, &resp, data, fd);
		if (fd >= 0)
			close(fd);
		if (r < 0)
			return 0;
		if ((size_t)n >= sizeof(*req))
			follow_cpu(req);
	}
}

/* The sentry is gone: close every fd but the done fd (stderr too: a
 * caller may wait for its EOF), tell the launcher on it, and wait there
 * for the launcher's end (EOF, or the parent-death signal). */
static void gofer_finish(struct gofer_state *g)
{
	for (uint64_t i = 0; i < g->nfids; i++)
		if (g->fids[i].fd >= 0)
			close(g->fids[i].fd);
	for (int i = 0; i < g->nexports; i++)
		close(g->export_fds[i]);
	close(g->procfd);
	close(g->sock);
	close(2);
	if (g->done < 0)
		return;
	char c = 1;
	if (send(g->done, &c, 1, MSG_NOSIGNAL) != 1)
		return;
	/* What is left, the wait and the exit's teardown (about a
	 * millisecond of CPU here), is nobody's wait: the idle class. */
	struct sched_param sp = { 0 };
	sched_setscheduler(0, SCHED_IDLE, &sp);
	for (;;) {
		ssize_t n = recv(g->done, &c, 1, 0);
		if (n == 0 || (n < 0 && errno != EINTR))
			return;
	}
}

/* The capabilities a file server running as root needs on the host's
 * files (ownership, permission bits, set-id clearing); the rest go. */
#define GOFER_CAPS ((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | \
		    (1ULL << CAP_DAC_READ_SEARCH) | (1ULL << CAP_FOWNER) | (1ULL << CAP_FSETID))

/* Confinement once the exports are open (their fds outlive the old root):
 * only the socket, the exports, /proc/self/fd and stderr stay open; the
 * root becomes the root export (pivot_root when the launcher gave us a
 * mount namespace, else chroot); rlimits; the capabilities of GOFER_CAPS
 * only, PR_SET_NO_NEW_PRIVS; the seccomp whitelist (gofer/filter.c). */
static int gofer_confine(struct gofer_state *g, unsigned long ns)
{
	struct confine_pivot pivot;
	bool pivoting = false;
	int *keep = calloc((size_t)g->nexports + 4, sizeof(int));
	if (!keep)
		return -ENOMEM;
	size_t n = 0;
	keep[n++] = 2;
	keep[n++] = g->done;
	keep[n++] = g->sock;
	keep[n++] = g->procfd;
	for (int i = 0; i < g->nexports; i++)
		keep[n++] = g->export_fds[i];
	confine_close_fds(keep, n);
	free(keep);
	int r = -EPERM;
	if (ns & CLONE_NEWNS) {
		char self[64];
		snprintf(self, sizeof(self), "/proc/self/fd/%d", g->export_fds[0]);
		r = confine_pivot_root(self, 1, &pivot);
		if (r == 0) {
			pivoting = true;
			/* The old root is going (confine_pivot_finish, before we
			 * serve): an fd into it no longer crosses into its
			 * submounts. Serve the new root, the same tree (bound
			 * recursively), but without the host's kernel file
			 * systems (the sentry mounts its own): covered, not
			 * unmounted, which would wait for a grace period each. */
			static const char *const kernfs[] = { "/proc", "/sys", "/dev" };
			for (size_t i = 0; i < sizeof(kernfs) / sizeof(kernfs[0]); i++)
				if (confine_cover(kernfs[i]) < 0)
					umount2(kernfs[i], MNT_DETACH);
			int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0) {
				r = -errno;
				confine_pivot_finish(&pivot);
				return r;
			}
			close(g->export_fds[0]);
			g->export_fds[0] = fd;
		}
	}
	if (r < 0) {
		/* No mount namespace of our own: chroot (only limits a bug:
		 * after start-up the gofer resolves no absolute path). */
		if (fchdir(g->export_fds[0]) < 0)
			return -errno;
		if (chroot(".") < 0 && errno != EPERM)
			return -errno;
	}
	/* Walked files each hold an fd: take all the host allows. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	confine_rlimits(rl.rlim_max);
	r = confine_drop_caps(GOFER_CAPS);
	/* The filter, on this thread only (no TSYNC), is compiled while
	 * the detach's thread finishes its umount2; that thread kept the
	 * capabilities it was born with, and it is gone before we serve. */
	int f = r < 0 ? r : gofer_filter_install();
	int e = pivoting ? confine_pivot_finish(&pivot) : 0;
	if (r < 0 || (r = f) < 0 || (r = e) < 0)
		return r;
	return 0;
}

/* An optional leading "PREFIXFD" argument: *fd (else -1), shifted off.
 * -1 with a message when FD is not a number. */
static int fd_flag(int *argc, char ***argv, const char *prefix, int *fd)
{
	size_t n = strlen(prefix);
	*fd = -1;
	if (*argc < 2 || strncmp((*argv)[1], prefix, n) != 0)
		return 0;
	char *e;
	long v = strtol((*argv)[1] + n, &e, 10);
	if (*e || e == (*argv)[1] + n || v < 0 || v > INT_MAX) {
		fprintf(stderr, "cvisor gofer: bad %s\n", (*argv)[1]);
		return -1;
	}
	*fd = (int)v;
	(*argc)--;
	(*argv)++;
	return 0;
}

int gofer_main(int argc, char **argv)
{
	unsigned long ns = 0;
	prctl(PR_SET_NAME, "cvisor-gofer", 0, 0, 0);	/* for ps (the exec made it "exe") */
	if (argc >= 2 && strncmp(argv[1], "--ns=", 5) == 0) {
		ns = strtoul(argv[1] + 5, NULL, 16);
		argc--;
		argv++;
	}
	int netns, done;
	if (fd_flag(&argc, &argv, "--netns-fd=", &netns) < 0)
		return 2;
	if (argc < 3) {
		fprintf(stderr, "usage: cvisor gofer [--ns=FLAGS] [--netns-fd=FD] [--done-fd=FD] FD rw:DIR|ro:DIR...\n");
		return 2;
	}
	if (fd_flag(&argc, &argv, "--done-fd=", &done) < 0)
		return 2;
	struct gofer_state g = { .procfd = -1, .done = done };
	char *end;
	long sock = strtol(argv[1], &end, 10);
	if (*end || sock < 0 || sock > INT_MAX) {
		fprintf(stderr, "cvisor gofer: bad socket fd %s\n", argv[1]);
		return 2;
	}
	g.sock = (int)sock;
	g.nexports = argc - 2;
	g.exports = calloc((size_t)g.nexports, sizeof(*g.exports));
	g.export_fds = calloc((size_t)g.nexports, sizeof(int));
	if (!g.exports || !g.export_fds)
		return 125;
	for (int i = 0; i < g.nexports; i++) {
		const char *e = argv[i + 2];
		if (strncmp(e, "rw:", 3) != 0 && strncmp(e, "ro:", 3) != 0) {
			fprintf(stderr, "cvisor gofer: bad export %s\n", e);
			return 2;
		}
		g.exports[i].ro = e[1] == 'o';
		g.exports[i].path = e + 3;
		g.export_fds[i] = open(e + 3, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (g.export_fds[i] < 0) {
			fprintf(stderr, "cvisor gofer: %s: %s\n", e + 3, strerror(errno));
			return 125;
		}
	}
	g.procfd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (g.procfd < 0) {
		fprintf(stderr, "cvisor gofer: /proc/self/fd: %s\n", strerror(errno));
		return 125;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	int r = netns >= 0 ? confine_join_netns(netns) : 0;
	if (r < 0) {
		fprintf(stderr, "cvisor gofer: cannot join the sandbox's network namespace: %s\n",
			strerror(-r));
		return 125;
	}
	r = gofer_confine(&g, ns);
	if (r < 0) {
		fprintf(stderr, "cvisor gofer: cannot confine the gofer: %s\n", strerror(-r));
		return 125;
	}
	serve(&g);
	gofer_finish(&g);
	return 0;
}
