/* sentry/syscalls/sys_sysinfo.c: sysinfo.
 *
 * The sandbox's machine: uptime since the sentry booted, RAM the memory
 * file's limit, free RAM what its allocator has not handed out, no swap,
 * no load. Sizes are in bytes (mem_unit 1), as 64-bit Linux reports. */
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

	clock_gettime(CLOCK_MONOTONIC, &now);
	uint64_t ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	uint64_t boot = t->k ? t->k->boot_ns : 0;
	uint64_t up = ns > boot ? ns - boot : 0;
	/* Linux rounds a partial second up. */
	si.uptime = (long)((up + 999999999ULL) / 1000000000ULL);

	uint64_t total = memfile_limit_pages() * PAGE_SIZE;
	uint64_t used = memfile_used_pages() * PAGE_SIZE;
	si.totalram = total;
	si.freeram = used < total ? total - used : 0;
	si.procs = 1;
	si.mem_unit = 1;

	return copy_out(t->mm, a[0], &si, sizeof(si));
}
