/*
 * proc_pgrp: process groups and sessions: getpgrp, getpgid, setpgid,
 * getsid, setsid. getpgrp() == getpgid(0) == getpgid(getpid()); children
 * inherit the group and session; a parent moves its child into a new group
 * and back, and into an existing group of its session; a zombie still
 * belongs to its group (getpgid works, another process may join the group
 * it leads, setsid fails while it holds the group) until reaped. Errors:
 * getpgid/getsid/setpgid of a process that does not exist, and setpgid of
 * a grandchild or of one's parent, are ESRCH; a negative pgid is EINVAL;
 * joining a group that does not exist or lies in another session, and
 * setpgid of (or by) a session leader, are EPERM; setsid by a group leader
 * is EPERM. A child's setsid() returns its pid and makes sid == pgid ==
 * pid, and its own children inherit that session. The test process itself
 * only calls setsid if it is already a leader (in the sandbox it is pid 1,
 * a session leader), where it must fail.
 */
#include <limits.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "proc_util.h"

/* Wait until pid is a zombie, without reaping it. */
static void wait_zombie(pid_t pid)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
	CHECK_EQ(si.si_pid, pid);
}

static volatile int *shm;

static void shm_clear(void)
{
	memset((void *)shm, 0, 4096);
}

static int shm_get(int i)
{
	return __atomic_load_n(&shm[i], __ATOMIC_SEQ_CST);
}

static void shm_set(int i, int v)
{
	__atomic_store_n(&shm[i], v, __ATOMIC_SEQ_CST);
}

/* Poll until shm[i] != 0 (what: for the reader). A wait that never ends
 * is caught by the test's time limit, not by a deadline here. */
static void shm_wait(int i, const char *what)
{
	(void)what;
	while (!shm_get(i))
		sleep_ms(1);
}

/* A pid that is not in use: a child that has been reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = xfork();
	if (pid == 0)
		_exit(0);
	expect_exit(pid, 0, "dead_pid child");
	return pid;
}

static pid_t mygrp, mysid;

static void test_queries(void)
{
	mygrp = getpgrp();
	mysid = getsid(0);
	CHECK(mygrp > 0, "getpgrp() = %d", (int)mygrp);
	CHECK(mysid > 0, "getsid(0) = %d", (int)mysid);
	CHECK_EQ(getpgid(0), mygrp);
	CHECK_EQ(getpgid(getpid()), mygrp);
	CHECK_EQ(getsid(getpid()), mysid);
	CHECK_EQ(syscall(SYS_getpgrp), mygrp);
	if (getpid() == 1) {
		/* init of its own (pid) namespace: leader of both. */
		CHECK_EQ(mygrp, 1);
		CHECK_EQ(mysid, 1);
	}
	/* A leader cannot start a new session. */
	if (mygrp == getpid() || mysid == getpid()) {
		CHECK_ERR(setsid(), EPERM);
		CHECK_EQ(getpgrp(), mygrp);
		CHECK_EQ(getsid(0), mysid);
	}

	pid_t dead = dead_pid();
	CHECK_ERR(getpgid(dead), ESRCH);
	CHECK_ERR(getsid(dead), ESRCH);
	CHECK_ERR(setpgid(dead, 0), ESRCH);
	CHECK_ERR(getpgid(INT_MAX), ESRCH);
	CHECK_ERR(getsid(INT_MAX), ESRCH);
	CHECK_ERR(getpgid(-1), ESRCH);
	CHECK_ERR(setpgid(-1, mygrp), ESRCH);
	CHECK_ERR(setpgid(-1, 0), EINVAL);	/* pgid 0 means pid: -1 */
	CHECK_ERR(setpgid(0, -1), EINVAL);
	CHECK_ERR(setpgid(getpid(), -5), EINVAL);
	/* Nothing changed. */
	CHECK_EQ(getpgrp(), mygrp);
	CHECK_EQ(getsid(0), mysid);
}

static void test_inherit_and_move(void)
{
	shm_clear();
	pid_t c = xfork();
	if (c == 0) {
		CHECK_EQ(getpgrp(), mygrp);
		CHECK_EQ(getsid(0), mysid);
		pid_t g = xfork();
		if (g == 0) {
			shm_set(10, getpid());
			/* Our grandparent is not our child. */
			CHECK_ERR(setpgid(getppid(), 0), ESRCH);
			shm_wait(3, "the end of the move test");
			_exit(0);
		}
		/* Nor is our parent. */
		if (getppid() != 0)
			CHECK_ERR(setpgid(getppid(), 0), ESRCH);
		shm_set(1, 1);
		shm_wait(2, "the parent's moves");
		/* The parent put us in our own group. */
		CHECK_EQ(getpgrp(), getpid());
		CHECK_EQ(getsid(0), mysid);
		/* The grandchild stays where it was. */
		CHECK_EQ(getpgid(g), mygrp);
		shm_set(3, 1);
		expect_exit(g, 0, "grandchild");
		_exit(0);
	}
	shm_wait(1, "the child");
	shm_wait(10, "the grandchild");
	pid_t g = shm_get(10);
	CHECK_EQ(getpgid(c), mygrp);
	CHECK_EQ(getsid(c), mysid);
	CHECK_EQ(getpgid(g), mygrp);

	/* Into a new group of its own, back, and again. */
	CHECK_OK(setpgid(c, 0));
	CHECK_EQ(getpgid(c), c);
	CHECK_OK(setpgid(c, mygrp));
	CHECK_EQ(getpgid(c), mygrp);
	CHECK_OK(setpgid(c, c));
	CHECK_EQ(getpgid(c), c);
	CHECK_EQ(getsid(c), mysid);
	/* A group that does not exist. */
	pid_t dead = dead_pid();
	CHECK_ERR(setpgid(c, dead), EPERM);
	CHECK_ERR(setpgid(c, INT_MAX), EPERM);
	CHECK_EQ(getpgid(c), c);
	/* A grandchild is not ours to move. */
	CHECK_ERR(setpgid(g, 0), ESRCH);
	CHECK_ERR(setpgid(g, g), ESRCH);
	CHECK_ERR(setpgid(g, mygrp), ESRCH);
	CHECK_EQ(getpgid(g), mygrp);
	shm_set(2, 1);
	expect_exit(c, 0, "moved child");
	CHECK_EQ(getpgrp(), mygrp);
}

static void test_join_group(void)
{
	/* B joins the group that A leads. */
	shm_clear();
	pid_t a = xfork();
	if (a == 0) {
		CHECK_OK(setpgid(0, 0));
		shm_wait(1, "B");
		_exit(0);
	}
	CHECK_OK(setpgid(a, a));
	pid_t b = xfork();
	if (b == 0) {
		CHECK_OK(setpgid(0, a));
		CHECK_EQ(getpgrp(), a);
		CHECK_EQ(getsid(0), mysid);
		_exit(0);
	}
	expect_exit(b, 0, "B joining A's group");
	shm_set(1, 1);
	expect_exit(a, 0, "group leader A");

	/* A zombie still leads its group: others can join it. */
	a = xfork();
	if (a == 0) {
		CHECK_OK(setpgid(0, 0));
		_exit(0);
	}
	CHECK_OK(setpgid(a, a));
	wait_zombie(a);
	CHECK_EQ(getpgid(a), a);
	CHECK_EQ(getsid(a), mysid);
	b = xfork();
	if (b == 0) {
		CHECK_OK(setpgid(0, a));
		CHECK_EQ(getpgrp(), a);
		_exit(0);
	}
	expect_exit(b, 0, "B joining a zombie's group");
	expect_exit(a, 0, "zombie group leader A");
	/* Once reaped (and B gone) the group no longer exists. */
	CHECK_ERR(getpgid(a), ESRCH);
	b = xfork();
	if (b == 0) {
		CHECK_ERR(setpgid(0, a), EPERM);
		CHECK_EQ(getpgrp(), mygrp);
		_exit(0);
	}
	expect_exit(b, 0, "B joining a vanished group");
}

static void test_setsid(void)
{
	shm_clear();
	pid_t c = xfork();
	if (c == 0) {
		pid_t me = getpid();
		CHECK_EQ(setsid(), me);
		CHECK_EQ(getsid(0), me);
		CHECK_EQ(getpgrp(), me);
		CHECK_EQ(getpgid(0), me);
		/* Now a session (and group) leader. */
		CHECK_ERR(setsid(), EPERM);
		CHECK_ERR(setpgid(0, 0), EPERM);
		CHECK_ERR(setpgid(0, me), EPERM);
		CHECK_ERR(setpgid(0, mygrp), EPERM);
		/* Our children are in our session and group. */
		pid_t g = xfork();
		if (g == 0) {
			CHECK_EQ(getsid(0), me);
			CHECK_EQ(getpgrp(), me);
			/* Not a leader: may make its own group. */
			CHECK_OK(setpgid(0, 0));
			CHECK_EQ(getpgrp(), getpid());
			CHECK_EQ(getsid(0), me);
			/* But not join one in another session. */
			CHECK_ERR(setpgid(0, mygrp), EPERM);
			_exit(0);
		}
		expect_exit(g, 0, "child of the new session");
		shm_set(1, 1);
		shm_wait(2, "the parent's checks");
		_exit(0);
	}
	shm_wait(1, "the child's setsid");
	CHECK_EQ(getsid(c), c);
	CHECK_EQ(getpgid(c), c);
	CHECK_EQ(getsid(0), mysid);
	/* Our child is now in another session: cannot be moved. */
	CHECK_ERR(setpgid(c, 0), EPERM);
	CHECK_ERR(setpgid(c, c), EPERM);
	CHECK_ERR(setpgid(c, mygrp), EPERM);
	/* Nobody in our session can join its group. */
	pid_t b = xfork();
	if (b == 0) {
		CHECK_ERR(setpgid(0, c), EPERM);
		CHECK_EQ(getpgrp(), mygrp);
		_exit(0);
	}
	expect_exit(b, 0, "joining a group of another session");
	shm_set(2, 1);
	expect_exit(c, 0, "setsid child");
}

static void test_setsid_leader(void)
{
	/* A group leader cannot setsid. */
	pid_t c = xfork();
	if (c == 0) {
		CHECK_OK(setpgid(0, 0));
		CHECK_ERR(setsid(), EPERM);
		CHECK_EQ(getsid(0), mysid);
		CHECK_EQ(getpgrp(), getpid());
		_exit(0);
	}
	expect_exit(c, 0, "group leader's setsid");

	/* Nor can a process whose pid is still some group's id, even if it
	 * left that group and the only member left is a zombie. */
	shm_clear();
	c = xfork();
	if (c == 0) {
		pid_t me = getpid();
		CHECK_OK(setpgid(0, 0));
		pid_t g = xfork();
		if (g == 0) {
			shm_wait(1, "the child's first setsid");
			_exit(0);
		}
		CHECK_EQ(getpgid(g), me);
		CHECK_OK(setpgid(0, mygrp));	/* back to the parent's group */
		CHECK_EQ(getpgrp(), mygrp);
		CHECK_ERR(setsid(), EPERM);	/* g is in group "me" */
		shm_set(1, 1);
		wait_zombie(g);
		CHECK_EQ(getpgid(g), me);
		CHECK_ERR(setsid(), EPERM);	/* the zombie still is */
		expect_exit(g, 0, "grandchild in the old group");
		CHECK_EQ(setsid(), me);		/* now the group is gone */
		CHECK_EQ(getsid(0), me);
		CHECK_EQ(getpgrp(), me);
		_exit(0);
	}
	expect_exit(c, 0, "setsid while a group has our id");
}

/*
 * Linux reports 0 for a session or group whose leader lives in an ancestor
 * pid namespace (some CI runners start us like that).  The tests below need
 * ids they can see, so in that case they run in a child with a fresh session.
 */
static void ensure_visible_session(void)
{
	if (getsid(0) > 0 && getpgrp() > 0)
		return;
	CHECK(getpid() != 1, "init sees its own session");
	pid_t c = xfork();
	if (c == 0) {
		CHECK_EQ(setsid(), getpid());
		return;
	}
	int st;
	CHECK_EQ(waitpid(c, &st, 0), c);
	exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

int main(void)
{
	ensure_visible_session();
	shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shm != MAP_FAILED, "mmap shared page");
	test_queries();
	test_inherit_and_move();
	test_setsid();
	test_setsid_leader();
	test_join_group();
	int st;
	CHECK_ERR(wait4(-1, &st, WNOHANG, NULL), ECHILD);
	CHECK_EQ(getpgrp(), mygrp);
	CHECK_EQ(getsid(0), mysid);
	PASS();
}
