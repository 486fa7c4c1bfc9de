/*
 * tls: arch_prctl and set_tid_address. ARCH_GET_FS returns the thread
 * pointer libc installed (%fs:0 points to itself, as the x86-64 TLS ABI
 * requires); ARCH_SET_FS to another block makes %fs-relative loads read
 * that block, and setting it back restores libc's; ARCH_SET_GS /
 * ARCH_GET_GS round-trip likewise. Errors: an unknown code EINVAL, a
 * non-canonical base EPERM, a bad result pointer EFAULT. set_tid_address
 * returns the caller's thread id.
 */
#include <asm/prctl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

static long sys_arch_prctl(long code, unsigned long addr)
{
	return syscall(SYS_arch_prctl, code, addr);
}

static uint64_t fs_load(long off)
{
	uint64_t v;
	__asm__ volatile("mov %%fs:(%1), %0" : "=r"(v) : "r"(off));
	return v;
}

static uint64_t gs_load(long off)
{
	uint64_t v;
	__asm__ volatile("mov %%gs:(%1), %0" : "=r"(v) : "r"(off));
	return v;
}

/* Raw arch_prctl without touching errno (libc's errno lives in TLS). */
static long raw_arch_prctl(long code, unsigned long addr)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"((long)SYS_arch_prctl), "D"(code), "S"(addr)
			 : "rcx", "r11", "memory");
	return ret;
}

static uint64_t block[16] __attribute__((aligned(64)));
static uint64_t gblock[16] __attribute__((aligned(64)));

int main(void)
{
	unsigned long fs = 0;
	CHECK_OK(sys_arch_prctl(ARCH_GET_FS, (unsigned long)&fs));
	CHECK(fs != 0, "ARCH_GET_FS returned 0");
	CHECK_EQ(fs_load(0), fs);	/* TCB self pointer */

	/* Switch %fs to our block; no libc calls until it is restored. */
	for (int i = 0; i < 16; i++)
		block[i] = 0xf5f5000000000000ULL + (uint64_t)i;
	long r1 = raw_arch_prctl(ARCH_SET_FS, (unsigned long)block);
	uint64_t v0 = fs_load(0), v8 = fs_load(8 * 8);
	unsigned long got = 0;
	long r2 = raw_arch_prctl(ARCH_GET_FS, (unsigned long)&got);
	long r3 = raw_arch_prctl(ARCH_SET_FS, fs);
	CHECK_EQ(r1, 0);
	CHECK_EQ(r2, 0);
	CHECK_EQ(r3, 0);
	CHECK_EQ(v0, 0xf5f5000000000000ULL);
	CHECK_EQ(v8, 0xf5f5000000000008ULL);
	CHECK_EQ(got, (unsigned long)block);
	CHECK_EQ(fs_load(0), fs);
	errno = 0;	/* libc's TLS works again */
	unsigned long fs2 = 0;
	CHECK_OK(sys_arch_prctl(ARCH_GET_FS, (unsigned long)&fs2));
	CHECK_EQ(fs2, fs);

	/* %gs is unused by libc. */
	for (int i = 0; i < 16; i++)
		gblock[i] = 0x6565000000000000ULL + (uint64_t)i;
	CHECK_OK(sys_arch_prctl(ARCH_SET_GS, (unsigned long)gblock));
	unsigned long gs = 0;
	CHECK_OK(sys_arch_prctl(ARCH_GET_GS, (unsigned long)&gs));
	CHECK_EQ(gs, (unsigned long)gblock);
	CHECK_EQ(gs_load(3 * 8), 0x6565000000000003ULL);
	CHECK_OK(sys_arch_prctl(ARCH_SET_GS, 0));
	CHECK_OK(sys_arch_prctl(ARCH_GET_GS, (unsigned long)&gs));
	CHECK_EQ(gs, 0);

	/* Errors. */
	CHECK_ERR(sys_arch_prctl(0x1fff, 0), EINVAL);
	CHECK_ERR(sys_arch_prctl(ARCH_SET_FS, 0x8000000000000000UL), EPERM);
	CHECK_ERR(sys_arch_prctl(ARCH_SET_GS, 0xffff800000000000UL), EPERM);
	CHECK_ERR(sys_arch_prctl(ARCH_GET_FS, 8), EFAULT);
	CHECK_OK(sys_arch_prctl(ARCH_GET_FS, (unsigned long)&fs2));
	CHECK_EQ(fs2, fs);

	/* set_tid_address returns the tid. */
	static int ctid;
	CHECK_EQ(syscall(SYS_set_tid_address, &ctid), gettid());
	PASS();
}
