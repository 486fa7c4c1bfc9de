/*
 * exec_script: execve(2) of "#!" scripts and of dynamically linked
 * programs (PT_INTERP), as Linux does them: the interpreter gets its
 * optional argument (the rest of the line, one word), then the path given
 * to execve, then argv[1...]; a script may name another script as its
 * interpreter; a script without an x bit is EACCES, a file that is
 * neither ELF nor script ENOEXEC, a missing interpreter ENOENT. Runs
 * /bin/sh (and /bin/true, a dynamic program on Debian) from the root file
 * system: natively the host's, in the sandbox the gofer's.
 */
#include "check.h"
#include "tmpdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void put(const char *name, const char *body, mode_t mode)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CHECK(fd >= 0, "create %s", name);
	CHECK_EQ(write(fd, body, strlen(body)), (long)strlen(body));
	CHECK_OK(close(fd));
	CHECK_OK(chmod(name, mode));
}

/* fork + execve(path, argv); the exit status, or 1000 + errno if the
 * exec failed. */
static int run(const char *path, char *const argv[])
{
	int pfd[2];
	CHECK_OK(pipe2(pfd, O_CLOEXEC));
	pid_t pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		char *envp[] = { "PATH=/usr/bin:/bin", NULL };
		execve(path, argv, envp);
		int e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(126);
	}
	close(pfd[1]);
	int e = 0, st;
	ssize_t n = read(pfd[0], &e, sizeof(e));
	close(pfd[0]);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	if (n == (ssize_t)sizeof(e))
		return 1000 + e;
	CHECK(WIFEXITED(st), "child status %#x", st);
	return WEXITSTATUS(st);
}

static void read_file(const char *name, char *buf, size_t len)
{
	int fd = open(name, O_RDONLY);
	CHECK(fd >= 0, "open %s", name);
	ssize_t n = read(fd, buf, len - 1);
	CHECK(n >= 0, "read %s", name);
	buf[n] = 0;
	close(fd);
}

int main(void)
{
	const char *dir = tmpdir_make();
	char path[4096], buf[4096];

	/* The simplest script. */
	put("s1", "#!/bin/sh\nexit 7\n", 0755);
	char *a1[] = { "s1", NULL };
	CHECK_EQ(run("./s1", a1), 7);

	/* The optional argument, then the path given, then argv[1...]. */
	put("s2", "#!  /bin/sh   -e  \necho \"$0|$1|$2\" > out2\nfalse\necho not reached >> out2\n",
	    0755);
	char *a2[] = { "ignored-argv0", "one", "two", NULL };
	CHECK_EQ(run("./s2", a2), 1);	/* -e: false ends it */
	read_file("out2", buf, sizeof(buf));
	CHECK(strcmp(buf, "./s2|one|two\n") == 0, "script saw \"%s\"", buf);

	/* A script as interpreter of a script (absolute path). */
	snprintf(path, sizeof(path), "#!%s/s1\n", dir);
	put("s3", path, 0755);
	CHECK_EQ(run("./s3", a1), 7);

	/* No x bit, not a program, a missing interpreter, an empty #!. */
	put("s4", "#!/bin/sh\nexit 0\n", 0644);
	CHECK_EQ(run("./s4", a1), 1000 + EACCES);
	put("junk", "hello, world\n", 0755);
	CHECK_EQ(run("./junk", a1), 1000 + ENOEXEC);
	put("s5", "#!/nonexistent-cvisor/interp\n", 0755);
	CHECK_EQ(run("./s5", a1), 1000 + ENOENT);
	put("s6", "#!\n", 0755);
	CHECK_EQ(run("./s6", a1), 1000 + ENOEXEC);

	/* A dynamically linked program: ld.so from PT_INTERP. */
	if (access("/bin/true", X_OK) == 0) {
		char *at[] = { "true", NULL };
		CHECK_EQ(run("/bin/true", at), 0);
		char *af[] = { "false", NULL };
		if (access("/bin/false", X_OK) == 0)
			CHECK_EQ(run("/bin/false", af), 1);
	}
	/* A shell pipeline-free command through /bin/sh -c. */
	char *ac[] = { "sh", "-c", "exit 5", NULL };
	CHECK_EQ(run("/bin/sh", ac), 5);

	tmpdir_remove();
	PASS();
}
