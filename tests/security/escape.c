/* tests/security/escape.c: a hostile guest for tests/security/confine.sh.
 * `escape MODE [ARG]` tries one way out of the sandbox with raw syscall
 * instructions (no libc wrapper between it and the kernel) and exits 0
 * when the attempt failed the way it must, 1 (with a line on stderr) when
 * it got somewhere. The shell script also checks the host side. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long raw6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#define raw(nr, a, b, c) raw6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)

static int bad(const char *what, long r)
{
	fprintf(stderr, "escape: %s succeeded (%ld)\n", what, r);
	return 1;
}

/* openat of each path must fail; reading one would leak it. */
static int open_paths(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		long fd = raw(SYS_openat, AT_FDCWD, argv[i], O_RDONLY);
		if (fd >= 0) {
			char buf[256];
			long n = raw(SYS_read, fd, buf, sizeof(buf) - 1);
			if (n > 0) {
				buf[n] = 0;
				fprintf(stderr, "escape: read %s: %s\n", argv[i], buf);
			}
			return bad(argv[i], fd);
		}
	}
	return 0;
}

/* A host AF_UNIX socket (argv[2]) must be unreachable. */
static int host_socket(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	long s = raw(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	if (s >= 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[2]);
		long r = raw(SYS_connect, s, &sa, sizeof(sa));
		if (r == 0)
			return bad("connect to the host socket", r);
	}
	long t = raw(SYS_socket, AF_INET, SOCK_STREAM, 0);
	if (t >= 0) {
		/* TCP to the host's loopback (argv[3], a listening port). */
		if (argc > 3) {
			struct sockaddr_in {
				uint16_t fam, port;
				uint32_t addr;
				char zero[8];
			} in = { AF_INET, (uint16_t)__builtin_bswap16((uint16_t)atoi(argv[3])),
				 __builtin_bswap32(0x7f000001), { 0 } };
			long r = raw(SYS_connect, t, &in, sizeof(in));
			if (r == 0)
				return bad("TCP connect to the host's loopback", r);
		}
	}
	return 0;
}

/* ptrace(ATTACH/SEIZE) of every pid up to argv[2] must fail. */
static int ptrace_all(int argc, char **argv)
{
	long max = argc > 2 ? atol(argv[2]) : 4096;
	for (long p = 1; p <= max; p++) {
		if (p == (long)getpid())
			continue;
		long r = raw(SYS_ptrace, PTRACE_ATTACH, p, 0);
		if (r == 0)
			return bad("ptrace attach", p);
		r = raw(SYS_ptrace, PTRACE_SEIZE, p, 0);
		if (r == 0)
			return bad("ptrace seize", p);
	}
	return 0;
}

/* kill(-1, SIGKILL) and kill of low pids: only the sandbox may die. */
static int kill_all(void)
{
	raw(SYS_kill, -1, SIGKILL, 0);
	for (long p = 2; p < 4096; p++)
		raw(SYS_kill, p, SIGKILL, 0);
	return 0;
}

/* Fork until refused; every refusal must be EAGAIN. Children wait on a
 * pipe and exit when it closes. */
static int fork_bomb(void)
{
	int pfd[2];
	if (pipe(pfd) < 0)
		return 2;
	int n = 0;
	for (;;) {
		long pid = raw(SYS_fork, 0, 0, 0);
		if (pid == 0) {
			char c;
			close(pfd[1]);
			while (read(pfd[0], &c, 1) > 0)
				;
			_exit(0);
		}
		if (pid < 0) {
			if (pid != -EAGAIN)
				return bad("fork failed with another errno", pid);
			break;
		}
		if (++n > 100000)
			return bad("fork without bound", n);
	}
	close(pfd[1]);
	while (wait(NULL) > 0)
		;
	printf("forked %d\n", n);
	return 0;
}

/* 64 GiB of malloc, touched: NULL, or the OOM kill (SIGKILL). */
static int big_malloc(void)
{
	size_t len = 64UL << 30;
	char *p = malloc(len);
	if (!p) {
		printf("malloc: NULL\n");
		return 0;
	}
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 1;
	return bad("touching 64 GiB", 0);
}

/* 100000 open fds. */
static int many_fds(void)
{
	struct rlimit rl = { 200000, 200000 };
	setrlimit(RLIMIT_NOFILE, &rl);
	int n = 0, err = 0;
	for (int i = 0; i < 100000; i++) {
		long fd = raw(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
		if (fd < 0) {
			err = (int)-fd;
			break;
		}
		n++;
	}
	printf("opened %d (%s)\n", n, err ? strerror(err) : "no error");
	return err && err != EMFILE && err != ENFILE ? 1 : 0;
}

static volatile long got;
static void on_usr1(int sig) { (void)sig; got++; }

/* 10000 signals to itself (kill and tgkill), every one handled. */
static int signal_storm(void)
{
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, on_usr1);
	for (int i = 0; i < 5000; i++) {
		raw(SYS_kill, getpid(), i & 1 ? SIGUSR1 : SIGUSR2, 0);
		raw(SYS_tgkill, getpid(), getpid(), SIGUSR1);
	}
	if (got != 10000) {
		fprintf(stderr, "escape: %ld of 10000 signals handled\n", got);
		return 1;
	}
	return 0;
}

/* Write through -v mount symlinks that point outside it. */
static int write_links(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		long fd = raw(SYS_openat, AT_FDCWD, argv[i], O_WRONLY | O_CREAT | O_TRUNC);
		if (fd >= 0) {
			raw(SYS_write, fd, "ESCAPED\n", 8);
			raw(SYS_close, fd, 0, 0);
		}
	}
	return 0;
}

/* Create argv[2], then wait until argv[3] exists (the host looks at the
 * sandbox meanwhile). */
static int wait_for(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	long fd = raw(SYS_openat, AT_FDCWD, argv[2], O_WRONLY | O_CREAT);
	if (fd < 0)
		return 2;
	raw(SYS_close, fd, 0, 0);
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	while (access(argv[3], F_OK) < 0)
		nanosleep(&ts, NULL);
	return 0;
}

/* exec: the guest's own executable memory, through the platform's
 * paths (the sentry's filter allows PROT_EXEC from there only): mmap
 * PROT_EXEC, write code, mprotect it executable, run it, and again after
 * a fork (a new stub). A sandbox failure here means the sentry's guard
 * refused the platform. */
static int run_code(void)
{
	/* mov $42, %eax; ret */
	static const unsigned char code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
	long p = raw6(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0 && p > -4096) {
		fprintf(stderr, "escape: mmap(PROT_EXEC) in the guest: %ld\n", p);
		return 1;
	}
	memcpy((void *)p, code, sizeof(code));
	if (((int (*)(void))p)() != 42) {
		fprintf(stderr, "escape: code in an rwx mapping did not run\n");
		return 1;
	}
	long q = raw6(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (q < 0 && q > -4096)
		return 1;
	memcpy((void *)q, code, sizeof(code));
	long r = raw(SYS_mprotect, q, 4096, PROT_READ | PROT_EXEC);
	if (r != 0 || ((int (*)(void))q)() != 42) {
		fprintf(stderr, "escape: mprotect(PROT_EXEC) in the guest: %ld\n", r);
		return 1;
	}
	return 0;
}

static int exec_memory(void)
{
	if (run_code())
		return 1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(run_code());
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "escape: executable memory in a forked guest failed\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *m = argv[1];
	if (!strcmp(m, "open"))
		return open_paths(argc, argv);
	if (!strcmp(m, "socket"))
		return host_socket(argc, argv);
	if (!strcmp(m, "ptrace"))
		return ptrace_all(argc, argv);
	if (!strcmp(m, "kill"))
		return kill_all();
	if (!strcmp(m, "forkbomb"))
		return fork_bomb();
	if (!strcmp(m, "malloc"))
		return big_malloc();
	if (!strcmp(m, "fds"))
		return many_fds();
	if (!strcmp(m, "signals"))
		return signal_storm();
	if (!strcmp(m, "wait"))
		return wait_for(argc, argv);
	if (!strcmp(m, "write"))
		return write_links(argc, argv);
	if (!strcmp(m, "exec"))
		return exec_memory();
	return 2;
}
