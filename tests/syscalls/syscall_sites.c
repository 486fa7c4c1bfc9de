/*
 * syscall_sites: syscalls from the same instruction, many times (so that
 * systrap patches the site), must keep Linux's behaviour: results and
 * arguments, a jump straight to a site's syscall instruction with another
 * number in rax, a syscall restarted after a signal (SA_RESTART rewinds to
 * the syscall instruction), EINTR without SA_RESTART, FP registers kept
 * across the syscall and across a signal handler that clobbers them,
 * several threads on one site, fork after patching, and a thread that
 * sets its own gs base (ARCH_SET_GS) while sites are patched.
 */
#include "check.h"

#include <asm/prctl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Hand-written sites, in the shape glibc's wrappers have:
 *   site_getppid:  mov $SYS_getppid, %eax; syscall; ret
 *   site_jump(nr): rax = nr, then jump to site_getppid's syscall
 *   site_read(fd, buf, n): mov $SYS_read, %eax; syscall; ret
 *   site_fp(v):    xmm7 = v; getppid from a site; return xmm7
 *   site_kill(pid, sig, v): xmm7 = v; kill from a site; return xmm7 */
long site_getppid(void);
long site_jump(long nr);
long site_read(long fd, void *buf, long n);
uint64_t site_fp(uint64_t v);
uint64_t site_kill(long pid, long sig, uint64_t v);
__asm__(".text\n"
	"site_getppid: mov $110, %eax\n"
	"site_getppid_sc: syscall\n"
	"	ret\n"
	"site_jump: mov %rdi, %rax\n"
	"	jmp site_getppid_sc\n"
	"site_read: mov $0, %eax\n"
	"	syscall\n"
	"	ret\n"
	"site_fp: movq %rdi, %xmm7\n"
	"	mov $110, %eax\n"
	"	syscall\n"
	"	movq %xmm7, %rax\n"
	"	ret\n"
	"site_kill: movq %rdx, %xmm7\n"
	"	mov $62, %eax\n"
	"	syscall\n"
	"	movq %xmm7, %rax\n"
	"	ret\n");

static int pipefd[2];
static volatile int usr1_seen;

static void on_alarm(int sig)
{
	(void)sig;
	CHECK_EQ(write(pipefd[1], "x", 1), 1);
}

static void on_usr1(int sig)
{
	(void)sig;
	usr1_seen++;
	__asm__ volatile("pcmpeqd %%xmm7, %%xmm7" ::: "xmm7");
}

static void *thread_main(void *arg)
{
	long ppid = (long)arg;
	for (int i = 0; i < 2000; i++) {
		CHECK_EQ(site_getppid(), ppid);
		uint64_t v = 0x0123456789abcdefULL ^ (uint64_t)i;
		CHECK_EQ(site_fp(v), v);
	}
	return NULL;
}

int main(void)
{
	long ppid = getppid(), pid = getpid();

	/* Hot sites: results, and the same site entered with another rax. */
	for (int i = 0; i < 10; i++)
		CHECK_EQ(site_getppid(), ppid);
	CHECK_EQ(site_jump(SYS_getpid), pid);
	CHECK_EQ(site_jump(SYS_gettid), (long)gettid());
	CHECK_EQ(site_jump(-1), -ENOSYS);
	CHECK_EQ(site_getppid(), ppid);

	/* Arguments and results through a site. */
	char buf[8];
	CHECK_OK(pipe(pipefd));
	for (int i = 0; i < 5; i++) {
		CHECK_EQ(write(pipefd[1], "ab", 2), 2);
		CHECK_EQ(site_read(pipefd[0], buf, sizeof(buf)), 2);
		CHECK(buf[0] == 'a' && buf[1] == 'b', "read back %.2s", buf);
	}
	CHECK_EQ(site_read(-1, buf, 1), -EBADF);

	/* A blocking read at a hot site: interrupted by a signal whose
	 * handler writes the pipe; restarted with SA_RESTART, EINTR
	 * without. */
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	CHECK_EQ(site_read(pipefd[0], buf, sizeof(buf)), 1);
	CHECK(buf[0] == 'x', "read back %c", buf[0]);
	sa.sa_flags = 0;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	CHECK_EQ(site_read(pipefd[0], buf, sizeof(buf)), -EINTR);
	CHECK_EQ(site_read(pipefd[0], buf, sizeof(buf)), 1);

	/* FP registers across the syscall, and across a handler run on the
	 * way back from it that clobbers them. */
	for (int i = 0; i < 10; i++)
		CHECK_EQ(site_fp(0x1111222233334444ULL + (uint64_t)i), 0x1111222233334444ULL + (uint64_t)i);
	struct sigaction su = { .sa_handler = on_usr1 };
	CHECK_OK(sigaction(SIGUSR1, &su, NULL));
	for (int i = 0; i < 10; i++)
		CHECK_EQ(site_kill(pid, SIGUSR1, 0x5555aaaa5555aaaaULL + (uint64_t)i),
			 0x5555aaaa5555aaaaULL + (uint64_t)i);
	CHECK_EQ(usr1_seen, 10);

	/* Threads on the same sites. */
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, thread_main, (void *)ppid), 0);
	thread_main((void *)ppid);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(pthread_join(th[i], NULL), 0);

	/* A child runs the patched code it inherits. */
	pid_t c = fork();
	CHECK_OK(c);
	if (c == 0) {
		int ok = site_getppid() == pid && site_jump(SYS_getpid) == getpid() &&
			 site_fp(42) == 42;
		for (int i = 0; i < 10; i++)
			ok = ok && site_getppid() == pid;
		_exit(ok ? 0 : 1);
	}
	int st;
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status 0x%x", st);

	/* A gs base of the guest's own, with patched sites. */
	static uint64_t gsarea[16];
	CHECK_OK(syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)gsarea));
	for (int i = 0; i < 10; i++) {
		CHECK_EQ(site_getppid(), ppid);
		CHECK_EQ(site_fp(7), 7);
	}
	unsigned long gs = 0;
	CHECK_OK(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
	CHECK_EQ(gs, (unsigned long)gsarea);
	CHECK_EQ(site_jump(SYS_getpid), pid);
	PASS();
}
