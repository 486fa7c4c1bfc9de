/* sentry/kernel/rlimit.c: the default resource limits of a new sandbox,
 * as Linux's INIT_RLIMITS gives them to init. */
#include "sentry/kernel/rlimit.h"

/* Linux sets NPROC and SIGPENDING to max_threads/2 at boot, max_threads
 * being RAM / 128 KiB: this is the value for 32 GiB. */
#define DEFAULT_NPROC 131072UL
#define STACK_LIMIT (8UL << 20)		/* _STK_LIM */
#define MLOCK_LIMIT (8UL << 20)		/* since Linux 5.16 */
#define MQ_BYTES_MAX 819200UL
#define NOFILE_CUR 1024UL		/* INR_OPEN_CUR */
#define NOFILE_MAX 524288UL

void rlimit_init_defaults(struct rlimit *rl)
{
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		rl[i].rlim_cur = RLIM_INFINITY;
		rl[i].rlim_max = RLIM_INFINITY;
	}
	rl[RLIMIT_STACK].rlim_cur = STACK_LIMIT;
	rl[RLIMIT_CORE].rlim_cur = 0;
	rl[RLIMIT_NPROC] = (struct rlimit){ DEFAULT_NPROC, DEFAULT_NPROC };
	rl[RLIMIT_NOFILE] = (struct rlimit){ NOFILE_CUR, NOFILE_MAX };
	rl[RLIMIT_MEMLOCK] = (struct rlimit){ MLOCK_LIMIT, MLOCK_LIMIT };
	rl[RLIMIT_SIGPENDING] = (struct rlimit){ DEFAULT_NPROC, DEFAULT_NPROC };
	rl[RLIMIT_MSGQUEUE] = (struct rlimit){ MQ_BYTES_MAX, MQ_BYTES_MAX };
	rl[RLIMIT_NICE] = (struct rlimit){ 0, 0 };
	rl[RLIMIT_RTPRIO] = (struct rlimit){ 0, 0 };
}
