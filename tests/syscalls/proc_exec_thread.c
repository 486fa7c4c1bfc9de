/*
 * proc_exec_thread: a thread other than the leader calls execve. As on
 * Linux (de_thread), the new program runs with the process's pid as its
 * tid (getpid() == gettid()), keeps its parent, and the parent's wait
 * sees the old pid with the new program's exit status. The other threads
 * (here the blocked leader) are gone.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_util.h"

static char **args;

static void *exec_thread(void *arg)
{
	(void)arg;
	char pid[32], ppid[32];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(ppid, sizeof(ppid), "%d", (int)getppid());
	CHECK(gettid() != getpid(), "a thread with the leader's tid");
	execl(args[0], args[0], "exec", pid, ppid, (char *)NULL);
	fprintf(stderr, "execl: %s\n", strerror(errno));
	_exit(126);
}

int main(int argc, char **argv)
{
	args = argv;
	if (argc == 4 && !strcmp(argv[1], "exec")) {
		CHECK_EQ(getpid(), atoi(argv[2]));
		CHECK_EQ(gettid(), getpid());
		CHECK_EQ(getppid(), atoi(argv[3]));
		return 7;
	}
	pid_t pid = xfork();
	if (pid == 0) {
		pthread_t th;
		CHECK_EQ(pthread_create(&th, NULL, exec_thread, NULL), 0);
		for (;;)
			pause();
	}
	expect_exit(pid, 7, "exec from a thread");
	CHECK_ERR(wait(NULL), ECHILD);
	PASS();
}
