/* platform/systrap/host_syscalls.c: the host syscalls the systrap platform
 * adds to the sentry's whitelist (sentry/hostfilter): forking stubs and
 * watching them (they die without an exit signal, see stub.c), and what
 * a stub's own code runs (a stub is a fork of the sentry, so the sentry's filter stays under the stub's own; both must
 * allow what the stub does, and the stub's filter traps everything else).
 * Guest syscalls are trapped by the stub's filter whatever this list
 * says: SECCOMP_RET_TRAP wins over ALLOW.
 *
 * PROT_EXEC mappings (sentry/hostfilter lets them come only from here):
 * guest code, mapped by a stub's map thread from the stub code page, and
 * the patch trampolines, mapped by a new stub before it jumps there
 * through systrap_exec_mmap below, whose syscall instruction is its own. */
#include "platform/systrap/sysmsg.h"
#include "platform/systrap/systrap.h"
#include "lib/hostrules.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>

static const struct host_rule rules[] = {
	/* The zygote (no exit signal) and the stubs it forks (stub.c) */
	HOST_EQ(clone, 0, 0), HOST_EQ(clone, 0, CLONE_PARENT), HOST_EQ(clone, 0, STUB_THREAD_CLONE),
	HOST_EQ(kill, 1, SIGKILL), HOST_RULE(wait4), HOST_RULE(waitid),
	HOST_RULE(close_range), HOST_EQ(prctl, 0, PR_SET_PDEATHSIG),
	HOST_EQ(prctl, 0, PR_SET_NAME),	/* "cvisor-stub" for ps */
	HOST_EQ(prctl, 0, PR_SET_NO_NEW_PRIVS), HOST_RULE(setsid),
	HOST_EQ(seccomp, 0, SECCOMP_SET_MODE_FILTER), HOST_RULE(sigaltstack),
	HOST_RULE(arch_prctl), HOST_EQ(sched_setaffinity, 0, 0),
	/* the first stub, exec'ed from the stub image by a vfork-like child
	 * (stub.c: image_spawn): an exec keeps this filter and
	 * no_new_privs, and takes no path */
	HOST_EQ(clone, 0, CLONE_VM | CLONE_VFORK), HOST_EQ(execveat, 4, AT_EMPTY_PATH),
	/* a dying stub's threads, lowered before the kill (stub.c) */
	HOST_EQ(sched_setscheduler, 1, SCHED_IDLE),
};

const struct host_list systrap_host_syscalls = { "systrap", HOST_ARR(rules) };

/* long systrap_exec_mmap(addr, len, prot, flags, fd, off): a raw mmap
 * (-errno on failure), for a forked stub's own executable mappings. */
extern const char systrap_exec_mmap_end[];
__asm__(".text\n"
	".globl systrap_exec_mmap\n"
	".type systrap_exec_mmap, @function\n"
	"systrap_exec_mmap:\n"
	"	mov %rcx, %r10\n"
	"	mov $9, %eax\n"	/* SYS_mmap */
	"	syscall\n"
	"systrap_exec_mmap_end:\n"
	"	ret\n"
	".size systrap_exec_mmap, . - systrap_exec_mmap\n");

/* long systrap_exec_image(fd, path, argv, envp, flags): a raw execveat
 * (-errno on failure), the one exec the sentry's filter allows (the stub
 * image, stub.c: image_spawn). */
extern const char systrap_exec_image_end[];
__asm__(".text\n"
	".globl systrap_exec_image\n"
	".type systrap_exec_image, @function\n"
	"systrap_exec_image:\n"
	"	mov %rcx, %r10\n"
	"	mov $322, %eax\n"	/* SYS_execveat */
	"	syscall\n"
	"systrap_exec_image_end:\n"
	"	ret\n"
	".size systrap_exec_image, . - systrap_exec_image\n");

size_t systrap_host_exec_sites(struct host_range *r, size_t max);

size_t systrap_host_exec_sites(struct host_range *r, size_t max)
{
	size_t n = 0;
	if (n < max && systrap_base)
		r[n++] = (struct host_range){ systrap_base, systrap_base + STUB_PAGE };
	if (n < max) {
		uint64_t end = (uint64_t)(uintptr_t)systrap_exec_mmap_end;
		r[n++] = (struct host_range){ end, end + 1 };
	}
	if (n < max) {
		uint64_t end = (uint64_t)(uintptr_t)systrap_exec_image_end;
		r[n++] = (struct host_range){ end, end + 1 };
	}
	return n;
}
