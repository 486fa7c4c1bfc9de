/*
 * exit: the exit status of a process that ends with the raw exit system
 * call (not exit_group) from its only thread is the low 8 bits of the
 * argument: exit(300) is status 44.
 */
// expect-status: 44
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	syscall(SYS_exit, 300);
	return 1;
}
