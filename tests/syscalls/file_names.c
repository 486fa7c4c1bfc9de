/* Names: mkdir/rmdir, unlink(at), link(at), symlink(at), readlink(at),
 * rename/renameat2 (NOREPLACE, EXCHANGE), symlink walks (ELOOP after 40,
 * O_NOFOLLOW, dangling links with O_CREAT), trailing slashes, ".." and
 * the errors Linux gives for each. */
#include "check.h"
#include "tmpdir.h"

#include <linux/fs.h>
#include <stdio.h>
#include <sys/syscall.h>

static int touch(const char *p)
{
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	if (fd < 0)
		return -1;
	return close(fd);
}

static long renameat2_(int ofd, const char *o, int nfd, const char *n, unsigned flags)
{
	return syscall(SYS_renameat2, ofd, o, nfd, n, flags);
}

int main(void)
{
	tmpdir_make();
	char buf[256];
	struct stat st, st2;

	/* mkdir / rmdir */
	CHECK_OK(mkdir("d", 0755));
	CHECK_ERR(mkdir("d", 0755), EEXIST);
	CHECK_ERR(mkdir("nope/d", 0755), ENOENT);
	CHECK_ERR(mkdir(".", 0755), EEXIST);
	CHECK_OK(mkdir("e/", 0755));
	CHECK_OK(stat("d", &st));
	CHECK(S_ISDIR(st.st_mode), "dir");
	CHECK_EQ(st.st_nlink, 2);
	CHECK_OK(mkdir("d/sub", 0700));
	CHECK_OK(stat("d", &st));
	CHECK_EQ(st.st_nlink, 3);
	CHECK_ERR(rmdir("d"), ENOTEMPTY);
	CHECK_ERR(rmdir("d/sub/."), EINVAL);
	CHECK_ERR(rmdir("d/sub/.."), ENOTEMPTY);
	CHECK_OK(touch("file"));
	CHECK_ERR(rmdir("file"), ENOTDIR);
	CHECK_ERR(mkdir("file/x", 0755), ENOTDIR);
	CHECK_OK(rmdir("d/sub/"));
	CHECK_OK(rmdir("e"));
	CHECK_ERR(rmdir("e"), ENOENT);

	/* unlink */
	CHECK_ERR(unlink("d"), EISDIR);
	CHECK_ERR(unlink("file/"), ENOTDIR);
	CHECK_ERR(unlink("missing"), ENOENT);
	CHECK_ERR(unlinkat(AT_FDCWD, "file", 0x1234), EINVAL);
	CHECK_ERR(unlinkat(AT_FDCWD, "file", AT_REMOVEDIR), ENOTDIR);

	/* hard links */
	CHECK_OK(link("file", "d/hard"));
	CHECK_OK(stat("file", &st));
	CHECK_OK(stat("d/hard", &st2));
	CHECK_EQ(st.st_ino, st2.st_ino);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_ERR(link("file", "d/hard"), EEXIST);
	CHECK_ERR(link("d", "dlink"), EPERM);
	CHECK_ERR(link("missing", "x"), ENOENT);
	CHECK_OK(unlink("d/hard"));
	CHECK_OK(stat("file", &st));
	CHECK_EQ(st.st_nlink, 1);

	/* an open file outlives its name */
	int fd = open("file", O_RDWR);
	CHECK_OK(fd);
	CHECK_OK(unlink("file"));
	CHECK_EQ(write(fd, "abc", 3), 3);
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(pread(fd, buf, 3, 0), 3);
	CHECK_OK(close(fd));
	CHECK_ERR(stat("file", &st), ENOENT);

	/* symlinks */
	CHECK_OK(touch("target"));
	CHECK_OK(symlink("target", "sl"));
	CHECK_ERR(symlink("x", "sl"), EEXIST);
	CHECK_ERR(symlink("", "empty"), ENOENT);
	CHECK_EQ(readlink("sl", buf, sizeof(buf)), 6);
	CHECK(memcmp(buf, "target", 6) == 0, "readlink");
	CHECK_EQ(readlink("sl", buf, 3), 3);
	CHECK_ERR(readlink("target", buf, sizeof(buf)), EINVAL);
	CHECK_ERR(readlink("sl", buf, 0), EINVAL);
	CHECK_OK(lstat("sl", &st));
	CHECK(S_ISLNK(st.st_mode), "lstat sees the link");
	CHECK_EQ(st.st_size, 6);
	CHECK_OK(stat("sl", &st));
	CHECK(S_ISREG(st.st_mode), "stat follows");
	CHECK_ERR(open("sl", O_RDONLY | O_NOFOLLOW), ELOOP);
	fd = open("sl", O_PATH | O_NOFOLLOW);
	CHECK_OK(fd);
	CHECK_OK(fstat(fd, &st));
	CHECK(S_ISLNK(st.st_mode), "O_PATH|O_NOFOLLOW opens the link");
	CHECK_OK(close(fd));
	CHECK_ERR(stat("sl/", &st), ENOTDIR);
	CHECK_OK(symlink("d", "dl"));
	CHECK_OK(stat("dl/", &st));
	CHECK(S_ISDIR(st.st_mode), "trailing slash follows");
	CHECK_OK(lstat("dl/", &st));
	CHECK(S_ISDIR(st.st_mode), "lstat with trailing slash follows");

	/* dangling: O_CREAT creates the target, O_EXCL refuses */
	CHECK_OK(symlink("d/created", "dangle"));
	CHECK_ERR(stat("dangle", &st), ENOENT);
	CHECK_ERR(open("dangle", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	fd = open("dangle", O_CREAT | O_WRONLY, 0644);
	CHECK_OK(fd);
	CHECK_OK(close(fd));
	CHECK_OK(stat("d/created", &st));

	/* loops */
	CHECK_OK(symlink("loop1", "loop2"));
	CHECK_OK(symlink("loop2", "loop1"));
	CHECK_ERR(open("loop1", O_RDONLY), ELOOP);
	CHECK_ERR(stat("loop1/x", &st), ELOOP);
	/* a chain of 40 links resolves, 41 does not */
	CHECK_OK(touch("c0"));
	for (int i = 1; i <= 41; i++) {
		char from[16], to[16];
		snprintf(to, sizeof(to), "c%d", i - 1);
		snprintf(from, sizeof(from), "c%d", i);
		CHECK_OK(symlink(to, from));
	}
	CHECK_OK(stat("c40", &st));
	CHECK_ERR(stat("c41", &st), ELOOP);

	/* .. */
	CHECK_OK(stat("d/../target", &st));
	CHECK_ERR(stat("target/..", &st), ENOTDIR);
	CHECK_OK(stat("/..", &st));
	CHECK_OK(stat("/", &st2));
	CHECK_EQ(st.st_ino, st2.st_ino);

	/* rename */
	CHECK_OK(rename("target", "t2"));
	CHECK_ERR(stat("target", &st), ENOENT);
	CHECK_OK(stat("t2", &st));
	CHECK_OK(touch("t3"));
	CHECK_OK(stat("t3", &st2));
	CHECK_OK(rename("t2", "t3"));		/* replaces */
	CHECK_OK(stat("t3", &st2));
	CHECK_EQ(st.st_ino, st2.st_ino);
	CHECK_ERR(rename("t3", "d"), EISDIR);
	CHECK_OK(mkdir("d2", 0755));
	CHECK_ERR(rename("d2", "t3"), ENOTDIR);
	CHECK_ERR(rename("d", "d/sub"), EINVAL);
	CHECK_ERR(rename("t3/", "t4"), ENOTDIR);
	CHECK_ERR(rename(".", "x"), EBUSY);
	CHECK_ERR(rename("missing", "x"), ENOENT);
	CHECK_OK(rename("d2", "d3"));
	CHECK_OK(touch("d/inner"));
	CHECK_ERR(rename("d3", "d"), ENOTEMPTY);
	CHECK_OK(rename("t3", "t3"));
	CHECK_OK(rename("d3", "d/moved"));
	CHECK_OK(stat("d", &st));
	CHECK_EQ(st.st_nlink, 3);

	/* renameat2 */
	CHECK_OK(touch("p"));
	CHECK_OK(touch("q"));
	CHECK_OK(stat("p", &st));
	CHECK_OK(stat("q", &st2));
	CHECK_ERR(renameat2_(AT_FDCWD, "p", AT_FDCWD, "q", RENAME_NOREPLACE), EEXIST);
	CHECK_ERR(renameat2_(AT_FDCWD, "p", AT_FDCWD, "q", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
	CHECK_ERR(renameat2_(AT_FDCWD, "p", AT_FDCWD, "nothere", RENAME_EXCHANGE), ENOENT);
	CHECK_OK(renameat2_(AT_FDCWD, "p", AT_FDCWD, "q", RENAME_EXCHANGE));
	struct stat sp, sq;
	CHECK_OK(stat("p", &sp));
	CHECK_OK(stat("q", &sq));
	CHECK_EQ(sp.st_ino, st2.st_ino);
	CHECK_EQ(sq.st_ino, st.st_ino);
	CHECK_OK(renameat2_(AT_FDCWD, "p", AT_FDCWD, "r", RENAME_NOREPLACE));
	CHECK_OK(renameat2_(AT_FDCWD, "d", AT_FDCWD, "r", RENAME_EXCHANGE));
	CHECK_OK(stat("r", &st));
	CHECK(S_ISDIR(st.st_mode), "exchanged a dir and a file");
	CHECK_OK(stat("r/inner", &st));

	/* *at with a directory fd */
	int dfd = open("r", O_RDONLY | O_DIRECTORY);
	CHECK_OK(dfd);
	CHECK_OK(mkdirat(dfd, "m", 0755));
	CHECK_OK(symlinkat("m", dfd, "ml"));
	CHECK_EQ(readlinkat(dfd, "ml", buf, sizeof(buf)), 1);
	CHECK_OK(linkat(dfd, "inner", AT_FDCWD, "inner2", 0));
	CHECK_OK(renameat(dfd, "inner", dfd, "m/inner"));
	CHECK_OK(unlinkat(dfd, "m/inner", 0));
	CHECK_OK(unlinkat(dfd, "ml", 0));
	CHECK_OK(unlinkat(dfd, "m", AT_REMOVEDIR));
	CHECK_OK(close(dfd));

	tmpdir_remove();
	PASS();
}
