/* sentry/kernel/sigframe.c: building and restoring the x86-64 signal
 * frame exactly as Linux lays it out (arch/x86/kernel/signal_64.c): the
 * return address (sa_restorer), a ucontext with the general registers and
 * the interrupted mask, the siginfo, and the XSAVE image of the FP state,
 * 64-byte aligned below it. rt_sigreturn trusts nothing in the frame:
 * flags are masked, segments forced to the user ones, the FP image must
 * pass the platform's (the host kernel's) XSAVE checks. */
#include "sentry/kernel/sigframe.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"
#include "platform/platform.h"

#include <cpuid.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct {
		uint64_t ss_sp;
		int32_t ss_flags;
		int32_t pad;
		uint64_t ss_size;
	} uc_stack;
	struct k_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct rt_sigframe {
	uint64_t pretcode;
	struct k_ucontext uc;
	siginfo_t info;
};

_Static_assert(sizeof(struct k_sigcontext) == 256, "sigcontext layout");
_Static_assert(sizeof(struct k_ucontext) == 304, "ucontext layout");
_Static_assert(sizeof(struct rt_sigframe) == 440, "rt_sigframe layout");

#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
#define K_SA_RESTORER 0x04000000
#define K_SS_ONSTACK 1
#define K_SS_DISABLE 2
#define K_SS_AUTODISARM (1U << 31)
#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U
#define USER_CS 0x33
#define USER_SS 0x2b
/* The flags a frame may change (Linux's FIX_EFLAGS). */
#define FIX_EFLAGS (0x40000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000)
#define EFLAGS_TF 0x100
#define EFLAGS_DF 0x400
#define EFLAGS_RF 0x10000

/* Size of the XSAVE image for the features the host enabled. */
uint32_t xsave_size(void)
{
	static uint32_t size;
	if (!size) {
		unsigned int a, b, c, d;
		if (__get_cpuid_count(0xd, 0, &a, &b, &c, &d) && b >= 576)
			size = b;
		else
			size = 512;
	}
	return size;
}

static bool on_stack(struct task *t, uint64_t sp)
{
	return t->altstack_size && sp > t->altstack_sp &&
	       sp - t->altstack_sp <= t->altstack_size;
}

int sigframe_setup(struct task *t, int sig, const struct k_sigaction *sa,
		   const siginfo_t *info, uint64_t oldmask)
{
	struct user_regs_struct *r = &t->regs;
	if (!(sa->flags & K_SA_RESTORER))
		return -EFAULT;	/* x86-64 has no kernel-provided restorer */
	uint64_t sp = r->rsp;
	bool onstack = on_stack(t, sp);
	if ((sa->flags & SA_ONSTACK) && t->altstack_size && !onstack)
		sp = t->altstack_sp + t->altstack_size;
	else
		sp -= 128;	/* the red zone */

	/* The FP state, if the platform can give it. */
	uint32_t fpsize = xsave_size();
	uint8_t *fp = calloc(1, fpsize + 4);
	if (!fp)
		return -ENOMEM;
	int fplen = platform->ctx_get_fpstate(t->ctx, fp, fpsize);
	uint64_t fpaddr = 0;
	if (fplen > 0) {
		fplen = fpsize;
		/* fpx_sw_bytes in the fxsave area's software-reserved bytes. */
		uint32_t *sw = (uint32_t *)(fp + 464);
		uint64_t xfeatures;
		memcpy(&xfeatures, fp + 512, sizeof(xfeatures));	/* XSTATE_BV */
		sw[0] = FP_XSTATE_MAGIC1;
		sw[1] = fpsize + 4;
		memcpy(&sw[2], &xfeatures, 8);
		sw[4] = fpsize;
		uint32_t magic2 = FP_XSTATE_MAGIC2;
		memcpy(fp + fpsize, &magic2, 4);
		sp = (sp - (uint64_t)fplen - 4) & ~63UL;
		fpaddr = sp;
	}
	sp = ((sp - sizeof(struct rt_sigframe)) & ~15UL) - 8;

	struct rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = sa->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (fpaddr ? UC_FP_XSTATE : 0);
	f.uc.uc_stack.ss_sp = t->altstack_sp;
	f.uc.uc_stack.ss_size = t->altstack_size;
	f.uc.uc_stack.ss_flags = !t->altstack_size ? K_SS_DISABLE : onstack ? K_SS_ONSTACK : 0;
	if (t->altstack_flags & (int)K_SS_AUTODISARM)
		f.uc.uc_stack.ss_flags |= (int32_t)K_SS_AUTODISARM;
	struct k_sigcontext *sc = &f.uc.uc_mcontext;
	sc->r8 = r->r8; sc->r9 = r->r9; sc->r10 = r->r10; sc->r11 = r->r11;
	sc->r12 = r->r12; sc->r13 = r->r13; sc->r14 = r->r14; sc->r15 = r->r15;
	sc->rdi = r->rdi; sc->rsi = r->rsi; sc->rbp = r->rbp; sc->rbx = r->rbx;
	sc->rdx = r->rdx; sc->rax = r->rax; sc->rcx = r->rcx; sc->rsp = r->rsp;
	sc->rip = r->rip; sc->eflags = r->eflags;
	sc->cs = USER_CS;
	sc->ss = USER_SS;
	sc->oldmask = oldmask;
	if (sig == SIGSEGV || sig == SIGBUS) {
		sc->cr2 = (uint64_t)info->si_addr;
		sc->trapno = 14;	/* page fault */
		sc->err = 4;		/* user mode */
	}
	sc->fpstate = fpaddr;
	f.uc.uc_sigmask = oldmask;
	f.info = *info;

	int err = 0;
	if (fpaddr)
		err = copy_out(t->mm, fpaddr, fp, (size_t)fplen + 4);
	free(fp);
	if (!err)
		err = copy_out(t->mm, sp, &f, sizeof(f));
	if (err)
		return -EFAULT;

	if ((sa->flags & SA_ONSTACK) && (t->altstack_flags & (int)K_SS_AUTODISARM)) {
		t->altstack_sp = t->altstack_size = 0;
		t->altstack_flags = K_SS_DISABLE;
	}
	r->rdi = (uint64_t)sig;
	r->rsi = sp + offsetof(struct rt_sigframe, info);
	r->rdx = sp + offsetof(struct rt_sigframe, uc);
	r->rax = 0;
	r->rsp = sp;
	r->rip = sa->handler;
	r->eflags &= ~(uint64_t)(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);
	r->cs = USER_CS;
	r->ss = USER_SS;
	return 0;
}

int fpstate_copy(struct task *from, struct task *to)
{
	uint32_t size = xsave_size();
	uint8_t *fp = calloc(1, size);
	if (!fp)
		return -ENOMEM;
	int r = platform->ctx_get_fpstate(from->ctx, fp, size);
	if (r > 0)
		r = platform->ctx_set_fpstate(to->ctx, fp, size);
	free(fp);
	return r == -ENOSYS ? 0 : (r < 0 ? r : 0);
}

int fpstate_reset(struct task *t)
{
	uint32_t size = xsave_size();
	uint8_t *fp = calloc(1, size);
	if (!fp)
		return -ENOMEM;
	uint16_t fcw = 0x37f;		/* x87: all exceptions masked, 64-bit, nearest */
	uint32_t mxcsr = 0x1f80;	/* SSE: the same */
	memcpy(fp, &fcw, sizeof(fcw));
	memcpy(fp + 24, &mxcsr, sizeof(mxcsr));
	if (size > 512) {
		uint64_t bv = 3;	/* x87 and SSE from the image; the rest init */
		memcpy(fp + 512, &bv, sizeof(bv));
	}
	int r = platform->ctx_set_fpstate(t->ctx, fp, size);
	free(fp);
	return r == -ENOSYS ? 0 : (r < 0 ? r : 0);
}

int sigframe_restore(struct task *t)
{
	struct user_regs_struct *r = &t->regs;
	uint64_t frame = r->rsp - 8;
	struct k_ucontext uc;
	if (copy_in(t->mm, &uc, frame + offsetof(struct rt_sigframe, uc), sizeof(uc)) < 0)
		return -EFAULT;
	const struct k_sigcontext *sc = &uc.uc_mcontext;
	if (sc->rip >= t->mm->max_addr || sc->rsp >= t->mm->max_addr)
		return -EFAULT;
	if (!sc->fpstate) {
		/* No FP state in the frame: Linux resets it to the init state. */
		if (fpstate_reset(t) < 0)
			return -EFAULT;
	} else {
		uint32_t fpsize = xsave_size();
		uint8_t *fp = malloc(fpsize);
		if (!fp)
			return -ENOMEM;
		int err = copy_in(t->mm, fp, sc->fpstate, fpsize);
		if (!err) {
			int r2 = platform->ctx_set_fpstate(t->ctx, fp, fpsize);
			if (r2 < 0 && r2 != -ENOSYS)
				err = -EFAULT;
		}
		free(fp);
		if (err)
			return -EFAULT;
	}
	r->r8 = sc->r8; r->r9 = sc->r9; r->r10 = sc->r10; r->r11 = sc->r11;
	r->r12 = sc->r12; r->r13 = sc->r13; r->r14 = sc->r14; r->r15 = sc->r15;
	r->rdi = sc->rdi; r->rsi = sc->rsi; r->rbp = sc->rbp; r->rbx = sc->rbx;
	r->rdx = sc->rdx; r->rax = sc->rax; r->rcx = sc->rcx; r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->eflags = (r->eflags & ~(uint64_t)FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	r->cs = USER_CS;
	r->ss = USER_SS;
	r->orig_rax = (uint64_t)-1;	/* never restart across a sigreturn */

	pthread_mutex_lock(&kernel.lock);
	t->sigmask = uc.uc_sigmask & ~SIG_UNBLOCKABLE;
	pthread_mutex_unlock(&kernel.lock);
	/* The alternate stack as it was (sigaltstack rules; errors ignored). */
	if (uc.uc_stack.ss_flags & K_SS_DISABLE) {
		t->altstack_sp = t->altstack_size = 0;
		t->altstack_flags = K_SS_DISABLE;
	} else if (uc.uc_stack.ss_size >= 2048 && !on_stack(t, r->rsp)) {
		t->altstack_sp = uc.uc_stack.ss_sp;
		t->altstack_size = uc.uc_stack.ss_size;
		t->altstack_flags = uc.uc_stack.ss_flags & (int32_t)K_SS_AUTODISARM;
	}
	return 0;
}
