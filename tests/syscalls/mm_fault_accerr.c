/*
 * mm_fault_accerr: the protection faults a program can recover from.
 * With a SIGSEGV handler (SA_SIGINFO), a write to a read-only page and a
 * call into a readable, writable but not executable page each deliver
 * SIGSEGV with si_code SEGV_ACCERR and si_addr the faulting address (the
 * instruction's own address for the call), again on a second try; a
 * write to an unmapped page gives SEGV_MAPERR. After mprotect adds the
 * permission, the same access works.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define PG 4096

static sigjmp_buf jb;
static volatile sig_atomic_t got_code;
static void *volatile got_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_code = si->si_code;
	got_addr = si->si_addr;
	siglongjmp(jb, 1);
}

/* Run fn(arg); the SIGSEGV it raised (its si_code), or 0 for none. */
static int faults(void (*fn)(void *), void *arg)
{
	got_code = 0;
	got_addr = NULL;
	if (sigsetjmp(jb, 1) == 0)
		fn(arg);
	return got_code;
}

static void write_byte(void *p) { *(volatile char *)p = 1; }
static void call_code(void *p) { ((void (*)(void))p)(); }

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	CHECK_OK(sigaction(SIGSEGV, &sa, NULL));

	char *ro = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED, "mmap");
	CHECK_EQ(ro[100], 0);	/* present, read-only */
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(faults(write_byte, ro + 100), SEGV_ACCERR);
		CHECK(got_addr == ro + 100, "write: si_addr %p, want %p", got_addr, ro + 100);
	}
	CHECK_OK(mprotect(ro, PG, PROT_READ | PROT_WRITE));
	CHECK_EQ(faults(write_byte, ro + 100), 0);
	CHECK_EQ(ro[100], 1);

	/* A ret instruction on a page that is written (present, writable)
	 * but not executable. */
	unsigned char *rw = mmap(NULL, PG, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(rw != MAP_FAILED, "mmap");
	rw[0] = 0xc3;
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(faults(call_code, rw), SEGV_ACCERR);
		CHECK(got_addr == rw, "exec: si_addr %p, want %p", got_addr, (void *)rw);
	}
	CHECK_OK(mprotect(rw, PG, PROT_READ | PROT_EXEC));
	CHECK_EQ(faults(call_code, rw), 0);

	CHECK_OK(munmap(ro, PG));
	CHECK_EQ(faults(write_byte, ro + 8), SEGV_MAPERR);
	CHECK(got_addr == ro + 8, "unmapped: si_addr %p, want %p", got_addr, ro + 8);
	PASS();
}
