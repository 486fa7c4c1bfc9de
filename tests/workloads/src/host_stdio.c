/*
 * host_stdio.c: a guest reading the sandbox's host-backed stdin (a pipe
 * from the host) is interrupted by signals as on Linux. Run by
 * host_stdio.sh natively and in the sandbox as
 *
 *	(wait for ARMED; sleep 2; echo x; sleep 2) | host_stdio MODE ARMED
 *
 * Each mode creates the file ARMED once its one-second alarm is set,
 * just before it blocks in read: the writer's two seconds count from
 * there, however long the sandbox took to start.
 *
 * MODE eintr: an alarm without SA_RESTART interrupts the blocked read
 *	(EINTR), then a poll waits for the data and a second read gets it.
 * MODE restart: with SA_RESTART the read resumes after the handler and
 *	returns the data.
 * MODE die: SIGALRM's default action kills the blocked reader (status
 *	142), long before the writer closes the pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static const char *armed_path;

/* The alarm is set: let the writer start counting. */
static void armed(void)
{
	int fd = open(armed_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}

static int fail(const char *what)
{
	fprintf(stderr, "host_stdio: FAIL: %s (errno %d: %s)\n", what, errno, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	armed_path = argv[2];
	char buf[16];
	struct sigaction sa = { .sa_handler = on_alarm };
	sigemptyset(&sa.sa_mask);

	if (!strcmp(argv[1], "die")) {
		alarm(1);
		armed();
		ssize_t n = read(0, buf, sizeof(buf));
		fprintf(stderr, "host_stdio: read returned %zd before the alarm killed us\n", n);
		return 1;
	}
	if (!strcmp(argv[1], "eintr")) {
		sigaction(SIGALRM, &sa, NULL);
		alarm(1);
		armed();
		ssize_t n = read(0, buf, sizeof(buf));
		if (n != -1 || errno != EINTR || alarms != 1)
			return fail("read not interrupted with EINTR");
		struct pollfd p = { .fd = 0, .events = POLLIN };
		if (poll(&p, 1, 0) != 0)
			return fail("poll says stdin is ready before the data");
		if (poll(&p, 1, 10000) != 1 || !(p.revents & POLLIN))
			return fail("poll did not see the data");
		n = read(0, buf, sizeof(buf));
		if (n != 2 || memcmp(buf, "x\n", 2))
			return fail("read after poll");
		printf("eintr ok\n");
		return 0;
	}
	if (!strcmp(argv[1], "restart")) {
		sa.sa_flags = SA_RESTART;
		sigaction(SIGALRM, &sa, NULL);
		alarm(1);
		armed();
		ssize_t n = read(0, buf, sizeof(buf));
		if (n != 2 || memcmp(buf, "x\n", 2) || alarms != 1)
			return fail("restarted read");
		n = read(0, buf, sizeof(buf));
		if (n != 0)
			return fail("EOF after the writer exits");
		printf("restart ok\n");
		return 0;
	}
	return 2;
}
