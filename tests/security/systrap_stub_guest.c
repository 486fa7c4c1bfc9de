/*
 * systrap_stub_guest: a hostile guest for tests/security/systrap_stub.sh.
 * It finds the systrap stub region in its own address space (probing the
 * addresses the platform may use, reading the trap table when syscall
 * sites are patched) and, in one child process per target, jumps to each
 * `syscall` instruction of the stub's code page, to the trampoline entry
 * and into a trampoline with hostile registers: rax = mkdirat, rsi = a
 * host path (argv[1]). On a host that executed it, the directory would
 * appear; the shell test checks it does not. Each child must die (or
 * exit) without effect; the parent then checks that syscalls still work
 * (the sentry survived) and exits 0. Under a platform without a stub
 * region visible to the guest (ptrace), it only reports so and exits 0.
 * Hostile values also go into the message page of its own thread and of
 * another thread (forged reports), which the sentry must treat as guest
 * input. The control and response pages must not be writable at all (a
 * forged completion word).
 */
#include "platform/systrap/sysmsg.h"

#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* systrap.h: SYSTRAP_GUEST_MAX; stub regions are STUB_ALIGN aligned above. */
#define GUEST_MAX 0x7ff000000000UL

static sigjmp_buf probe_env;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(probe_env, 1);
}

static int readable(uint64_t addr, uint8_t *out, size_t n)
{
	if (sigsetjmp(probe_env, 1))
		return 0;
	memcpy(out, (const void *)addr, n);
	return 1;
}

static int writable(uint64_t addr)
{
	if (sigsetjmp(probe_env, 1))
		return 0;
	__asm__ volatile("lock addl $0, (%0)" :: "r"(addr) : "memory");
	return 1;
}

/* A guest that wrote the response page's sequence number could make the
 * sentry take a batch of map requests as done before the map thread ran
 * it (and release pages its process still maps); the control page holds
 * the requests. A locked add of 0 writes without changing the value. */
static int stub_pages_readonly(uint64_t base, const char *who)
{
	static const struct { unsigned off; const char *name; } ro[] = {
		{ STUB_CTL_OFF, "control" },
		{ STUB_RSP_OFF, "response" },
	};
	for (unsigned i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		if (writable(base + ro[i].off)) {
			printf("%s: the stub's %s page is writable by the guest\n", who,
			       ro[i].name);
			return 0;
		}
		printf("%s: %s page read-only: ok\n", who, ro[i].name);
	}
	return 1;
}

/* Jump to target with rax = nr, rdi = a1, rsi = a2, rdx = a3, and every
 * other register hostile; never returns normally. */
static __attribute__((noreturn)) void jump_hostile(uint64_t target, long nr, long a1, long a2,
						   long a3)
{
	register long rax __asm__("rax") = nr;
	register long rdi __asm__("rdi") = a1;
	register long rsi __asm__("rsi") = a2;
	register long rdx __asm__("rdx") = a3;
	register uint64_t r8 __asm__("r8") = target;
	__asm__ volatile("mov $0x4141414141414141, %%rbx\n"
			 "mov %%rsi, %%r10\n"
			 "mov %%rsi, %%r12\n"
			 "mov %%rsi, %%r13\n"
			 "mov %%rsi, %%r14\n"
			 "mov %%rsi, %%r15\n"
			 "mov %%rsi, %%rbp\n"
			 "jmp *%%r8\n"
			 :: "r"(rax), "r"(rdi), "r"(rsi), "r"(rdx), "r"(r8) : "memory");
	__builtin_unreachable();
}

static int children, died;

static void attack(uint64_t target, const char *path)
{
	fflush(stdout);
	pid_t c = fork();
	if (c < 0) {
		perror("fork");
		exit(1);
	}
	if (c == 0) {
		signal(SIGSEGV, SIG_DFL);
		jump_hostile(target, SYS_mkdirat, AT_FDCWD, (long)path, 0755);
	}
	/* Whatever the stub code does next (it may stop itself, or wait
	 * for a turn that never comes), the child ends: killed if need be. */
	int st;
	pid_t w = 0;
	for (int i = 0; i < 500 && w == 0; i++) {
		w = waitpid(c, &st, WNOHANG);
		if (w == 0)
			usleep(10000);
	}
	if (w == 0) {
		kill(c, SIGKILL);
		w = waitpid(c, &st, 0);
	}
	if (w != c) {
		perror("waitpid");
		exit(1);
	}
	children++;
	if (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0))
		died++;
}

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: systrap_stub_guest HOST_PATH\n");
		return 2;
	}
	const char *path = argv[1];
	struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_NODEFER };
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	/* Make a few sites hot, so that the trap table has entries. */
	for (int i = 0; i < 20; i++)
		syscall(SYS_getppid);

	uint64_t base = 0;
	static uint8_t code[STUB_PAGE];
	for (uint64_t a = GUEST_MAX; a < GUEST_MAX + (1UL << 35); a += STUB_ALIGN)
		if (readable(a, code, sizeof(code))) {
			base = a;
			break;
		}
	if (!base) {
		printf("no stub region visible: nothing to attack\n");
		return 0;
	}
	printf("stub region at %#lx\n", (unsigned long)base);

	/* The control and response pages must be read-only, in this
	 * process's stub and in a forked child's (the first stub and the
	 * later ones are made differently). */
	if (!stub_pages_readonly(base, "first process"))
		return 1;
	fflush(stdout);
	pid_t c = fork();
	if (c == 0)
		_exit(stub_pages_readonly(base, "forked child") ? 0 : 1);
	int st;
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("a forked child's stub pages: not read-only (or the child failed)\n");
		return 1;
	}

	/* Every syscall instruction of the code page. */
	for (unsigned i = 0; i + 1 < STUB_PAGE; i++)
		if (code[i] == 0x0f && code[i + 1] == 0x05)
			attack(base + i, path);

	/* The trampolines and their entry point, found through the table. */
	uint64_t entry0 = 0;
	if (readable(TRAP_TABLE_ADDR, (uint8_t *)&entry0, 8) && entry0) {
		uint8_t t[TRAMP_SIZE];
		if (readable(entry0, t, sizeof(t)) && t[15] == 0xe9) {
			int32_t rel;
			memcpy(&rel, t + 16, 4);
			uint64_t entry = entry0 + 20 + (int64_t)rel;
			printf("trampoline %#lx, entry %#lx\n", (unsigned long)entry0,
			       (unsigned long)entry);
			attack(entry0, path);
			attack(entry, path);
			attack(entry0 + 5, path);
		}
	}

	/* Forged reports: this thread's and another thread's message pages
	 * (slots 0 and 1) get hostile registers and states, in children. */
	for (unsigned slot = 0; slot < 2; slot++) {
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			pthread_t th;
			pthread_create(&th, NULL, idle_thread, NULL);
			usleep(100000);
			uint8_t *m = (uint8_t *)(base + STUB_SLOT_OFF + slot * STUB_SLOT_SIZE);
			if (sigsetjmp(probe_env, 1) == 0) {
				memset(m + MSG_GREGS, 0xff, 8 * MSG_NGREGS);
				uint64_t bad = 0xdeadbeefdeadbeefUL;
				memcpy(m + MSG_UCTX, &bad, 8);
				memcpy(m + MSG_SIADDR, &bad, 8);
				*(volatile uint32_t *)(m + MSG_SIGNO) = 0x7fffffff;
				*(volatile uint32_t *)(m + MSG_VIA) = 1;
				__atomic_store_n((uint32_t *)(m + MSG_STATE), MSG_ST_SENTRY,
						 __ATOMIC_SEQ_CST);
			}
			/* And a syscall with the forged page state. */
			syscall(SYS_getppid);
			_exit(0);
		}
		int st;
		waitpid(c, &st, 0);
		children++;
	}

	/* The sentry is alive and serves us. */
	if (syscall(SYS_getpid) <= 0 || access("/", F_OK) != 0) {
		printf("syscalls broken after the attacks\n");
		return 1;
	}
	printf("attacks: %d, children that died: %d; sentry alive\n", children, died);
	return 0;
}
