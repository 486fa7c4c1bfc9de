/*
 * signalfd: signalfd/signalfd4 read the reader's pending signals in the
 * fd's mask as struct signalfd_siginfo records: the thread's own first,
 * then the process's, several per read; kill, sigqueue and SIGCHLD fill
 * their fields; EAGAIN when non-blocking and nothing is pending, EINVAL
 * for a buffer below one record; a blocking read waits for a signal from
 * another process and is interrupted by a caught one (EINTR); poll and
 * epoll see POLLIN once a signal in the mask is pending; signalfd(fd,...)
 * replaces the mask of an existing signalfd (EINVAL for other files,
 * EBADF for bad fds); after fork the child reads its own signals, not
 * the parent's.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "proc_util.h"

static void on_alarm(int sig)
{
	(void)sig;
}

static sigset_t set_of(int a, int b)
{
	sigset_t s;
	sigemptyset(&s);
	if (a)
		sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	return s;
}

int main(void)
{
	struct signalfd_siginfo si[4];
	sigset_t blocked = set_of(SIGUSR1, SIGUSR2);
	sigaddset(&blocked, SIGCHLD);
	CHECK_OK(sigprocmask(SIG_BLOCK, &blocked, NULL));

	/* Arguments. */
	sigset_t m = set_of(SIGUSR1, 0);
	CHECK_ERR(syscall(SYS_signalfd4, -1, &m, 4, 0), EINVAL);
	CHECK_ERR(syscall(SYS_signalfd4, -1, &m, 8, 0x1), EINVAL);
	CHECK_ERR(syscall(SYS_signalfd4, -1, (void *)8, 8, 0), EFAULT);
	CHECK_ERR(signalfd(9999, &m, 0), EBADF);
	int pfds[2];
	CHECK_OK(pipe(pfds));
	CHECK_ERR(signalfd(pfds[0], &m, 0), EINVAL);

	int fd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
	CHECK_OK(fd);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
	CHECK_ERR(read(fd, si, sizeof(si)), EAGAIN);
	CHECK_ERR(read(fd, si, sizeof(si[0]) - 1), EINVAL);

	/* kill: POLLIN, then the record. */
	struct pollfd pfd = { fd, POLLIN, 0 };
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_EQ(poll(&pfd, 1, -1), 1);
	CHECK_EQ(pfd.revents, POLLIN);
	CHECK_EQ(read(fd, si, sizeof(si)), sizeof(si[0]));
	CHECK_EQ(si[0].ssi_signo, SIGUSR1);
	CHECK_EQ(si[0].ssi_code, SI_USER);
	CHECK_EQ(si[0].ssi_pid, getpid());
	CHECK_EQ(si[0].ssi_uid, getuid());
	CHECK_ERR(read(fd, si, sizeof(si)), EAGAIN);

	/* sigqueue: SI_QUEUE with the value. */
	union sigval v = { .sival_int = 42 };
	CHECK_OK(sigqueue(getpid(), SIGUSR1, v));
	CHECK_EQ(read(fd, si, sizeof(si)), sizeof(si[0]));
	CHECK_EQ(si[0].ssi_signo, SIGUSR1);
	CHECK_EQ(si[0].ssi_code, SI_QUEUE);
	CHECK_EQ(si[0].ssi_int, 42);
	CHECK_EQ(si[0].ssi_pid, getpid());

	/* A new mask through the same fd; the thread's signal comes first,
	 * and one read takes both. */
	m = set_of(SIGUSR1, SIGUSR2);
	CHECK_EQ(signalfd(fd, &m, 0), fd);
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_OK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2));
	CHECK_EQ(read(fd, si, sizeof(si)), 2 * sizeof(si[0]));
	CHECK_EQ(si[0].ssi_signo, SIGUSR2);
	CHECK_EQ(si[0].ssi_code, SI_TKILL);
	CHECK_EQ(si[1].ssi_signo, SIGUSR1);
	CHECK_EQ(si[1].ssi_code, SI_USER);

	/* A mask without SIGUSR1 leaves it pending. */
	m = set_of(SIGUSR2, 0);
	CHECK_EQ(signalfd(fd, &m, 0), fd);
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_ERR(read(fd, si, sizeof(si)), EAGAIN);
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	sigset_t pend;
	CHECK_OK(sigpending(&pend));
	CHECK(sigismember(&pend, SIGUSR1), "SIGUSR1 still pending");

	/* epoll sees the fd become readable. */
	int ep = epoll_create1(0);
	CHECK_OK(ep);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	CHECK_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	CHECK_OK(kill(getpid(), SIGUSR2));
	CHECK_EQ(epoll_wait(ep, &ev, 1, -1), 1);
	CHECK_EQ(ev.data.u32, 7);
	CHECK_EQ(ev.events, EPOLLIN);
	CHECK_EQ(read(fd, si, sizeof(si)), sizeof(si[0]));
	CHECK_EQ(si[0].ssi_signo, SIGUSR2);
	CHECK_EQ(epoll_wait(ep, &ev, 1, 0), 0);

	/* After fork the child reads its own signals only: the parent's
	 * pending SIGUSR1 is not its. */
	m = set_of(SIGUSR1, SIGUSR2);
	CHECK_EQ(signalfd(fd, &m, 0), fd);
	pid_t pid = xfork();
	if (pid == 0) {
		struct signalfd_siginfo c;
		if (read(fd, &c, sizeof(c)) != -1 || errno != EAGAIN)
			_exit(1);
		kill(getpid(), SIGUSR2);
		if (read(fd, &c, sizeof(c)) != sizeof(c) || c.ssi_signo != SIGUSR2 ||
		    (pid_t)c.ssi_pid != getpid())
			_exit(2);
		_exit(0);
	}
	expect_exit(pid, 0, "child reads its own");
	CHECK_EQ(read(fd, si, sizeof(si)), sizeof(si[0]));
	CHECK_EQ(si[0].ssi_signo, SIGUSR1);

	/* A blocking read waits for a signal from a child. */
	int bfd = signalfd(-1, &m, 0);
	CHECK_OK(bfd);
	pid = xfork();
	if (pid == 0) {
		sleep_ms(20);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	CHECK_EQ(read(bfd, si, sizeof(si)), sizeof(si[0]));
	CHECK_EQ(si[0].ssi_signo, SIGUSR1);
	CHECK_EQ(si[0].ssi_pid, pid);
	expect_exit(pid, 0, "sender");

	/* SIGCHLD: status and pid (the earlier children's is dropped). */
	sigset_t cm = set_of(SIGCHLD, 0);
	struct timespec zero = { 0, 0 };
	sigtimedwait(&cm, NULL, &zero);
	int cfd = signalfd(-1, &cm, 0);
	CHECK_OK(cfd);
	pid = xfork();
	if (pid == 0)
		_exit(3);
	CHECK_EQ(read(cfd, si, sizeof(si[0])), sizeof(si[0]));
	CHECK_EQ(si[0].ssi_signo, SIGCHLD);
	CHECK_EQ(si[0].ssi_code, CLD_EXITED);
	CHECK_EQ(si[0].ssi_status, 3);
	CHECK_EQ(si[0].ssi_pid, pid);
	expect_exit(pid, 3, "SIGCHLD child");

	/* A caught signal interrupts a blocked read. */
	struct sigaction sa = { 0 };
	sa.sa_handler = on_alarm;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	struct itimerval iv = { { 0, 0 }, { 0, 20000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &iv, NULL));
	CHECK_ERR(read(bfd, si, sizeof(si)), EINTR);

	close(ep);
	close(cfd);
	close(bfd);
	close(fd);
	PASS();
}
