/*
 * fpstate_fork: a new task starts with its creator's FP state. With
 * non-default rounding modes in MXCSR (round down, flush-to-zero) and the
 * x87 control word (round up, 53-bit precision), a forked child, a vfork
 * child, a new thread, and a thread of the child all read them back; an
 * exec'd program starts with the defaults (MXCSR 0x1f80, FCW 0x37f); a
 * signal handler that clears uc_mcontext.fpregs makes rt_sigreturn reset
 * the FP state to those defaults, as Linux does.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "proc_util.h"

#define MXCSR_DEFAULT 0x1f80u
#define FCW_DEFAULT 0x37fu
#define MXCSR_TEST (0x1f80u | 0x2000u | 0x8000u)	/* round down, FTZ */
#define FCW_TEST ((0x37fu & ~0x0f00u) | 0x0800u | 0x0200u)	/* round up, 53-bit */

static uint32_t get_mxcsr(void)
{
	uint32_t v;
	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static void set_mxcsr(uint32_t v)
{
	__asm__ volatile("ldmxcsr %0" : : "m"(v));
}

static uint16_t get_fcw(void)
{
	uint16_t v;
	__asm__ volatile("fnstcw %0" : "=m"(v));
	return v;
}

static void set_fcw(uint16_t v)
{
	__asm__ volatile("fldcw %0" : : "m"(v));
}

static int check_test_modes(void)
{
	return get_mxcsr() == MXCSR_TEST && get_fcw() == FCW_TEST ? 0 : 1;
}

static void *thread_check(void *arg)
{
	(void)arg;
	return (void *)(long)check_test_modes();
}

static int thread_modes(void)
{
	pthread_t th;
	void *ret;
	if (pthread_create(&th, NULL, thread_check, NULL) || pthread_join(th, &ret))
		return 2;
	return (int)(long)ret;
}

static void handler(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ucv;
	uc->uc_mcontext.fpregs = NULL;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exec") == 0) {
		CHECK_EQ(get_mxcsr(), MXCSR_DEFAULT);
		CHECK_EQ(get_fcw(), FCW_DEFAULT);
		return 0;
	}
	set_mxcsr(MXCSR_TEST);
	set_fcw(FCW_TEST);
	CHECK_EQ(check_test_modes(), 0);

	pid_t pid = xfork();
	if (pid == 0)
		_exit(check_test_modes() ? 3 : thread_modes());
	expect_exit(pid, 0, "fork child and its thread");

	pid = vfork();
	if (pid == 0)
		_exit(check_test_modes());
	CHECK(pid > 0, "vfork");
	expect_exit(pid, 0, "vfork child");

	CHECK_EQ(thread_modes(), 0);

	pid = xfork();
	if (pid == 0) {
		execl(argv[0], argv[0], "exec", (char *)NULL);
		_exit(126);
	}
	expect_exit(pid, 0, "exec resets the FP state");

	struct sigaction sa = { 0 };
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(raise(SIGUSR1));
	CHECK_EQ(get_mxcsr(), MXCSR_DEFAULT);
	CHECK_EQ(get_fcw(), FCW_DEFAULT);
	PASS();
}
