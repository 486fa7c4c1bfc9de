/* procfs_pid.c: /proc/PID of other processes and threads: a child's
 * directory (listed, ppid, state S while it blocks, its cmdline), the same
 * child as a zombie (state Z, empty cmdline, still listed), and after it
 * is reaped: the name gives ENOENT, an open directory fd fails lookups,
 * an open file gives ESRCH on read. Threads: task/
 * lists each, task/TID/stat is about the thread, /proc/TID is reachable
 * but not listed, and a joined thread's entry is gone. Reads racing a
 * process's exit and reaping work or give ENOENT/ESRCH. */
#include "check.h"
#include "proc_util.h"
#include "procfs_util.h"

#include <grp.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static char buf[1 << 16], buf2[1 << 16];

/* The state letter of /proc/PATH/stat, or 0. */
static char state_of(const char *path)
{
	if (read_file(path, buf2, sizeof(buf2)) <= 0)
		return 0;
	char *close = strrchr(buf2, ')');
	return close && close[1] == ' ' ? close[2] : 0;
}

static long stat_field(const char *path, int field)
{
	CHECK(read_file(path, buf2, sizeof(buf2)) > 0, "read %s", path);
	char *p = strrchr(buf2, ')');
	CHECK(p != NULL, "stat %s", buf2);
	p += 2;
	for (int i = 3; i < field; i++) {
		p = strchr(p, ' ');
		CHECK(p != NULL, "field %d of %s", field, path);
		p++;
	}
	return strtol(p, NULL, 10);
}

static void check_child(void)
{
	int to_child[2];
	CHECK_OK(pipe(to_child));
	pid_t pid = xfork();
	if (pid == 0) {
		char c;
		close(to_child[1]);
		ssize_t n = read(to_child[0], &c, 1);
		_exit(n == 1 ? 7 : 1);
	}
	close(to_child[0]);
	char dir[64], path[128], name[16];
	snprintf(dir, sizeof(dir), "/proc/%d", pid);
	snprintf(name, sizeof(name), "%d", pid);
	CHECK(dir_has("/proc", name), "/proc lists the child");
	snprintf(path, sizeof(path), "%s/stat", dir);
	CHECK_EQ(stat_field(path, 4), getpid());
	CHECK_EQ(atoi(buf2), pid);
	/* The child blocks in read: sleeping, sooner or later. */
	int tries = 0;
	while (state_of(path) != 'S' && tries++ < 20000)
		sleep_ms(1);
	CHECK(state_of(path) == 'S', "child state %c", state_of(path));
	snprintf(path, sizeof(path), "%s/status", dir);
	CHECK_EQ(status_long(path, "PPid"), getpid());
	CHECK_EQ(status_long(path, "Pid"), pid);
	snprintf(path, sizeof(path), "%s/cmdline", dir);
	ssize_t n = read_file(path, buf, sizeof(buf));
	ssize_t m = read_file("/proc/self/cmdline", buf2, sizeof(buf2));
	CHECK(n > 0 && n == m && memcmp(buf, buf2, (size_t)n) == 0, "child's cmdline is ours");

	/* Same namespaces as ours. */
	snprintf(path, sizeof(path), "%s/ns/pid", dir);
	n = readlink(path, buf, sizeof(buf) - 1);
	m = readlink("/proc/self/ns/pid", buf2, sizeof(buf2) - 1);
	CHECK(n > 0 && n == m && memcmp(buf, buf2, (size_t)n) == 0, "child's ns/pid");

	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK_OK(dfd);
	int sfd = openat(dfd, "status", O_RDONLY);
	CHECK_OK(sfd);

	/* A zombie: exited, not reaped. */
	CHECK_EQ(write(to_child[1], "x", 1), 1);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
	CHECK_EQ(si.si_pid, pid);
	snprintf(path, sizeof(path), "%s/stat", dir);
	CHECK(state_of(path) == 'Z', "zombie state %c", state_of(path));
	snprintf(path, sizeof(path), "%s/cmdline", dir);
	CHECK_EQ(read_file(path, buf, sizeof(buf)), 0);
	snprintf(path, sizeof(path), "%s/status", dir);
	CHECK(read_file(path, buf, sizeof(buf)) > 0, "zombie status");
	CHECK(status_field(buf, "State", buf2, sizeof(buf2)) && buf2[0] == 'Z', "State %s", buf2);
	CHECK(dir_has("/proc", name), "/proc lists the zombie");

	/* Reaped: gone. */
	expect_exit(pid, 7, "child");
	struct stat st;
	CHECK_ERR(stat(dir, &st), ENOENT);
	snprintf(path, sizeof(path), "%s/status", dir);
	CHECK_ERR(open(path, O_RDONLY), ENOENT);
	CHECK(!dir_has("/proc", name), "/proc does not list a reaped child");
	/* Lookups in the dead directory: ENOENT, or ESRCH since Linux 6.x. */
	errno = 0;
	CHECK(openat(dfd, "status", O_RDONLY) == -1 && (errno == ENOENT || errno == ESRCH),
	      "openat in a reaped pid's directory");
	CHECK_ERR(read(sfd, buf, sizeof(buf)), ESRCH);
	close(sfd);
	close(dfd);
	close(to_child[1]);
}

static int thread_pipe[2];
static volatile pid_t thread_tid;

static void *thread_main(void *arg)
{
	(void)arg;
	thread_tid = (pid_t)syscall(SYS_gettid);
	char c;
	CHECK_EQ(read(thread_pipe[0], &c, 1), 1);
	return NULL;
}

static void check_threads(void)
{
	CHECK_OK(pipe(thread_pipe));
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, thread_main, NULL), 0);
	while (!__atomic_load_n(&thread_tid, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	pid_t tid = thread_tid;
	char name[16], path[128];
	snprintf(name, sizeof(name), "%d", tid);
	CHECK(dir_has("/proc/self/task", name), "task/ lists the thread");
	snprintf(name, sizeof(name), "%d", getpid());
	CHECK(dir_has("/proc/self/task", name), "task/ lists the main thread");
	CHECK_EQ(status_long("/proc/self/status", "Threads"), 2);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	CHECK_EQ(stat_field(path, 4), getppid());
	CHECK_EQ(atoi(buf2), tid);
	CHECK_EQ(stat_field(path, 20), 2);
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	CHECK_EQ(status_long(path, "Pid"), tid);
	CHECK_EQ(status_long(path, "Tgid"), getpid());
	/* /proc/TID works but is not listed. */
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d", tid);
	CHECK_OK(stat(path, &st));
	snprintf(name, sizeof(name), "%d", tid);
	CHECK(!dir_has("/proc", name), "/proc does not list a thread");
	CHECK_EQ(write(thread_pipe[1], "x", 1), 1);
	CHECK_EQ(pthread_join(th, NULL), 0);
	/* pthread_join returns once the kernel has cleared the thread's tid
	 * (CLONE_CHILD_CLEARTID), which Linux does before the thread leaves
	 * /proc: it goes soon after, not at once (seen natively under load).
	 * Wait for that, up to 2 s. */
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	for (int i = 0; i < 2000 && stat(path, &st) == 0; i++)
		sleep_ms(1);
	CHECK_ERR(stat(path, &st), ENOENT);
	CHECK(!dir_has("/proc/self/task", name), "task/ drops the joined thread");
	CHECK_EQ(status_long("/proc/self/status", "Threads"), 1);
}

/* Read a process's files while it exits and is reaped: each read either
 * works or fails with ENOENT/ESRCH, never anything else. */
static void check_exit_race(void)
{
	static const char *const files[] = { "stat", "status", "statm", "maps", "smaps",
					     "cmdline", "environ", "mounts", "limits" };
	for (int round = 0; round < 40; round++) {
		pid_t pid = xfork();
		if (pid == 0)
			_exit(round & 3);
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/%s", pid, files[i]);
			/* mounts of a zombie: EINVAL (no mount namespace). */
			bool mnt = strcmp(files[i], "mounts") == 0;
			int fd = open(path, O_RDONLY);
			if (fd < 0) {
				CHECK(errno == ENOENT || errno == ESRCH || (mnt && errno == EINVAL),
				      "open %s", path);
				continue;
			}
			if (i == 4 && round % 2 == 0)
				expect_exit(pid, round & 3, "racing child");
			ssize_t n;
			while ((n = read(fd, buf, 100)) > 0)
				;
			CHECK(n == 0 || errno == ESRCH || errno == ENOENT || (mnt && errno == EINVAL),
			      "read %s", path);
			close(fd);
		}
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/exe", pid);
		ssize_t n = readlink(path, buf, sizeof(buf));
		CHECK(n > 0 || errno == ENOENT || errno == ESRCH, "readlink %s", path);
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		DIR *d = opendir(path);
		if (d) {
			while (readdir(d))
				;
			closedir(d);
		}
		if (round % 2)
			expect_exit(pid, round & 3, "racing child");
	}
}

/* A process that is no longer root: its files are root's while it is
 * undumpable, else its effective ids' (so it reads its own environ and
 * fd/), and status shows its ids and empty capabilities. */
static void check_setuid(void)
{
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_OK(setgroups(0, NULL));
		CHECK_OK(setresgid(1000, 1001, 1002));
		CHECK_OK(setresuid(2000, 2001, 2002));
		/* Changing ids made us undumpable: our files are root's. */
		struct stat st;
		CHECK_OK(stat("/proc/self/status", &st));
		CHECK(st.st_uid == 0 && st.st_gid == 0, "undumpable owner %u:%u", st.st_uid,
		      st.st_gid);
		CHECK_OK(prctl(PR_SET_DUMPABLE, 1));
		char v[256];
		CHECK(read_file("/proc/self/status", buf, sizeof(buf)) > 0, "status");
		CHECK(status_field(buf, "Uid", v, sizeof(v)) && strcmp(v, "2000\t2001\t2002\t2001") == 0,
		      "Uid %s", v);
		CHECK(status_field(buf, "Gid", v, sizeof(v)) && strcmp(v, "1000\t1001\t1002\t1001") == 0,
		      "Gid %s", v);
		CHECK(status_field(buf, "CapEff", v, sizeof(v)) && strtoull(v, NULL, 16) == 0,
		      "CapEff %s", v);
		CHECK(read_file("/proc/self/environ", buf, sizeof(buf)) >= 0, "own environ");
		CHECK(dir_has("/proc/self/fd", "0"), "own fd/");
		CHECK_OK(stat("/proc/self/status", &st));
		CHECK(st.st_uid == 2001 && st.st_gid == 1001, "owner %u:%u", st.st_uid, st.st_gid);
		_exit(0);
	}
	expect_exit(pid, 0, "setuid child");
}

int main(void)
{
	check_setuid();
	check_exit_race();
	check_child();
	check_threads();
	PASS();
}
