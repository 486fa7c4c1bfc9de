/*
 * proc_pdeathsig: PR_SET_PDEATHSIG/PR_GET_PDEATHSIG. The setting reads
 * back, is checked (EINVAL above 64) and is cleared in a forked child.
 * A grandchild whose parent process exits gets its signal (si_code
 * SI_USER, si_pid the parent) and is reparented to us (a child
 * subreaper); one whose parent *thread* exits gets it while the parent
 * process lives on, as on Linux.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "proc_util.h"

static int ready[2];

/* In the grandchild: arm the signal, say so, and wait for it. */
static void grandchild(pid_t parent, pid_t reaper)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK_OK(prctl(PR_SET_PDEATHSIG, SIGUSR1));
	char c = 1;
	CHECK_EQ(write(ready[1], &c, 1), 1);
	siginfo_t si;
	struct timespec ts = { 20, 0 };
	CHECK_EQ(sigtimedwait(&set, &si, &ts), SIGUSR1);
	CHECK_EQ(si.si_code, SI_USER);
	CHECK_EQ(si.si_pid, parent);
	if (reaper)
		CHECK_EQ(getppid(), reaper);
	_exit(0);
}

static void *thread_forks(void *arg)
{
	(void)arg;
	pid_t parent = getpid();
	pid_t pid = xfork();
	if (pid == 0)
		grandchild(parent, 0);
	char c;
	CHECK_EQ(read(ready[0], &c, 1), 1);
	return (void *)(long)pid;	/* the thread exits */
}

int main(void)
{
	int sig = -1;
	CHECK_OK(prctl(PR_GET_PDEATHSIG, &sig));
	CHECK_EQ(sig, 0);
	CHECK_ERR(prctl(PR_SET_PDEATHSIG, 65), EINVAL);
	CHECK_OK(prctl(PR_SET_PDEATHSIG, SIGUSR2));
	CHECK_OK(prctl(PR_GET_PDEATHSIG, &sig));
	CHECK_EQ(sig, SIGUSR2);
	pid_t pid = xfork();
	if (pid == 0) {
		int s = -1;
		CHECK_OK(prctl(PR_GET_PDEATHSIG, &s));
		CHECK_EQ(s, 0);
		_exit(0);
	}
	expect_exit(pid, 0, "fork clears pdeathsig");
	CHECK_OK(prctl(PR_SET_PDEATHSIG, 0));

	CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 1));
	CHECK_OK(pipe(ready));

	/* The parent process exits. */
	pid_t me = getpid();
	pid_t mid = xfork();
	if (mid == 0) {
		pid_t mypid = getpid();
		if (xfork() == 0)
			grandchild(mypid, me);
		char c;
		CHECK_EQ(read(ready[0], &c, 1), 1);
		_exit(3);
	}
	expect_exit(mid, 3, "middle process");
	int st;
	pid_t g = wait(&st);
	CHECK(g > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "orphaned grandchild: pid %d status %#x", (int)g, st);

	/* The parent thread exits; its process does not. */
	mid = xfork();
	if (mid == 0) {
		pthread_t th;
		void *ret;
		CHECK_EQ(pthread_create(&th, NULL, thread_forks, NULL), 0);
		CHECK_EQ(pthread_join(th, &ret), 0);
		expect_exit((pid_t)(long)ret, 0, "grandchild of an exited thread");
		_exit(4);
	}
	expect_exit(mid, 4, "middle process with a thread");
	PASS();
}
