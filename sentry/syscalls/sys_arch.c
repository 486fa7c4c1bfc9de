/* sentry/syscalls/sys_arch.c: arch_prctl (FS/GS bases, CPUID faulting). */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"

#include <asm/prctl.h>
#include <errno.h>

int64_t sys_arch_prctl(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[1];
	switch ((int)a[0]) {
	case ARCH_SET_FS:
		if (addr >= t->mm->max_addr)
			return -EPERM;
		t->regs.fs_base = addr;
		return 0;
	case ARCH_SET_GS:
		if (addr >= t->mm->max_addr)
			return -EPERM;
		t->regs.gs_base = addr;
		return 0;
	case ARCH_GET_FS:
		return copy_out(t->mm, addr, &t->regs.fs_base, sizeof(uint64_t));
	case ARCH_GET_GS:
		return copy_out(t->mm, addr, &t->regs.gs_base, sizeof(uint64_t));
	case ARCH_GET_CPUID:
		return 1;	/* CPUID runs natively */
	case ARCH_SET_CPUID:
		return -ENODEV;	/* no CPUID faulting */
	default:
		return -EINVAL;
	}
}
