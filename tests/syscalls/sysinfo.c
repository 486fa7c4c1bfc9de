/*
 * sysinfo: the system summary. totalram > 0, mem_unit >= 1, freeram <=
 * totalram, freeswap <= totalswap, at least one process, load averages
 * and uptime non-negative; uptime agrees with CLOCK_BOOTTIME to within a
 * few seconds; a bad pointer is EFAULT.
 */
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	struct sysinfo si;
	memset(&si, 0, sizeof(si));
	CHECK_OK(sysinfo(&si));
	CHECK(si.totalram > 0, "totalram is 0");
	CHECK(si.mem_unit >= 1, "mem_unit is %u", si.mem_unit);
	CHECK(si.freeram <= si.totalram, "freeram %lu > totalram %lu", si.freeram, si.totalram);
	CHECK(si.freeswap <= si.totalswap, "freeswap %lu > totalswap %lu", si.freeswap, si.totalswap);
	CHECK(si.procs >= 1, "procs is %u", (unsigned)si.procs);
	CHECK(si.uptime >= 0, "uptime %ld", si.uptime);
	/* Total RAM of at least 16 MiB, counted in mem_unit units. */
	CHECK((unsigned long long)si.totalram * si.mem_unit >= (16ULL << 20), "totalram %llu bytes",
	      (unsigned long long)si.totalram * si.mem_unit);

	struct timespec bt;
	CHECK_OK(clock_gettime(CLOCK_BOOTTIME, &bt));
	CHECK(si.uptime <= bt.tv_sec + 1 && si.uptime + 5 >= bt.tv_sec,
	      "uptime %ld vs CLOCK_BOOTTIME %lld", si.uptime, (long long)bt.tv_sec);

	CHECK_ERR(syscall(SYS_sysinfo, (void *)8), EFAULT);
	PASS();
}
