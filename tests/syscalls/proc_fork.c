/*
 * proc_fork: fork(2) and the processes it makes. fork returns 0 in the
 * child and the child's pid in the parent, and the child's getppid() is
 * the parent; memory is copied, not shared, in both directions (an 8 MiB
 * malloc'd buffer, a small brk-heap block and a stack variable, with the
 * two processes interleaved through a MAP_SHARED page); MAP_SHARED memory
 * stays shared; exit statuses 0..255 come back through wait4 and exit(300)
 * gives 300 & 0xff; 50 children each exiting with their index are reaped
 * in any order by wait4(-1); WNOHANG gives 0 while a child still runs and
 * then its pid; ECHILD without children; wait4 of one pid among several;
 * raw clone(SIGCHLD) with CLONE_PARENT_SETTID/CLONE_CHILD_SETTID and
 * clone3 (process-style, and its size/flag/exit_signal errors); an orphaned
 * grandchild's getppid() changes from its dead parent (to 1 when this test
 * runs as pid 1, as in the sandbox, where it is then reaped by us).
 */
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "proc_util.h"

/* Wait for pid (blocking) and check it exited with code. */
/* A page shared by parent and children, for hand-shakes. */
static volatile int *shm;

static int shm_get(int i)
{
	return __atomic_load_n(&shm[i], __ATOMIC_SEQ_CST);
}

static void shm_set(int i, int v)
{
	__atomic_store_n(&shm[i], v, __ATOMIC_SEQ_CST);
}

/* Poll until shm[i] != 0. A wait that never ends is caught by the
 * test's time limit (run.sh), not by a deadline here: a loaded machine
 * may take long, and a test must not depend on timing. */
static void shm_wait(int i)
{
	while (!shm_get(i))
		sleep_ms(1);
}

static void test_basic(void)
{
	pid_t parent = getpid();
	memset((void *)shm, 0, 4096);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK(getpid() != parent, "child getpid() = parent's %d", (int)parent);
		CHECK_EQ(getppid(), parent);
		shm_set(0, getpid());
		_exit(0);
	}
	CHECK(pid > 0 && pid != parent, "fork returned %d in the parent", (int)pid);
	CHECK_EQ(getpid(), parent);
	expect_exit(pid, 0, "basic child");
	CHECK_EQ(shm_get(0), pid);	/* the child's getpid() is what fork returned */

	/* A second child gets a different pid. */
	pid_t pid2 = xfork();
	if (pid2 == 0)
		_exit(0);
	CHECK(pid2 != pid && pid2 != parent, "second child pid %d", (int)pid2);
	expect_exit(pid2, 0, "second child");
}

static unsigned char pat(size_t i, int k)
{
	return (unsigned char)(i * 7 + (size_t)k * 31 + (i >> 12));
}

static int buf_is(const unsigned char *b, size_t n, int k, size_t *bad)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != pat(i, k)) {
			*bad = i;
			return 0;
		}
	return 1;
}

static void test_memory_copied(void)
{
	const size_t n = 8UL << 20;
	unsigned char *big = malloc(n);
	char *small = malloc(64);
	CHECK(big && small, "malloc");
	for (size_t i = 0; i < n; i++)
		big[i] = pat(i, 1);
	strcpy(small, "parent-before");
	volatile int stackvar = 1234;
	size_t bad = 0;

	memset((void *)shm, 0, 4096);
	pid_t pid = xfork();
	if (pid == 0) {
		/* The child sees everything the parent wrote before fork. */
		CHECK(buf_is(big, n, 1, &bad), "child: big[%zu] = %#x before writing", bad, big[bad]);
		CHECK(strcmp(small, "parent-before") == 0, "child: small = %s", small);
		CHECK_EQ(stackvar, 1234);
		for (size_t i = 0; i < n; i++)
			big[i] = pat(i, 2);
		strcpy(small, "child-wrote");
		stackvar = 5678;
		shm_set(1, 1);
		/* Now the parent writes its own copy; ours must not change. */
		shm_wait(2);
		CHECK(buf_is(big, n, 2, &bad), "child: big[%zu] = %#x after the parent wrote", bad, big[bad]);
		CHECK(strcmp(small, "child-wrote") == 0, "child: small = %s after the parent wrote", small);
		CHECK_EQ(stackvar, 5678);
		_exit(0);
	}
	shm_wait(1);
	/* The child's writes are not seen by the parent. */
	CHECK(buf_is(big, n, 1, &bad), "parent: big[%zu] = %#x after the child wrote", bad, big[bad]);
	CHECK(strcmp(small, "parent-before") == 0, "parent: small = %s after the child wrote", small);
	CHECK_EQ(stackvar, 1234);
	for (size_t i = 0; i < n; i++)
		big[i] = pat(i, 3);
	strcpy(small, "parent-after");
	stackvar = 9999;
	shm_set(2, 1);
	expect_exit(pid, 0, "memory child");
	CHECK(buf_is(big, n, 3, &bad), "parent: big[%zu] = %#x at the end", bad, big[bad]);
	CHECK(strcmp(small, "parent-after") == 0, "parent: small = %s at the end", small);
	CHECK_EQ(stackvar, 9999);
	free(big);
	free(small);

	/* MAP_SHARED memory is shared, in both directions. */
	memset((void *)shm, 0, 4096);
	shm[100] = 7;
	pid = xfork();
	if (pid == 0) {
		CHECK_EQ(shm[100], 7);
		shm[101] = 8;
		shm_wait(102);
		_exit(0);
	}
	shm_wait(101);
	CHECK_EQ(shm[101], 8);
	shm_set(102, 1);
	expect_exit(pid, 0, "shared-memory child");
}

static void test_exit_statuses(void)
{
	for (int code = 0; code <= 255; code++) {
		pid_t pid = xfork();
		if (pid == 0)
			_exit(code);
		int st = -1;
		CHECK_EQ(wait4(pid, &st, 0, NULL), pid);
		CHECK(WIFEXITED(st) && !WIFSIGNALED(st) && WEXITSTATUS(st) == code,
		      "exit(%d) gave status %#x", code, st);
		CHECK_EQ(st, code << 8);
	}
	pid_t pid = xfork();
	if (pid == 0)
		exit(300);
	expect_exit(pid, 300 & 0xff, "exit(300)");
	pid = xfork();
	if (pid == 0)
		_exit(-1);
	expect_exit(pid, 255, "_exit(-1)");
}

#define NKIDS 50

static void test_many_children(void)
{
	pid_t pids[NKIDS];
	int seen[NKIDS] = { 0 };
	for (int i = 0; i < NKIDS; i++) {
		pids[i] = xfork();
		if (pids[i] == 0) {
			if (i % 3 == 0)
				sleep_ms(i);
			_exit(i);
		}
	}
	for (int n = 0; n < NKIDS; n++) {
		int st = -1;
		pid_t r = wait4(-1, &st, 0, NULL);
		CHECK(r > 0, "wait4(-1) #%d = %d", n, (int)r);
		int idx = -1;
		for (int i = 0; i < NKIDS; i++)
			if (pids[i] == r)
				idx = i;
		CHECK(idx >= 0, "wait4(-1) returned %d, not one of our children", (int)r);
		CHECK(!seen[idx], "child %d (pid %d) reaped twice", idx, (int)r);
		seen[idx] = 1;
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == idx,
		      "child %d (pid %d) status %#x", idx, (int)r, st);
	}
	int st;
	CHECK_ERR(wait4(-1, &st, 0, NULL), ECHILD);
}

static void test_wnohang(void)
{
	pid_t pid = xfork();
	if (pid == 0) {
		sleep_ms(200);
		_exit(7);
	}
	int st = 12345;
	CHECK_EQ(wait4(pid, &st, WNOHANG, NULL), 0);
	CHECK_EQ(wait4(-1, &st, WNOHANG, NULL), 0);
	pid_t r;
	while ((r = wait4(pid, &st, WNOHANG, NULL)) == 0)
		sleep_ms(5);
	CHECK_EQ(r, pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);
}

static void test_echild(void)
{
	int st;
	CHECK_ERR(wait4(-1, &st, 0, NULL), ECHILD);
	CHECK_ERR(wait4(-1, &st, WNOHANG, NULL), ECHILD);
	CHECK_ERR(wait4(getpid(), &st, 0, NULL), ECHILD);
	CHECK_ERR(wait4(0, &st, WNOHANG, NULL), ECHILD);
	pid_t pid = xfork();
	if (pid == 0)
		_exit(0);
	expect_exit(pid, 0, "echild child");
	CHECK_ERR(wait4(pid, &st, 0, NULL), ECHILD);	/* already reaped */
	CHECK_ERR(wait4(-1, NULL, 0, NULL), ECHILD);
}

static void test_specific_pid(void)
{
	pid_t pids[5];
	for (int i = 0; i < 5; i++) {
		pids[i] = xfork();
		if (pids[i] == 0) {
			sleep_ms((4 - i) * 30);
			_exit(10 + i);
		}
	}
	expect_exit(pids[2], 12, "specific pid 2");
	expect_exit(pids[4], 14, "specific pid 4");
	expect_exit(pids[0], 10, "specific pid 0");
	int left = 0;
	for (int n = 0; n < 2; n++) {
		int st;
		pid_t r = wait4(-1, &st, 0, NULL);
		CHECK(r == pids[1] || r == pids[3], "wait4(-1) = %d, want %d or %d",
		      (int)r, (int)pids[1], (int)pids[3]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == (r == pids[1] ? 11 : 13),
		      "status %#x of %d", st, (int)r);
		left |= r == pids[1] ? 1 : 2;
	}
	CHECK_EQ(left, 3);
}

static void test_clone(void)
{
	fflush(stdout);
	/* Raw clone with only an exit signal is fork. */
	pid_t ptid = 0, ctid = 0;
	long r = syscall(SYS_clone, (long)(CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD),
			 0L, &ptid, &ctid, 0L);
	CHECK(r >= 0, "clone(SIGCHLD) = %ld", r);
	if (r == 0) {
		/* pid from the raw syscall: glibc's cached tid is the parent's. */
		long me = syscall(SYS_getpid);
		CHECK_EQ(ctid, me);
		/* CLONE_PARENT_SETTID writes only the parent's memory, after
		 * the child's copy was made. */
		CHECK_EQ(ptid, 0);
		_exit(33);
	}
	CHECK_EQ(ptid, r);
	CHECK_EQ(ctid, 0);	/* CLONE_CHILD_SETTID writes only the child's memory */
	expect_exit((pid_t)r, 33, "clone(SIGCHLD)");

	/* clone3, process-style. */
	struct clone_args ca;
	memset(&ca, 0, sizeof(ca));
	ptid = 0;
	ca.flags = CLONE_PARENT_SETTID;
	ca.parent_tid = (uint64_t)(uintptr_t)&ptid;
	ca.exit_signal = SIGCHLD;
	r = syscall(SYS_clone3, &ca, sizeof(ca));
	CHECK(r >= 0, "clone3 = %ld", r);
	if (r == 0)
		_exit(34);
	CHECK_EQ(ptid, r);
	expect_exit((pid_t)r, 34, "clone3");

	/* A larger struct with a zero tail is accepted... */
	unsigned char big[sizeof(ca) + 16];
	memset(big, 0, sizeof(big));
	ca.flags = 0;
	memcpy(big, &ca, sizeof(ca));
	r = syscall(SYS_clone3, big, sizeof(big));
	CHECK(r >= 0, "clone3 with a zero tail = %ld", r);
	if (r == 0)
		_exit(35);
	expect_exit((pid_t)r, 35, "clone3 zero tail");
	/* ...a non-zero tail is E2BIG, as is a size above a page. */
	big[sizeof(ca) + 3] = 1;
	CHECK_ERR(syscall(SYS_clone3, big, sizeof(big)), E2BIG);
	static unsigned char huge[8192];
	memcpy(huge, &ca, sizeof(ca));
	CHECK_ERR(syscall(SYS_clone3, huge, 4097UL), E2BIG);
	/* Too small, bad exit signal, CSIGNAL bits in flags: EINVAL. */
	CHECK_ERR(syscall(SYS_clone3, &ca, 32UL), EINVAL);
	ca.exit_signal = 65;
	CHECK_ERR(syscall(SYS_clone3, &ca, sizeof(ca)), EINVAL);
	ca.exit_signal = SIGCHLD;
	ca.flags = SIGCHLD;
	CHECK_ERR(syscall(SYS_clone3, &ca, sizeof(ca)), EINVAL);
	int st;
	CHECK_ERR(wait4(-1, &st, WNOHANG, NULL), ECHILD);
}

/* Orphaned grandchild: its getppid() changes once its parent is gone. */
static void test_orphan(void)
{
	memset((void *)shm, 0, 4096);
	pid_t me = getpid();
	pid_t child = xfork();
	if (child == 0) {
		pid_t c = getpid();
		pid_t g = xfork();
		if (g == 0) {
			shm_set(1, getppid());	/* before: the child */
			pid_t pp;
			while ((pp = getppid()) == c)
				sleep_ms(2);
			shm_set(2, pp);
			shm_set(3, 1);
			_exit(0);
		}
		shm_set(0, g);
		/* Exit only once the grandchild has seen us as its parent. */
		shm_wait(1);
		_exit(0);
	}
	expect_exit(child, 0, "orphaning child");
	shm_wait(3);
	pid_t g = shm_get(0);
	CHECK_EQ(shm_get(1), child);
	CHECK(shm_get(2) != child, "grandchild's getppid() is still its dead parent %d after 2 s",
	      (int)child);
	CHECK(shm_get(2) > 0, "grandchild's new getppid() = %d", shm_get(2));
	if (me == 1) {
		/* We are init: the orphan is ours now, and we reap it. */
		CHECK_EQ(shm_get(2), 1);
		expect_exit(g, 0, "orphaned grandchild");
	} else {
		/* Not ours: natively it went to init or a subreaper. */
		int st;
		CHECK_ERR(wait4(g, &st, WNOHANG, NULL), ECHILD);
	}
}

int main(void)
{
	shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shm != MAP_FAILED, "mmap shared page");
	test_basic();
	test_memory_copied();
	test_exit_statuses();
	test_many_children();
	test_wnohang();
	test_echild();
	test_specific_pid();
	test_orphan();
	test_clone();
	PASS();
}
