/*
 * vdso: the vDSO. AT_SYSINFO_EHDR points at an ELF shared object
 * (linux-vdso.so.1) that /proc/self/maps names [vdso], with [vvar] just
 * below it, which cannot be made writable (EACCES). The clocks it serves
 * agree with the syscalls: CLOCK_MONOTONIC read alternately through libc
 * (the vDSO) and a raw syscall never goes back, nor does CLOCK_BOOTTIME;
 * CLOCK_REALTIME, gettimeofday and time agree within a second; a 30 ms
 * sleep shows as at least 30 ms on both paths; CPU-time clocks (which
 * the vDSO passes on to the kernel) work; sched_getcpu (the vDSO's
 * getcpu) names a CPU of the thread's affinity, as the syscall does.
 */
#include <elf.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int64_t ns_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static int64_t raw_ns(clockid_t id)
{
	struct timespec ts;
	CHECK_EQ(syscall(SYS_clock_gettime, id, &ts), 0);
	return ns_of(&ts);
}

static int64_t libc_ns(clockid_t id)
{
	struct timespec ts;
	CHECK_EQ(clock_gettime(id, &ts), 0);
	return ns_of(&ts);
}

/* The maps line naming what, or NULL. */
static int maps_has(const char *what, uint64_t *start, uint64_t *end)
{
	FILE *f = fopen("/proc/self/maps", "r");
	CHECK(f != NULL, "open /proc/self/maps");
	char line[512];
	int found = 0;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[--n] = 0;
		size_t w = strlen(what);
		if (n >= w && strcmp(line + n - w, what) == 0) {
			unsigned long s, e;
			CHECK(sscanf(line, "%lx-%lx", &s, &e) == 2, "maps line %s", line);
			*start = s;
			*end = e;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

static void monotonic(clockid_t id)
{
	int64_t last = raw_ns(id);
	for (int i = 0; i < 20000; i++) {
		int64_t a = libc_ns(id);
		CHECK(a >= last, "clock %d: libc %lld after raw %lld", id, (long long)a, (long long)last);
		int64_t b = raw_ns(id);
		CHECK(b >= a, "clock %d: raw %lld after libc %lld", id, (long long)b, (long long)a);
		last = b;
	}
}

int main(void)
{
	uint64_t base = getauxval(AT_SYSINFO_EHDR);
	CHECK(base != 0, "no AT_SYSINFO_EHDR");
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0, "not ELF");
	CHECK_EQ(eh->e_type, ET_DYN);
	CHECK_EQ(eh->e_machine, EM_X86_64);

	uint64_t s, e;
	CHECK(maps_has("[vdso]", &s, &e), "no [vdso] in maps");
	CHECK(s == base, "[vdso] at %#lx, AT_SYSINFO_EHDR %#lx", (unsigned long)s, (unsigned long)base);
	uint64_t vs, ve;
	CHECK(maps_has("[vvar]", &vs, &ve), "no [vvar] in maps");
	CHECK(vs < base, "[vvar] at %#lx above [vdso] %#lx", (unsigned long)vs, (unsigned long)base);
	CHECK_ERR(mprotect((void *)vs, 4096, PROT_READ | PROT_WRITE), EACCES);

	monotonic(CLOCK_MONOTONIC);
	monotonic(CLOCK_BOOTTIME);
	usleep(50000);	/* past the sandbox's calibration, whichever path served so far */
	monotonic(CLOCK_MONOTONIC);

	int64_t m0 = libc_ns(CLOCK_MONOTONIC), r0 = raw_ns(CLOCK_MONOTONIC);
	usleep(30000);
	CHECK(libc_ns(CLOCK_MONOTONIC) - m0 >= 30000000, "libc clock slept less than 30 ms");
	CHECK(raw_ns(CLOCK_MONOTONIC) - r0 >= 30000000, "raw clock slept less than 30 ms");

	struct timeval tv;
	CHECK_OK(gettimeofday(&tv, NULL));
	int64_t real = libc_ns(CLOCK_REALTIME), rawreal = raw_ns(CLOCK_REALTIME);
	time_t t = time(NULL);
	int64_t tvns = (int64_t)tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
	CHECK(llabs(real - rawreal) < 1000000000LL, "REALTIME libc %lld raw %lld", (long long)real,
	      (long long)rawreal);
	CHECK(llabs(real - tvns) < 1000000000LL, "gettimeofday %lld vs %lld", (long long)tvns,
	      (long long)real);
	CHECK(llabs((int64_t)t - real / 1000000000LL) <= 1, "time %lld vs %lld", (long long)t,
	      (long long)(real / 1000000000LL));

	struct timespec cpu;
	CHECK_OK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu));
	CHECK(ns_of(&cpu) > 0, "no process CPU time");
	CHECK_OK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu));

	cpu_set_t set;
	CHECK_OK(sched_getaffinity(0, sizeof(set), &set));
	for (int i = 0; i < 100; i++) {
		int c = sched_getcpu();
		CHECK(c >= 0 && c < CPU_SETSIZE && CPU_ISSET(c, &set), "sched_getcpu %d", c);
		unsigned sc = 9999, node = 9999;
		CHECK_EQ(syscall(SYS_getcpu, &sc, &node, NULL), 0);
		CHECK(sc < CPU_SETSIZE && CPU_ISSET(sc, &set), "getcpu %u", sc);
		CHECK(node < 1024, "node %u", node);
	}
	PASS();
}
