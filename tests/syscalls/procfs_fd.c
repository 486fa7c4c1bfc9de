/* procfs_fd.c: /proc/self/fd and fdinfo: one magic link per open fd
 * (readlink gives the path, "pipe:[ino]", "anon_inode:[eventfd]"...;
 * opening it gives the object itself: a new description of a file, the
 * pipe's end), closed fds vanish, a removed file shows " (deleted)",
 * stat follows it (to a pipe too), O_NOFOLLOW and RESOLVE_NO_MAGICLINKS
 * refuse it, fdinfo shows pos and flags in octal. */
#include "check.h"
#include "procfs_util.h"
#include "tmpdir.h"

#include <linux/openat2.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static char buf[8192], path[256];

static const char *fd_link(int fd)
{
	static char target[4096];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	CHECK(n > 0, "readlink %s", path);
	target[n] = 0;
	return target;
}

int main(void)
{
	const char *dir = tmpdir_make();
	char want[4096];

	/* A regular file. */
	int fd = open("data", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	CHECK_OK(fd);
	CHECK_EQ(write(fd, "abcdef", 6), 6);
	CHECK_EQ(lseek(fd, 3, SEEK_SET), 3);
	snprintf(want, sizeof(want), "%s/data", dir);
	CHECK(strcmp(fd_link(fd), want) == 0, "fd link %s, want %s", fd_link(fd), want);
	struct stat a, b;
	CHECK_OK(fstat(fd, &a));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	CHECK_OK(stat(path, &b));
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "stat follows fd link");
	CHECK_OK(lstat(path, &b));
	CHECK(S_ISLNK(b.st_mode), "fd/N is a link");
	/* Opening it: a new description, from offset 0. */
	int again = open(path, O_RDONLY);
	CHECK_OK(again);
	CHECK_EQ(read(again, buf, 6), 6);
	CHECK(memcmp(buf, "abcdef", 6) == 0, "reopened reads from 0");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 3);
	close(again);
	CHECK_ERR(open(path, O_RDONLY | O_NOFOLLOW), ELOOP);
	struct open_how how = { .flags = O_RDONLY, .resolve = RESOLVE_NO_MAGICLINKS };
	CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how)), ELOOP);

	/* fdinfo */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	CHECK(read_file(path, buf, sizeof(buf)) > 0, "read fdinfo");
	char v[64];
	CHECK(status_field(buf, "pos", v, sizeof(v)) && atol(v) == 3, "fdinfo pos %s", v);
	CHECK(status_field(buf, "flags", v, sizeof(v)) && v[0] == '0', "fdinfo flags %s", v);
	long fl = strtol(v, NULL, 8);
	CHECK((fl & O_ACCMODE) == O_RDWR && (fl & O_CLOEXEC), "fdinfo flags %lo", fl);
	CHECK(status_field(buf, "mnt_id", v, sizeof(v)), "fdinfo mnt_id");

	/* Listing. */
	int d = fcntl(fd, F_DUPFD, 50);
	CHECK_OK(d);
	char name[16];
	snprintf(name, sizeof(name), "%d", d);
	CHECK(dir_has("/proc/self/fd", name) && dir_has("/proc/self/fd", "0") &&
	      dir_has("/proc/self/fdinfo", name), "fd/ lists the dup");
	CHECK(strcmp(fd_link(d), want) == 0, "dup's link");
	CHECK_OK(close(d));
	CHECK(!dir_has("/proc/self/fd", name), "closed fd not listed");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", d);
	CHECK_ERR(readlink(path, buf, sizeof(buf)), ENOENT);
	snprintf(path, sizeof(path), "/proc/self/fd/%s", "abc");
	CHECK_ERR(readlink(path, buf, sizeof(buf)), ENOENT);

	/* Removed: " (deleted)". */
	CHECK_OK(unlink("data"));
	snprintf(want, sizeof(want), "%s/data (deleted)", dir);
	CHECK(strcmp(fd_link(fd), want) == 0, "deleted link %s", fd_link(fd));
	close(fd);

	/* A pipe: its name, and its ends through the link. */
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_OK(fstat(p[0], &a));
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)a.st_ino);
	CHECK(strcmp(fd_link(p[0]), want) == 0, "pipe link %s want %s", fd_link(p[0]), want);
	CHECK(strcmp(fd_link(p[1]), want) == 0, "pipe write end %s", fd_link(p[1]));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
	CHECK_OK(stat(path, &b));
	CHECK(S_ISFIFO(b.st_mode) && b.st_ino == a.st_ino, "stat follows to the pipe");
	int w = open(path, O_WRONLY);
	CHECK_OK(w);
	CHECK_EQ(write(w, "hey", 3), 3);
	CHECK_EQ(read(p[0], buf, 3), 3);
	CHECK(memcmp(buf, "hey", 3) == 0, "write through the pipe's link");
	close(w);
	/* What bash does for "> /dev/stdout": O_CREAT|O_TRUNC through the link. */
	w = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK_OK(w);
	CHECK_EQ(write(w, "x", 1), 1);
	CHECK_EQ(read(p[0], buf, 1), 1);
	close(w);

	/* Anonymous files. */
	int e = eventfd(0, 0);
	CHECK_OK(e);
	CHECK(strcmp(fd_link(e), "anon_inode:[eventfd]") == 0, "eventfd link %s", fd_link(e));
	int ep = epoll_create1(0);
	CHECK_OK(ep);
	CHECK(strcmp(fd_link(ep), "anon_inode:[eventpoll]") == 0, "epoll link %s", fd_link(ep));
	close(e);
	close(ep);
	close(p[0]);
	close(p[1]);

	/* A directory fd: the link opens the directory. */
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_OK(dfd);
	CHECK(strcmp(fd_link(dfd), dir) == 0, "dir link %s", fd_link(dfd));
	snprintf(path, sizeof(path), "/proc/self/fd/%d/made", dfd);
	int m = open(path, O_CREAT | O_WRONLY, 0600);
	CHECK_OK(m);
	close(m);
	CHECK_OK(stat("made", &a));
	CHECK_OK(unlink("made"));
	close(dfd);
	tmpdir_remove();
	PASS();
}
