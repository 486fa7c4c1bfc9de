/* tools/cvisor/keeper.c: the sentry's memory keeper (see keeper.h).
 *
 * The keeper is a clone of the sentry with CLONE_VM and nothing else
 * shared: its own fd table (a copy, closed at once), its own signal
 * handlers (never run: every signal is blocked before the clone and stays
 * blocked), no exit signal (the pid namespace's end, or init, reaps it).
 * It shares the sentry's TLS, so it must not touch errno or call into
 * libc: raw syscalls only, on a stack of its own. */
#include "tools/cvisor/keeper.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static alignas(64) char keeper_stack[8192];

#define NO_SANITIZE __attribute__((no_sanitize("address", "undefined")))

static inline NO_SANITIZE long raw3(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

static NO_SANITIZE __attribute__((noreturn)) void keeper_exit(long code)
{
	for (;;)
		raw3(SYS_exit, code, 0, 0);
}

static NO_SANITIZE int keeper_main(void *arg)
{
	long fd = (long)arg;
	if (fd > 0)
		raw3(SYS_close_range, 0, fd - 1, 0);
	raw3(SYS_close_range, fd + 1, ~0U, 0);
	static const char name[16] = "cvisor-keeper";	/* for ps */
	raw3(SYS_prctl, PR_SET_NAME, (long)name, 0);
	/* Its work (the teardown) is nobody's wait: it runs when a CPU has
	 * nothing else to do, and its wake-up preempts nobody. */
	struct sched_param sp = { 0 };
	raw3(SYS_sched_setscheduler, 0, SCHED_IDLE, (long)&sp);
	if (raw3(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0) != 0)
		keeper_exit(1);
	char c = 1;
	if (raw3(SYS_write, fd, (long)&c, 1) != 1)
		keeper_exit(1);
	/* Until every holder of the sentry's end is gone. */
	for (;;) {
		long r = raw3(SYS_read, fd, (long)&c, 1);
		if (r == 0 || (r < 0 && r != -EINTR))
			keeper_exit(0);
	}
}

int keeper_start(struct keeper *k)
{
	k->fd = -1;
	k->pid = 0;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	/* No handler of the sentry may ever run in the keeper. */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid_t pid = clone(keeper_main, keeper_stack + sizeof(keeper_stack), CLONE_VM,
			  (void *)(long)sv[1]);
	int e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return -e;
	}
	k->fd = sv[0];
	k->pid = pid;
	return 0;
}

bool keeper_confined(struct keeper *k)
{
	if (k->fd < 0)
		return false;
	char c;
	ssize_t n;
	do
		n = read(k->fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		return true;
	close(k->fd);
	k->fd = -1;
	return false;
}
