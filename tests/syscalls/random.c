/*
 * random: getrandom(2). 256 bytes are not all zero and two draws differ;
 * GRND_NONBLOCK and GRND_RANDOM work; length 0 returns 0; a large request
 * returns between 1 and the requested count. Errors: a bad buffer EFAULT,
 * unknown flag bits EINVAL, GRND_RANDOM|GRND_INSECURE together EINVAL.
 * (Raw system calls, so that libc adds no behaviour of its own.)
 */
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

static long sys_getrandom(void *buf, size_t len, unsigned flags)
{
	return syscall(SYS_getrandom, buf, len, flags);
}

static int all_zero(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

int main(void)
{
	unsigned char a[256], b[256];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CHECK_EQ(sys_getrandom(a, sizeof(a), 0), sizeof(a));
	CHECK(!all_zero(a, sizeof(a)), "256 random bytes are all zero");
	CHECK_EQ(sys_getrandom(b, sizeof(b), GRND_NONBLOCK), sizeof(b));
	CHECK(!all_zero(b, sizeof(b)), "GRND_NONBLOCK bytes are all zero");
	CHECK(memcmp(a, b, sizeof(a)) != 0, "two draws of 256 bytes are identical");

	/* Distinct values: 256 bytes should hit far more than 64 values. */
	int seen[256] = { 0 }, distinct = 0;
	for (size_t i = 0; i < sizeof(a); i++)
		if (!seen[a[i]]++)
			distinct++;
	CHECK(distinct > 64, "only %d distinct byte values in 256 random bytes", distinct);

	/* A small unaligned request leaves the neighbours alone. */
	memset(b, 0xcc, sizeof(b));
	CHECK_EQ(sys_getrandom(b + 3, 5, 0), 5);
	CHECK(b[2] == 0xcc && b[8] == 0xcc, "getrandom wrote outside [3, 8)");

	CHECK_EQ(sys_getrandom(a, 0, 0), 0);
	long r = sys_getrandom(a, 16, GRND_RANDOM | GRND_NONBLOCK);
	CHECK(r == 16 || (r == -1 && errno == EAGAIN), "GRND_RANDOM|GRND_NONBLOCK returned %ld", r);
	CHECK_EQ(sys_getrandom(a, 16, GRND_INSECURE), 16);

	/* 1 MiB: a partial count is allowed, zero is not. */
	size_t big = 1 << 20;
	unsigned char *m = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED, "mmap");
	r = sys_getrandom(m, big, 0);
	CHECK(r > 0 && (size_t)r <= big, "getrandom(1 MiB) returned %ld", r);
	CHECK(!all_zero(m, (size_t)r), "1 MiB of random bytes all zero");

	/* libc wrapper. */
	CHECK_EQ(getrandom(a, 32, 0), 32);

	/* Errors. */
	CHECK_ERR(sys_getrandom((void *)8, 16, 0), EFAULT);
	CHECK_OK(munmap(m + big / 2, big / 2));
	CHECK_ERR(sys_getrandom(m + big / 2, 16, 0), EFAULT);
	CHECK_ERR(sys_getrandom(a, 16, 0x100), EINVAL);
	CHECK_ERR(sys_getrandom(a, 16, 0x80000000u), EINVAL);
	CHECK_ERR(sys_getrandom(a, 16, GRND_RANDOM | GRND_INSECURE), EINVAL);
	CHECK_OK(munmap(m, big / 2));
	PASS();
}
