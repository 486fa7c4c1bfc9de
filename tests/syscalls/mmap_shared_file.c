/* mmap of regular files: MAP_SHARED mappings share pages with read() and
 * write() and with other processes' mappings; MAP_PRIVATE sees others'
 * changes until its own first write to a page, which never reaches the
 * file; access rules (EACCES) for shared writable mappings. */
#include "check.h"
#include "tmpdir.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define P 4096

static void fill(int fd, int pages)
{
	char buf[P];
	for (int i = 0; i < pages; i++) {
		memset(buf, 'a' + i, P);
		CHECK_EQ(pwrite(fd, buf, P, (off_t)i * P), P);
	}
}

int main(void)
{
	tmpdir_make();
	int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK_OK(fd);
	fill(fd, 3);

	/* Shared: the mapping shows the file; writes go both ways. */
	char *m = mmap(NULL, 3 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap shared");
	CHECK_EQ(m[0], 'a');
	CHECK_EQ(m[P + 7], 'b');
	CHECK_EQ(m[2 * P + P - 1], 'c');
	memcpy(m + 10, "hello", 5);
	char buf[16] = { 0 };
	CHECK_EQ(pread(fd, buf, 5, 10), 5);
	CHECK(memcmp(buf, "hello", 5) == 0, "read sees the mapping's write: %.5s", buf);
	CHECK_EQ(pwrite(fd, "world", 5, P + 100), 5);
	CHECK(memcmp(m + P + 100, "world", 5) == 0, "mapping sees write()");

	/* With an offset. */
	char *m2 = mmap(NULL, P, PROT_READ, MAP_SHARED, fd, 2 * P);
	CHECK(m2 != MAP_FAILED, "mmap at offset");
	CHECK_EQ(m2[0], 'c');
	m[2 * P] = 'Z';
	CHECK_EQ(m2[0], 'Z');
	CHECK_OK(munmap(m2, P));

	/* Another process's shared mapping is the same memory. */
	int tochild[2], toparent[2];
	CHECK_OK(pipe(tochild));
	CHECK_OK(pipe(toparent));
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		int cfd = open("f", O_RDWR);
		char *c = mmap(NULL, 3 * P, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
		if (c == MAP_FAILED)
			_exit(2);
		c[P + 1] = 'X';			/* through its own mapping */
		m[P + 2] = 'Y';			/* through the inherited one */
		char x = 1;
		if (write(toparent[1], &x, 1) != 1 || read(tochild[0], &x, 1) != 1)
			_exit(3);
		/* The parent wrote 'Q' at 3 through its mapping. */
		_exit(c[3] == 'Q' && m[3] == 'Q' ? 0 : 4);
	}
	char x;
	CHECK_EQ(read(toparent[0], &x, 1), 1);
	CHECK_EQ(m[P + 1], 'X');
	CHECK_EQ(m[P + 2], 'Y');
	CHECK_EQ(pread(fd, buf, 2, P + 1), 2);
	CHECK(buf[0] == 'X' && buf[1] == 'Y', "read sees the child's writes");
	m[3] = 'Q';
	CHECK_EQ(write(tochild[1], &x, 1), 1);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);

	/* Private: copy-on-write over the file's pages. */
	char *p = mmap(NULL, 3 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED, "mmap private");
	CHECK_EQ(p[P + 1], 'X');
	CHECK_EQ(pwrite(fd, "1", 1, 2 * P + 5), 1);
	CHECK_EQ(p[2 * P + 5], '1');		/* not written privately yet */
	p[5] = 'p';				/* page 0 becomes private */
	CHECK_EQ(pread(fd, buf, 1, 5), 1);
	CHECK_EQ(buf[0], 'a');			/* the file is unchanged */
	CHECK_EQ(m[5], 'a');
	CHECK_EQ(pwrite(fd, "2", 1, 6), 1);
	CHECK_EQ(p[6], 'a');			/* page 0 is private now */
	CHECK_EQ(p[5], 'p');
	CHECK_EQ(pwrite(fd, "3", 1, P + 9), 1);
	CHECK_EQ(p[P + 9], '3');		/* page 1 still the file's */
	/* A private copy survives fork copy-on-write. */
	pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		p[7] = 'c';
		p[P + 10] = 'd';
		_exit(p[5] == 'p' && m[P + 10] != 'd' ? 0 : 1);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
	CHECK_EQ(p[7], 'a');
	CHECK(p[P + 10] != 'd', "child's private write leaked");
	CHECK_OK(munmap(p, 3 * P));

	/* Writes through the mapping survive munmap and close. */
	CHECK_OK(msync(m, 3 * P, MS_SYNC));
	CHECK_OK(munmap(m, 3 * P));
	CHECK_OK(close(fd));
	fd = open("f", O_RDONLY);
	CHECK_OK(fd);
	CHECK_EQ(pread(fd, buf, 5, 10), 5);
	CHECK(memcmp(buf, "hello", 5) == 0, "after close: %.5s", buf);

	/* A read-only descriptor: no writable shared mapping, now or later. */
	CHECK(mmap(NULL, P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
	      errno == EACCES, "shared writable of O_RDONLY");
	m = mmap(NULL, P, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "shared read-only");
	CHECK_ERR(mprotect(m, P, PROT_READ | PROT_WRITE), EACCES);
	CHECK_OK(munmap(m, P));
	/* A private writable mapping of a read-only descriptor is fine. */
	p = mmap(NULL, P, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED, "private writable of O_RDONLY");
	p[0] = 'w';
	CHECK_OK(munmap(p, P));
	CHECK_OK(close(fd));

	/* A write-only descriptor cannot be mapped at all. */
	fd = open("f", O_WRONLY);
	CHECK_OK(fd);
	CHECK(mmap(NULL, P, PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EACCES,
	      "mapping of O_WRONLY");
	CHECK_OK(close(fd));

	/* Growing the file makes more of a long mapping usable. */
	fd = open("g", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK_OK(fd);
	CHECK_OK(ftruncate(fd, P));
	m = mmap(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap beyond the end");
	m[0] = 1;
	CHECK_OK(ftruncate(fd, 4 * P));
	m[3 * P + 5] = 'e';
	CHECK_EQ(pread(fd, buf, 1, 3 * P + 5), 1);
	CHECK_EQ(buf[0], 'e');
	struct stat sb;
	CHECK_OK(fstat(fd, &sb));
	CHECK_EQ(sb.st_size, 4 * P);
	CHECK_OK(munmap(m, 4 * P));
	CHECK_OK(close(fd));

	tmpdir_remove();
	PASS();
}
