/*
 * exit_group: exit_group(N) ends the process with status N & 0xff; stdout
 * written before it is not lost. exit_group(0x1ff07) is status 7.
 */
// expect-status: 7
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	static const char msg[] = "exit_group: exiting with 7\n";
	if (write(1, msg, sizeof(msg) - 1) != (ssize_t)sizeof(msg) - 1)
		return 1;
	syscall(SYS_exit_group, 0x1ff07);
	return 1;
}
