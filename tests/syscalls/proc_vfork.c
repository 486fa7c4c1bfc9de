/*
 * proc_vfork: vfork(2) and CLONE_VM|CLONE_VFORK processes. vfork returns
 * the child's pid in the parent and 0 in the child, whose getppid() is the
 * parent; the parent is suspended until the child exits (or execs: see
 * proc_exec); until then the child shares the parent's memory, so what it
 * stores (a global, a heap buffer) is seen by the parent afterwards. glibc's
 * posix_spawn relies on this (clone with CLONE_VM|CLONE_VFORK on a stack of
 * its own, the exec error passed back through shared memory): spawning a
 * missing program returns ENOENT, spawning this program (argv[0], an
 * absolute path, with argument "status N") returns 0 and the child exits N.
 */
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "proc_util.h"

extern char **environ;

static volatile int shared_word;

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "status") == 0)
		return atoi(argv[2]);
	const char *self = argv[0];
	CHECK(self && self[0] == '/', "run proc_vfork by absolute path");

	pid_t parent = getpid();
	volatile char *heap = malloc(4096);
	CHECK(heap, "malloc");
	memset((char *)heap, 0, 4096);
	shared_word = 1;
	fflush(stdout);
	fflush(stderr);

	/* The child's stores before _exit land in the parent's memory, and
	 * the parent runs again only once the child has gone. */
	long start = now_ms();
	pid_t pid = vfork();
	if (pid == 0) {
		struct timespec ts = { 0, 200 * 1000000L };
		nanosleep(&ts, NULL);
		shared_word = 2;
		heap[100] = 'v';
		_exit(getppid() == parent ? 0 : 1);
	}
	long waited = now_ms() - start;
	CHECK(pid > 0 && pid != parent, "vfork returned %d", (int)pid);
	CHECK(waited >= 150, "vfork returned after %ld ms, before the child (200 ms) exited", waited);
	CHECK_EQ(shared_word, 2);
	CHECK_EQ(heap[100], 'v');
	expect_exit(pid, 0, "vfork child");

	/* posix_spawn: the exec error comes back through shared memory. */
	char *av[] = { (char *)self, "status", "9", NULL };
	pid_t sp = -1;
	int r = posix_spawn(&sp, "/nonexistent-cvisor-dir/prog", NULL, NULL, av, environ);
	CHECK(r == ENOENT, "posix_spawn of a missing program returned %d (%s), want ENOENT",
	      r, strerror(r));
	int st;
	CHECK_ERR(wait4(-1, &st, WNOHANG, NULL), ECHILD);	/* reaped by posix_spawn */
	r = posix_spawn(&sp, "/", NULL, NULL, av, environ);
	CHECK(r == EACCES, "posix_spawn of / returned %d (%s), want EACCES", r, strerror(r));

	sp = -1;
	r = posix_spawn(&sp, self, NULL, NULL, av, environ);
	CHECK(r == 0, "posix_spawn(self) returned %d (%s)", r, strerror(r));
	CHECK(sp > 0, "posix_spawn pid %d", (int)sp);
	expect_exit(sp, 9, "posix_spawn(self)");
	CHECK_ERR(wait4(-1, &st, WNOHANG, NULL), ECHILD);
	PASS();
}
