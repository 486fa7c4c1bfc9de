/*
 * host_tty.c: terminal ioctls on a host terminal given to the sandbox as
 * its stdio. host_tty.sh runs it on a fresh pseudo-terminal (as session
 * leader with the terminal as its controlling tty), natively and in the
 * sandbox, and compares the output.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int fails;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			printf("FAIL line %d: ", __LINE__);                  \
			printf(__VA_ARGS__);                                 \
			printf(" (errno %d)\r\n", errno);                    \
			fails++;                                             \
		}                                                            \
	} while (0)

int main(void)
{
	CHECK(isatty(0) && isatty(1), "stdio is a terminal");
	CHECK(tcgetpgrp(0) == getpgrp(), "foreground group %d, ours %d",
	      (int)tcgetpgrp(0), (int)getpgrp());
	CHECK(tcgetsid(0) == getsid(0), "terminal session %d, ours %d",
	      (int)tcgetsid(0), (int)getsid(0));

	struct termios tio, back;
	CHECK(tcgetattr(0, &tio) == 0, "tcgetattr");
	struct termios noecho = tio;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	CHECK(tcsetattr(0, TCSANOW, &noecho) == 0, "tcsetattr");
	CHECK(tcgetattr(1, &back) == 0 && !(back.c_lflag & ECHO), "ECHO off seen on stdout");
	CHECK(tcsetattr(0, TCSADRAIN, &tio) == 0, "tcsetattr back");
	CHECK(tcgetattr(0, &back) == 0 && (back.c_lflag & ECHO), "ECHO back on");

	struct winsize ws = { .ws_row = 40, .ws_col = 100 }, got;
	CHECK(ioctl(0, TIOCSWINSZ, &ws) == 0, "TIOCSWINSZ");
	CHECK(ioctl(1, TIOCGWINSZ, &got) == 0 && got.ws_row == 40 && got.ws_col == 100,
	      "TIOCGWINSZ %dx%d", got.ws_row, got.ws_col);
	int n = -1;
	CHECK(ioctl(0, FIONREAD, &n) == 0 && n == 0, "FIONREAD %d", n);

	errno = 0;
	CHECK(tcsetpgrp(0, -1) == -1 && errno == EINVAL, "tcsetpgrp(-1)");
	errno = 0;
	CHECK(tcsetpgrp(0, 999999) == -1 && errno == ESRCH, "tcsetpgrp(no such group)");

	/* Hand the terminal to a child's group, then take it back. */
	signal(SIGTTOU, SIG_IGN);
	int pipefd[2];
	CHECK(pipe(pipefd) == 0, "pipe");
	pid_t c = fork();
	if (c == 0) {
		setpgid(0, 0);
		char b;
		read(pipefd[0], &b, 1);	/* until the parent is done */
		_exit(0);
	}
	setpgid(c, c);
	CHECK(tcsetpgrp(0, c) == 0, "tcsetpgrp(child)");
	CHECK(tcgetpgrp(1) == c, "foreground is the child's group: %d", (int)tcgetpgrp(1));
	CHECK(tcsetpgrp(0, getpgrp()) == 0, "tcsetpgrp(back)");
	CHECK(tcgetpgrp(0) == getpgrp(), "foreground is ours again");
	write(pipefd[1], "x", 1);
	int st;
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st), "child");

	/* /dev/tty is the controlling terminal. */
	int tty = open("/dev/tty", O_RDWR);
	CHECK(tty >= 0 && isatty(tty), "open /dev/tty");
	CHECK(tcgetpgrp(tty) == getpgrp(), "/dev/tty's foreground group");
	CHECK(write(tty, "via /dev/tty\r\n", 14) == 14, "write /dev/tty");
	close(tty);

	/* A new session has no controlling terminal. */
	c = fork();
	if (c == 0) {
		setsid();
		errno = 0;
		int r = tcgetpgrp(0);
		if (r != -1 || errno != ENOTTY)
			_exit(1);
		errno = 0;
		r = open("/dev/tty", O_RDWR);
		_exit(r == -1 && errno == ENXIO ? 0 : 2);
	}
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "in a new session: tcgetpgrp gives ENOTTY, /dev/tty ENXIO (status %d)",
	      WEXITSTATUS(st));

	printf("host_tty: %s\r\n", fails ? "failed" : "ok");
	return fails != 0;
}
