/*
 * file_tmpfile: open(dir, O_TMPFILE): an unnamed regular file (no entry
 * in the directory, link count 0, the umask applied) that reads and
 * writes like any other; linkat(fd, "", dirfd, name, AT_EMPTY_PATH)
 * names it (and again once named), except when opened with O_EXCL
 * (ENOENT); EINVAL without write access, with O_CREAT or without
 * O_DIRECTORY; ENOTDIR/ENOENT for a path that is not a directory. A
 * removed ordinary file cannot be linked back (ENOENT).
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"

static int entries(void)
{
	DIR *d = opendir(".");
	CHECK(d != NULL, "opendir");
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

int main(void)
{
	tmpdir_make();
	umask(022);
	int fd = open(".", O_TMPFILE | O_RDWR, 0666);
	CHECK_OK(fd);
	CHECK_EQ(entries(), 0);
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK(S_ISREG(st.st_mode), "regular file");
	CHECK_EQ(st.st_mode & 07777, 0644);
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(write(fd, "secret", 6), 6);
	char buf[16] = { 0 };
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 6);
	CHECK(memcmp(buf, "secret", 6) == 0, "data");

	/* Give it a name; then a second one. */
	CHECK_OK(linkat(fd, "", AT_FDCWD, "named", AT_EMPTY_PATH));
	CHECK_EQ(entries(), 1);
	CHECK_OK(stat("named", &st));
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(st.st_size, 6);
	CHECK_OK(linkat(fd, "", AT_FDCWD, "named2", AT_EMPTY_PATH));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_nlink, 2);
	CHECK_ERR(linkat(fd, "", AT_FDCWD, "named", AT_EMPTY_PATH), EEXIST);
	int rd = open("named2", O_RDONLY);
	CHECK_OK(rd);
	CHECK_EQ(read(rd, buf, sizeof(buf)), 6);
	close(rd);
	close(fd);

	/* O_EXCL: never linkable. */
	fd = open(".", O_TMPFILE | O_WRONLY | O_EXCL, 0600);
	CHECK_OK(fd);
	CHECK_ERR(linkat(fd, "", AT_FDCWD, "excl", AT_EMPTY_PATH), ENOENT);
	close(fd);
	CHECK_EQ(entries(), 2);

	/* In a subdirectory, through a dirfd. */
	CHECK_OK(mkdir("sub", 0755));
	int dfd = open("sub", O_RDONLY | O_DIRECTORY);
	CHECK_OK(dfd);
	fd = openat(dfd, ".", O_TMPFILE | O_RDWR, 0600);
	CHECK_OK(fd);
	CHECK_OK(linkat(fd, "", dfd, "inside", AT_EMPTY_PATH));
	CHECK_OK(fstatat(dfd, "inside", &st, 0));
	close(fd);
	close(dfd);

	/* Errors. */
	CHECK_ERR(open(".", O_TMPFILE | O_RDONLY, 0600), EINVAL);
	CHECK_ERR(open(".", O_TMPFILE | O_RDWR | O_CREAT, 0600), EINVAL);
	/* The kernel's __O_TMPFILE bit alone (glibc's includes O_DIRECTORY). */
	CHECK_ERR(syscall(SYS_openat, AT_FDCWD, ".", 020000000 | O_RDWR, 0600), EINVAL);
	CHECK_ERR(open("named", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
	CHECK_ERR(open("missing", O_TMPFILE | O_RDWR, 0600), ENOENT);

	/* An ordinary file, removed while open, cannot come back. */
	fd = open("gone", O_RDWR | O_CREAT, 0644);
	CHECK_OK(fd);
	CHECK_OK(unlink("gone"));
	CHECK_ERR(linkat(fd, "", AT_FDCWD, "back", AT_EMPTY_PATH), ENOENT);
	close(fd);
	/* One removed name of a file that has another may be linked. */
	fd = open("named", O_RDONLY);
	CHECK_OK(fd);
	CHECK_OK(unlink("named"));
	CHECK_OK(linkat(fd, "", AT_FDCWD, "again", AT_EMPTY_PATH));
	close(fd);

	tmpdir_remove();
	PASS();
}
