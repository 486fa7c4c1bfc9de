/* platform/systrap/filter.c: the seccomp programs of a stub's threads.
 *
 * Guest thread: every syscall from outside the stub code page, and every
 * syscall of another architecture, is SECCOMP_RET_TRAP (SIGSYS to the
 * handler, which reports it to the sentry). From the code page only what
 * the handler needs: rt_sigreturn, futex WAIT/WAKE on this thread's own
 * message word, and arch_prctl ARCH_{SET,GET}_{FS,GS}. Anything else
 * from the code page (a guest jumping to a stub `syscall` with registers
 * of its choosing) kills the stub process.
 *
 * Map thread (never runs guest code): from the code page only mmap,
 * munmap, mprotect, madvise, futex, exit and exit_group; anything else, or
 * anything from elsewhere, kills the stub. */
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

int systrap_filters_write(volatile uint8_t *ctl, uint64_t base, uint64_t msg_addr)
{
	uint32_t ip_hi = (uint32_t)(base >> 32), ip_lo = (uint32_t)base;
	uint32_t ip_end = ip_lo + STUB_PAGE;	/* base is 16 MiB aligned: no carry */
	uint64_t word = msg_addr + MSG_STATE;
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
		/* 14 */ JEQ(SYS_arch_prctl, 0, 7),
		/* 15 */ LD(OFF_ARG_HI(0)),
		/* 16 */ JEQ(0, 0, 4),
		/* 17 */ LD(OFF_ARG_LO(0)),
		/* 18 */ JGE(ARCH_SET_GS, 0, 2),
		/* 19 */ JGE(ARCH_GET_GS + 1, 1, 0),
		/* 20 */ RET(SECCOMP_RET_ALLOW),
		/* 21 */ RET(KILL),
		/* 22 */ JEQ(SYS_futex, 0, 10),
		/* 23 */ LD(OFF_ARG_LO(0)),
		/* 24 */ JEQ((uint32_t)word, 0, 8),
		/* 25 */ LD(OFF_ARG_HI(0)),
		/* 26 */ JEQ((uint32_t)(word >> 32), 0, 6),
		/* 27 */ LD(OFF_ARG_LO(1)),
		/* 28 */ JEQ(FUTEX_WAIT, 1, 0),
		/* 29 */ JEQ(FUTEX_WAKE, 0, 3),
		/* 30 */ LD(OFF_ARG_HI(1)),
		/* 31 */ JEQ(0, 0, 1),
		/* 32 */ RET(SECCOMP_RET_ALLOW),
		/* 33 */ RET(KILL),
	};
	struct sock_filter map[] = {
		/* 0 */ LD(OFF_ARCH),
		/* 1 */ JEQ(AUDIT_ARCH_X86_64, 0, 15),
		/* 2 */ LD(OFF_IP_HI),
		/* 3 */ JEQ(ip_hi, 0, 13),
		/* 4 */ LD(OFF_IP_LO),
		/* 5 */ JGE(ip_lo, 0, 11),
		/* 6 */ JGE(ip_end, 10, 0),
		/* 7 */ LD(OFF_NR),
		/* 8 */ JEQ(SYS_mmap, 7, 0),
		/* 9 */ JEQ(SYS_munmap, 6, 0),
		/* 10 */ JEQ(SYS_mprotect, 5, 0),
		/* 11 */ JEQ(SYS_madvise, 4, 0),
		/* 12 */ JEQ(SYS_futex, 3, 0),
		/* 13 */ JEQ(SYS_exit, 2, 0),
		/* 14 */ JEQ(SYS_exit_group, 1, 0),
		/* 15 */ RET(KILL),
		/* 16 */ RET(SECCOMP_RET_ALLOW),
		/* 17 */ RET(KILL),
	};
	int r = store(ctl, base, CTL_GUEST_PROG, CTL_GUEST_INSNS, CTL_GUEST_MAXINSNS, guest,
		      sizeof(guest) / sizeof(guest[0]));
	if (r < 0)
		return r;
	return store(ctl, base, CTL_MAP_PROG, CTL_MAP_INSNS, CTL_MAP_MAXINSNS, map,
		     sizeof(map) / sizeof(map[0]));
}
