/* Attributes: chmod/fchmod/fchmodat, chown/lchown/fchown/fchownat,
 * utimensat (UTIME_NOW, UTIME_OMIT, futimens), utimes, truncate,
 * access/faccessat/faccessat2, statx, statfs/fstatfs, /dev nodes. */
#include "check.h"
#include "tmpdir.h"

#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>

int main(void)
{
	tmpdir_make();
	struct stat st;
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	CHECK_OK(fd);

	/* chmod family */
	CHECK_OK(chmod("f", 04711));
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_mode & 07777, 04711);
	CHECK_OK(fchmod(fd, 0600));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_OK(fchmodat(AT_FDCWD, "f", 0640, 0));
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0640);
	CHECK_ERR(chmod("missing", 0600), ENOENT);
	CHECK_ERR(fchmod(9999, 0600), EBADF);

	/* chown family */
	CHECK_OK(chown("f", 1000, 1001));
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_uid, 1000);
	CHECK_EQ(st.st_gid, 1001);
	CHECK_OK(fchown(fd, -1, 0));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_uid, 1000);
	CHECK_EQ(st.st_gid, 0);
	CHECK_OK(symlink("f", "l"));
	CHECK_OK(lchown("l", 7, 7));
	CHECK_OK(lstat("l", &st));
	CHECK_EQ(st.st_uid, 7);
	CHECK_OK(stat("l", &st));
	CHECK_EQ(st.st_uid, 1000);
	CHECK_OK(fchownat(AT_FDCWD, "f", 0, 0, 0));
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_uid, 0);
	CHECK_ERR(fchownat(AT_FDCWD, "f", 0, 0, 0x4444), EINVAL);

	/* times */
	struct timespec ts[2] = { { 1000, 5 }, { 2000, 7 } };
	CHECK_OK(utimensat(AT_FDCWD, "f", ts, 0));
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_atim.tv_sec, 1000);
	CHECK_EQ(st.st_atim.tv_nsec, 5);
	CHECK_EQ(st.st_mtim.tv_sec, 2000);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	CHECK_OK(futimens(fd, ts));
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_atim.tv_sec, 1000);
	CHECK(st.st_mtim.tv_sec > 1000000000, "UTIME_NOW");
	ts[0].tv_nsec = 1000000000;
	CHECK_ERR(utimensat(AT_FDCWD, "f", ts, 0), EINVAL);
	struct timeval tv[2] = { { 3000, 0 }, { 4000, 0 } };
	CHECK_OK(utimes("f", tv));
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_mtim.tv_sec, 4000);
	CHECK_OK(utimensat(AT_FDCWD, "f", NULL, 0));
	CHECK_OK(stat("f", &st));
	CHECK(st.st_atim.tv_sec > 1000000000, "NULL times is now");

	/* truncate */
	CHECK_OK(truncate("f", 12345));
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_size, 12345);
	CHECK_ERR(truncate("f", -1), EINVAL);
	CHECK_ERR(truncate(".", 0), EISDIR);
	CHECK_ERR(truncate("missing", 0), ENOENT);

	/* access */
	CHECK_OK(access("f", F_OK));
	CHECK_OK(access("f", R_OK | W_OK));
	CHECK_OK(chmod("f", 0644));
	CHECK_ERR(access("f", X_OK), EACCES);
	CHECK_OK(access(".", X_OK));
	CHECK_ERR(access("missing", F_OK), ENOENT);
	CHECK_ERR(access("f", 0100), EINVAL);
	CHECK_OK(faccessat(AT_FDCWD, "f", R_OK, 0));
	CHECK_OK(syscall(SYS_faccessat2, AT_FDCWD, "l", R_OK, AT_SYMLINK_NOFOLLOW));
	CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, "f", R_OK, 0x1), EINVAL);

	/* statx */
	struct statx sx;
	CHECK_OK(statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx));
	CHECK((sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS, "statx mask");
	CHECK_EQ(sx.stx_size, 12345);
	CHECK_EQ(sx.stx_mode, S_IFREG | 0644);
	CHECK_OK(statx(AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
	CHECK(S_ISLNK(sx.stx_mode), "statx nofollow");
	CHECK_OK(statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx));
	CHECK_EQ(sx.stx_size, 12345);
	CHECK_ERR(statx(AT_FDCWD, "", 0, STATX_BASIC_STATS, &sx), ENOENT);
	CHECK_OK(fstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH));
	CHECK(S_ISDIR(st.st_mode), "AT_EMPTY_PATH with AT_FDCWD is the cwd");

	/* statfs: /tmp is a tmpfs here and in the sandbox */
	struct statfs sfs;
	CHECK_OK(statfs("/tmp", &sfs));
	CHECK(sfs.f_bsize > 0 && sfs.f_namelen == 255, "statfs");
	CHECK_OK(fstatfs(fd, &sfs));
	CHECK_ERR(statfs("missing", &sfs), ENOENT);
	CHECK_OK(close(fd));

	/* device nodes */
	char buf[64];
	fd = open("/dev/null", O_RDWR);
	CHECK_OK(fd);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0);
	CHECK_EQ(write(fd, buf, sizeof(buf)), (long)sizeof(buf));
	CHECK_OK(fstat(fd, &st));
	CHECK(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3, "/dev/null");
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 1, sizeof(buf));
	CHECK_EQ(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	CHECK(buf[0] == 0 && buf[63] == 0, "zeros");
	close(fd);
	fd = open("/dev/full", O_WRONLY);
	CHECK_ERR(write(fd, "x", 1), ENOSPC);
	close(fd);
	fd = open("/dev/urandom", O_RDONLY);
	CHECK_EQ(read(fd, buf, 32), 32);
	close(fd);

	tmpdir_remove();
	PASS();
}
