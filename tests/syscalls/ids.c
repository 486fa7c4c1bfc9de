/*
 * ids: process and credential ids of a single-threaded process. getpid()
 * is positive and stable, gettid() == getpid(), getppid() is not our own
 * pid (in the sandbox the first process is pid 1 with parent 0, so no
 * particular values are asserted), the real and effective uid/gid agree (the
 * binary is not set-id), and the libc wrappers agree with raw system calls.
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	pid_t pid = getpid();
	CHECK(pid > 0, "getpid() = %d", (int)pid);
	CHECK_EQ(getpid(), pid);
	CHECK_EQ(syscall(SYS_getpid), pid);
	CHECK_EQ(gettid(), pid);
	CHECK_EQ(syscall(SYS_gettid), pid);

	pid_t ppid = getppid();
	CHECK(ppid >= 0, "getppid() = %d", (int)ppid);
	CHECK(ppid != pid, "getppid() == getpid() == %d", (int)pid);
	CHECK_EQ(syscall(SYS_getppid), ppid);

	uid_t uid = getuid(), euid = geteuid();
	gid_t gid = getgid(), egid = getegid();
	CHECK_EQ(uid, euid);
	CHECK_EQ(gid, egid);
	CHECK_EQ(syscall(SYS_getuid), uid);
	CHECK_EQ(syscall(SYS_geteuid), euid);
	CHECK_EQ(syscall(SYS_getgid), gid);
	CHECK_EQ(syscall(SYS_getegid), egid);
	CHECK(uid != (uid_t)-1 && gid != (gid_t)-1, "uid %u gid %u", (unsigned)uid, (unsigned)gid);
	printf("pid %d ppid %d uid %u gid %u\n", (int)pid, (int)ppid, (unsigned)uid, (unsigned)gid);
	PASS();
}
