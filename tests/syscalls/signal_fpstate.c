/*
 * signal_fpstate.c: a signal handler that clobbers the FP/SSE/AVX registers
 * must not corrupt the code it interrupted: the kernel saves the XSAVE
 * image in the signal frame and rt_sigreturn restores it. Checked for a
 * signal delivered on return from a syscall (kill to self), for a fault
 * signal (ud2, the handler skips it), for a signal that interrupts a busy
 * loop (sent by a child process), and that a handler's change to the
 * frame's xmm image takes effect on return, as on Linux.
 */
#include "check.h"

#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static int have_avx;
static volatile int got;
static volatile int flag;
static volatile int patch_xmm5;

/* 16 xmm registers, and the upper halves of 16 ymm registers. */
struct vregs {
	uint8_t xmm[16][16];
	uint8_t yhi[16][16];
	uint32_t mxcsr;
};

static void pattern(struct vregs *v, uint8_t seed)
{
	for (int r = 0; r < 16; r++)
		for (int i = 0; i < 16; i++) {
			v->xmm[r][i] = (uint8_t)(seed + r * 16 + i);
			v->yhi[r][i] = (uint8_t)(seed ^ (r * 16 + i + 0x80));
		}
	v->mxcsr = 0x1f80 | (3 << 13);	/* round toward zero */
}

#define XMM_LOAD(n) "movdqu " #n "*16(%[in]), %%xmm" #n "\n\t"
#define XMM_STORE(n) "movdqu %%xmm" #n ", " #n "*16(%[out])\n\t"
#define YHI_LOAD(n) "vinsertf128 $1, 256+" #n "*16(%[in]), %%ymm" #n ", %%ymm" #n "\n\t"
#define YHI_STORE(n) "vextractf128 $1, %%ymm" #n ", 256+" #n "*16(%[out])\n\t"
#define ALL16(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) \
	M(12) M(13) M(14) M(15)
#define CLOBBER_X "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

/* Load in, run body (asm text, no vector registers), store to out. */
#define WITH_VREGS(body, ...)                                                \
	do {                                                                 \
		if (have_avx)                                                \
			__asm__ volatile(ALL16(XMM_LOAD) ALL16(YHI_LOAD)     \
					 "ldmxcsr 512(%[in])\n\t" body      \
					 "stmxcsr 512(%[out])\n\t"           \
					 ALL16(XMM_STORE) ALL16(YHI_STORE)   \
					 __VA_ARGS__);                       \
		else                                                         \
			__asm__ volatile(ALL16(XMM_LOAD)                     \
					 "ldmxcsr 512(%[in])\n\t" body      \
					 "stmxcsr 512(%[out])\n\t"           \
					 ALL16(XMM_STORE) __VA_ARGS__);     \
	} while (0)

static void clobber(void)
{
	__asm__ volatile("pcmpeqb %%xmm0, %%xmm0\n\t"
			 "pxor %%xmm1, %%xmm1\n\t"
			 "movdqa %%xmm0, %%xmm2\n\t" "movdqa %%xmm0, %%xmm3\n\t"
			 "movdqa %%xmm0, %%xmm4\n\t" "movdqa %%xmm0, %%xmm5\n\t"
			 "movdqa %%xmm1, %%xmm6\n\t" "movdqa %%xmm1, %%xmm7\n\t"
			 "movdqa %%xmm0, %%xmm8\n\t" "movdqa %%xmm1, %%xmm9\n\t"
			 "movdqa %%xmm0, %%xmm10\n\t" "movdqa %%xmm1, %%xmm11\n\t"
			 "movdqa %%xmm0, %%xmm12\n\t" "movdqa %%xmm1, %%xmm13\n\t"
			 "movdqa %%xmm0, %%xmm14\n\t" "movdqa %%xmm1, %%xmm15\n\t"
			 ::: CLOBBER_X);
	if (have_avx)
		__asm__ volatile("vpcmpeqb %%ymm0, %%ymm0, %%ymm0\n\t"
				 "vmovdqa %%ymm0, %%ymm3\n\t"
				 "vmovdqa %%ymm0, %%ymm9\n\t"
				 "vmovdqa %%ymm0, %%ymm15\n\t"
				 ::: CLOBBER_X);
	unsigned m = 0x1f80 | (1 << 13);	/* round down */
	__asm__ volatile("ldmxcsr %0" :: "m"(m));
}

static void handler(int sig, siginfo_t *si, void *ucv)
{
	(void)si;
	ucontext_t *uc = ucv;
	got = sig;
	clobber();
	if (sig == SIGILL)
		uc->uc_mcontext.gregs[REG_RIP] += 2;	/* skip the ud2 */
	if (patch_xmm5 && uc->uc_mcontext.fpregs)
		for (int i = 0; i < 4; i++)
			uc->uc_mcontext.fpregs->_xmm[5].element[i] = 0x5a5a5a5a;
	flag = 1;
}

static void compare(const struct vregs *want, const struct vregs *have, const char *what)
{
	for (int r = 0; r < 16; r++) {
		CHECK(memcmp(want->xmm[r], have->xmm[r], 16) == 0, "%s: xmm%d changed", what, r);
		if (have_avx)
			CHECK(memcmp(want->yhi[r], have->yhi[r], 16) == 0,
			      "%s: upper half of ymm%d changed", what, r);
	}
	CHECK(want->mxcsr == have->mxcsr, "%s: mxcsr %#x, want %#x", what, have->mxcsr,
	      want->mxcsr);
}

int main(void)
{
	__builtin_cpu_init();
	have_avx = __builtin_cpu_supports("avx");
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
	CHECK_OK(sigaction(SIGILL, &sa, NULL));

	struct vregs in, out;

	/* 1. kill(getpid(), SIGUSR1): delivered on the syscall's return. */
	pattern(&in, 0x11);
	memset(&out, 0, sizeof(out));
	long pid = getpid(), r;
	WITH_VREGS("syscall\n\t",
		   : "=a"(r), "=m"(out)
		   : "a"((long)SYS_kill), "D"(pid), "S"((long)SIGUSR1), [in] "r"(&in),
		     [out] "r"(&out), "m"(in)
		   : "rcx", "r11", "memory", CLOBBER_X);
	CHECK(r == 0, "kill returned %ld", r);
	CHECK(got == SIGUSR1, "SIGUSR1 not handled (got %d)", got);
	compare(&in, &out, "kill to self");

	/* 2. A fault signal: ud2, which the handler skips. */
	got = 0;
	pattern(&in, 0x37);
	memset(&out, 0, sizeof(out));
	WITH_VREGS("ud2\n\t",
		   : "=m"(out)
		   : [in] "r"(&in), [out] "r"(&out), "m"(in)
		   : "memory", CLOBBER_X);
	CHECK(got == SIGILL, "SIGILL not handled (got %d)", got);
	compare(&in, &out, "ud2");

	/* 3. A handler's change to the saved xmm5 is what xmm5 holds after. */
	got = 0;
	patch_xmm5 = 1;
	pattern(&in, 0x5c);
	memset(&out, 0, sizeof(out));
	WITH_VREGS("syscall\n\t",
		   : "=a"(r), "=m"(out)
		   : "a"((long)SYS_kill), "D"(pid), "S"((long)SIGUSR1), [in] "r"(&in),
		     [out] "r"(&out), "m"(in)
		   : "rcx", "r11", "memory", CLOBBER_X);
	patch_xmm5 = 0;
	CHECK(got == SIGUSR1, "SIGUSR1 not handled (got %d)", got);
	struct vregs want = in;
	memset(want.xmm[5], 0x5a, 16);
	compare(&want, &out, "xmm5 patched in the frame");

	/* 4. A signal from another process interrupts a busy loop. */
	got = 0;
	flag = 0;
	pattern(&in, 0xa3);
	memset(&out, 0, sizeof(out));
	pid_t child = fork();
	CHECK_OK(child);
	if (child == 0) {
		usleep(20000);
		kill(getppid(), SIGUSR2);
		_exit(0);
	}
	WITH_VREGS("1: pause\n\t"
		   "cmpl $0, (%[flag])\n\t"
		   "je 1b\n\t",
		   : "=m"(out)
		   : [in] "r"(&in), [out] "r"(&out), [flag] "r"(&flag), "m"(in)
		   : "memory", CLOBBER_X);
	CHECK(got == SIGUSR2, "SIGUSR2 not handled (got %d)", got);
	compare(&in, &out, "busy loop");
	int st;
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child status %#x", st);
	PASS();
}
