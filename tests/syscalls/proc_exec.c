/*
 * proc_exec: execve(2), by re-executing this program (argv[0], which must
 * be an absolute path) in a "mode" named by argv[1]. The new image sees
 * exactly the argv and envp it was given (argv[0] need not be the path;
 * AT_EXECFN is the path; a NULL envp is an empty environment); the pid and
 * parent are kept; ignored signals stay ignored, caught ones go back to
 * SIG_DFL, the signal mask is kept; close-on-exec fds are closed and the
 * others kept. Failures leave the process running normally: ENOENT for a
 * missing or empty path, ENOTDIR for a path through a regular file, EACCES
 * for a directory, ENAMETOOLONG for a path of PATH_MAX bytes, E2BIG for an
 * argument or environment string of 131072 bytes (131071 is fine) and for
 * arguments totalling more than the stack allows, EFAULT for bad pointers.
 * fork+exec+wait passes exit statuses through, also three levels deep;
 * after vfork the parent resumes as soon as the child has exec'd (the
 * child is still running). Finally the test execs itself to print "ok".
 */
#include <limits.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "proc_util.h"

extern char **environ;

#define MAX_ARG_STRLEN (32 * 4096)	/* 131072, including the NUL */

static const char *self;

/* Fork a child that execs path with argv/envp; return its pid. The child
 * exits 126 if the exec fails. */
static pid_t spawn(const char *path, char *const argv[], char *const envp[])
{
	pid_t pid = xfork();
	if (pid == 0) {
		execve(path, argv, envp);
		fprintf(stderr, "FAIL: execve(%s) in the child: %s\n", path, strerror(errno));
		_exit(126);
	}
	return pid;
}

/* ---- the modes of the re-executed image ---------------------------------- */

static const char *const custom_argv[] = {
	"custom-argv0", "argv-env", "two words", "", "tab\tand\nnewline", NULL
};
static const char *const custom_env[] = {
	"CVISOR_A=1", "EMPTY=", "NOEQUALS", "X=y=z", NULL /* SELF=... */, NULL
};

static int mode_argv_env(int argc, char **argv)
{
	CHECK_EQ(argc, 5);
	for (int i = 0; i < 5; i++)
		CHECK(strcmp(argv[i], custom_argv[i]) == 0, "argv[%d] = \"%s\", want \"%s\"",
		      i, argv[i], custom_argv[i]);
	CHECK(argv[5] == NULL, "argv[5] is not NULL");
	int n = 0;
	while (environ[n])
		n++;
	CHECK_EQ(n, 5);
	for (int i = 0; i < 4; i++)
		CHECK(strcmp(environ[i], custom_env[i]) == 0, "environ[%d] = \"%s\", want \"%s\"",
		      i, environ[i], custom_env[i]);
	CHECK(strncmp(environ[4], "SELF=", 5) == 0, "environ[4] = \"%s\"", environ[4]);
	const char *path = environ[4] + 5;
	CHECK(getenv("CVISOR_A") && strcmp(getenv("CVISOR_A"), "1") == 0, "getenv(CVISOR_A)");
	CHECK(getenv("EMPTY") && getenv("EMPTY")[0] == 0, "getenv(EMPTY)");
	CHECK(getenv("PATH") == NULL, "PATH leaked into a custom environment");
	/* AT_EXECFN is the path given to execve, not argv[0]. */
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	CHECK(execfn && strcmp(execfn, path) == 0, "AT_EXECFN = %s, want %s",
	      execfn ? execfn : "(null)", path);
	return 42;
}

static int mode_ids(int argc, char **argv)
{
	CHECK_EQ(argc, 4);
	CHECK_EQ(getpid(), atoi(argv[2]));
	CHECK_EQ(getppid(), atoi(argv[3]));
	return 0;
}

static int mode_noenv(int argc, char **argv)
{
	(void)argv;
	CHECK_EQ(argc, 2);
	CHECK(environ == NULL || environ[0] == NULL, "environ[0] = %s with a NULL envp",
	      environ[0]);
	return 0;
}

static int mode_bigarg(int argc, char **argv)
{
	CHECK_EQ(argc, 3);
	size_t n = strlen(argv[2]);
	CHECK_EQ(n, MAX_ARG_STRLEN - 1);
	for (size_t i = 0; i < n; i++)
		CHECK(argv[2][i] == 'x', "big argument byte %zu is %#x", i, argv[2][i]);
	return 0;
}

static int mode_sigs(void)
{
	struct sigaction sa;
	CHECK_OK(sigaction(SIGUSR1, NULL, &sa));
	CHECK(sa.sa_handler == SIG_IGN, "SIGUSR1 not ignored after exec");
	CHECK_OK(sigaction(SIGUSR2, NULL, &sa));
	CHECK(sa.sa_handler == SIG_DFL, "caught SIGUSR2 not reset to SIG_DFL by exec");
	sigset_t set;
	CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &set));
	CHECK(sigismember(&set, SIGTERM) == 1, "SIGTERM no longer blocked after exec");
	CHECK(sigismember(&set, SIGINT) == 0, "SIGINT blocked after exec");
	return 0;
}

static int mode_fds(int argc, char **argv)
{
	CHECK_EQ(argc, 4);
	int cloexec_fd = atoi(argv[2]), keep_fd = atoi(argv[3]);
	CHECK_ERR(fcntl(cloexec_fd, F_GETFD), EBADF);
	CHECK_EQ(fcntl(keep_fd, F_GETFD), 0);
	CHECK_EQ(write(keep_fd, "", 0), 0);
	return 0;
}

/* chain K: fork+exec "chain K-1" and exit with its status; chain 0 is 77. */
static int mode_chain(int argc, char **argv)
{
	CHECK_EQ(argc, 3);
	int k = atoi(argv[2]);
	if (k == 0)
		return 77;
	char kbuf[16];
	snprintf(kbuf, sizeof(kbuf), "%d", k - 1);
	char *av[] = { (char *)self, "chain", kbuf, NULL };
	pid_t pid = spawn(self, av, environ);
	int st;
	CHECK_EQ(wait4(pid, &st, 0, NULL), pid);
	CHECK(WIFEXITED(st), "chain %d: status %#x", k - 1, st);
	return WEXITSTATUS(st);
}

static int mode_final(int argc, char **argv)
{
	CHECK_EQ(argc, 3);
	CHECK_EQ(getpid(), atoi(argv[2]));
	CHECK(getenv("CVISOR_PROC_EXEC") && strcmp(getenv("CVISOR_PROC_EXEC"), "final") == 0,
	      "environ not passed to the final image");
	PASS();
}

static int child_main(int argc, char **argv)
{
	const char *m = argv[1];
	if (strcmp(m, "argv-env") == 0)
		return mode_argv_env(argc, argv);
	if (strcmp(m, "status") == 0 && argc == 3)
		return atoi(argv[2]);
	if (strcmp(m, "sleep-status") == 0 && argc == 4) {
		sleep_ms(atoi(argv[2]));
		return atoi(argv[3]);
	}
	if (strcmp(m, "ids") == 0)
		return mode_ids(argc, argv);
	if (strcmp(m, "noenv") == 0)
		return mode_noenv(argc, argv);
	if (strcmp(m, "bigarg") == 0)
		return mode_bigarg(argc, argv);
	if (strcmp(m, "sigs") == 0)
		return mode_sigs();
	if (strcmp(m, "fds") == 0)
		return mode_fds(argc, argv);
	if (strcmp(m, "chain") == 0)
		return mode_chain(argc, argv);
	if (strcmp(m, "final") == 0)
		return mode_final(argc, argv);
	fprintf(stderr, "FAIL: proc_exec: unexpected exec with mode \"%.40s\" (argc %d)\n", m, argc);
	return 99;
}

/* ---- the tests ----------------------------------------------------------- */

static void on_usr2(int sig)
{
	(void)sig;
}

static void test_failures(void)
{
	/* State that must survive the failed execs. */
	volatile int local = 0x5eed;
	char *heap = malloc(1000);
	CHECK(heap, "malloc");
	memset(heap, 0xa5, 1000);

	char *av[] = { (char *)self, "status", "99", NULL };
	char *ev[] = { "A=1", NULL };

	CHECK_ERR(execve("/nonexistent-cvisor-dir/prog", av, ev), ENOENT);
	CHECK_ERR(execve("", av, ev), ENOENT);
	CHECK_ERR(execve("/", av, ev), EACCES);
	char through[PATH_MAX];
	snprintf(through, sizeof(through), "%s/x", self);
	CHECK_ERR(execve(through, av, ev), ENOTDIR);

	char *longpath = malloc(PATH_MAX + 1);
	CHECK(longpath, "malloc");
	longpath[0] = '/';
	memset(longpath + 1, 'a', PATH_MAX - 1);
	longpath[PATH_MAX] = 0;		/* PATH_MAX characters: too long */
	CHECK_ERR(execve(longpath, av, ev), ENAMETOOLONG);
	free(longpath);

	/* One argument of MAX_ARG_STRLEN bytes plus the NUL: E2BIG. */
	char *big = malloc(MAX_ARG_STRLEN + 1);
	CHECK(big, "malloc");
	memset(big, 'x', MAX_ARG_STRLEN);
	big[MAX_ARG_STRLEN] = 0;
	char *bav[] = { (char *)self, "bigarg", big, NULL };
	CHECK_ERR(execve(self, bav, ev), E2BIG);
	char *bev[] = { "A=1", big, NULL };
	CHECK_ERR(execve(self, av, bev), E2BIG);

	/* 60 arguments of 120000 bytes: 7.2 MB, above any argument limit
	 * (at most 6 MiB, a quarter of the stack limit when lower). */
	big[120000] = 0;
	char *many[64];
	many[0] = (char *)self;
	many[1] = "status";
	for (int i = 2; i < 62; i++)
		many[i] = big;
	many[62] = NULL;
	CHECK_ERR(execve(self, many, ev), E2BIG);
	free(big);

	/* Bad pointers: EFAULT (raw syscalls: the compiler checks execve's). */
	CHECK_ERR(syscall(SYS_execve, 8L, av, ev), EFAULT);
	CHECK_ERR(syscall(SYS_execve, self, 8L, ev), EFAULT);
	CHECK_ERR(syscall(SYS_execve, self, av, 8L), EFAULT);
	char *badav[] = { (char *)self, (char *)16, NULL };
	CHECK_ERR(syscall(SYS_execve, self, badav, ev), EFAULT);
	char *badev[] = { "A=1", (char *)16, NULL };
	CHECK_ERR(syscall(SYS_execve, self, av, badev), EFAULT);

	/* The process carries on as before. */
	CHECK_EQ(local, 0x5eed);
	for (int i = 0; i < 1000; i++)
		CHECK(heap[i] == (char)0xa5, "heap[%d] changed by a failed exec", i);
	free(heap);
	char *more = malloc(1 << 20);
	CHECK(more, "malloc after failed execs");
	memset(more, 1, 1 << 20);
	free(more);
}

static void test_status_through_exec(void)
{
	static const char *const codes[] = { "0", "1", "42", "255" };
	for (int i = 0; i < 4; i++) {
		char *av[] = { (char *)self, "status", (char *)codes[i], NULL };
		pid_t pid = spawn(self, av, environ);
		expect_exit(pid, atoi(codes[i]), "fork+exec status");
	}
	char *av[] = { (char *)self, "chain", "3", NULL };
	expect_exit(spawn(self, av, environ), 77, "fork+exec chain of 3");
}

static void test_argv_env(void)
{
	char selfenv[PATH_MAX + 8];
	snprintf(selfenv, sizeof(selfenv), "SELF=%s", self);
	char *ev[6];
	memcpy(ev, custom_env, sizeof(ev));
	ev[4] = selfenv;
	expect_exit(spawn(self, (char *const *)custom_argv, ev), 42, "exact argv/envp");

	char *nav[] = { (char *)self, "noenv", NULL };
	expect_exit(spawn(self, nav, NULL), 0, "NULL envp");

	/* The largest single argument that fits. */
	char *big = malloc(MAX_ARG_STRLEN);
	CHECK(big, "malloc");
	memset(big, 'x', MAX_ARG_STRLEN - 1);
	big[MAX_ARG_STRLEN - 1] = 0;
	char *bav[] = { (char *)self, "bigarg", big, NULL };
	expect_exit(spawn(self, bav, environ), 0, "argument of 131071 bytes");
	free(big);
}

static void test_kept_state(void)
{
	/* pid and parent survive exec. */
	pid_t parent = getpid();
	pid_t pid = xfork();
	if (pid == 0) {
		char p[16], pp[16];
		snprintf(p, sizeof(p), "%d", (int)getpid());
		snprintf(pp, sizeof(pp), "%d", (int)getppid());
		char *av[] = { (char *)self, "ids", p, pp, NULL };
		execve(self, av, environ);
		_exit(126);
	}
	expect_exit(pid, 0, "ids across exec");
	CHECK_EQ(getpid(), parent);

	/* Signal dispositions and mask. */
	pid = xfork();
	if (pid == 0) {
		CHECK(signal(SIGUSR1, SIG_IGN) != SIG_ERR, "signal(SIGUSR1, SIG_IGN)");
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_usr2;
		CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
		char *av[] = { (char *)self, "sigs", NULL };
		execve(self, av, environ);
		_exit(126);
	}
	expect_exit(pid, 0, "signal state across exec");

	/* Close-on-exec. */
	pid = xfork();
	if (pid == 0) {
		int a = dup(1), b = dup(1);
		CHECK(a >= 0 && b >= 0, "dup");
		CHECK_OK(fcntl(a, F_SETFD, FD_CLOEXEC));
		char as[16], bs[16];
		snprintf(as, sizeof(as), "%d", a);
		snprintf(bs, sizeof(bs), "%d", b);
		char *av[] = { (char *)self, "fds", as, bs, NULL };
		execve(self, av, environ);
		_exit(126);
	}
	expect_exit(pid, 0, "fds across exec");
}

static void test_vfork_exec(void)
{
	char *av[] = { (char *)self, "sleep-status", "300", "23", NULL };
	fflush(stdout);
	fflush(stderr);
	pid_t pid = vfork();
	if (pid == 0) {
		execve(self, av, environ);
		_exit(126);
	}
	CHECK(pid > 0, "vfork");
	/* We run again as soon as the child exec'd: it is still sleeping. */
	int st;
	CHECK_EQ(wait4(pid, &st, WNOHANG, NULL), 0);
	expect_exit(pid, 23, "vfork+exec");

	/* vfork + failed exec + _exit. */
	char *bad[] = { "/nonexistent-cvisor-dir/prog", NULL };
	pid = vfork();
	if (pid == 0) {
		execve(bad[0], bad, environ);
		_exit(errno == ENOENT ? 5 : 6);
	}
	CHECK(pid > 0, "vfork");
	expect_exit(pid, 5, "vfork, failed exec");
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc >= 2)
		return child_main(argc, argv);
	CHECK(self && self[0] == '/', "run proc_exec by absolute path (argv[0] = %s)",
	      self ? self : "(null)");

	test_failures();
	test_status_through_exec();
	test_argv_env();
	test_kept_state();
	test_vfork_exec();

	/* Finally replace ourselves: the new image prints the verdict. */
	CHECK_OK(setenv("CVISOR_PROC_EXEC", "final", 1));
	char p[16];
	snprintf(p, sizeof(p), "%d", (int)getpid());
	char *av[] = { (char *)self, "final", p, NULL };
	fflush(stdout);
	execve(self, av, environ);
	CHECK(0, "final execve failed");
	return 1;
}
