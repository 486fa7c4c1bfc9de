/*
 * signal_record: signal dispositions and the signal mask are recorded and
 * read back exactly (no signal is delivered here). rt_sigaction sets a
 * handler with flags and a mask and returns it as the old action, both
 * through libc and raw (struct kernel_sigaction, sa_restorer included);
 * SIG_IGN and SIG_DFL round-trip; SIGKILL and SIGSTOP cannot be blocked
 * through sa_mask. rt_sigprocmask SIG_BLOCK / SIG_UNBLOCK / SIG_SETMASK
 * read back, and SIGKILL/SIGSTOP are silently left out of the mask.
 * Errors: an action for SIGKILL or SIGSTOP EINVAL (querying them is fine),
 * signal 0 or 65 EINVAL, sigsetsize != 8 EINVAL, an unknown `how` EINVAL,
 * bad pointers EFAULT.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

static long sys_sigaction(int sig, const struct ksigaction *act, struct ksigaction *old, size_t sz)
{
	return syscall(SYS_rt_sigaction, sig, act, old, sz);
}

static long sys_sigprocmask(int how, const uint64_t *set, uint64_t *old, size_t sz)
{
	return syscall(SYS_rt_sigprocmask, how, set, old, sz);
}

static void handler1(int sig)
{
	(void)sig;
}

static void handler2(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
}

static void fake_restorer(void)
{
}

#define BIT(s) (1ULL << ((s) - 1))

int main(void)
{
	/* libc: set, then read back. */
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler1;
	sa.sa_flags = SA_RESTART | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGRTMIN + 3);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	memset(&old, 0, sizeof(old));
	CHECK_OK(sigaction(SIGUSR1, NULL, &old));
	CHECK(old.sa_handler == handler1, "handler %p, want %p", (void *)old.sa_handler, (void *)handler1);
	CHECK((old.sa_flags & ~SA_RESTORER) == (SA_RESTART | SA_NODEFER), "flags %#x", old.sa_flags);
	CHECK(sigismember(&old.sa_mask, SIGUSR2) && sigismember(&old.sa_mask, SIGTERM) &&
	      sigismember(&old.sa_mask, SIGRTMIN + 3) && !sigismember(&old.sa_mask, SIGINT),
	      "mask not read back");

	/* SA_SIGINFO handler, replacing the old one: the old one comes back. */
	struct sigaction sa2;
	memset(&sa2, 0, sizeof(sa2));
	sa2.sa_sigaction = handler2;
	sa2.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa2.sa_mask);
	CHECK_OK(sigaction(SIGUSR1, &sa2, &old));
	CHECK(old.sa_handler == handler1, "old handler on replace");
	CHECK_OK(sigaction(SIGUSR1, NULL, &old));
	CHECK(old.sa_sigaction == handler2, "SA_SIGINFO handler");
	CHECK((old.sa_flags & ~SA_RESTORER) == (SA_SIGINFO | SA_ONSTACK), "flags %#x", old.sa_flags);

	/* Raw: everything round-trips exactly, including sa_restorer. */
	struct ksigaction ka = { (void *)handler1, SA_RESTORER | SA_RESTART | SA_SIGINFO,
				 (void *)fake_restorer, BIT(SIGINT) | BIT(SIGHUP) | BIT(40) | BIT(64) };
	struct ksigaction ko;
	CHECK_OK(sys_sigaction(SIGUSR2, &ka, NULL, 8));
	memset(&ko, 0xaa, sizeof(ko));
	CHECK_OK(sys_sigaction(SIGUSR2, NULL, &ko, 8));
	CHECK(ko.handler == ka.handler, "raw handler %p", ko.handler);
	CHECK_EQ(ko.flags, ka.flags);
	CHECK(ko.restorer == ka.restorer, "raw restorer %p, want %p", ko.restorer, ka.restorer);
	CHECK_EQ(ko.mask, ka.mask);
	/* SIGKILL and SIGSTOP are dropped from sa_mask. */
	ka.mask = BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGQUIT);
	CHECK_OK(sys_sigaction(SIGUSR2, &ka, &ko, 8));
	CHECK_EQ(ko.mask, BIT(SIGINT) | BIT(SIGHUP) | BIT(40) | BIT(64));
	CHECK_OK(sys_sigaction(SIGUSR2, NULL, &ko, 8));
	CHECK_EQ(ko.mask, BIT(SIGQUIT));
	/* Real-time signals 34..64 take actions too. */
	ka.mask = 0;
	CHECK_OK(sys_sigaction(64, &ka, NULL, 8));
	CHECK_OK(sys_sigaction(64, NULL, &ko, 8));
	CHECK(ko.handler == ka.handler, "signal 64 handler");

	/* SIG_IGN and SIG_DFL. */
	struct ksigaction ign = { SIG_IGN, 0, NULL, 0 }, dfl = { SIG_DFL, 0, NULL, 0 };
	CHECK_OK(sys_sigaction(SIGUSR2, &ign, &ko, 8));
	CHECK(ko.handler == (void *)handler1, "old handler before SIG_IGN");
	CHECK_OK(sys_sigaction(SIGUSR2, &dfl, &ko, 8));
	CHECK(ko.handler == SIG_IGN, "SIG_IGN not read back");
	CHECK_OK(sys_sigaction(SIGUSR2, NULL, &ko, 8));
	CHECK(ko.handler == SIG_DFL, "SIG_DFL not read back");
	/* A signal never touched reads as SIG_DFL. */
	CHECK_OK(sys_sigaction(SIGWINCH, NULL, &ko, 8));
	CHECK(ko.handler == SIG_DFL && ko.mask == 0, "SIGWINCH is not SIG_DFL");

	/* SIGKILL and SIGSTOP: querying is allowed, setting is EINVAL. */
	CHECK_OK(sys_sigaction(SIGKILL, NULL, &ko, 8));
	CHECK(ko.handler == SIG_DFL, "SIGKILL disposition");
	CHECK_OK(sys_sigaction(SIGSTOP, NULL, &ko, 8));
	CHECK_ERR(sys_sigaction(SIGKILL, &ka, NULL, 8), EINVAL);
	CHECK_ERR(sys_sigaction(SIGSTOP, &ka, NULL, 8), EINVAL);
	CHECK_ERR(sys_sigaction(SIGKILL, &ign, NULL, 8), EINVAL);
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	/* Invalid signal numbers and sizes. */
	CHECK_ERR(sys_sigaction(0, &ka, NULL, 8), EINVAL);
	CHECK_ERR(sys_sigaction(0, NULL, &ko, 8), EINVAL);
	CHECK_ERR(sys_sigaction(65, &ka, NULL, 8), EINVAL);
	CHECK_ERR(sys_sigaction(-1, NULL, &ko, 8), EINVAL);
	CHECK_ERR(sys_sigaction(SIGUSR1, NULL, &ko, 4), EINVAL);
	CHECK_ERR(sys_sigaction(SIGUSR1, NULL, &ko, 16), EINVAL);
	CHECK_ERR(sys_sigaction(SIGUSR1, (void *)8, NULL, 8), EFAULT);
	CHECK_ERR(sys_sigaction(SIGUSR1, NULL, (void *)8, 8), EFAULT);
	/* The failed calls did not change SIGUSR1. */
	CHECK_OK(sigaction(SIGUSR1, NULL, &old));
	CHECK(old.sa_sigaction == handler2, "SIGUSR1 changed by failed calls");

	/* Signal mask. */
	uint64_t m, o;
	m = 0;	/* start from an empty mask, whatever was inherited */
	CHECK_OK(sys_sigprocmask(SIG_SETMASK, &m, NULL, 8));
	CHECK_OK(sys_sigprocmask(SIG_SETMASK, NULL, &o, 8));
	CHECK_EQ(o, 0);
	m = BIT(SIGUSR1) | BIT(SIGINT);
	CHECK_OK(sys_sigprocmask(SIG_BLOCK, &m, &o, 8));
	CHECK_EQ(o, 0);
	m = BIT(SIGTERM) | BIT(50);
	CHECK_OK(sys_sigprocmask(SIG_BLOCK, &m, &o, 8));
	CHECK_EQ(o, BIT(SIGUSR1) | BIT(SIGINT));
	CHECK_OK(sys_sigprocmask(SIG_BLOCK, NULL, &o, 8));
	CHECK_EQ(o, BIT(SIGUSR1) | BIT(SIGINT) | BIT(SIGTERM) | BIT(50));
	m = BIT(SIGINT) | BIT(50) | BIT(SIGHUP);
	CHECK_OK(sys_sigprocmask(SIG_UNBLOCK, &m, &o, 8));
	CHECK_OK(sys_sigprocmask(SIG_UNBLOCK, NULL, &o, 8));
	CHECK_EQ(o, BIT(SIGUSR1) | BIT(SIGTERM));
	/* SIGKILL and SIGSTOP cannot be blocked: silently dropped. */
	m = BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGCHLD);
	CHECK_OK(sys_sigprocmask(SIG_SETMASK, &m, &o, 8));
	CHECK_EQ(o, BIT(SIGUSR1) | BIT(SIGTERM));
	CHECK_OK(sys_sigprocmask(SIG_SETMASK, NULL, &o, 8));
	CHECK_EQ(o, BIT(SIGCHLD));
	m = ~0ULL;
	CHECK_OK(sys_sigprocmask(SIG_SETMASK, &m, NULL, 8));
	CHECK_OK(sys_sigprocmask(SIG_SETMASK, NULL, &o, 8));
	CHECK_EQ(o, ~(BIT(SIGKILL) | BIT(SIGSTOP)));

	/* libc view of the same mask. */
	sigset_t ls;
	CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &ls));
	CHECK(sigismember(&ls, SIGUSR1) && !sigismember(&ls, SIGKILL), "libc sigprocmask view");
	sigemptyset(&ls);
	CHECK_OK(sigprocmask(SIG_SETMASK, &ls, NULL));
	CHECK_OK(sys_sigprocmask(SIG_SETMASK, NULL, &o, 8));
	CHECK_EQ(o, 0);

	/* Errors, which leave the mask alone. */
	m = BIT(SIGUSR1);
	CHECK_ERR(sys_sigprocmask(3, &m, NULL, 8), EINVAL);
	CHECK_ERR(sys_sigprocmask(-1, &m, NULL, 8), EINVAL);
	CHECK_ERR(sys_sigprocmask(SIG_BLOCK, &m, NULL, 4), EINVAL);
	CHECK_ERR(sys_sigprocmask(SIG_BLOCK, &m, NULL, 16), EINVAL);
	CHECK_ERR(sys_sigprocmask(SIG_BLOCK, (void *)8, NULL, 8), EFAULT);
	CHECK_ERR(sys_sigprocmask(SIG_BLOCK, NULL, (void *)8, 8), EFAULT);
	CHECK_OK(sys_sigprocmask(SIG_SETMASK, NULL, &o, 8));
	CHECK_EQ(o, 0);
	PASS();
}
