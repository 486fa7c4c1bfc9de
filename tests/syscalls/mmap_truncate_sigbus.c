/* Access to the pages of a file mapping beyond the end of the file is
 * SIGBUS with BUS_ADRERR (shared and private, after ftruncate shrinks
 * the file); the rest of the last page reads as zeros; growing the file
 * back makes the pages usable again. */
#include "check.h"
#include "tmpdir.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define P 4096

static sigjmp_buf jb;
static volatile int got_code;
static void *volatile got_addr;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_code = si->si_code;
	got_addr = si->si_addr;
	siglongjmp(jb, 1);
}

/* Read (or write) *a; true if it raised SIGBUS at a with BUS_ADRERR. */
static bool bus_at(volatile char *a, bool write)
{
	got_code = 0;
	got_addr = NULL;
	if (sigsetjmp(jb, 1) == 0) {
		if (write)
			*a = 1;
		else
			(void)*a;
		return false;
	}
	CHECK_EQ(got_code, BUS_ADRERR);
	CHECK(got_addr == (void *)a, "si_addr %p, want %p", got_addr, (void *)a);
	return true;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_bus, .sa_flags = SA_SIGINFO };
	CHECK_OK(sigaction(SIGBUS, &sa, NULL));
	tmpdir_make();
	int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK_OK(fd);
	char buf[3 * P];
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(write(fd, buf, sizeof(buf)), (long)sizeof(buf));

	char *m = mmap(NULL, 3 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap shared");
	char *p = mmap(NULL, 3 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED, "mmap private");
	CHECK_EQ(m[2 * P], 'x');
	CHECK_EQ(p[2 * P], 'x');
	CHECK_EQ(p[P], 'x');

	CHECK_OK(ftruncate(fd, P + 100));
	/* Page 1 is partly in the file: fine, and zero beyond the end. */
	CHECK_EQ(m[P + 99], 'x');
	CHECK_EQ(m[P + 100], 0);
	CHECK_EQ(m[2 * P - 1], 0);
	CHECK(!bus_at(m + P + 200, true), "write in the last page");
	/* Page 2 is gone, for both mappings. */
	CHECK(bus_at(m + 2 * P, false), "shared read beyond the end");
	CHECK(bus_at(m + 2 * P + 17, true), "shared write beyond the end");
	CHECK(bus_at(p + 2 * P + 8, false), "private read beyond the end");
	CHECK(bus_at(p + 2 * P, true), "private write beyond the end");

	/* Growing back: zeros, no SIGBUS. */
	CHECK_OK(ftruncate(fd, 3 * P));
	CHECK(!bus_at(m + 2 * P, false), "after growing");
	CHECK_EQ(m[2 * P], 0);
	m[2 * P + 1] = 'g';
	CHECK_EQ(pread(fd, buf, 1, 2 * P + 1), 1);
	CHECK_EQ(buf[0], 'g');

	/* Truncating to zero: every page of the mapping is beyond. */
	CHECK_OK(ftruncate(fd, 0));
	CHECK(bus_at(m, false), "page 0 after truncate to 0");
	CHECK(bus_at(p + P, false), "private page 1 after truncate to 0");

	/* A mapping made beyond the end faults at once. */
	char *q = mmap(NULL, P, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(q != MAP_FAILED, "mmap of an empty file");
	CHECK(bus_at(q, false), "empty file");

	CHECK_OK(munmap(m, 3 * P));
	CHECK_OK(munmap(p, 3 * P));
	CHECK_OK(munmap(q, P));
	CHECK_OK(close(fd));
	tmpdir_remove();
	PASS();
}
