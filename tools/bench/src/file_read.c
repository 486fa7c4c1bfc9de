/*
 * file_read: sequential read throughput of one file, timed inside the guest.
 *
 *   file_read PATH MB [create]
 *
 * With "create", first writes an MB MiB file at PATH (and removes it at
 * the end); then reads the whole file from start to end with 1 MiB read()
 * calls, three times, and prints the fastest pass as
 * "ns_per_op=<float> iters=3 mb_per_s=<float>" (one op: the whole file).
 * Built with: cc -O2 -static.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: file_read PATH MB [create]\n");
		return 2;
	}
	const char *path = argv[1];
	long mb = strtol(argv[2], NULL, 10);
	int create = argc > 3 && strcmp(argv[3], "create") == 0;
	char *buf = malloc(CHUNK);
	if (!buf || mb <= 0)
		return 2;
	memset(buf, 'r', CHUNK);
	if (create) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		for (long i = 0; i < mb; i++)
			if (write(fd, buf, CHUNK) != CHUNK) {
				perror("write");
				return 1;
			}
		close(fd);
	}
	double best = 0;
	for (int pass = 0; pass < 3; pass++) {
		int fd = open(path, O_RDONLY);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		long long total = 0;
		double t0 = now_ns();
		for (;;) {
			ssize_t n = read(fd, buf, CHUNK);
			if (n < 0) {
				perror("read");
				return 1;
			}
			if (n == 0)
				break;
			total += n;
		}
		double t = now_ns() - t0;
		close(fd);
		if (total != mb * (long long)CHUNK) {
			fprintf(stderr, "read %lld bytes, want %lld\n", total, mb * (long long)CHUNK);
			return 1;
		}
		if (pass == 0 || t < best)
			best = t;
	}
	if (create)
		unlink(path);
	printf("ns_per_op=%.0f iters=3 mb_per_s=%.1f\n", best, (double)mb * 1e9 / best);
	return 0;
}
