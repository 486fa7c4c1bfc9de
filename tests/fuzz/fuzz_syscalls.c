/* tests/fuzz/fuzz_syscalls.c: a libFuzzer target that feeds random
 * syscall numbers and arguments into the sentry's handlers
 * (syscall_dispatch) under ASan and UBSan.
 *
 * One task with its own mm (no platform: nothing runs guest code), a
 * tmpfs root, no stdio. Each 56-byte record of the input is a syscall:
 * a number (syscalls that would end the task, start processes, or sleep
 * on purpose are left out: exit, fork, execve, pause, futex waits,
 * pipes and eventfds that would block a read...) and six arguments, each
 * a small integer, a pointer into a 64 KiB region filled from the input,
 * a pointer to unmapped memory, or raw 64 bits. A crash, a sanitizer
 * report or a hang is a bug; the handlers' results are not checked. */
#include "fuzz_task.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/rlimit.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/fs_context.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define REGION 0x10000000UL
#define REGION_LEN 0x10000UL
#define MAX_ADDR (1ULL << 47)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool skipped(uint64_t nr)
{
	switch (nr) {
	case SYS_exit: case SYS_exit_group: case SYS_fork: case SYS_vfork: case SYS_clone:
	case SYS_clone3: case SYS_execve: case SYS_execveat: case SYS_pause:
	case SYS_rt_sigsuspend: case SYS_rt_sigtimedwait: case SYS_nanosleep:
	case SYS_clock_nanosleep: case SYS_futex: case SYS_wait4: case SYS_waitid:
	case SYS_pipe: case SYS_pipe2: case SYS_eventfd: case SYS_eventfd2: case SYS_mknod:
	case SYS_mknodat: case SYS_poll: case SYS_ppoll: case SYS_select: case SYS_pselect6:
	case SYS_epoll_wait: case SYS_epoll_pwait: case SYS_epoll_pwait2: case SYS_rt_sigreturn:
	case SYS_kill: case SYS_tkill: case SYS_tgkill: case SYS_rt_sigqueueinfo:
	case SYS_rt_tgsigqueueinfo: case SYS_alarm: case SYS_setitimer: case SYS_timer_create:
	case SYS_timer_settime: case SYS_restart_syscall: case SYS_sched_yield:
	case SYS_read: case SYS_readv: case SYS_pread64: case SYS_preadv: case SYS_preadv2:
	case SYS_vhangup: case SYS_reboot:
		return true;
	default:
		return nr >= SYSCALL_MAX;
	}
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct task *t = fuzz_task(MAX_ADDR);
	/* The region the pointers point into, refilled from the input. */
	mm_munmap(t->mm, REGION, REGION_LEN);
	if (mm_mmap(t->mm, REGION, REGION_LEN, PROT_READ | PROT_WRITE,
		    MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0) != (int64_t)REGION)
		return 0;
	size_t fill = size < REGION_LEN ? size : REGION_LEN;
	copy_out(t->mm, REGION, data, fill);
	for (size_t off = 0; off + 56 <= size; off += 56) {
		const uint8_t *rec = data + off;
		uint64_t nr;
		memcpy(&nr, rec, 8);
		nr %= 336;
		if (skipped(nr))
			continue;
		uint64_t a[6];
		for (int i = 0; i < 6; i++) {
			uint64_t v;
			memcpy(&v, rec + 8 + 8 * i, 8);
			switch (v & 3) {
			case 0: a[i] = (v >> 2) & 0xff; break;			/* small int / fd */
			case 1: a[i] = REGION + ((v >> 2) % REGION_LEN); break;	/* user pointer */
			case 2: a[i] = (v >> 2) & 0x7fffffffffffULL; break;	/* wild pointer */
			default: a[i] = v; break;
			}
		}
		syscall_dispatch(t, nr, a);
	}
	/* Close what the input opened, so that inputs stay independent. */
	for (int fd = 0; fd < 1024; fd++) {
		uint64_t c[6] = { (uint64_t)fd };
		syscall_dispatch(t, SYS_close, c);
	}
	return 0;
}
