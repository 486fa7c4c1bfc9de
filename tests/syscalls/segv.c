/*
 * segv: a write to address 0 with no SIGSEGV handler kills the process
 * with SIGSEGV, so the exit status seen by the caller is 128 + 11.
 */
// expect-status: 139
#include <stdint.h>
#include <unistd.h>

int main(void)
{
	static const char msg[] = "segv: writing to address 0\n";
	if (write(2, msg, sizeof(msg) - 1) < 0)
		return 2;
	*(volatile int *)(uintptr_t)0 = 1;
	static const char bad[] = "segv: FAIL: still alive after writing to address 0\n";
	if (write(2, bad, sizeof(bad) - 1) < 0)
		return 3;
	return 1;
}
