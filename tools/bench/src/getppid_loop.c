/*
 * getppid_loop: syscall round-trip benchmark.
 *
 *   getppid_loop N        run exactly N getppid syscalls
 *   getppid_loop -t MS    run batches of growing size until one batch takes
 *                         at least MS milliseconds (so slow runners such as
 *                         ptrace sandboxes do not take forever)
 *
 * Prints "ns_per_op=<float> iters=<n>" on stdout.  The time is measured in
 * the process with CLOCK_MONOTONIC around the loop only, so start-up of the
 * sandbox is excluded.  Built with: cc -O2 -static.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double run(long n)
{
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return now_ns() - t0;
}

static void usage(void)
{
	fprintf(stderr, "usage: getppid_loop N | getppid_loop -t MILLISECONDS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long n = 1000000;
	double target_ns = 0;
	char *end;

	if (argc == 2) {
		n = strtol(argv[1], &end, 10);
		if (*end || n <= 0)
			usage();
	} else if (argc == 3 && strcmp(argv[1], "-t") == 0) {
		long ms = strtol(argv[2], &end, 10);
		if (*end || ms <= 0)
			usage();
		target_ns = (double)ms * 1e6;
	} else if (argc != 1) {
		usage();
	}

	run(1000);	/* warm up: fault in pages, settle the tracer */

	double elapsed;
	if (target_ns > 0) {
		n = 1000;
		for (;;) {
			elapsed = run(n);
			if (elapsed >= target_ns || n >= (1L << 40))
				break;
			/* Aim a bit past the target from what we have seen. */
			double want = elapsed > 0 ? 1.2 * target_ns / elapsed * n : 10.0 * n;
			long next = want > 10.0 * n ? 10 * n : (long)want;
			n = next > n ? next : 2 * n;
		}
	} else {
		elapsed = run(n);
	}
	printf("ns_per_op=%.2f iters=%ld\n", elapsed / (double)n, n);
	return 0;
}
