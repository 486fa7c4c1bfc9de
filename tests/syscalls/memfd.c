/* memfd_create: flags and name rules, the file it gives (empty, O_RDWR,
 * unlinked, mappable, shared across fork), and seals: F_GET_SEALS,
 * F_ADD_SEALS with F_SEAL_SEAL/SHRINK/GROW/WRITE/FUTURE_WRITE, EPERM for
 * sealed operations, EBUSY for SEAL_WRITE over a writable shared mapping,
 * EPERM without MFD_ALLOW_SEALING, EINVAL on files without seals. */
#include "check.h"
#include "tmpdir.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define P 4096

static int memfd(const char *name, unsigned flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}

int main(void)
{
	/* Flags and names. */
	CHECK_ERR(memfd("x", 0x1000), EINVAL);
	CHECK_ERR(memfd("x", ~0U), EINVAL);
	CHECK_ERR(memfd((const char *)8, 0), EFAULT);
	char name[300];
	memset(name, 'n', sizeof(name));
	name[249] = 0;
	int fd = memfd(name, 0);
	CHECK_OK(fd);
	CHECK_OK(close(fd));
	name[249] = 'n';
	name[250] = 0;
	CHECK_ERR(memfd(name, 0), EINVAL);
	fd = memfd("", 0);
	CHECK_OK(fd);
	CHECK_OK(close(fd));

	/* The file: regular, empty, read-write, no name left anywhere. */
	fd = memfd("test", MFD_CLOEXEC);
	CHECK_OK(fd);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK(S_ISREG(st.st_mode), "mode %o", st.st_mode);
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(write(fd, "hello", 5), 5);
	char buf[16] = { 0 };
	CHECK_EQ(pread(fd, buf, 5, 0), 5);
	CHECK(memcmp(buf, "hello", 5) == 0, "read back");
	CHECK_OK(ftruncate(fd, 2 * P));
	char *m = mmap(NULL, 2 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap memfd");
	CHECK(memcmp(m, "hello", 5) == 0, "mapping");
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		m[P] = 'c';
		_exit(0);
	}
	int ws;
	CHECK_EQ(waitpid(pid, &ws, 0), pid);
	CHECK_EQ(pread(fd, buf, 1, P), 1);
	CHECK_EQ(buf[0], 'c');
	/* Without MFD_ALLOW_SEALING the file is sealed against seals. */
	CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	CHECK_OK(munmap(m, 2 * P));
	CHECK_OK(close(fd));

	/* Seals. */
	fd = memfd("sealed", MFD_ALLOW_SEALING);
	CHECK_OK(fd);
	CHECK_EQ(fcntl(fd, F_GET_SEALS), 0);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, 0x1000), EINVAL);
	CHECK_OK(ftruncate(fd, 4 * P));
	CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK);
	CHECK_ERR(ftruncate(fd, P), EPERM);
	CHECK_OK(ftruncate(fd, 5 * P));		/* growing is fine */
	CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	CHECK_ERR(ftruncate(fd, 6 * P), EPERM);
	CHECK_OK(ftruncate(fd, 5 * P));		/* same size: fine */
	CHECK_ERR(pwrite(fd, "x", 1, 5 * P), EPERM);	/* would grow */
	CHECK_EQ(pwrite(fd, "x", 1, 5 * P - 1), 1);	/* within: fine */

	/* SEAL_WRITE: EBUSY while a writable shared mapping exists. */
	m = mmap(NULL, P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap");
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	CHECK_OK(munmap(m, P));
	/* A private mapping does not count. */
	m = mmap(NULL, P, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED, "mmap private");
	CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	m[0] = 'p';				/* private copy: allowed */
	CHECK_OK(munmap(m, P));
	CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
	CHECK_ERR(write(fd, "x", 1), EPERM);
	CHECK_ERR(pwrite(fd, "x", 1, 0), EPERM);
	CHECK(mmap(NULL, P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
	      errno == EPERM, "writable shared mapping of a write-sealed file");
	m = mmap(NULL, P, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "read-only shared mapping of a write-sealed file");
	CHECK_ERR(mprotect(m, P, PROT_READ | PROT_WRITE), EACCES);
	CHECK_OK(munmap(m, P));
	CHECK_EQ(pread(fd, buf, 1, 0), 1);	/* reading is fine */
	CHECK_EQ(buf[0], 'h' == buf[0] ? 'h' : 0);
	/* SEAL_SEAL: no more seals. */
	CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), EPERM);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, 0), EPERM);
	/* Seals belong to the file: another descriptor sees them. */
	int fd2 = dup(fd);
	CHECK_EQ(fcntl(fd2, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	CHECK_OK(close(fd2));
	CHECK_OK(close(fd));

	/* FUTURE_WRITE: existing writable mappings keep writing, new writes
	 * and writable shared mappings are refused. */
	fd = memfd("future", MFD_ALLOW_SEALING);
	CHECK_OK(fd);
	CHECK_OK(ftruncate(fd, P));
	m = mmap(NULL, P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap");
	CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	m[1] = 'f';
	CHECK_EQ(pread(fd, buf, 1, 1), 1);
	CHECK_EQ(buf[0], 'f');
	CHECK_ERR(pwrite(fd, "x", 1, 0), EPERM);
	CHECK(mmap(NULL, P, PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EPERM,
	      "new writable shared mapping after FUTURE_WRITE");
	CHECK_OK(munmap(m, P));
	CHECK_OK(close(fd));

	/* A read-only descriptor may not add seals. */
	fd = memfd("ro", MFD_ALLOW_SEALING);
	CHECK_OK(fd);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* (Reopening through /proc needs procfs; fcntl on O_PATH does not.) */
	CHECK_OK(close(fd));

	/* Files that do not support seals: EINVAL. */
	tmpdir_make();
	int pfd[2];
	CHECK_OK(pipe(pfd));
	CHECK_ERR(fcntl(pfd[0], F_GET_SEALS), EINVAL);
	CHECK_ERR(fcntl(pfd[1], F_ADD_SEALS, F_SEAL_WRITE), EINVAL);
	CHECK_ERR(fcntl(-1, F_GET_SEALS), EBADF);
	tmpdir_remove();
	PASS();
}
