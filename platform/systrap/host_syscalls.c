/* platform/systrap/host_syscalls.c: the host syscalls the systrap platform
 * adds to the sentry's whitelist (sentry/hostfilter): forking stubs and
 * watching them, and what a stub's own code runs (a stub is a fork of the
 * sentry, so the sentry's filter stays under the stub's own; both must
 * allow what the stub does, and the stub's filter traps everything else).
 * Guest syscalls are trapped by the stub's filter whatever this list
 * says: SECCOMP_RET_TRAP wins over ALLOW. */
#include "platform/systrap/sysmsg.h"
#include "lib/hostrules.h"

#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>

static const struct host_rule rules[] = {
	HOST_EQ(clone, 0, SIGCHLD), HOST_EQ(clone, 0, STUB_THREAD_CLONE),
	HOST_EQ(kill, 1, SIGKILL), HOST_RULE(wait4), HOST_RULE(waitid),
	HOST_RULE(close_range), HOST_EQ(prctl, 0, PR_SET_PDEATHSIG),
	HOST_EQ(prctl, 0, PR_SET_NO_NEW_PRIVS), HOST_RULE(setsid),
	HOST_EQ(seccomp, 0, SECCOMP_SET_MODE_FILTER), HOST_RULE(sigaltstack),
	HOST_RULE(arch_prctl), HOST_EQ(sched_setaffinity, 0, 0),
};

const struct host_list systrap_host_syscalls = { "systrap", HOST_ARR(rules) };
