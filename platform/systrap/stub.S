/* platform/systrap/stub.S: the code page of a systrap stub process.
 *
 * Position independent; copied to the start of the stub region S (see
 * sysmsg.h). The zygote, freshly forked from the sentry, has mapped its
 * control and response pages, set its signal handlers and blocked every
 * signal (stub.c), then jumps to systrap_code_start with
 *   rdi = S, rsi = S + STUB_REGION, rdx = top of the user address space,
 *   rcx = 1 (the zygote), r8 = the memory file's fd.
 * The entry unmaps everything else and serves fork requests (zygote,
 * below); each stub it forks maps its own control and response pages and
 * goes on at mapper (where rcx = 0 would lead too), which installs the
 * map thread's seccomp filter and becomes the map thread: it runs batches
 * of host syscalls the sentry writes into the control page. One of them is clone: the child
 * starts a guest thread (thread_start): it takes the signal stack named
 * in the control page (its slot), unblocks the trap signals, adds the
 * guest seccomp filter and executes ud2: the SIGILL handler reports to the
 * sentry, which answers with the guest's first registers.
 *
 * The handler (every trap signal and the interrupt signal) copies the
 * signal's ucontext registers into the thread's message page, hands the
 * turn to the sentry, waits for it to hand the turn back, copies the
 * registers back, applies fs/gs base changes, clears the signal mask and
 * returns to the guest with rt_sigreturn, which also restores the FP state
 * from the frame (the sentry may have rewritten it). If the sentry asks
 * the thread to exit instead, it exits alone. It uses the signal stack only.
 *
 * systrap_tramp_entry and tramp_exit are the patched-site path: the same
 * exchange without a signal (see the comment there and patch.c). */
#include "platform/systrap/sysmsg.h"

#define NR_MMAP		9
#define NR_PWRITE64	18
#define NR_MUNMAP	11
#define NR_RT_SIGPROCMASK 14
#define NR_RT_SIGRETURN	15
#define NR_CLONE	56
#define NR_EXIT		60
#define NR_SIGALTSTACK	131
#define NR_ARCH_PRCTL	158
#define NR_FUTEX	202
#define NR_EXIT_GROUP	231
#define NR_PRCTL	157
#define NR_RT_SIGACTION	13
#define PR_SET_NAME	15
#define SIGSTOP		19
#define SIGTRAP		5
#define SIGBUS		7
#define SIGFPE		8
#define SIGSEGV		11
/* SA_SIGINFO | SA_ONSTACK | SA_RESTORER */
#define SA_STUB_FLAGS	0x0c000004
#define USER_TOP	0x7ffffffff000	/* SYSTRAP_USER_TOP */
#define PR_SET_PDEATHSIG 1
#define SIGKILL		9
#define CLONE_PARENT	0x8000
#define MAP_SHARED_FIXED 0x11
#define NR_SECCOMP	317
#define FUTEX_WAIT	0
#define FUTEX_WAKE	1
#define ARCH_SET_GS	0x1001
#define ARCH_SET_FS	0x1002
#define UC_GREGS	40
#define UC_SIGMASK	296
#define SIGILL		4
#define SIGSYS		31
#define SIG_INTERRUPT	23	/* SYSTRAP_SIG_INTERRUPT (SIGURG) */
#define SYS_SECCOMP	1
#define AUDIT_ARCH_X86_64 0xc000003e
/* uc_mcontext.gregs indices */
#define G_R8	0
#define G_R9	1
#define G_R10	2
#define G_R11	3
#define G_R12	4
#define G_R13	5
#define G_R14	6
#define G_R15	7
#define G_RDI	8
#define G_RSI	9
#define G_RBP	10
#define G_RBX	11
#define G_RDX	12
#define G_RAX	13
#define G_RCX	14
#define G_RSP	15
#define G_RIP	16
#define G_EFL	17
/* A message-page word, with rsp = the top of the message page */
#define M(g)	(MSG_GREGS + 8 * (g) - STUB_PAGE)(%rsp)
/* The same with rbx = the message page */
#define B(g)	(MSG_GREGS + 8 * (g))(%rbx)

/* The syscall of a control-page request {nr, a1..a6} at (base). */
.macro REQ_SYSCALL base
	mov 0(\base), %rax
	mov 8(\base), %rdi
	mov 16(\base), %rsi
	mov 24(\base), %rdx
	mov 32(\base), %r10
	mov 40(\base), %r8
	mov 48(\base), %r9
	syscall
.endm

	.section .rodata
	.globl systrap_code_start, systrap_code_end, systrap_stub_handler
	.globl systrap_stub_restorer, systrap_tramp_entry, systrap_stub_boot
	.globl systrap_stub_sigs
	.balign 16
systrap_code_start:
	mov %rdi, %r12
	mov %rsi, %r13
	mov %rdx, %r14
	mov %rcx, %rbx			/* 1: become the zygote (see below) */
	mov %r8, %rbp			/* the memory file's fd (zygote) */
	/* munmap(0, TRAP_TABLE_ADDR), munmap(table end, S - table end): the
	 * trap table stays (stub.c mapped it, or unmapped it when patching
	 * is off) */
	mov $NR_MUNMAP, %eax
	xor %edi, %edi
	mov $TRAP_TABLE_ADDR, %esi
	syscall
	mov $NR_MUNMAP, %eax
	mov $(TRAP_TABLE_ADDR + TRAP_TABLE_SIZE), %edi
	mov %r12, %rsi
	sub %rdi, %rsi
	syscall
	/* munmap(S + REGION, top - (S + REGION)) */
	mov $NR_MUNMAP, %eax
	mov %r13, %rdi
	mov %r14, %rsi
	sub %r13, %rsi
	syscall
	cmp $1, %rbx
	je zygote
	jmp mapper
die:
	mov $NR_EXIT_GROUP, %eax
	mov $126, %edi
	syscall
	ud2

/* The map thread: serves batches of mmap/munmap/mprotect/clone requests
 * from the read-only control page, forever. r12 = S. */
mapper:
	mov $NR_SECCOMP, %eax
	mov $1, %edi
	xor %esi, %esi
	lea (STUB_CTL_OFF + CTL_MAP_PROG)(%r12), %rdx
	syscall
	test %rax, %rax
	jnz die
	lea STUB_CTL_OFF(%r12), %r13
	lea STUB_RSP_OFF(%r12), %r14
	xor %r15d, %r15d		/* last batch served */
	/* r12 from here: where the next result goes, in the map-stack page */
1:	mov CTL_REQ_SEQ(%r13), %eax
	cmp %eax, %r15d
	jne 2f
	mov $NR_FUTEX, %eax
	lea CTL_REQ_SEQ(%r13), %rdi
	mov $FUTEX_WAIT, %esi
	mov %r15d, %edx
	xor %r10d, %r10d
	syscall
	jmp 1b
2:	mov %eax, %r15d
	mov CTL_NREQ(%r13), %ebp
	cmp $CTL_MAXREQ, %ebp
	jbe 3f
	mov $CTL_MAXREQ, %ebp
3:	lea CTL_REQS(%r13), %rbx
	lea (STUB_MAPSTACK_OFF - STUB_CTL_OFF)(%r13), %r12
4:	test %ebp, %ebp
	jz 5f
	REQ_SYSCALL %rbx
	test %rax, %rax
	jnz 6f
	cmpq $NR_CLONE, 0(%rbx)
	je thread_start			/* the new guest thread */
6:	mov %rax, (%r12)
	add $8, %r12
	add $CTL_REQ_SIZE, %rbx
	dec %ebp
	jmp 4b
	/* The response page is read-only here: pwrite64 on the memory file,
	 * the results, then the sequence number from the control page (see
	 * sysmsg.h). Syscalls keep rdx. */
5:	mov $NR_PWRITE64, %eax
	mov CTL_MEMFD(%r13), %edi
	lea (STUB_MAPSTACK_OFF - STUB_CTL_OFF)(%r13), %rsi
	mov %r12, %rdx
	sub %rsi, %rdx
	mov CTL_RSP_FOFF(%r13), %r10
	add $RSP_RETS, %r10
	syscall
	cmp %rax, %rdx
	jne die
	mov $NR_PWRITE64, %eax
	mov CTL_MEMFD(%r13), %edi
	lea CTL_REQ_SEQ(%r13), %rsi
	mov $4, %edx
	mov CTL_RSP_FOFF(%r13), %r10
	add $RSP_SEQ, %r10
	syscall
	cmp %rax, %rdx
	jne die
	mov $NR_FUTEX, %eax
	lea RSP_SEQ(%r14), %rdi
	mov $FUTEX_WAKE, %esi
	mov $1, %edx
	xor %r10d, %r10d
	syscall
	jmp 1b

/* The zygote: a stub that forks stubs, so that a new stub copies this
 * small process rather than the sentry. It serves requests like the map
 * thread (control page CTL_REQ_SEQ; results in the response page), one
 * per batch: an empty batch is a ping; else request 0's a1 and a2 are the
 * memory-file offsets of the new stub's control and response pages. The
 * child (CLONE_PARENT: the sentry's forking thread is its parent too, and
 * it inherits the zygote's exit signal: none)
 * sets its parent-death signal, maps its own control and response pages
 * over the zygote's and becomes a map thread. The zygote never runs
 * guest code and makes no other syscall. r12 = S, rbp = memory file fd. */
zygote:
	lea (STUB_MAPSTACK_OFF + STUB_PAGE)(%r12), %rsp
	lea STUB_CTL_OFF(%r12), %r13
	lea STUB_RSP_OFF(%r12), %r14
	xor %r15d, %r15d		/* last request served */
1:	mov CTL_REQ_SEQ(%r13), %eax
	cmp %eax, %r15d
	jne 2f
	mov $NR_FUTEX, %eax
	lea CTL_REQ_SEQ(%r13), %rdi
	mov $FUTEX_WAIT, %esi
	mov %r15d, %edx
	xor %r10d, %r10d
	syscall
	jmp 1b
2:	mov %eax, %r15d
	xor %eax, %eax
	cmpl $0, CTL_NREQ(%r13)
	je 3f
	mov (CTL_REQS + 8)(%r13), %rbx	/* the child's control page */
	push (CTL_REQS + 16)(%r13)	/* and response page (on its stack copy) */
	mov $NR_CLONE, %eax
	mov $CLONE_PARENT, %edi		/* exit signal: the zygote's (none) */
	xor %esi, %esi
	xor %edx, %edx
	xor %r10d, %r10d
	xor %r8d, %r8d
	syscall
	test %rax, %rax
	jz zchild
	pop %rcx
3:	mov %rax, RSP_RETS(%r14)
	mov %r15d, %eax
	xchg %eax, RSP_SEQ(%r14)
	mov $NR_FUTEX, %eax
	lea RSP_SEQ(%r14), %rdi
	mov $FUTEX_WAKE, %esi
	mov $1, %edx
	xor %r10d, %r10d
	syscall
	jmp 1b

zchild:
	mov $NR_PRCTL, %eax
	mov $PR_SET_PDEATHSIG, %edi
	mov $SIGKILL, %esi
	syscall
	test %rax, %rax
	jnz die
	mov $NR_MMAP, %eax
	lea STUB_CTL_OFF(%r12), %rdi
	mov $STUB_PAGE, %esi
	mov $1, %edx			/* PROT_READ */
	mov $MAP_SHARED_FIXED, %r10d
	mov %rbp, %r8
	mov %rbx, %r9
	syscall
	cmp %rax, %rdi
	jne die
	mov $NR_MMAP, %eax
	lea STUB_RSP_OFF(%r12), %rdi
	mov $STUB_PAGE, %esi
	mov $1, %edx			/* PROT_READ: the map thread pwrites it */
	mov $MAP_SHARED_FIXED, %r10d
	mov %rbp, %r8
	pop %r9
	syscall
	cmp %rax, %rdi
	jne die
	jmp mapper

/* A new guest thread, cloned by the map thread: r13 = control page. Its
 * signal mask is still all-blocked and its filter the map thread's. */
thread_start:
	mov $NR_SIGALTSTACK, %eax
	lea CTL_SPAWN_SS(%r13), %rdi
	xor %esi, %esi
	syscall
	test %rax, %rax
	jnz die
	mov $NR_RT_SIGPROCMASK, %eax
	mov $2, %edi			/* SIG_SETMASK */
	lea CTL_START_MASK(%r13), %rsi
	xor %edx, %edx
	mov $8, %r10d
	syscall
	test %rax, %rax
	jnz die
	/* seccomp(SECCOMP_SET_MODE_FILTER, 0, guest program) */
	mov $NR_SECCOMP, %eax
	mov $1, %edi
	xor %esi, %esi
	lea CTL_GUEST_PROG(%r13), %rdx
	syscall
	test %rax, %rax
	jnz die
	/* Report to the sentry; its answer starts the guest. */
	ud2

/* handler(signo, siginfo, ucontext), on the slot's signal stack.
 *
 * Signals taken inside the stub region (the trampolines) are special: the
 * interrupt signal only sets MSG_INTR there (the thread is on its way to
 * the sentry, or back, and tramp_exit turns back to the sentry when it
 * sees the flag) and rewinds the restartable exit window to its start;
 * the ud2 at
 * tramp_convert re-reports a trampoline stop through a signal frame (its
 * registers are in the message page already). */
	.balign 16
systrap_stub_handler:
	mov %rsp, %rbx
	and $~(STUB_SLOT_SIZE - 1), %rbx	/* the message page */
	mov %rdx, %r12				/* ucontext */
	cld
	mov (UC_GREGS + 8 * G_RIP)(%r12), %rax
	lea systrap_code_start(%rip), %rcx
	sub %rcx, %rax				/* rip - S */
	cmp $STUB_REGION, %rax
	jae .Lreport
	cmp $SIG_INTERRUPT, %edi
	jne 2f
	movl $1, MSG_INTR(%rbx)		/* seen by tramp_exit */
	cmp $(tramp_exit - systrap_code_start), %rax
	jb 1f
	cmp $(tramp_exit_end - systrap_code_start), %rax
	jae 1f
	lea tramp_exit(%rip), %rcx
	mov %rcx, (UC_GREGS + 8 * G_RIP)(%r12)
1:	mov %r12, %rsp
	mov $NR_RT_SIGRETURN, %eax
	syscall
	ud2
2:	cmp $SIGILL, %edi
	jne .Lreport
	cmp $(tramp_convert - systrap_code_start), %rax
	jne .Lreport
	mov %r12, MSG_UCTX(%rbx)
	movl $0, MSG_VIA(%rbx)
	jmp .Lwait
.Lreport:
	mov %edi, MSG_SIGNO(%rbx)
	mov %r12, MSG_UCTX(%rbx)
	movl $0, MSG_VIA(%rbx)
	mov 8(%rsi), %eax
	mov %eax, MSG_SICODE(%rbx)
	mov 16(%rsi), %rax
	mov %rax, MSG_SIADDR(%rbx)
	mov 24(%rsi), %eax
	mov %eax, MSG_SISYSCALL(%rbx)
	mov 28(%rsi), %eax
	mov %eax, MSG_SIARCH(%rbx)
	lea UC_GREGS(%r12), %rsi
	lea MSG_GREGS(%rbx), %rdi
	mov $MSG_NGREGS, %ecx
	rep movsq
.Lwait:
	call handoff
	cmp $MSG_ST_RUN, %eax
	je 5f
	cmp $MSG_ST_CONVERT, %eax
	jne thread_exit
	movl $0, MSG_VIA(%rbx)		/* already a signal frame: report again */
	jmp .Lwait
5:	lea MSG_GREGS(%rbx), %rsi
	lea UC_GREGS(%r12), %rdi
	mov $MSG_NGREGS_IN, %ecx
	rep movsq
	/* fs and gs bases, when the sentry changed them */
	mov MSG_FS_BASE(%rbx), %rsi
	cmp MSG_HOST_FS(%rbx), %rsi
	je 6f
	mov %rsi, MSG_HOST_FS(%rbx)
	mov $NR_ARCH_PRCTL, %eax
	mov $ARCH_SET_FS, %edi
	syscall
6:	mov MSG_GS_BASE(%rbx), %rsi
	cmp MSG_HOST_GS(%rbx), %rsi
	je 7f
	mov %rsi, MSG_HOST_GS(%rbx)
	mov $NR_ARCH_PRCTL, %eax
	mov $ARCH_SET_GS, %edi
	syscall
7:	movq $0, UC_SIGMASK(%r12)
	mov %r12, %rsp
	mov $NR_RT_SIGRETURN, %eax
	syscall
	ud2

/* Hand the turn to the sentry and wait for it back: rbx = message page.
 * Wakes the sentry if it sleeps, spins a little, then sleeps on the
 * futex. Returns the new state in eax (not MSG_ST_SENTRY). Clobbers
 * rax, rcx, rdx, rsi, rdi, r10, r11. */
handoff:
	mov $CPUNODE_SEG, %eax
	lsl %eax, %esi
	and $0xfff, %esi
	mov %esi, MSG_STUB_CPU(%rbx)
	mov $MSG_ST_SENTRY, %eax
	xchg %eax, MSG_STATE(%rbx)
	cmpl $0, MSG_SENTRY_SLEEP(%rbx)
	je 1f
	mov $NR_FUTEX, %eax
	lea MSG_STATE(%rbx), %rdi
	mov $FUTEX_WAKE, %esi
	mov $1, %edx
	xor %r10d, %r10d
	syscall
	jmp 5f			/* where the woken sentry runs is not known yet: spin */
1:	mov $MSG_SLEEP_SAME_CPU, %edx	/* a spinning sentry on this CPU: let it run */
	cmp MSG_SENTRY_CPU(%rbx), %esi
	je 3f
5:	mov $MSG_SLEEP_SPUN, %edx
	lea systrap_code_start(%rip), %rcx
	mov (STUB_CTL_OFF + CTL_SPIN)(%rcx), %ecx
	cmp MSG_SPIN(%rbx), %ecx	/* the sentry's adaptive budget, capped */
	jbe 0f
	mov MSG_SPIN(%rbx), %ecx
0:	test %ecx, %ecx
	jz 3f
2:	mov MSG_STATE(%rbx), %eax
	cmp $MSG_ST_SENTRY, %eax
	jne 9f
	pause
	dec %ecx
	jnz 2b
3:	mov %edx, %eax
	xchg %eax, MSG_STUB_SLEEP(%rbx)
	mov MSG_STATE(%rbx), %eax
	cmp $MSG_ST_SENTRY, %eax
	jne 4f
	mov $NR_FUTEX, %eax
	lea MSG_STATE(%rbx), %rdi
	mov $FUTEX_WAIT, %esi
	mov $MSG_ST_SENTRY, %edx
	xor %r10d, %r10d
	syscall
	mov MSG_STUB_SLEEP(%rbx), %edx
	jmp 3b
4:	movl $0, MSG_STUB_SLEEP(%rbx)
9:	ret

/* A patched syscall site jumped here through its trampoline (patch.c)
 * with the guest's registers, except rax = the syscall number and rcx =
 * the address after the site, as the syscall instruction leaves them;
 * %gs is the thread's message page. No signal, no host syscall when the
 * sentry answers while we spin. The guest's stack is not touched (it may
 * hold a red zone); the top of the message page is the stack here. r11
 * becomes rflags, as after a syscall. The FP state stays in the CPU: the
 * sentry converts the stop into a signal frame when it needs it. */
	.balign 16
systrap_tramp_entry:
	mov %rsp, %gs:(MSG_GREGS + 8 * G_RSP)
	mov %gs:MSG_SELF, %rsp
	lea STUB_PAGE(%rsp), %rsp	/* lea: the flags are still the guest's */
	pushfq
	pop %r11
	mov %r8, M(G_R8)
	mov %r9, M(G_R9)
	mov %r10, M(G_R10)
	mov %r11, M(G_R11)
	mov %r12, M(G_R12)
	mov %r13, M(G_R13)
	mov %r14, M(G_R14)
	mov %r15, M(G_R15)
	mov %rdi, M(G_RDI)
	mov %rsi, M(G_RSI)
	mov %rbp, M(G_RBP)
	mov %rbx, M(G_RBX)
	mov %rdx, M(G_RDX)
	mov %rax, M(G_RAX)
	mov %rcx, M(G_RCX)
	mov %rcx, M(G_RIP)
	mov %r11, M(G_EFL)
	lea -STUB_PAGE(%rsp), %rbx
	movl $SIGSYS, MSG_SIGNO(%rbx)
	movl $SYS_SECCOMP, MSG_SICODE(%rbx)
	movl $AUDIT_ARCH_X86_64, MSG_SIARCH(%rbx)
	mov %eax, MSG_SISYSCALL(%rbx)
	mov %rcx, MSG_SIADDR(%rbx)
	movl $1, MSG_VIA(%rbx)
tramp_wait:
	call handoff
	cmp $MSG_ST_RUN, %eax
	je tramp_exit
	cmp $MSG_ST_CONVERT, %eax
	jne thread_exit
tramp_convert:
	ud2

/* Back to the guest with the registers in the message page. Restartable
 * from tramp_exit until the final jump (the handler rewinds an interrupt
 * taken in this window), so it recomputes everything from %gs. The
 * sentry sends a thread back this way only when rflags has no trap flag
 * and the gs base stays the message page. */
tramp_exit:
	mov %gs:MSG_SELF, %rsp
	lea STUB_PAGE(%rsp), %rsp
	lea -STUB_PAGE(%rsp), %rbx
	cmpl $0, MSG_INTR(%rbx)
	jne tramp_interrupted
	mov MSG_FS_BASE(%rbx), %rsi
	cmp MSG_HOST_FS(%rbx), %rsi
	je 1f
	mov $NR_ARCH_PRCTL, %eax
	mov $ARCH_SET_FS, %edi
	syscall
	mov MSG_FS_BASE(%rbx), %rsi
	mov %rsi, MSG_HOST_FS(%rbx)
1:	pushq B(G_EFL)
	mov B(G_R8), %r8
	mov B(G_R9), %r9
	mov B(G_R10), %r10
	mov B(G_R11), %r11
	mov B(G_R12), %r12
	mov B(G_R13), %r13
	mov B(G_R14), %r14
	mov B(G_R15), %r15
	mov B(G_RDI), %rdi
	mov B(G_RSI), %rsi
	mov B(G_RBP), %rbp
	mov B(G_RDX), %rdx
	mov B(G_RAX), %rax
	mov B(G_RCX), %rcx
	mov B(G_RBX), %rbx
	popfq
	mov %gs:(MSG_GREGS + 8 * G_RSP), %rsp
	jmp *%gs:(MSG_GREGS + 8 * G_RIP)
tramp_exit_end:

/* The sentry wants the thread back before it reaches the guest: report
 * an interrupt with the registers it gave us, untouched. */
tramp_interrupted:
	movl $SIG_INTERRUPT, MSG_SIGNO(%rbx)
	movl $1, MSG_VIA(%rbx)
	jmp tramp_wait

/* The sentry released this thread's context: exit this thread only. */
thread_exit:
	mov $NR_EXIT, %eax
	xor %edi, %edi
	syscall
	ud2

/* sa_restorer (x86-64 requires one); the handler never returns to it. */
systrap_stub_restorer:
	mov $NR_RT_SIGRETURN, %eax
	syscall
	ud2

/* The entry of the stub image (stub.c, stub_image_make): an ELF whose one
 * loadable page is this code page, at S, exec'ed (execveat of a sealed
 * memfd) by a vfork-like child of the forker, which has set the
 * parent-death signal, the session, no_new_privs (inherited), the blocked
 * signals and the fds (the memory file's only, not close-on-exec). The
 * stack holds argc, then argv: a name, the memory file's fd, the control
 * page's and the response page's memory-file offsets, and 1 for the
 * zygote (else 0), in decimal. Here, as stub.c's stub_child does for a
 * forked stub: map the control, response (writable for the zygote) and
 * map-stack pages, name the process, set every signal to its default and
 * the stub's to the handler, and go on at the entry (rcx = the zygote
 * flag). A map thread gets the trap table and the trampolines with its
 * first batch (systrap_patch_stub_reqs); the zygote, which serves no
 * batch and whose forks inherit them, maps them here: the control page's
 * requests (CTL_BOOT_NREQ mmaps at CTL_REQS, each of which must land at
 * its address), which the forker wrote there before the exec: not
 * CTL_NREQ, which the forker's first call (a ping) may clear before we
 * read it. */
systrap_stub_boot:
	lea systrap_code_start(%rip), %r12	/* S */
	mov 16(%rsp), %rdi
	call parse_dec
	mov %rax, %rbp				/* the memory file's fd */
	mov 24(%rsp), %rdi
	call parse_dec
	mov %rax, %r13				/* the control page's offset */
	mov 32(%rsp), %rdi
	call parse_dec
	mov %rax, %r14				/* the response page's offset */
	mov 40(%rsp), %rdi
	call parse_dec
	mov %rax, %rbx				/* 1: the zygote */
	/* mmap(S + STUB_CTL_OFF, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, fd, ctl) */
	lea STUB_CTL_OFF(%r12), %rdi
	mov %r13, %r9
	mov $1, %edx
	mov $MAP_SHARED_FIXED, %r10d
	call boot_mmap
	lea STUB_RSP_OFF(%r12), %rdi
	mov %r14, %r9
	mov $1, %edx
	add %ebx, %edx				/* PROT_WRITE too for the zygote */
	add %ebx, %edx
	mov $MAP_SHARED_FIXED, %r10d
	call boot_mmap
	/* the map stack: private anonymous (MAP_PRIVATE | MAP_ANONYMOUS |
	 * MAP_FIXED = 0x32), read and write */
	lea STUB_MAPSTACK_OFF(%r12), %rdi
	xor %r9d, %r9d
	mov $3, %edx
	mov $0x32, %r10d
	mov $-1, %r8
	call boot_mmap_fd
	/* prctl(PR_SET_NAME, "cvisor-stub") */
	mov $NR_PRCTL, %eax
	mov $PR_SET_NAME, %edi
	lea stub_name(%rip), %rsi
	syscall
	/* struct kernel_sigaction on the stack: handler, flags, restorer,
	 * mask; first all zero (SIG_DFL) for every signal. */
	sub $32, %rsp
	movq $0, 0(%rsp)
	movq $0, 8(%rsp)
	movq $0, 16(%rsp)
	movq $0, 24(%rsp)
	mov $1, %r15d
1:	cmp $SIGKILL, %r15d
	je 2f
	cmp $SIGSTOP, %r15d
	je 2f
	mov $NR_RT_SIGACTION, %eax
	mov %r15d, %edi
	mov %rsp, %rsi
	xor %edx, %edx
	mov $8, %r10d
	syscall
2:	inc %r15d
	cmp $64, %r15d
	jbe 1b
	lea systrap_stub_handler(%rip), %rax
	mov %rax, 0(%rsp)
	movq $SA_STUB_FLAGS, 8(%rsp)
	lea systrap_stub_restorer(%rip), %rax
	mov %rax, 16(%rsp)
	movq $-1, 24(%rsp)
	lea systrap_stub_sigs(%rip), %r15
3:	movzbl (%r15), %edi
	test %edi, %edi
	jz 4f
	mov $NR_RT_SIGACTION, %eax
	mov %rsp, %rsi
	xor %edx, %edx
	mov $8, %r10d
	syscall
	test %rax, %rax
	jnz boot_die
	inc %r15
	jmp 3b
4:	test %rbx, %rbx
	jz 6f
	/* The zygote: the control page's requests. */
	lea STUB_CTL_OFF(%r12), %r13
	mov CTL_BOOT_NREQ(%r13), %r15d
	cmp $CTL_MAXREQ, %r15d
	ja boot_die
	lea CTL_REQS(%r13), %r14
5:	test %r15d, %r15d
	jz 6f
	cmpq $NR_MMAP, 0(%r14)
	jne boot_die
	REQ_SYSCALL %r14
	cmp 8(%r14), %rax
	jne boot_die
	add $CTL_REQ_SIZE, %r14
	dec %r15d
	jmp 5b
6:	mov %r12, %rdi
	lea STUB_REGION(%r12), %rsi
	mov $USER_TOP, %rdx
	mov %rbx, %rcx
	mov %rbp, %r8
	jmp systrap_code_start

/* mmap(rdi, STUB_PAGE, prot edx, flags r10, fd rbp, offset r9) or die */
boot_mmap:
	mov %rbp, %r8
boot_mmap_fd:
	push %rdi
	mov $NR_MMAP, %eax
	mov $STUB_PAGE, %esi
	syscall
	pop %rcx
	cmp %rax, %rcx
	jne boot_die
	ret

/* rdi: a decimal string -> rax */
parse_dec:
	xor %eax, %eax
1:	movzbl (%rdi), %ecx
	test %ecx, %ecx
	jz 2f
	sub $'0', %ecx
	cmp $9, %ecx
	ja boot_die
	imul $10, %rax, %rax
	add %rcx, %rax
	inc %rdi
	jmp 1b
2:	ret

boot_die:
	mov $NR_EXIT_GROUP, %eax
	mov $127, %edi
	syscall
	ud2

stub_name:
	.asciz "cvisor-stub"
/* The signals the handler serves, 0-terminated: the trap signals and the
 * interrupt (here and in stub.c's stub_child). */
systrap_stub_sigs:
	.byte SIGSYS, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIG_INTERRUPT, 0
systrap_code_end:
	.section .note.GNU-stack,"",@progbits
