/* tools/cvisor/spawn.c: starting a sandbox process in new namespaces (see
 * spawn.h).
 *
 * The child is made like posix_spawn makes it: clone with CLONE_VM |
 * CLONE_VFORK on a stack of its own, so that nothing of the launcher is
 * copied and the launcher sleeps until the child has exec'ed (the child
 * only maps its ids, joins namespaces, clears close-on-exec on the kept
 * fds and execs, touching nothing of the parent but the struct below).
 * Only a start in a cgroup (CLONE_INTO_CGROUP, --cpus) needs clone3,
 * which glibc does not wrap; that one is a fork-like clone3. Both ask for
 * a pidfd of the child (CLONE_PIDFD).
 *
 * The second process of a sandbox may join the ipc, uts and cgroup
 * namespaces of the first (setns on its pidfd) instead of making its own:
 * each sandbox still has its own, separate from the host's, at half the
 * cost. The net namespace, the dearest to make (about half a millisecond
 * here), is left out of both clones (spawn_args.skip): the launcher
 * makes it once both have started and hands it to each (run.c), which
 * joins it before it is confined. So each process's own are its mount
 * and pid namespaces. A user namespace (a launcher that is not root) is
 * never shared and nothing is skipped: there each process makes all of
 * its own.
 *
 * If the host refuses the CLONE_NEW* flags (a container without the
 * privilege), the process starts in the launcher's namespaces and says so
 * in its debug log (hidden --ns). */
#include "tools/cvisor/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* What may be shared with the sandbox's other process (the net namespace
 * is handed over instead: see the top of this file). */
#define SHARABLE (CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)

unsigned long spawn_ns_flags(void)
{
	unsigned long f = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
			  CLONE_NEWUTS | CLONE_NEWCGROUP;
	if (geteuid() != 0)
		f |= CLONE_NEWUSER;
	return f;
}

/* Everything the child reads (and the only memory of the parent it writes:
 * nsarg and err). */
struct child {
	char **argv;
	const int *keep;
	size_t nkeep;
	unsigned long flags;	/* the CLONE_NEW* it was cloned with */
	int join_pidfd;		/* join its SHARABLE namespaces, or -1 */
	uid_t uid;
	gid_t gid;
	sigset_t mask;		/* the launcher's, restored before exec */
	char *nsarg;		/* "--ns=HEX" to fill in, or NULL */
	int err;		/* why the exec failed (errno) */
};

static void write_file(const char *path, const char *s, size_t n)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, s, n) < 0) {
			/* the process runs with unmapped ids; it still starts */
		}
		close(fd);
	}
}

/* "0 ID 1\n" without stdio (the child of a vfork-like clone). */
static size_t id_map(char *buf, unsigned id)
{
	char digits[12];
	size_t n = 0, k = 0;
	do
		digits[k++] = (char)('0' + id % 10);
	while (id /= 10);
	buf[n++] = '0';
	buf[n++] = ' ';
	while (k)
		buf[n++] = digits[--k];
	memcpy(buf + n, " 1\n", 3);
	return n + 3;
}

static void hex_arg(char *buf, unsigned long v)
{
	char digits[20];
	size_t k = 0;
	memcpy(buf, "--ns=", 5);
	buf += 5;
	do
		digits[k++] = "0123456789abcdef"[v & 15];
	while (v >>= 4);
	while (k)
		*buf++ = digits[--k];
	*buf = 0;
}

static int child_main(void *arg)
{
	struct child *c = arg;
	unsigned long got = c->flags;
	if (c->flags & CLONE_NEWUSER) {
		char map[32];
		write_file("/proc/self/setgroups", "deny", 4);
		write_file("/proc/self/uid_map", map, id_map(map, (unsigned)c->uid));
		write_file("/proc/self/gid_map", map, id_map(map, (unsigned)c->gid));
	}
	if (c->join_pidfd >= 0 && setns(c->join_pidfd, SHARABLE) == 0) {
		got |= SHARABLE;
	} else if (c->join_pidfd >= 0 && unshare(SHARABLE) == 0) {
		got |= SHARABLE;	/* the first process is gone already: our own */
	}
	if (c->nsarg)
		hex_arg(c->nsarg, got);
	for (size_t i = 0; i < c->nkeep; i++)
		if (c->keep[i] >= 0)
			fcntl(c->keep[i], F_SETFD, 0);
	sigprocmask(SIG_SETMASK, &c->mask, NULL);
	execve("/proc/self/exe", c->argv, environ);
	c->err = errno;
	_exit(125);
}

/* The vfork-like start: the pid, or -errno. */
static pid_t start_vm(struct child *c, int *pidfd)
{
	static alignas(16) char stack[64 * 1024];	/* the launcher is single-threaded */
	int fl = (int)c->flags | CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD;
	pid_t pid = clone(child_main, stack + sizeof(stack), fl, c, pidfd);
	return pid < 0 ? -errno : pid;
}

/* The fork-like start, into a cgroup: the pid, or -errno. */
static pid_t start_cgroup(struct child *c, int cgroup_fd, int *pidfd)
{
	struct clone_args ca;
	memset(&ca, 0, sizeof(ca));
	ca.flags = c->flags | CLONE_INTO_CGROUP | CLONE_PIDFD;
	ca.pidfd = (uint64_t)(uintptr_t)pidfd;
	ca.exit_signal = SIGCHLD;
	ca.cgroup = (uint64_t)cgroup_fd;
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0)
		return -errno;
	if (pid == 0)
		child_main(c);
	return (pid_t)pid;
}

static pid_t start(struct child *c, int cgroup_fd, int *pidfd)
{
	*pidfd = -1;
	c->err = 0;
	pid_t pid = cgroup_fd >= 0 ? start_cgroup(c, cgroup_fd, pidfd) : start_vm(c, pidfd);
	if (pid > 0 && c->err) {
		/* exec failed (only the vfork-like child can tell us) */
		int e = c->err;
		close(*pidfd);
		*pidfd = -1;
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return -e;
	}
	return pid;
}

pid_t spawn_sandboxed(const struct spawn_args *a, int *pidfd_out)
{
	struct child c = {
		.argv = a->argv,
		.keep = a->keep,
		.nkeep = a->nkeep,
		.join_pidfd = -1,
		.uid = geteuid(),
		.gid = getegid(),
	};
	char nsarg[32];
	if (a->ns_slot > 0) {
		c.nsarg = nsarg;
		a->argv[a->ns_slot] = nsarg;
	}
	c.flags = spawn_ns_flags();
	if (!(c.flags & CLONE_NEWUSER))
		c.flags &= ~a->skip;
	if (a->share_pidfd >= 0 && !(c.flags & CLONE_NEWUSER)) {
		c.flags &= ~(unsigned long)SHARABLE;
		c.join_pidfd = a->share_pidfd;
	}
	/* No handler of the launcher may run in the child (shared memory). */
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &c.mask);
	int pidfd;
	pid_t pid = start(&c, a->cgroup_fd, &pidfd);
	if (pid == -EPERM || pid == -EINVAL || pid == -ENOSPC || pid == -EUSERS) {
		c.flags = 0;
		c.join_pidfd = -1;
		pid = start(&c, a->cgroup_fd, &pidfd);
	}
	sigprocmask(SIG_SETMASK, &c.mask, NULL);
	if (pid > 0 && pidfd_out)
		*pidfd_out = pidfd;
	else if (pid > 0)
		close(pidfd);
	return pid;
}
