/*
 * sched: sched_yield returns 0; sched_getaffinity reports at least one
 * allowed CPU, the same for pid 0 and getpid(); the raw call returns the
 * number of mask bytes it wrote (a positive multiple of 8, at most the
 * buffer size). Errors: a size that is not a multiple of 8 (or too small)
 * EINVAL, a bad mask pointer EFAULT.
 */
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	for (int i = 0; i < 100; i++)
		CHECK_EQ(sched_yield(), 0);
	CHECK_EQ(syscall(SYS_sched_yield), 0);

	cpu_set_t set, set2;
	CPU_ZERO(&set);
	CHECK_OK(sched_getaffinity(0, sizeof(set), &set));
	int n = CPU_COUNT(&set);
	CHECK(n >= 1, "sched_getaffinity: %d CPUs", n);
	CPU_ZERO(&set2);
	CHECK_OK(sched_getaffinity(getpid(), sizeof(set2), &set2));
	CHECK(CPU_EQUAL(&set, &set2), "affinity of 0 and of getpid() differ");

	unsigned long raw[16];
	memset(raw, 0, sizeof(raw));
	long r = syscall(SYS_sched_getaffinity, 0, sizeof(raw), raw);
	CHECK(r > 0 && r % 8 == 0 && (size_t)r <= sizeof(raw), "raw sched_getaffinity returned %ld", r);
	int bits = 0;
	for (size_t i = 0; i < (size_t)r / 8; i++)
		bits += __builtin_popcountl(raw[i]);
	CHECK_EQ(bits, n);

	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 4, raw), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 0, raw), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, sizeof(raw), (void *)8), EFAULT);
	printf("%d CPU(s)\n", n);
	PASS();
}
