/*
 * pidfd: pidfd_open (flags, pid checks, close-on-exec, PIDFD_NONBLOCK),
 * CLONE_PIDFD through clone and clone3, pidfd_send_signal (sig 0, a
 * killing signal, siginfo checks and flags, ESRCH once reaped),
 * pidfd_getfd (a fd of a child, flags, bad fds, ESRCH once reaped),
 * waitid(P_PIDFD) (status, EAGAIN on a non-blocking pidfd, EBADF,
 * ECHILD), and readiness: nothing while the process runs, POLLIN once it
 * exited, POLLIN|POLLHUP once reaped, through poll and epoll.
 */
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "proc_util.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif

static int pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

static int pidfd_send_signal(int fd, int sig, siginfo_t *info, unsigned flags)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

static int pidfd_getfd(int fd, int target, unsigned flags)
{
	return (int)syscall(SYS_pidfd_getfd, fd, target, flags);
}

static short revents(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	CHECK_OK(poll(&p, 1, 0));
	return p.revents;
}

static int thread_tid;
static int gate[2], gate2[2];

static void *thread_main(void *arg)
{
	(void)arg;
	thread_tid = gettid();
	char c;
	if (write(gate[1], "t", 1) != 1 || read(gate2[0], &c, 1) != 1)
		return NULL;
	return NULL;
}

/* A child that blocks until its stdin-like pipe closes, then exits 5. */
static pid_t blocked_child(int *release_fd)
{
	int p[2];
	CHECK_OK(pipe(p));
	pid_t pid = xfork();
	if (pid == 0) {
		close(p[1]);
		char c;
		while (read(p[0], &c, 1) > 0)
			;
		_exit(5);
	}
	close(p[0]);
	*release_fd = p[1];
	return pid;
}

int main(void)
{
	/* pidfd_open's checks. */
	CHECK_ERR(pidfd_open(getpid(), 0x1), EINVAL);
	CHECK_ERR(pidfd_open(0, 0), EINVAL);
	CHECK_ERR(pidfd_open(-1, 0), EINVAL);
	CHECK_ERR(pidfd_open(0x7fffffff, 0), ESRCH);
	CHECK_OK(pipe(gate));
	CHECK_OK(pipe(gate2));
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, thread_main, NULL), 0);
	char c;
	CHECK_EQ(read(gate[0], &c, 1), 1);
	CHECK_ERR(pidfd_open(thread_tid, 0), ENOENT);
	CHECK_EQ(write(gate2[1], "g", 1), 1);
	CHECK_EQ(pthread_join(th, NULL), 0);

	int self = pidfd_open(getpid(), 0);
	CHECK_OK(self);
	CHECK_EQ(fcntl(self, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(revents(self), 0);
	CHECK_ERR(read(self, &c, 1), EINVAL);
	siginfo_t si;
	CHECK_ERR(waitid(P_PIDFD, self, &si, WEXITED | WNOHANG), ECHILD);
	CHECK_ERR(waitid(P_PIDFD, 9999, &si, WEXITED), EBADF);
	CHECK_ERR(waitid(P_PIDFD, gate[0], &si, WEXITED), EBADF);
	CHECK_ERR(waitid(P_PIDFD, -1, &si, WEXITED), EINVAL);

	/* pidfd_send_signal's checks. */
	CHECK_ERR(pidfd_send_signal(self, 0, NULL, 0x8), EINVAL);
	CHECK_ERR(pidfd_send_signal(self, 0, NULL, 0x3), EINVAL);
	CHECK_ERR(pidfd_send_signal(9999, 0, NULL, 0), EBADF);
	CHECK_ERR(pidfd_send_signal(gate[0], 0, NULL, 0), EBADF);
	CHECK_ERR(pidfd_send_signal(self, 65, NULL, 0), EINVAL);
	CHECK_OK(pidfd_send_signal(self, 0, NULL, 0));
	/* To itself a process may queue any siginfo. */
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR2;
	si.si_code = SI_QUEUE;
	CHECK_ERR(pidfd_send_signal(self, SIGUSR1, &si, 0), EINVAL);
	si.si_signo = SIGUSR1;
	si.si_value.sival_int = 77;
	CHECK_OK(pidfd_send_signal(self, SIGUSR1, &si, 0));
	siginfo_t got;
	CHECK_EQ(sigwaitinfo(&usr1, &got), SIGUSR1);
	CHECK_EQ(got.si_code, SI_QUEUE);
	CHECK_EQ(got.si_value.sival_int, 77);
	CHECK_OK(pidfd_send_signal(self, SIGUSR1, NULL, 0));
	CHECK_EQ(sigwaitinfo(&usr1, &got), SIGUSR1);
	CHECK_EQ(got.si_code, SI_USER);
	CHECK_EQ(got.si_pid, getpid());

	/* A running child: not readable; a non-blocking pidfd gives EAGAIN
	 * to waitid; SIGTERM through the pidfd kills it; then POLLIN, the
	 * status through waitid(P_PIDFD), then POLLHUP and ESRCH. */
	int release;
	pid_t pid = blocked_child(&release);
	int pfd = pidfd_open(pid, PIDFD_NONBLOCK);
	CHECK_OK(pfd);
	CHECK_EQ(fcntl(pfd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	CHECK_EQ(revents(pfd), 0);
	CHECK_ERR(waitid(P_PIDFD, pfd, &si, WEXITED), EAGAIN);
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PIDFD, pfd, &si, WEXITED | WNOHANG));
	CHECK_EQ(si.si_pid, 0);
	si.si_signo = SIGTERM;
	si.si_code = SI_USER;
	CHECK_ERR(pidfd_send_signal(pfd, SIGTERM, &si, 0), EPERM);
	si.si_code = SI_QUEUE;
	CHECK_OK(pidfd_send_signal(pfd, 0, NULL, 0));
	int ep = epoll_create1(0);
	CHECK_OK(ep);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 9 };
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, pfd, &ev));
	CHECK_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	CHECK_OK(pidfd_send_signal(pfd, SIGTERM, NULL, 0));
	CHECK_EQ(epoll_wait(ep, &ev, 1, -1), 1);
	CHECK_EQ(ev.data.u32, 9);
	CHECK(ev.events & EPOLLIN, "epoll events %#x", ev.events);
	struct pollfd p = { pfd, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, -1), 1);
	CHECK_EQ(p.revents, POLLIN);
	CHECK_OK(pidfd_send_signal(pfd, 0, NULL, 0));	/* a zombie still exists */
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PIDFD, pfd, &si, WEXITED));
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_code, CLD_KILLED);
	CHECK_EQ(si.si_status, SIGTERM);
	CHECK_EQ(revents(pfd), POLLIN | POLLHUP);
	CHECK_ERR(pidfd_send_signal(pfd, SIGTERM, NULL, 0), ESRCH);
	CHECK_ERR(pidfd_getfd(pfd, 0, 0), ESRCH);
	CHECK_ERR(waitid(P_PIDFD, pfd, &si, WEXITED), ECHILD);
	close(release);
	close(ep);
	close(pfd);

	/* pidfd_getfd: a pipe the child made. */
	int to_parent[2];
	CHECK_OK(pipe(to_parent));
	pid = blocked_child(&release);
	(void)pid;
	close(release);
	expect_exit(pid, 5, "blocked child");
	int hold[2];
	CHECK_OK(pipe(hold));
	pid = xfork();
	if (pid == 0) {
		close(hold[1]);
		int q[2];
		if (pipe(q) < 0 || write(q[1], "hi", 2) != 2)
			_exit(1);
		if (write(to_parent[1], &q[0], sizeof(int)) != sizeof(int))
			_exit(1);
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(hold[0]);
	int cfd;
	CHECK_EQ(read(to_parent[0], &cfd, sizeof(cfd)), sizeof(cfd));
	pfd = pidfd_open(pid, 0);
	CHECK_OK(pfd);
	CHECK_EQ(fcntl(pfd, F_GETFL) & O_NONBLOCK, 0);
	CHECK_ERR(pidfd_getfd(pfd, cfd, 1), EINVAL);
	CHECK_ERR(pidfd_getfd(pfd, 9999, 0), EBADF);
	CHECK_ERR(pidfd_getfd(gate[0], cfd, 0), EBADF);
	int mine = pidfd_getfd(pfd, cfd, 0);
	CHECK_OK(mine);
	CHECK_EQ(fcntl(mine, F_GETFD), FD_CLOEXEC);
	char buf[4] = { 0 };
	CHECK_EQ(read(mine, buf, sizeof(buf)), 2);
	CHECK(memcmp(buf, "hi", 2) == 0, "read %.2s", buf);
	close(mine);
	close(hold[1]);
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PIDFD, pfd, &si, WEXITED));
	CHECK_EQ(si.si_code, CLD_EXITED);
	CHECK_EQ(si.si_status, 0);
	close(pfd);

	/* CLONE_PIDFD through clone: the pidfd where the parent tid would go
	 * (both together: EINVAL). */
	int cpfd = -1;
	CHECK_ERR(syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &cpfd, NULL, 0),
		  EINVAL);
	fflush(stdout);
	long r = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &cpfd, NULL, 0);
	if (r == 0)
		_exit(6);
	CHECK(r > 0, "clone");
	CHECK(cpfd >= 0, "clone pidfd %d", cpfd);
	CHECK_EQ(fcntl(cpfd, F_GETFD), FD_CLOEXEC);
	p.fd = cpfd;
	CHECK_EQ(poll(&p, 1, -1), 1);
	CHECK_EQ(p.revents, POLLIN);
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PIDFD, cpfd, &si, WEXITED));
	CHECK_EQ(si.si_pid, r);
	CHECK_EQ(si.si_status, 6);
	close(cpfd);

	/* CLONE_PIDFD through clone3. */
	int c3fd = -1;
	struct clone_args ca;
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_PIDFD;
	ca.pidfd = (uint64_t)(uintptr_t)&c3fd;
	ca.exit_signal = SIGCHLD;
	fflush(stdout);
	r = syscall(SYS_clone3, &ca, sizeof(ca));
	if (r == 0)
		_exit(7);
	CHECK(r > 0, "clone3");
	CHECK(c3fd >= 0, "clone3 pidfd %d", c3fd);
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PIDFD, c3fd, &si, WEXITED));
	CHECK_EQ(si.si_pid, r);
	CHECK_EQ(si.si_status, 7);
	CHECK_EQ(revents(c3fd), POLLIN | POLLHUP);
	close(c3fd);

	close(self);
	PASS();
}
