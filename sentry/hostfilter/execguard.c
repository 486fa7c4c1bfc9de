/* sentry/hostfilter/execguard.c: the sentry's second seccomp program:
 * mmap and mprotect with PROT_EXEC only from the platform's own paths
 * (platform_ops.host_exec_sites: where its stubs map guest code), SIGSYS
 * from anywhere else. The sentry itself never makes memory executable
 * once it is confined, so code injected into it cannot be given an
 * executable page by a plain mmap or mprotect.
 *
 * libseccomp cannot compare the instruction pointer, so this program is
 * written by hand. The kernel runs it and the whitelist (hostfilter.c)
 * on every syscall and the stricter answer wins: everything this one
 * allows is still subject to the whitelist. Stubs forked from the sentry
 * inherit both, which is why their own sites are listed. */
#include "sentry/hostfilter/hostfilter.h"
#include "lib/hostrules.h"
#include "platform/platform.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JGE(k, t, f) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f))
#define JSET(k, t, f) BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (k), (t), (f))
#define OFF_NR offsetof(struct seccomp_data, nr)
#define OFF_ARCH offsetof(struct seccomp_data, arch)
#define OFF_IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define OFF_IP_HI (OFF_IP_LO + 4)
#define OFF_ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))

/* Ranges beyond these are dropped (the platform then loses its own). */
#define MAX_SITES 8

size_t hostfilter_execguard_build(const struct platform_ops *p, struct sock_filter *prog,
				  size_t max)
{
	struct host_range r[MAX_SITES];
	size_t nr = p && p->host_exec_sites ? p->host_exec_sites(r, MAX_SITES) : 0;
	if (nr > MAX_SITES)
		nr = MAX_SITES;
	size_t n = 0;
#define EMIT(insn)                               \
	do {                                     \
		if (n >= max)                    \
			return 0;                \
		prog[n++] = (struct sock_filter)insn; \
	} while (0)
	EMIT(LD(OFF_ARCH));
	EMIT(JEQ(AUDIT_ARCH_X86_64, 1, 0));
	EMIT(RET(SECCOMP_RET_ALLOW));		/* the whitelist traps it */
	EMIT(LD(OFF_NR));
	EMIT(JEQ(SYS_mmap, 2, 0));
	EMIT(JEQ(SYS_mprotect, 1, 0));
	EMIT(RET(SECCOMP_RET_ALLOW));
	EMIT(LD(OFF_ARG_LO(2)));		/* prot (the kernel ignores the high bits) */
	EMIT(JSET(PROT_EXEC, 1, 0));
	EMIT(RET(SECCOMP_RET_ALLOW));
	/* PROT_EXEC: allowed from the sites only. Each site is [start, end)
	 * within one 4 GiB half (split otherwise): 6 instructions. */
	for (size_t i = 0; i < nr; i++) {
		uint64_t s = r[i].start, e = r[i].end;
		while (s < e) {
			uint64_t top = (s | 0xffffffffULL) + 1;	/* next 4 GiB boundary */
			uint64_t ce = e < top ? e : top;
			uint32_t hi = (uint32_t)(s >> 32), lo = (uint32_t)s;
			uint32_t lo_end = (uint32_t)(ce - 1);	/* inclusive, no wrap */
			/* ip_hi == hi && lo <= ip_lo <= lo_end: allow; else
			 * on to the next site (6 instructions on). */
			EMIT(LD(OFF_IP_HI));
			EMIT(JEQ(hi, 0, 4));
			EMIT(LD(OFF_IP_LO));
			EMIT(JGE(lo, 0, 2));
			EMIT(JGE(lo_end + 1U, 1, 0));
			EMIT(RET(SECCOMP_RET_ALLOW));
			if (lo_end == 0xffffffffU) {
				/* lo_end + 1 wrapped to 0: JGE 0 is always
				 * true; rewrite as "lo <= ip_lo" only. */
				prog[n - 2] = (struct sock_filter)JEQ(0, 0, 0);
			}
			s = ce;
		}
	}
	EMIT(RET(SECCOMP_RET_TRAP));
#undef EMIT
	return n;
}

int hostfilter_execguard_install(const struct platform_ops *p)
{
	struct sock_filter prog[16 + 6 * 2 * MAX_SITES];
	size_t n = hostfilter_execguard_build(p, prog, sizeof(prog) / sizeof(prog[0]));
	if (n == 0)
		return -E2BIG;
	struct sock_fprog fp = { .len = (unsigned short)n, .filter = prog };
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fp);
	if (r < 0)
		return -errno;
	return r > 0 ? -ESRCH : 0;	/* > 0: a thread that could not follow */
}
