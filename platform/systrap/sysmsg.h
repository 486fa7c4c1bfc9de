/* platform/systrap/sysmsg.h: the layout of a systrap stub's address range
 * and of the pages the stub shares with the sentry.
 *
 * Included by stub.S as well as by C, so it holds only #defines. Offsets
 * are relative to the stub region base S, which the sentry picks at
 * start-up above the guest's address range (aligned to 16 MiB):
 *
 *   S + 0x00000  code page (stub.S), read + exec
 *   S + 0x01000  control page, memory file, READ-ONLY in the stub: map
 *                requests for the map thread, the two seccomp programs,
 *                the signal stack of the thread being spawned
 *   S + 0x02000  response page, memory file, READ-ONLY in the stub (but
 *                in the zygote, which runs no guest code): map results
 *   S + 0x03000  map-stack page (anonymous): the map thread gathers a
 *                batch's results here; the zygote's stack
 *   S + 0x10000 + i * STUB_SLOT_SIZE  slot i (i < STUB_MAX_THREADS), one
 *                per guest thread, all memory file: its message page, then
 *                its signal stack up to the slot end. The handler finds the
 *                message page by rounding its stack pointer down to the
 *                slot size; the sentry reads the signal frame (the FP state
 *                in it) through its own view of the slot's pages.
 *   S + STUB_TRAMP_OFF  the patch trampolines (read + exec, memory file,
 *                the same pages in every stub): TRAP_SLOTS of TRAMP_SIZE
 *                bytes, see patch.c.
 *
 * Patched syscall sites jump through the trap table, TRAP_TABLE_SIZE bytes
 * at the fixed guest address TRAP_TABLE_ADDR (below 2 GiB, so that
 * `jmp *abs32` reaches it from anywhere; read-only, memory file, the same
 * pages in every stub; the memory manager reserves the range in every
 * address space). Entry i holds the address of trampoline i.
 *
 * The stub's first thread is its map thread; guest threads are clones of
 * it (a request like any map request), one per (ctx, address space).
 *
 * Everything in the shared pages is written by the guest's own process and
 * is untrusted in the sentry, except the control page, which the stub can
 * only read, and the response page's completion word (see below). */
#pragma once

#define STUB_PAGE		0x1000
#define STUB_MAX_THREADS	1024
#define STUB_SLOTS_END		(STUB_SLOT_OFF + STUB_MAX_THREADS * STUB_SLOT_SIZE)
#define STUB_TRAMP_OFF		STUB_SLOTS_END
#define STUB_REGION		(STUB_TRAMP_OFF + TRAP_SLOTS * TRAMP_SIZE)
#define STUB_ALIGN		0x8000000	/* > STUB_REGION: no carry in 32-bit checks */
#define STUB_CTL_OFF		0x1000
#define STUB_RSP_OFF		0x2000
#define STUB_MAPSTACK_OFF	0x3000
#define STUB_SLOT_OFF		0x10000
#define STUB_SLOT_SIZE		0x10000
#define STUB_ALTSTACK_OFF	(STUB_SLOT_OFF + STUB_PAGE)
#define STUB_ALTSTACK_SIZE	(STUB_SLOT_SIZE - STUB_PAGE)
#define STUB_SLOT_PAGES		(STUB_SLOT_SIZE / STUB_PAGE)
/* Syscall-site patching (patch.c). */
#define TRAP_TABLE_ADDR		0x60000	/* byte 2 of every entry address is 0x06: an invalid opcode */
#define TRAP_TABLE_SIZE		0x10000
#define TRAP_SLOTS		(TRAP_TABLE_SIZE / 8)
#define TRAMP_SIZE		32
/* clone flags of a guest thread: CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM */
#define STUB_THREAD_CLONE	0x50f00

/* --- message page of a guest thread -------------------------------------- */
#define MSG_STATE		0	/* u32: MSG_ST_* (futex word) */
#define MSG_STUB_SLEEP		4	/* u32: the stub may sleep on MSG_STATE */
#define MSG_SENTRY_SLEEP	8	/* u32: the sentry may sleep on MSG_STATE */
#define MSG_SIGNO		12	/* u32: signal that entered the handler */
#define MSG_SICODE		16	/* s32: siginfo si_code */
#define MSG_SIARCH		20	/* u32: si_arch (SIGSYS) */
#define MSG_SISYSCALL		24	/* s32: si_syscall (SIGSYS) */
#define MSG_SIADDR		32	/* u64: si_addr / si_call_addr */
#define MSG_HOST_FS		40	/* u64: fs base the handler last set */
#define MSG_HOST_GS		48	/* u64: gs base the handler last set */
#define MSG_FS_BASE		56	/* u64: fs base the sentry wants */
#define MSG_GS_BASE		64	/* u64: gs base the sentry wants */
#define MSG_UCTX		72	/* u64: the handler's ucontext (FP state) */
#define MSG_SELF		80	/* u64: this page's stub address (the trampolines' %gs base) */
#define MSG_VIA			88	/* u32: 0 the report came from the handler, 1 from a trampoline */
#define MSG_INTR		92	/* u32: the sentry wants the thread back (ctx_interrupt) */
#define MSG_SPIN		96	/* u32: pause iterations the stub spins (capped by CTL_SPIN) */
#define MSG_SENTRY_CPU		100	/* u32: the CPU the sentry's thread last woke on */
#define MSG_STUB_CPU		104	/* u32: the CPU the stub thread reported from */
#define MSG_GREGS		128	/* u64[23]: uc_mcontext.gregs */
#define MSG_NGREGS		23
#define MSG_NGREGS_IN		18	/* R8..EFL: what goes back into the guest */

/* MSG_STUB_SLEEP while the stub sleeps: its budget ran out, or it did
 * not spin at all because the sentry's thread shares its CPU. */
#define MSG_SLEEP_SPUN		1
#define MSG_SLEEP_SAME_CPU	2

/* The CPU a thread runs on, without a syscall: the limit of the per-CPU
 * GDT segment the kernel sets up for vgetcpu (cpu | node << 12). */
#define CPUNODE_SEG		0x7b

#define MSG_ST_SENTRY		1	/* stub stopped, sentry's turn */
#define MSG_ST_RUN		2	/* sentry done, stub's turn */
#define MSG_ST_EXIT		3	/* the stub thread is to exit (ctx_release) */
#define MSG_ST_CONVERT		4	/* trampoline stop: re-report through the handler (a signal frame) */

/* --- control page (read-only in the stub) -------------------------------- */
#define CTL_REQ_SEQ		0	/* u32: bumped per batch (futex word) */
#define CTL_NREQ		4	/* u32: requests in this batch */
#define CTL_ZERO_MASK		8	/* u64: an empty signal mask */
#define CTL_START_MASK		16	/* u64: the mask the guest thread starts with */
#define CTL_SPIN		24	/* u32: pause iterations the handler spins */
#define CTL_MEMFD		28	/* u32: the memory file's fd in the stub */
#define CTL_RSP_FOFF		32	/* u64: the response page's memory-file offset */
#define CTL_BOOT_NREQ		40	/* u32: the mmaps (at CTL_REQS) an exec'ed
					 * zygote makes first (stub.S: systrap_stub_boot) */
#define CTL_REQS		64	/* CTL_MAXREQ x {nr, a1..a6} */
#define CTL_REQ_SIZE		56
#define CTL_MAXREQ		32
#define CTL_GUEST_PROG		2048	/* struct sock_fprog, then the insns */
#define CTL_GUEST_INSNS		2064
#define CTL_GUEST_MAXINSNS	64
#define CTL_MAP_PROG		2816
#define CTL_MAP_INSNS		2832
#define CTL_MAP_MAXINSNS	64
#define CTL_SPAWN_SS		3392	/* stack_t: the signal stack of a new thread */

/* --- response page (READ-ONLY in a stub, but for the zygote's) ----------- *
 * The map thread writes it with pwrite64 on the memory file: the results
 * (gathered in the map-stack page) first, then the batch's sequence number,
 * copied from the control page. A guest thread can neither write it nor
 * make that syscall, so a completion the sentry sees is the map thread's,
 * after the batch; only the results can be garbage (the map-stack page is
 * writable), and the sentry checks them as guest input. */
#define RSP_SEQ			0	/* u32: last batch served (futex word) */
#define RSP_RETS		64	/* s64[CTL_MAXREQ] */

