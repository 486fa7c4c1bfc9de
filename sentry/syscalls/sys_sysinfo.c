/* sentry/syscalls/sys_sysinfo.c: sysinfo.
 *
 * The sandbox's machine: RAM is the memory file's limit, free RAM what its
 * allocator has not handed out, no swap, no load. Sizes are in bytes
 * (mem_unit 1), as 64-bit Linux reports. Uptime is CLOCK_BOOTTIME rounded
 * up, as in Linux, so that it agrees with the guest's clock_gettime (which
 * is the host's: the sandbox does not offset its clocks). */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/usercopy.h"

#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>

_Static_assert(sizeof(struct sysinfo) == 112, "struct sysinfo layout");

int64_t sys_sysinfo(struct task *t, const uint64_t a[6])
{
	struct sysinfo si;
	struct timespec now;

	memset(&si, 0, sizeof(si));

	clock_gettime(CLOCK_BOOTTIME, &now);
	si.uptime = now.tv_sec + (now.tv_nsec ? 1 : 0);

	uint64_t total = memfile_limit_pages() * PAGE_SIZE;
	uint64_t used = memfile_used_pages() * PAGE_SIZE;
	si.totalram = total;
	si.freeram = used < total ? total - used : 0;
	si.procs = 1;
	si.mem_unit = 1;

	return copy_out(t->mm, a[0], &si, sizeof(si));
}
