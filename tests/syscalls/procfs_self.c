/* procfs_self.c: /proc/self and the files about the calling process:
 * self and thread-self links, stat (52 fields, pid/ppid/pgrp/session,
 * comm, state, threads), status (ids, signal masks), comm written and
 * prctl agreeing, cmdline and environ read at every offset, exe/cwd/root
 * magic links (readlink and following), auxv, net/, ns/, lseek and poll on
 * generated files, stat sizes 0, limits, oom_score_adj, writes refused as
 * Linux; and the global files: uptime, loadavg, stat, meminfo, cpuinfo,
 * version, swaps, vmstat, cmdline, filesystems, sys/kernel. */
#include "check.h"
#include "procfs_util.h"
#include "tmpdir.h"

#include <poll.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>

static char buf[1 << 16], buf2[1 << 16];

static void on_term(int sig)
{
	(void)sig;
}

static void check_links(void)
{
	char want[64];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf));
	CHECK(n > 0, "readlink /proc/self");
	buf[n] = 0;
	snprintf(want, sizeof(want), "%d", getpid());
	CHECK(strcmp(buf, want) == 0, "/proc/self -> %s, want %s", buf, want);
	n = readlink("/proc/thread-self", buf, sizeof(buf));
	CHECK(n > 0, "readlink /proc/thread-self");
	buf[n] = 0;
	snprintf(want, sizeof(want), "%d/task/%d", getpid(), gettid());
	CHECK(strcmp(buf, want) == 0, "/proc/thread-self -> %s, want %s", buf, want);
	struct stat a, b;
	CHECK_OK(stat("/proc/self", &a));
	snprintf(want, sizeof(want), "/proc/%d", getpid());
	CHECK_OK(stat(want, &b));
	CHECK(S_ISDIR(a.st_mode) && a.st_ino == b.st_ino, "/proc/self is /proc/PID");
	CHECK_OK(lstat("/proc/self", &a));
	CHECK(S_ISLNK(a.st_mode), "/proc/self is a symlink");
}

static void check_stat(void)
{
	CHECK(read_file_chunked("/proc/self/stat", buf, sizeof(buf), 7) > 0, "read stat");
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	CHECK(open && close && close > open, "stat has (comm): %s", buf);
	CHECK_EQ(atoi(buf), getpid());
	char name[17] = { 0 };
	CHECK_OK(prctl(PR_GET_NAME, name));
	CHECK((size_t)(close - open - 1) == strlen(name) &&
	      strncmp(open + 1, name, strlen(name)) == 0, "comm in stat: %s vs %s", buf, name);
	/* Fields 3..52 after the comm. */
	int nfields = 2;
	char *save = NULL;
	long f[64] = { 0 };
	char state = 0;
	for (char *tok = strtok_r(close + 1, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		nfields++;
		if (nfields == 3)
			state = tok[0];
		if (nfields < 64)
			f[nfields] = strtol(tok, NULL, 10);
	}
	CHECK_EQ(nfields, 52);
	CHECK(state == 'R', "state %c", state);
	CHECK_EQ(f[4], getppid());
	CHECK_EQ(f[5], getpgrp());
	CHECK_EQ(f[6], getsid(0));
	CHECK_EQ(f[20], 1);	/* num_threads */
	CHECK(f[23] > 0, "vsize %ld", f[23]);
	CHECK(f[24] > 0, "rss %ld", f[24]);
	/* starttime (ticks since boot) is not after now. */
	char up[128];
	CHECK(read_file("/proc/uptime", up, sizeof(up)) > 0, "read uptime");
	double secs = strtod(up, NULL);
	CHECK(f[22] <= (long)(secs * 100) + 100, "starttime %ld, uptime %f", f[22], secs);

	CHECK(read_file("/proc/self/statm", buf, sizeof(buf)) > 0, "statm");
	long size = 0, rss = 0;
	CHECK(sscanf(buf, "%ld %ld", &size, &rss) == 2 && size > 0 && rss > 0 && rss <= size,
	      "statm %s", buf);
}

static void check_status(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	signal(SIGUSR2, SIG_IGN);
	signal(SIGTERM, on_term);
	CHECK(read_file_chunked("/proc/self/status", buf, sizeof(buf), 100) > 0, "read status");
	char v[256];
	char name[17] = { 0 };
	CHECK_OK(prctl(PR_GET_NAME, name));
	CHECK(status_field(buf, "Name", v, sizeof(v)) && strcmp(v, name) == 0, "Name %s", v);
	CHECK(status_field(buf, "State", v, sizeof(v)) && v[0] == 'R', "State %s", v);
	CHECK(status_field(buf, "Pid", v, sizeof(v)) && atoi(v) == getpid(), "Pid %s", v);
	CHECK(status_field(buf, "Tgid", v, sizeof(v)) && atoi(v) == getpid(), "Tgid %s", v);
	CHECK(status_field(buf, "PPid", v, sizeof(v)) && atoi(v) == getppid(), "PPid %s", v);
	CHECK(status_field(buf, "Threads", v, sizeof(v)) && atoi(v) == 1, "Threads %s", v);
	unsigned u[4], g[4];
	CHECK(status_field(buf, "Uid", v, sizeof(v)) &&
	      sscanf(v, "%u %u %u %u", &u[0], &u[1], &u[2], &u[3]) == 4, "Uid %s", v);
	CHECK(u[0] == getuid() && u[1] == geteuid(), "Uid %s", v);
	CHECK(status_field(buf, "Gid", v, sizeof(v)) &&
	      sscanf(v, "%u %u %u %u", &g[0], &g[1], &g[2], &g[3]) == 4, "Gid %s", v);
	CHECK(g[0] == getgid() && g[1] == getegid(), "Gid %s", v);
	CHECK(status_field(buf, "SigBlk", v, sizeof(v)), "SigBlk");
	unsigned long long m = strtoull(v, NULL, 16);
	CHECK(m & (1ull << (SIGUSR1 - 1)), "SigBlk %s has SIGUSR1", v);
	CHECK(status_field(buf, "SigIgn", v, sizeof(v)), "SigIgn");
	m = strtoull(v, NULL, 16);
	CHECK(m & (1ull << (SIGUSR2 - 1)), "SigIgn %s has SIGUSR2", v);
	CHECK(status_field(buf, "SigCgt", v, sizeof(v)), "SigCgt");
	m = strtoull(v, NULL, 16);
	CHECK(m & (1ull << (SIGTERM - 1)), "SigCgt %s has SIGTERM", v);
	CHECK(status_field(buf, "VmSize", v, sizeof(v)) && atol(v) > 0, "VmSize %s", v);
	CHECK(status_field(buf, "VmRSS", v, sizeof(v)) && atol(v) > 0, "VmRSS %s", v);
	CHECK(status_field(buf, "FDSize", v, sizeof(v)) && atol(v) >= 3, "FDSize %s", v);
	const char *keys[] = { "Umask", "NStgid", "NSpid", "NSpgid", "NSsid", "SigQ", "SigPnd",
			       "ShdPnd", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
			       "NoNewPrivs", "Seccomp", "voluntary_ctxt_switches" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CHECK(status_field(buf, keys[i], v, sizeof(v)), "status has %s", keys[i]);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
}

static void check_comm(void)
{
	int fd = open("/proc/self/comm", O_WRONLY);
	CHECK_OK(fd);
	CHECK_EQ(write(fd, "renamed-by-proc\n", 16), 16);
	close(fd);
	char name[17] = { 0 };
	CHECK_OK(prctl(PR_GET_NAME, name));
	CHECK(strcmp(name, "renamed-by-proc") == 0, "prctl name %s", name);
	CHECK_OK(prctl(PR_SET_NAME, "viaprctl"));
	CHECK(read_file("/proc/self/comm", buf, sizeof(buf)) > 0, "read comm");
	CHECK(strcmp(buf, "viaprctl\n") == 0, "comm %s", buf);
	snprintf(buf2, sizeof(buf2), "/proc/self/task/%d/comm", gettid());
	CHECK(read_file(buf2, buf, sizeof(buf)) > 0, "read task comm");
	CHECK(strcmp(buf, "viaprctl\n") == 0, "task comm %s", buf);
}

static void check_args(int argc, char **argv, char **envp)
{
	size_t want = 0;
	for (int i = 0; i < argc; i++) {
		memcpy(buf2 + want, argv[i], strlen(argv[i]) + 1);
		want += strlen(argv[i]) + 1;
	}
	ssize_t n = read_file_chunked("/proc/self/cmdline", buf, sizeof(buf), 1);
	CHECK(n == (ssize_t)want && memcmp(buf, buf2, want) == 0, "cmdline (%zd bytes)", n);
	/* pread at an offset */
	int fd = open("/proc/self/cmdline", O_RDONLY);
	CHECK_OK(fd);
	char c;
	CHECK_EQ(pread(fd, &c, 1, 1), want > 1 ? 1 : 0);
	if (want > 1)
		CHECK(c == buf2[1], "pread cmdline[1]");
	CHECK_EQ(pread(fd, &c, 1, 1 << 20), 0);
	close(fd);
	want = 0;
	for (char **e = envp; *e; e++) {
		memcpy(buf2 + want, *e, strlen(*e) + 1);
		want += strlen(*e) + 1;
	}
	n = read_file_chunked("/proc/self/environ", buf, sizeof(buf), 13);
	CHECK(n == (ssize_t)want && memcmp(buf, buf2, want) == 0, "environ (%zd bytes, want %zu)",
	      n, want);
}

static void check_magic_links(const struct stat *prog, const char *dir)
{
	struct stat a, b = *prog;
	CHECK_OK(stat("/proc/self/exe", &a));
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "exe follows to the program");
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	CHECK(n > 0 && buf[0] == '/', "readlink exe");
	buf[n] = 0;
	CHECK_OK(stat(buf, &b));
	CHECK(a.st_ino == b.st_ino, "exe's name %s is the program", buf);

	n = readlink("/proc/self/cwd", buf, sizeof(buf) - 1);
	CHECK(n > 0, "readlink cwd");
	buf[n] = 0;
	CHECK(strcmp(buf, dir) == 0, "cwd -> %s, want %s", buf, dir);
	CHECK_OK(stat("/proc/self/cwd/.", &a));
	CHECK_OK(stat(".", &b));
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "cwd follows to the directory");
	int fd = open("/proc/self/cwd/made-through-cwd", O_CREAT | O_WRONLY, 0600);
	CHECK_OK(fd);
	close(fd);
	CHECK_OK(stat("made-through-cwd", &a));
	CHECK_OK(unlink("made-through-cwd"));
	n = readlink("/proc/self/root", buf, sizeof(buf) - 1);
	CHECK(n == 1 && buf[0] == '/', "root -> /");
	CHECK_OK(lstat("/proc/self/exe", &a));
	CHECK(S_ISLNK(a.st_mode), "exe is a link");
	/* The root link leads to our root, and ".." cannot leave it. */
	CHECK_OK(stat("/proc/self/root/..", &a));
	CHECK_OK(stat("/", &b));
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "root/.. is /");
}

static void check_file_ops(void)
{
	struct stat st;
	CHECK_OK(stat("/proc/self/status", &st));
	CHECK(S_ISREG(st.st_mode) && st.st_size == 0, "status: regular, size 0");
	CHECK_OK(stat("/proc/meminfo", &st));
	CHECK(S_ISREG(st.st_mode) && st.st_size == 0, "meminfo size 0");
	int fd = open("/proc/self/status", O_RDONLY);
	CHECK_OK(fd);
	struct pollfd p = { fd, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK(p.revents & POLLIN, "poll status");
	ssize_t n = read(fd, buf, 10);
	CHECK_EQ(n, 10);
	CHECK(strncmp(buf, "Name:", 5) == 0, "status starts with Name:");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, buf2, 10);
	CHECK(n == 10 && memcmp(buf, buf2, 10) == 0, "read after lseek 0");
	close(fd);
	CHECK(dir_has("/proc/self", "status") && dir_has("/proc/self", "fd") &&
	      dir_has("/proc/self", "task") && dir_has("/proc/self", "maps"), "/proc/self lists");
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", getpid());
	CHECK(dir_has("/proc", pid) && dir_has("/proc", "self") && dir_has("/proc", "meminfo"),
	      "/proc lists");
	/* Writes where Linux refuses them. */
	fd = open("/proc/self/stat", O_WRONLY);
	CHECK_OK(fd);
	CHECK_ERR(write(fd, "x", 1), EINVAL);
	close(fd);
	fd = open("/proc/uptime", O_WRONLY);
	CHECK_OK(fd);
	CHECK_ERR(write(fd, "x", 1), EIO);
	close(fd);
	CHECK_ERR(open("/proc/sys/kernel/ostype", O_WRONLY), EACCES);
	CHECK_ERR(open("/proc/self/nonexistent", O_RDONLY), ENOENT);
	CHECK_ERR(mkdir("/proc/self/newdir", 0755), ENOENT);
}

static void check_auxv_net(void)
{
	ssize_t n = read_file("/proc/self/auxv", buf, sizeof(buf));
	CHECK(n > 0 && n % 16 == 0, "auxv %zd bytes", n);
	bool found = false;
	for (ssize_t i = 0; i + 16 <= n; i += 16) {
		unsigned long kv[2];
		memcpy(kv, buf + i, 16);
		if (kv[0] == AT_PAGESZ)
			found = kv[1] == getauxval(AT_PAGESZ);
	}
	CHECK(found, "auxv has AT_PAGESZ = %lu", getauxval(AT_PAGESZ));
	CHECK(read_file("/proc/self/net/dev", buf, sizeof(buf)) > 0, "net/dev");
	CHECK(strncmp(buf, "Inter-|", 7) == 0 && strstr(buf, "lo:"), "net/dev %s", buf);
	CHECK(read_file("/proc/net/unix", buf, sizeof(buf)) > 0, "net/unix");
	CHECK(strncmp(buf, "Num ", 4) == 0, "net/unix %s", buf);
}

static void check_ns(void)
{
	const char *types[] = { "pid", "net", "mnt", "uts", "ipc", "user" };
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char path[64], want[32];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", types[i]);
		ssize_t n = readlink(path, buf, sizeof(buf) - 1);
		CHECK(n > 0, "readlink %s", path);
		buf[n] = 0;
		unsigned long ino = 0;
		snprintf(want, sizeof(want), "%s:[%%lu]", types[i]);
		CHECK(sscanf(buf, want, &ino) == 1, "%s -> %s", path, buf);
		struct stat st;
		CHECK_OK(stat(path, &st));
		CHECK(st.st_ino == ino, "stat %s: ino %lu, link %s", path, (unsigned long)st.st_ino, buf);
		int fd = open(path, O_RDONLY);
		CHECK_OK(fd);
		CHECK_ERR(read(fd, buf, 1), EINVAL);
		close(fd);
	}
}

static void check_limits_oom(void)
{
	CHECK(read_file("/proc/self/limits", buf, sizeof(buf)) > 0, "limits");
	CHECK(strncmp(buf, "Limit", 5) == 0 && strstr(buf, "Max open files"), "limits: %s", buf);
	int fd = open("/proc/self/oom_score_adj", O_RDWR);
	CHECK_OK(fd);
	CHECK_EQ(write(fd, "100\n", 4), 4);
	close(fd);
	CHECK(read_file("/proc/self/oom_score_adj", buf, sizeof(buf)) > 0, "oom");
	CHECK(strcmp(buf, "100\n") == 0, "oom_score_adj %s", buf);
	fd = open("/proc/self/oom_score_adj", O_WRONLY);
	CHECK_ERR(write(fd, "5000", 4), EINVAL);
	close(fd);
}

static void check_global(void)
{
	double a, b;
	CHECK(read_file("/proc/uptime", buf, sizeof(buf)) > 0, "uptime");
	CHECK(sscanf(buf, "%lf %lf", &a, &b) == 2 && a > 0, "uptime %s", buf);
	int r, t, last;
	CHECK(read_file("/proc/loadavg", buf, sizeof(buf)) > 0, "loadavg");
	CHECK(sscanf(buf, "%lf %*f %*f %d/%d %d", &a, &r, &t, &last) == 4 && t >= 1 &&
	      r <= t && last >= 1, "loadavg %s", buf);
	CHECK(read_file("/proc/stat", buf, sizeof(buf)) > 0, "stat");
	CHECK(strncmp(buf, "cpu ", 4) == 0 && strstr(buf, "\nbtime ") &&
	      strstr(buf, "\nprocesses ") && strstr(buf, "\nprocs_running "), "stat: %.200s", buf);
	CHECK(read_file("/proc/meminfo", buf, sizeof(buf)) > 0, "meminfo");
	long total = 0, avail = 0;
	char v[128];
	CHECK(status_field(buf, "MemTotal", v, sizeof(v)) && (total = atol(v)) > 0, "MemTotal");
	CHECK(status_field(buf, "MemFree", v, sizeof(v)), "MemFree");
	CHECK(status_field(buf, "MemAvailable", v, sizeof(v)) && (avail = atol(v)) <= total,
	      "MemAvailable");
	CHECK(status_field(buf, "SwapTotal", v, sizeof(v)), "SwapTotal");
	CHECK(read_file("/proc/cpuinfo", buf, sizeof(buf)) > 0, "cpuinfo");
	int procs = 0;
	for (char *p = buf; (p = strstr(p, "processor\t: ")); p++)
		procs++;
	CHECK(procs >= 1 && procs == sysconf(_SC_NPROCESSORS_ONLN), "cpuinfo has %d CPUs, "
	      "sysconf %ld", procs, sysconf(_SC_NPROCESSORS_ONLN));
	CHECK(strstr(buf, "\nflags\t\t: ") && strstr(buf, " sse2") && strstr(buf, "vendor_id"),
	      "cpuinfo flags");
	CHECK(read_file("/proc/version", buf, sizeof(buf)) > 0, "version");
	CHECK(strncmp(buf, "Linux version ", 14) == 0, "version %s", buf);
	CHECK(read_file("/proc/swaps", buf, sizeof(buf)) > 0, "swaps");
	CHECK(strncmp(buf, "Filename", 8) == 0, "swaps %s", buf);
	CHECK(read_file("/proc/vmstat", buf, sizeof(buf)) > 0, "vmstat");
	CHECK(strncmp(buf, "nr_free_pages ", 14) == 0, "vmstat %.100s", buf);
	CHECK(read_file("/proc/cmdline", buf, sizeof(buf)) > 0, "cmdline");
	CHECK(buf[strlen(buf) - 1] == '\n', "kernel cmdline %s", buf);
	CHECK(read_file("/proc/filesystems", buf, sizeof(buf)) > 0, "filesystems");
	CHECK(strstr(buf, "\tproc\n") && strstr(buf, "\ttmpfs\n"), "filesystems %s", buf);
	struct utsname u;
	CHECK_OK(uname(&u));
	CHECK(read_file("/proc/sys/kernel/ostype", buf, sizeof(buf)) > 0, "ostype");
	CHECK(strcmp(buf, "Linux\n") == 0, "ostype %s", buf);
	CHECK(read_file("/proc/sys/kernel/osrelease", buf, sizeof(buf)) > 0, "osrelease");
	snprintf(v, sizeof(v), "%s\n", u.release);
	CHECK(strcmp(buf, v) == 0, "osrelease %s vs %s", buf, u.release);
	CHECK(read_file("/proc/sys/kernel/hostname", buf, sizeof(buf)) > 0, "hostname");
	snprintf(v, sizeof(v), "%s\n", u.nodename);
	CHECK(strcmp(buf, v) == 0, "hostname %s vs %s", buf, u.nodename);
	CHECK(read_file("/proc/sys/kernel/random/boot_id", buf, sizeof(buf)) == 37, "boot_id");
	CHECK(read_file("/proc/sys/kernel/random/uuid", buf2, sizeof(buf2)) == 37, "uuid");
	CHECK(strcmp(buf, buf2) != 0, "uuid differs from boot_id");
	CHECK(read_file("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf)) > 0 && atoi(buf) > 30,
	      "cap_last_cap %s", buf);
	const char *sysctls[] = { "/proc/sys/kernel/pid_max", "/proc/sys/kernel/ngroups_max",
				  "/proc/sys/vm/overcommit_memory", "/proc/sys/vm/max_map_count",
				  "/proc/sys/fs/file-max", "/proc/sys/fs/nr_open",
				  "/proc/sys/fs/pipe-max-size" };
	for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		CHECK(read_file(sysctls[i], buf, sizeof(buf)) > 0, "read %s", sysctls[i]);
		CHECK(buf[0] >= '0' && buf[0] <= '9' && buf[strlen(buf) - 1] == '\n', "%s: %s",
		      sysctls[i], buf);
	}
	struct stat st;
	CHECK_OK(lstat("/proc/mounts", &st));
	CHECK(S_ISLNK(st.st_mode), "/proc/mounts is a link");
	CHECK(read_file("/proc/mounts", buf, sizeof(buf)) > 0, "mounts");
	CHECK(strstr(buf, " /proc proc "), "mounts has /proc: %s", buf);
}

int main(int argc, char **argv, char **envp)
{
	check_links();
	check_stat();
	check_status();
	check_args(argc, argv, envp);
	struct stat prog;
	CHECK_OK(stat(argv[0], &prog));
	const char *dir = tmpdir_make();
	check_magic_links(&prog, dir);
	check_file_ops();
	check_limits_oom();
	check_auxv_net();
	check_ns();
	check_global();
	check_comm();
	tmpdir_remove();
	PASS();
}
