/*
 * proc_loop: process and thread creation benchmarks, timed inside the guest
 * so sandbox start-up is excluded.
 *
 *   proc_loop fork N          fork + _exit + waitpid, N times
 *   proc_loop exec N PATH [ARGS...]
 *                             fork + execve(PATH, [PATH, ARGS...]) + waitpid
 *   proc_loop thread N        pthread_create + pthread_join, N times
 *
 * Prints "ns_per_op=<float> iters=<n>".  Built with: cc -O2 -static.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void *nothing(void *arg)
{
	return arg;
}

static void usage(void)
{
	fprintf(stderr, "usage: proc_loop fork|thread N | proc_loop exec N PATH\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	long n = strtol(argv[2], NULL, 10);
	if (n <= 0)
		usage();
	const char *what = argv[1];
	if (strcmp(what, "exec") == 0 && argc < 4)
		usage();
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		if (strcmp(what, "thread") == 0) {
			pthread_t t;
			if (pthread_create(&t, NULL, nothing, NULL) != 0 || pthread_join(t, NULL) != 0)
				return 1;
			continue;
		}
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			if (strcmp(what, "exec") == 0)
				execv(argv[3], &argv[3]);
			_exit(0);
		}
		int status;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			return 1;
	}
	printf("ns_per_op=%.1f iters=%ld\n", (now_ns() - t0) / (double)n, n);
	return 0;
}
