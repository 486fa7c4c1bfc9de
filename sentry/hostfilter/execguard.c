/* sentry/hostfilter/execguard.c: the exec guard, the front part of the
 * sentry's seccomp program: mmap and mprotect with PROT_EXEC, and
 * execveat, only from the platform's own paths
 * (platform_ops.host_exec_sites: where its stubs map guest code, and
 * where systrap execs its stub image), SIGSYS from anywhere else. The
 * sentry itself never makes memory executable once it is confined, so
 * code injected into it cannot be given an executable page by a plain
 * mmap or mprotect, nor run by an exec of a file it wrote.
 *
 * libseccomp cannot compare the instruction pointer, so this part is
 * written by hand and put in front of the whitelist's program
 * (hostfilter.c) in one program (each program loaded costs a JIT
 * compilation): it traps or goes on to the whitelist, which decides
 * everything else. Stubs forked from the sentry inherit it, which is why
 * their own sites are listed. */
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

#define MAX_SITES HOSTFILTER_EXEC_SITES

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
	EMIT(JEQ(SYS_execveat, 6, 0));		/* to the sites, whatever its arguments */
	EMIT(JEQ(SYS_mmap, 2, 0));
	EMIT(JEQ(SYS_mprotect, 1, 0));
	EMIT(RET(SECCOMP_RET_ALLOW));
	EMIT(LD(OFF_ARG_LO(2)));		/* prot (the kernel ignores the high bits) */
	EMIT(JSET(PROT_EXEC, 1, 0));
	EMIT(RET(SECCOMP_RET_ALLOW));
	/* PROT_EXEC, or an exec: allowed from the sites only (and an exec
	 * only as far as the whitelist allows it). Each site is [start, end)
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
	/* "Allow" here means: on to the program after this one. */
	for (size_t i = 0; i < n; i++)
		if (prog[i].code == (BPF_RET | BPF_K) && prog[i].k == SECCOMP_RET_ALLOW)
			prog[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA,
							       (uint32_t)(n - i - 1), 0, 0);
	return n;
}

int hostfilter_execguard_program(const struct platform_ops *p, const struct host_list *lists,
				 size_t nlists, struct sock_filter **prog, size_t *n)
{
	struct sock_filter guard[HOSTFILTER_EXECGUARD_MAX];
	size_t k = hostfilter_execguard_build(p, guard, sizeof(guard) / sizeof(guard[0]));
	if (k == 0)
		return -E2BIG;
	return host_rules_program(lists, nlists, HOSTFILTER_ACTION, guard, k, prog, n);
}
