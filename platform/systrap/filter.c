/* platform/systrap/filter.c: the seccomp programs of a stub's threads.
 *
 * Map thread (never runs guest code): from the stub code page only mmap,
 * munmap, mprotect, madvise, futex, pwrite64 (its results, into the
 * response page, read-only in the stub), exit, exit_group, clone with exactly
 * the guest-thread flags, and what a new guest thread needs before and
 * after its own filter (sigaltstack, rt_sigprocmask, seccomp,
 * rt_sigreturn, arch_prctl); anything else from the code page kills the
 * stub. Syscalls from elsewhere and of other architectures are
 * SECCOMP_RET_TRAP rather than a kill: guest threads are clones of the map
 * thread and keep its filter under their own, and for them such syscalls
 * must trap.
 *
 * Guest threads add a second program: every syscall from outside the stub
 * code page, and every syscall of another architecture, is
 * SECCOMP_RET_TRAP (SIGSYS to the handler, which reports it to the
 * sentry). From the code page only what the handler needs: rt_sigreturn,
 * exit (of the thread, on ctx_release), futex WAIT/WAKE on a word in the
 * slot area (the message words), and arch_prctl ARCH_{SET,GET}_{FS,GS}.
 * Anything else from the code page (a guest jumping to a stub `syscall`
 * with registers of its choosing) kills the stub process. The kernel runs
 * both programs and the strictest answer wins. */
#include "platform/systrap/systrap.h"
#include "platform/systrap/sysmsg.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <asm/prctl.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>

#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JGE(k, t, f) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f))
#define OFF_NR offsetof(struct seccomp_data, nr)
#define OFF_ARCH offsetof(struct seccomp_data, arch)
#define OFF_IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define OFF_IP_HI (OFF_IP_LO + 4)
#define OFF_ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define OFF_ARG_HI(i) (OFF_ARG_LO(i) + 4)
#define KILL SECCOMP_RET_KILL_PROCESS

/* Every host syscall a stub process makes, in one place (for the
 * sandbox's own seccomp policy, which the stub inherits from the sentry
 * that forks it): the forked child's set-up in C before it jumps to the
 * code page (stub.c stub_child: prctl, setsid, rseq, mmap, munmap,
 * rt_sigaction, rt_sigprocmask, sigaltstack, close_range), the map
 * thread's requests and start-up (mmap, munmap, mprotect, madvise, futex,
 * pwrite64, clone, seccomp, exit_group), a new guest thread's start (sigaltstack,
 * rt_sigprocmask, seccomp) and the handler's and trampolines' exchange
 * (futex, arch_prctl, rt_sigreturn, exit). The filters above narrow the
 * last groups further, by instruction pointer and arguments. */
const int systrap_stub_syscalls[] = {
	SYS_prctl, SYS_setsid, SYS_rseq, SYS_mmap, SYS_munmap, SYS_mprotect, SYS_madvise,
	SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_sigaltstack, SYS_close_range, SYS_futex,
	SYS_clone, SYS_seccomp, SYS_exit_group, SYS_exit, SYS_arch_prctl, SYS_rt_sigreturn,
	SYS_pwrite64,
};
const unsigned systrap_stub_nsyscalls = sizeof(systrap_stub_syscalls) / sizeof(int);

/* Store prog (n insns) at ctl + prog_off (fprog) / insn_off, with the
 * filter pointer as the stub sees it. */
static int store(volatile uint8_t *ctl, uint64_t base, unsigned prog_off, unsigned insn_off,
		 unsigned max, const struct sock_filter *prog, size_t n)
{
	if (n > max)
		return -E2BIG;
	memcpy((void *)(ctl + insn_off), prog, n * sizeof(*prog));
	struct sock_fprog fp = {
		.len = (unsigned short)n,
		.filter = (struct sock_filter *)(uintptr_t)(base + STUB_CTL_OFF + insn_off),
	};
	memcpy((void *)(ctl + prog_off), &fp, sizeof(fp));
	return 0;
}

int systrap_filters_write(volatile uint8_t *ctl, uint64_t base)
{
	uint32_t ip_hi = (uint32_t)(base >> 32), ip_lo = (uint32_t)base;
	/* base is STUB_ALIGN aligned and STUB_REGION < STUB_ALIGN: no carry. */
	uint32_t ip_end = ip_lo + STUB_PAGE;
	uint32_t slots_lo = ip_lo + STUB_SLOT_OFF, slots_end = ip_lo + STUB_SLOTS_END;
	struct sock_filter guest[] = {
		/* 0 */ LD(OFF_ARCH),
		/* 1 */ JEQ(AUDIT_ARCH_X86_64, 1, 0),
		/* 2 */ RET(SECCOMP_RET_TRAP),
		/* 3 */ LD(OFF_IP_HI),
		/* 4 */ JEQ(ip_hi, 1, 0),
		/* 5 */ RET(SECCOMP_RET_TRAP),
		/* 6 */ LD(OFF_IP_LO),
		/* 7 */ JGE(ip_lo, 1, 0),
		/* 8 */ RET(SECCOMP_RET_TRAP),
		/* 9 */ JGE(ip_end, 0, 1),
		/* 10 */ RET(SECCOMP_RET_TRAP),
		/* From the code page. */
		/* 11 */ LD(OFF_NR),
		/* 12 */ JEQ(SYS_rt_sigreturn, 0, 1),
		/* 13 */ RET(SECCOMP_RET_ALLOW),
		/* 14 */ JEQ(SYS_exit, 0, 1),
		/* 15 */ RET(SECCOMP_RET_ALLOW),
		/* 16 */ JEQ(SYS_arch_prctl, 0, 7),
		/* 17 */ LD(OFF_ARG_HI(0)),
		/* 18 */ JEQ(0, 0, 4),
		/* 19 */ LD(OFF_ARG_LO(0)),
		/* 20 */ JGE(ARCH_SET_GS, 0, 2),
		/* 21 */ JGE(ARCH_GET_GS + 1, 1, 0),
		/* 22 */ RET(SECCOMP_RET_ALLOW),
		/* 23 */ RET(KILL),
		/* 24 */ JEQ(SYS_futex, 0, 11),
		/* 25 */ LD(OFF_ARG_HI(0)),
		/* 26 */ JEQ(ip_hi, 0, 9),
		/* 27 */ LD(OFF_ARG_LO(0)),
		/* 28 */ JGE(slots_lo, 0, 7),
		/* 29 */ JGE(slots_end, 6, 0),
		/* 30 */ LD(OFF_ARG_LO(1)),
		/* 31 */ JEQ(FUTEX_WAIT, 1, 0),
		/* 32 */ JEQ(FUTEX_WAKE, 0, 3),
		/* 33 */ LD(OFF_ARG_HI(1)),
		/* 34 */ JEQ(0, 0, 1),
		/* 35 */ RET(SECCOMP_RET_ALLOW),
		/* 36 */ RET(KILL),
	};
	struct sock_filter map[] = {
		/* 0 */ LD(OFF_ARCH),
		/* 1 */ JEQ(AUDIT_ARCH_X86_64, 1, 0),
		/* 2 */ RET(SECCOMP_RET_TRAP),
		/* 3 */ LD(OFF_IP_HI),
		/* 4 */ JEQ(ip_hi, 1, 0),
		/* 5 */ RET(SECCOMP_RET_TRAP),
		/* 6 */ LD(OFF_IP_LO),
		/* 7 */ JGE(ip_lo, 1, 0),
		/* 8 */ RET(SECCOMP_RET_TRAP),
		/* 9 */ JGE(ip_end, 0, 1),
		/* 10 */ RET(SECCOMP_RET_TRAP),
		/* 11 */ LD(OFF_NR),
		/* 12 */ JEQ(SYS_mmap, 18, 0),
		/* 13 */ JEQ(SYS_munmap, 17, 0),
		/* 14 */ JEQ(SYS_mprotect, 16, 0),
		/* 15 */ JEQ(SYS_madvise, 15, 0),
		/* 16 */ JEQ(SYS_futex, 14, 0),
		/* 17 */ JEQ(SYS_pwrite64, 13, 0),
		/* 18 */ JEQ(SYS_exit, 12, 0),
		/* 19 */ JEQ(SYS_exit_group, 11, 0),
		/* 20 */ JEQ(SYS_rt_sigreturn, 10, 0),
		/* 21 */ JEQ(SYS_arch_prctl, 9, 0),
		/* 22 */ JEQ(SYS_sigaltstack, 8, 0),
		/* 23 */ JEQ(SYS_rt_sigprocmask, 7, 0),
		/* 24 */ JEQ(SYS_seccomp, 6, 0),
		/* 25 */ JEQ(SYS_clone, 0, 4),
		/* 26 */ LD(OFF_ARG_LO(0)),
		/* 27 */ JEQ(STUB_THREAD_CLONE, 0, 2),
		/* 28 */ LD(OFF_ARG_HI(0)),
		/* 29 */ JEQ(0, 1, 0),
		/* 30 */ RET(KILL),
		/* 31 */ RET(SECCOMP_RET_ALLOW),
	};
	int r = store(ctl, base, CTL_GUEST_PROG, CTL_GUEST_INSNS, CTL_GUEST_MAXINSNS, guest,
		      sizeof(guest) / sizeof(guest[0]));
	if (r < 0)
		return r;
	return store(ctl, base, CTL_MAP_PROG, CTL_MAP_INSNS, CTL_MAP_MAXINSNS, map,
		     sizeof(map) / sizeof(map[0]));
}
