/* lib/hostrules.h: host-syscall whitelists as data, shared by the sentry's
 * and the gofer's seccomp filters and by `cvisor syscalls --host`.
 *
 * A list is an array of struct host_rule. Each rule allows one syscall,
 * optionally only when all its argument comparisons hold (libseccomp's
 * model: several rules for one syscall are alternatives). A rule with
 * errno set makes the syscall fail with that errno instead (clone3 ->
 * ENOSYS, so that glibc falls back to clone, whose flags can be checked).
 * Everything not allowed is SECCOMP_RET_TRAP (SIGSYS) or a kill, as the
 * installer chooses. */
#pragma once
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>

struct host_arg {
	uint8_t arg;		/* 0..5 */
	uint8_t op;		/* enum scmp_compare */
	uint64_t a, b;		/* MASKED_EQ: a is the mask, b the value */
};

struct host_rule {
	int nr;
	int err;		/* 0: allow; else fail with this errno */
	uint8_t ncmp;
	struct host_arg cmp[3];
};

/* [start, end) of addresses (see platform_ops.host_exec_sites). */
struct host_range {
	uint64_t start, end;
};

struct host_list {
	const char *what;	/* "base", "ptrace", "sanitizer", ... */
	const struct host_rule *rules;
	size_t n;
};

#define HOST_RULE(name) { .nr = SYS_##name }
#define HOST_ERRNO(name, e) { .nr = SYS_##name, .err = (e) }
/* arg i == v */
#define HOST_EQ(name, i, v) \
	{ .nr = SYS_##name, .ncmp = 1, .cmp = { { (i), SCMP_CMP_EQ, (uint64_t)(v), 0 } } }
/* (arg i & mask) == v */
#define HOST_MASKED(name, i, mask, v) \
	{ .nr = SYS_##name, .ncmp = 1, .cmp = { { (i), SCMP_CMP_MASKED_EQ, (uint64_t)(mask), (uint64_t)(v) } } }
#define HOST_ARR(a) (a), (sizeof(a) / sizeof((a)[0]))

/* What the ASan/UBSan runtime needs on its own; empty (n == 0) unless
 * the build is sanitized (-DCVISOR_SANITIZE=ON). */
extern const struct host_list host_sanitizer_list;

/* A program made at build time (tools/bpfgen, the same libseccomp calls
 * as at run time) for lists whose fingerprint is fingerprint. */
struct sock_filter;
struct host_prebuilt {
	uint64_t fingerprint;
	const struct sock_filter *prog;
	size_t n;
};
/* The programs built into the binary, ended by an entry with n == 0. The
 * cvisor binary links the generated table; elsewhere (the generator,
 * unit tests) a weak empty one stands in and every program is built at
 * run time. */
extern const struct host_prebuilt host_prebuilt[];
/* What a program depends on: every rule of the lists, in order, and the
 * default action. */
uint64_t host_rules_fingerprint(const struct host_list *lists, size_t nlists,
				uint32_t def_action);
/* The lists' program built now with libseccomp (a binary tree of syscall
 * numbers): *prog (malloc'ed) and *n instructions. 0 or -errno. */
int host_rules_build(const struct host_list *lists, size_t nlists, uint32_t def_action,
		     struct sock_filter **prog, size_t *n);

/* Load a filter made of the lists (the prebuilt program when there is one,
 * else built now); not-listed syscalls (and other architectures) get
 * def_action (SCMP_ACT_TRAP, SCMP_ACT_KILL_PROCESS...). Sets no_new_privs.
 * tsync: apply to every thread of the process. 0 or -errno. */
int host_rules_install(const struct host_list *lists, size_t nlists,
		       uint32_t def_action, int tsync);
/* The same with a hand-written classic BPF prefix (nprefix instructions)
 * run first, in the same program: it returns an action or jumps to its
 * own end, where the lists' program starts (one program to load, and to
 * compile: each load costs a JIT compilation). */
int host_rules_install_prefixed(const struct host_list *lists, size_t nlists,
				uint32_t def_action, int tsync,
				const struct sock_filter *prefix, size_t nprefix);
/* That program, made but not loaded: *prog malloc'ed, *n instructions.
 * 0 or -errno. */
int host_rules_program(const struct host_list *lists, size_t nlists, uint32_t def_action,
		       const struct sock_filter *prefix, size_t nprefix,
		       struct sock_filter **prog, size_t *n);
/* Load a program made by host_rules_program (sets no_new_privs). */
int host_rules_load(const struct sock_filter *prog, size_t n, int tsync);
/* Print the lists, one syscall a line with its argument constraints, and
 * a count line; returns the number of distinct syscalls allowed. */
size_t host_rules_print(FILE *out, const char *title,
			const struct host_list *lists, size_t nlists);
/* The number of distinct syscalls the lists allow (errno rules excluded). */
size_t host_rules_count(const struct host_list *lists, size_t nlists);
