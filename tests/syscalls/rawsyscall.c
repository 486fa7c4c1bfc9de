/*
 * rawsyscall: the bare `syscall` instruction, without libc. getpid agrees
 * with libc; syscall numbers 1000 and -1 return -ENOSYS; write(1, (void *)8,
 * 4) returns -EFAULT; write(1, buf, n) returns n. Across a syscall every
 * register except rax, rcx and r11 is preserved (rbx, rbp, rdx, rsi, rdi,
 * r8-r10, r12-r15), rcx holds the address of the next instruction and r11
 * the flags at the time of the syscall -- what the x86-64 SYSCALL ABI and
 * Linux guarantee, for known, unknown and failing system calls alike.
 */
#include <stdint.h>
#include <unistd.h>

#include "check.h"

static long raw3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

/* Registers after the syscall, in this order. */
struct regs {
	uint64_t rax, rbx, rbp, rdx, rsi, rdi, r8, r9, r10, r12, r13, r14, r15, rcx, r11, flags;
};

/* long regs_test(struct regs *out, long nr): loads every register with a
 * known value, executes `syscall` with rax = nr, stores the registers. */
extern long regs_test(struct regs *out, long nr);
extern char regs_test_after[];
__asm__(".text\n"
	".globl regs_test\n"
	".type regs_test, @function\n"
	"regs_test:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	push %rdi\n"			/* out at 8(%rsp) after pushfq */
	"	mov %rsi, %rax\n"
	"	movabs $0x1111111111111111, %rbx\n"
	"	movabs $0x2222222222222222, %rbp\n"
	"	movabs $0x3333333333333333, %rdx\n"
	"	movabs $0x4444444444444444, %rsi\n"
	"	movabs $0x5555555555555555, %rdi\n"
	"	movabs $0x6666666666666666, %r8\n"
	"	movabs $0x7777777777777777, %r9\n"
	"	movabs $0x0888888888888888, %r10\n"
	"	movabs $0x1212121212121212, %r12\n"
	"	movabs $0x1313131313131313, %r13\n"
	"	movabs $0x1414141414141414, %r14\n"
	"	movabs $0x1515151515151515, %r15\n"
	"	movabs $0x1c1c1c1c1c1c1c1c, %rcx\n"
	"	movabs $0x1b1b1b1b1b1b1b1b, %r11\n"
	"	pushfq\n"			/* flags at 0(%rsp), out at 8(%rsp) */
	"	syscall\n"
	".globl regs_test_after\n"
	"regs_test_after:\n"
	"	push %rdi\n"			/* rdi at 0, flags at 8, out at 16 */
	"	mov 16(%rsp), %rdi\n"
	"	mov %rax, 0(%rdi)\n"
	"	mov %rbx, 8(%rdi)\n"
	"	mov %rbp, 16(%rdi)\n"
	"	mov %rdx, 24(%rdi)\n"
	"	mov %rsi, 32(%rdi)\n"
	"	pop %rdx\n"
	"	mov %rdx, 40(%rdi)\n"
	"	mov %r8, 48(%rdi)\n"
	"	mov %r9, 56(%rdi)\n"
	"	mov %r10, 64(%rdi)\n"
	"	mov %r12, 72(%rdi)\n"
	"	mov %r13, 80(%rdi)\n"
	"	mov %r14, 88(%rdi)\n"
	"	mov %r15, 96(%rdi)\n"
	"	mov %rcx, 104(%rdi)\n"
	"	mov %r11, 112(%rdi)\n"
	"	pop %rdx\n"			/* flags */
	"	mov %rdx, 120(%rdi)\n"
	"	pop %rdi\n"			/* out */
	"	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n"
	".size regs_test, .-regs_test\n");

static void check_regs(long nr, long want_rax)
{
	struct regs r;
	memset(&r, 0, sizeof(r));
	long ret = regs_test(&r, nr);
	CHECK(ret == want_rax && (long)r.rax == want_rax, "syscall %ld returned %ld, want %ld", nr,
	      ret, want_rax);
	CHECK_EQ(r.rbx, 0x1111111111111111ULL);
	CHECK_EQ(r.rbp, 0x2222222222222222ULL);
	CHECK_EQ(r.rdx, 0x3333333333333333ULL);
	CHECK_EQ(r.rsi, 0x4444444444444444ULL);
	CHECK_EQ(r.rdi, 0x5555555555555555ULL);
	CHECK_EQ(r.r8, 0x6666666666666666ULL);
	CHECK_EQ(r.r9, 0x7777777777777777ULL);
	CHECK_EQ(r.r10, 0x0888888888888888ULL);
	CHECK_EQ(r.r12, 0x1212121212121212ULL);
	CHECK_EQ(r.r13, 0x1313131313131313ULL);
	CHECK_EQ(r.r14, 0x1414141414141414ULL);
	CHECK_EQ(r.r15, 0x1515151515151515ULL);
	CHECK(r.rcx == (uint64_t)(uintptr_t)regs_test_after,
	      "syscall %ld: rcx %#llx, want the next instruction %p", nr, (unsigned long long)r.rcx,
	      (void *)regs_test_after);
	CHECK(r.r11 == r.flags, "syscall %ld: r11 %#llx, want the flags %#llx", nr,
	      (unsigned long long)r.r11, (unsigned long long)r.flags);
}

int main(void)
{
	long pid = raw3(39 /* getpid */, 0, 0, 0);
	CHECK_EQ(pid, getpid());
	CHECK_EQ(raw3(1000, 0, 0, 0), -ENOSYS);
	CHECK_EQ(raw3(-1, 0, 0, 0), -ENOSYS);
	CHECK_EQ(raw3(1 /* write */, 1, 8, 4), -EFAULT);
	static const char msg[] = "rawsyscall: write through the syscall instruction\n";
	CHECK_EQ(raw3(1, 1, (long)msg, sizeof(msg) - 1), (long)sizeof(msg) - 1);

	check_regs(39, pid);
	check_regs(1000, -ENOSYS);
	check_regs(-1, -ENOSYS);
	/* write with fd 0x5555555555555555: EBADF */
	check_regs(1, -EBADF);
	PASS();
}
