/* Directories: getdents64/getdents (every entry once, "." and "..",
 * positions that survive removals, EINVAL for a tiny buffer), getcwd,
 * chdir/fchdir, a removed cwd, umask, and chroot (absolute symlinks and
 * ".." stay inside the new root). */
#include "check.h"
#include "tmpdir.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>

struct d64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* Count the entries of fd with getdents64, checking types of a few. */
static int count_entries(int fd, int *files, int *dirs)
{
	char buf[512];
	int n = 0;
	*files = *dirs = 0;
	for (;;) {
		long r = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		CHECK(r >= 0, "getdents64");
		if (r == 0)
			return n;
		for (long off = 0; off < r;) {
			struct d64 *d = (struct d64 *)(buf + off);
			CHECK(d->reclen % 8 == 0, "reclen aligned");
			if (d->type == DT_REG)
				(*files)++;
			if (d->type == DT_DIR)
				(*dirs)++;
			n++;
			off += d->reclen;
		}
	}
}

int main(void)
{
	const char *top = tmpdir_make();
	char buf[4096], name[32];
	int files, dirs;

	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "file-with-a-long-name-%d", i);
		int fd = open(name, O_CREAT | O_WRONLY, 0644);
		CHECK_OK(fd);
		close(fd);
	}
	CHECK_OK(mkdir("sub", 0755));
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_OK(dfd);
	CHECK_EQ(count_entries(dfd, &files, &dirs), 53);
	CHECK_EQ(files, 50);
	CHECK_EQ(dirs, 3);
	/* at the end: 0; rewind: everything again */
	CHECK_EQ(syscall(SYS_getdents64, dfd, buf, sizeof(buf)), 0);
	CHECK_EQ(lseek(dfd, 0, SEEK_SET), 0);
	CHECK_EQ(count_entries(dfd, &files, &dirs), 53);
	/* too small for one entry */
	CHECK_EQ(lseek(dfd, 0, SEEK_SET), 0);
	CHECK_ERR(syscall(SYS_getdents64, dfd, buf, 8), EINVAL);
	/* old getdents */
	CHECK_EQ(lseek(dfd, 0, SEEK_SET), 0);
	long r = syscall(SYS_getdents, dfd, buf, sizeof(buf));
	CHECK(r > 0, "getdents");
	/* removals during a listing do not repeat or skip survivors */
	CHECK_EQ(lseek(dfd, 0, SEEK_SET), 0);
	r = syscall(SYS_getdents64, dfd, buf, 200);
	CHECK(r > 0, "first chunk");
	for (int i = 0; i < 50; i += 2) {
		snprintf(name, sizeof(name), "file-with-a-long-name-%d", i);
		CHECK_OK(unlink(name));
	}
	CHECK_EQ(lseek(dfd, 0, SEEK_SET), 0);
	CHECK_EQ(count_entries(dfd, &files, &dirs), 28);
	CHECK_ERR(syscall(SYS_getdents64, 9999, buf, sizeof(buf)), EBADF);
	int ffd = open("file-with-a-long-name-1", O_RDONLY);
	CHECK_ERR(syscall(SYS_getdents64, ffd, buf, sizeof(buf)), ENOTDIR);
	close(ffd);

	/* getcwd / chdir / fchdir */
	CHECK(getcwd(buf, sizeof(buf)) != NULL, "getcwd");
	CHECK(strcmp(buf, top) == 0, "cwd is %s, want %s", buf, top);
	CHECK_ERR(syscall(SYS_getcwd, buf, 2), ERANGE);
	CHECK_OK(chdir("sub"));
	CHECK(getcwd(buf, sizeof(buf)) != NULL, "getcwd");
	CHECK(strcmp(buf + strlen(top), "/sub") == 0, "cwd %s", buf);
	CHECK_OK(chdir(".."));
	CHECK_ERR(chdir("file-with-a-long-name-1"), ENOTDIR);
	CHECK_ERR(chdir("missing"), ENOENT);
	CHECK_OK(chdir("sub"));
	CHECK_OK(fchdir(dfd));
	CHECK(getcwd(buf, sizeof(buf)) != NULL && strcmp(buf, top) == 0, "fchdir");
	CHECK_ERR(fchdir(9999), EBADF);

	/* a removed cwd */
	CHECK_OK(mkdir("gone", 0755));
	CHECK_OK(chdir("gone"));
	CHECK_OK(rmdir(buf[0] ? "../gone" : "x"));
	CHECK_ERR(syscall(SYS_getcwd, buf, sizeof(buf)), ENOENT);
	CHECK_ERR(open("new", O_CREAT | O_WRONLY, 0644), ENOENT);
	CHECK_ERR(mkdir("newdir", 0755), ENOENT);
	CHECK_OK(fchdir(dfd));

	/* umask */
	mode_t old = umask(027);
	int fd = open("masked", O_CREAT | O_WRONLY, 0777);
	CHECK_OK(fd);
	close(fd);
	struct stat st;
	CHECK_OK(stat("masked", &st));
	CHECK_EQ(st.st_mode & 0777, 0750);
	CHECK_OK(mkdir("maskdir", 0777));
	CHECK_OK(stat("maskdir", &st));
	CHECK_EQ(st.st_mode & 0777, 0750);
	CHECK_EQ(umask(old), 027);

	/* chroot: the new root hides the rest; absolute links stay inside */
	CHECK_OK(mkdir("jail", 0755));
	CHECK_OK(mkdir("jail/etc", 0755));
	fd = open("jail/etc/passwd", O_CREAT | O_WRONLY, 0644);
	CHECK_OK(fd);
	CHECK_EQ(write(fd, "jailed\n", 7), 7);
	close(fd);
	CHECK_OK(symlink("/etc/passwd", "jail/abs"));
	CHECK_OK(symlink("../../../../../../etc/passwd", "jail/rel"));
	CHECK_OK(chroot("jail"));
	/* the raw syscall: glibc turns the "(unreachable)" answer into ENOENT */
	CHECK(syscall(SYS_getcwd, buf, sizeof(buf)) > 0, "getcwd outside the root");
	CHECK(strncmp(buf, "(unreachable)", 13) == 0, "cwd outside the root: %s", buf);
	CHECK_OK(chdir("/"));
	CHECK(getcwd(buf, sizeof(buf)) != NULL && strcmp(buf, "/") == 0, "cwd / in jail");
	CHECK_OK(stat("/..", &st));
	struct stat root;
	CHECK_OK(stat("/", &root));
	CHECK_EQ(st.st_ino, root.st_ino);
	for (int i = 0; i < 2; i++) {
		fd = open(i ? "/rel" : "/abs", O_RDONLY);
		CHECK_OK(fd);
		CHECK_EQ(read(fd, buf, sizeof(buf)), 7);
		CHECK(memcmp(buf, "jailed\n", 7) == 0, "link resolved inside the root");
		close(fd);
	}
	/* leave the jail through the directory fd opened before (as Linux allows) */
	CHECK_OK(fchdir(dfd));
	for (int i = 0; i < 20; i++)
		CHECK_OK(chdir(".."));
	CHECK_OK(chroot("."));
	CHECK_OK(chdir(top));
	close(dfd);
	tmpdir_remove();
	PASS();
}
