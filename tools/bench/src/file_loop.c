/*
 * file_loop: file syscall benchmarks.
 *
 *   file_loop open PATH -t MS   open(PATH, O_RDONLY) + read (up to 4 KiB)
 *                               + close, in a loop
 *   file_loop stat PATH -t MS   stat(PATH) in a loop
 *
 * Like getppid_loop: batches of growing size until one takes at least MS
 * milliseconds; prints "ns_per_op=<float> iters=<n>". Built with
 * cc -O2 -static.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *path;
static int do_stat;

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double run(long n)
{
	static char buf[4096];
	struct stat st;
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		if (do_stat) {
			if (stat(path, &st) < 0) {
				perror(path);
				exit(1);
			}
			continue;
		}
		int fd = open(path, O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf)) < 0) {
			perror(path);
			exit(1);
		}
		close(fd);
	}
	return now_ns() - t0;
}

int main(int argc, char **argv)
{
	if (argc != 5 || strcmp(argv[3], "-t") != 0 ||
	    (strcmp(argv[1], "open") != 0 && strcmp(argv[1], "stat") != 0)) {
		fprintf(stderr, "usage: file_loop open|stat PATH -t MILLISECONDS\n");
		return 2;
	}
	do_stat = strcmp(argv[1], "stat") == 0;
	path = argv[2];
	double target_ns = atof(argv[4]) * 1e6;
	run(100);	/* warm up: the walk caches, the host fd */
	long n = 100;
	double elapsed;
	for (;;) {
		elapsed = run(n);
		if (elapsed >= target_ns || n >= (1L << 40))
			break;
		double want = elapsed > 0 ? 1.2 * target_ns / elapsed * n : 10.0 * n;
		long next = want > 10.0 * n ? 10 * n : (long)want;
		n = next > n ? next : 2 * n;
	}
	printf("ns_per_op=%.2f iters=%ld\n", elapsed / (double)n, n);
	return 0;
}
