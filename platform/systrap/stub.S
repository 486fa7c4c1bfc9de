/* platform/systrap/stub.S: the code page of a systrap stub process.
 *
 * Position independent; copied to the start of the stub region S (see
 * sysmsg.h). A freshly forked stub has mapped its control and response
 * pages, set its signal handlers and blocked every signal (stub.c), then
 * jumps to systrap_code_start with
 *   rdi = S, rsi = S + STUB_REGION, rdx = top of the user address space.
 * The entry unmaps everything else, installs the map thread's seccomp
 * filter and becomes the map thread: it runs batches of host syscalls the
 * sentry writes into the control page. One of them is clone: the child
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
 * the thread to exit instead, it exits alone. It uses no stack of its own. */
#include "platform/systrap/sysmsg.h"

#define NR_MMAP		9
#define NR_MUNMAP	11
#define NR_RT_SIGPROCMASK 14
#define NR_RT_SIGRETURN	15
#define NR_CLONE	56
#define NR_EXIT		60
#define NR_SIGALTSTACK	131
#define NR_ARCH_PRCTL	158
#define NR_FUTEX	202
#define NR_EXIT_GROUP	231
#define NR_SECCOMP	317
#define FUTEX_WAIT	0
#define FUTEX_WAKE	1
#define ARCH_SET_GS	0x1001
#define ARCH_SET_FS	0x1002
#define UC_GREGS	40
#define UC_SIGMASK	296

	.section .rodata
	.globl systrap_code_start, systrap_code_end, systrap_stub_handler
	.globl systrap_stub_restorer
	.balign 16
systrap_code_start:
	mov %rdi, %r12
	mov %rsi, %r13
	mov %rdx, %r14
	/* munmap(0, S) */
	mov $NR_MUNMAP, %eax
	xor %edi, %edi
	mov %r12, %rsi
	syscall
	/* munmap(S + REGION, top - (S + REGION)) */
	mov $NR_MUNMAP, %eax
	mov %r13, %rdi
	mov %r14, %rsi
	sub %r13, %rsi
	syscall
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
	lea RSP_RETS(%r14), %r12
4:	test %ebp, %ebp
	jz 5f
	mov 0(%rbx), %rax
	mov 8(%rbx), %rdi
	mov 16(%rbx), %rsi
	mov 24(%rbx), %rdx
	mov 32(%rbx), %r10
	mov 40(%rbx), %r8
	mov 48(%rbx), %r9
	syscall
	test %rax, %rax
	jnz 6f
	cmpq $NR_CLONE, 0(%rbx)
	je thread_start			/* the new guest thread */
6:	mov %rax, (%r12)
	add $8, %r12
	add $CTL_REQ_SIZE, %rbx
	dec %ebp
	jmp 4b
5:	mov %r15d, %eax
	xchg %eax, RSP_SEQ(%r14)
	mov $NR_FUTEX, %eax
	lea RSP_SEQ(%r14), %rdi
	mov $FUTEX_WAKE, %esi
	mov $1, %edx
	xor %r10d, %r10d
	syscall
	jmp 1b

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

/* handler(signo, siginfo, ucontext), on the slot's signal stack. */
	.balign 16
systrap_stub_handler:
	mov %rsp, %rbx
	and $~(STUB_SLOT_SIZE - 1), %rbx	/* the message page */
	mov %rdx, %r12				/* ucontext */
	cld
	mov %edi, MSG_SIGNO(%rbx)
	mov %r12, MSG_UCTX(%rbx)
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
	/* The sentry's turn; wake it if it sleeps. */
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
	/* Spin a little, then sleep, until the sentry hands the turn back. */
1:	mov (STUB_CTL_OFF - STUB_SLOT_OFF + CTL_SPIN)(%rbx), %ecx
	test %ecx, %ecx
	jz 3f
2:	mov MSG_STATE(%rbx), %eax
	cmp $MSG_ST_RUN, %eax
	je 5f
	cmp $MSG_ST_SENTRY, %eax
	jne thread_exit
	pause
	dec %ecx
	jnz 2b
3:	mov $1, %eax
	xchg %eax, MSG_STUB_SLEEP(%rbx)
	mov MSG_STATE(%rbx), %eax
	cmp $MSG_ST_RUN, %eax
	je 4f
	cmp $MSG_ST_SENTRY, %eax
	jne thread_exit
	mov $NR_FUTEX, %eax
	lea MSG_STATE(%rbx), %rdi
	mov $FUTEX_WAIT, %esi
	mov $MSG_ST_SENTRY, %edx
	xor %r10d, %r10d
	syscall
	jmp 3b
4:	movl $0, MSG_STUB_SLEEP(%rbx)
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
systrap_code_end:
	.section .note.GNU-stack,"",@progbits
