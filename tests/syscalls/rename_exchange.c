/*
 * rename_exchange: renameat2 RENAME_EXCHANGE swaps two names atomically:
 * two files (contents and inode numbers trade places), a file and a
 * directory in different parents (the parents' link counts follow the
 * directory), two directories; ENOENT when either is missing, EINVAL
 * with RENAME_NOREPLACE or RENAME_WHITEOUT, for unknown flags and when
 * one contains the other; exchanging a name with itself is a no-op.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"

static void put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK_OK(fd);
	CHECK_EQ(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
}

static void expect(const char *path, const char *s)
{
	char buf[64] = { 0 };
	int fd = open(path, O_RDONLY);
	CHECK_OK(fd);
	CHECK_EQ(read(fd, buf, sizeof(buf)), (ssize_t)strlen(s));
	CHECK(strcmp(buf, s) == 0, "%s holds %s", path, buf);
	close(fd);
}

static ino_t ino(const char *path)
{
	struct stat st;
	CHECK_OK(lstat(path, &st));
	return st.st_ino;
}

static nlink_t links(const char *path)
{
	struct stat st;
	CHECK_OK(stat(path, &st));
	return st.st_nlink;
}

int main(void)
{
	tmpdir_make();
	put("a", "AAA");
	put("b", "B");
	ino_t ia = ino("a"), ib = ino("b");
	CHECK_OK(renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_EXCHANGE));
	expect("a", "B");
	expect("b", "AAA");
	CHECK_EQ(ino("a"), ib);
	CHECK_EQ(ino("b"), ia);

	/* A file and a directory in different parents. */
	CHECK_OK(mkdir("p", 0755));
	CHECK_OK(mkdir("q", 0755));
	CHECK_OK(mkdir("p/dir", 0755));
	put("p/dir/inside", "x");
	put("q/file", "F");
	nlink_t lp = links("p"), lq = links("q");
	CHECK_OK(renameat2(AT_FDCWD, "p/dir", AT_FDCWD, "q/file", RENAME_EXCHANGE));
	expect("p/dir", "F");
	expect("q/file/inside", "x");
	CHECK_EQ(links("p"), lp - 1);
	CHECK_EQ(links("q"), lq + 1);
	/* With dirfds. */
	int pd = open("p", O_RDONLY | O_DIRECTORY), qd = open("q", O_RDONLY | O_DIRECTORY);
	CHECK_OK(pd);
	CHECK_OK(qd);
	CHECK_OK(renameat2(pd, "dir", qd, "file", RENAME_EXCHANGE));
	expect("q/file", "F");
	expect("p/dir/inside", "x");
	CHECK_EQ(links("p"), lp);
	CHECK_EQ(links("q"), lq);

	/* Two directories. */
	CHECK_OK(mkdir("q/d2", 0755));
	put("q/d2/two", "2");
	CHECK_OK(renameat2(AT_FDCWD, "p/dir", AT_FDCWD, "q/d2", RENAME_EXCHANGE));
	expect("p/dir/two", "2");
	expect("q/d2/inside", "x");

	/* Errors. */
	CHECK_ERR(renameat2(AT_FDCWD, "a", AT_FDCWD, "missing", RENAME_EXCHANGE), ENOENT);
	CHECK_ERR(renameat2(AT_FDCWD, "missing", AT_FDCWD, "a", RENAME_EXCHANGE), ENOENT);
	CHECK_ERR(renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_EXCHANGE | RENAME_NOREPLACE),
		  EINVAL);
	CHECK_ERR(renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_EXCHANGE | RENAME_WHITEOUT),
		  EINVAL);
	CHECK_ERR(renameat2(AT_FDCWD, "a", AT_FDCWD, "b", 0x80), EINVAL);
	CHECK_ERR(renameat2(AT_FDCWD, "p", AT_FDCWD, "p/dir", RENAME_EXCHANGE), EINVAL);
	CHECK_ERR(renameat2(AT_FDCWD, "p/dir", AT_FDCWD, "p", RENAME_EXCHANGE), EINVAL);
	CHECK_ERR(renameat2(AT_FDCWD, "a/", AT_FDCWD, "b", RENAME_EXCHANGE), ENOTDIR);
	/* With itself: nothing happens. */
	CHECK_OK(renameat2(AT_FDCWD, "a", AT_FDCWD, "a", RENAME_EXCHANGE));
	expect("a", "B");
	/* A hard link pair: the same inode, nothing to do. */
	CHECK_OK(link("a", "a2"));
	CHECK_OK(renameat2(AT_FDCWD, "a", AT_FDCWD, "a2", RENAME_EXCHANGE));
	expect("a", "B");
	expect("a2", "B");

	close(pd);
	close(qd);
	tmpdir_remove();
	PASS();
}
