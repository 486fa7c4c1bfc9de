/* platform/ptrace/stub.S: the code page of a ptrace stub process.
 *
 * Position independent; copied to a fixed page above the guest's address
 * range. A freshly forked stub jumps to stub_entry with
 *   rdi = start of the stub page, rsi = end of the stub page,
 *   rdx = top of the user address space,
 * unmaps everything but this page (it needs no stack), and stops itself
 * with SIGSTOP for its tracer. The tracer then injects host syscalls by
 * pointing rip at stub_syscall: the syscall runs, int3 stops the stub.
 * Guest threads are made by injecting clone at stub_clone. */
	.section .rodata
	.globl ptrace_stub_start, ptrace_stub_end, ptrace_stub_syscall, ptrace_stub_clone
	.balign 16
ptrace_stub_start:
	mov %rdi, %r12
	mov %rsi, %r13
	mov %rdx, %r14
	/* munmap(0, stub_start) */
	mov $11, %eax
	xor %edi, %edi
	mov %r12, %rsi
	syscall
	/* munmap(stub_end, top - stub_end) */
	mov $11, %eax
	mov %r13, %rdi
	mov %r14, %rsi
	sub %r13, %rsi
	syscall
	/* kill(getpid(), SIGSTOP) */
	mov $39, %eax
	syscall
	mov %eax, %edi
	mov $19, %esi
	mov $62, %eax
	syscall
ptrace_stub_syscall:
	syscall
	int3
	jmp ptrace_stub_syscall
	/* An injected clone: the parent stops at int3 as usual; the new
	 * thread (rax 0, no stack needed) spins until its tracer seizes and
	 * interrupts it. */
ptrace_stub_clone:
	syscall
	test %rax, %rax
	jnz 2f
1:	pause
	jmp 1b
2:	int3
	jmp ptrace_stub_syscall
ptrace_stub_end:
	.section .note.GNU-stack,"",@progbits
