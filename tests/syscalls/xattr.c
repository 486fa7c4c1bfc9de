/*
 * xattr: extended attributes on the scratch file system (tmpfs in the
 * sandbox): set/get/list/remove with the path, l and f forms;
 * XATTR_CREATE (EEXIST) and XATTR_REPLACE (ENODATA); size-0 queries and
 * ERANGE for small buffers; empty values; names: empty or over 255 bytes
 * ERANGE, a bare "user." EINVAL, unknown namespaces EOPNOTSUPP; values
 * over 64 KiB E2BIG; user.* only on regular files and directories (EPERM
 * on symlinks and FIFOs, ENODATA to read); bad flags EINVAL; EBADF for
 * bad and O_PATH fds, ENOENT, EFAULT. security.* works too.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"

/* Is name in the list (of n bytes)? */
static int listed(const char *list, ssize_t n, const char *name)
{
	for (ssize_t off = 0; off < n; off += (ssize_t)strlen(list + off) + 1)
		if (strcmp(list + off, name) == 0)
			return 1;
	return 0;
}

int main(void)
{
	tmpdir_make();
	int fd = open("f", O_RDWR | O_CREAT, 0644);
	CHECK_OK(fd);
	char buf[256];

	CHECK_ERR(getxattr("f", "user.a", buf, sizeof(buf)), ENODATA);
	CHECK_EQ(listxattr("f", buf, sizeof(buf)), 0);
	CHECK_OK(setxattr("f", "user.a", "hello", 5, 0));
	CHECK_EQ(getxattr("f", "user.a", NULL, 0), 5);
	CHECK_EQ(getxattr("f", "user.a", buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "hello", 5) == 0, "value");
	CHECK_ERR(getxattr("f", "user.a", buf, 4), ERANGE);
	/* A buffer past the maximum is clamped, not refused. */
	char *big = malloc(200000);
	CHECK(big != NULL, "malloc");
	CHECK_EQ(getxattr("f", "user.a", big, 200000), 5);

	/* CREATE and REPLACE. */
	CHECK_ERR(setxattr("f", "user.a", "x", 1, XATTR_CREATE), EEXIST);
	CHECK_ERR(setxattr("f", "user.b", "x", 1, XATTR_REPLACE), ENODATA);
	CHECK_OK(setxattr("f", "user.a", "bye", 3, XATTR_REPLACE));
	CHECK_EQ(getxattr("f", "user.a", buf, sizeof(buf)), 3);
	CHECK(memcmp(buf, "bye", 3) == 0, "replaced value");
	CHECK_OK(setxattr("f", "user.b", "", 0, XATTR_CREATE));	/* empty value */
	CHECK_EQ(getxattr("f", "user.b", buf, sizeof(buf)), 0);
	CHECK_ERR(setxattr("f", "user.c", "x", 1, 4), EINVAL);
	CHECK_ERR(setxattr("f", "user.c", "x", 1, XATTR_CREATE | XATTR_REPLACE | 8), EINVAL);

	/* The list: names with their NULs, in some order. */
	ssize_t need = listxattr("f", NULL, 0);
	CHECK_EQ(need, (ssize_t)(sizeof("user.a") + sizeof("user.b")));
	CHECK_ERR(listxattr("f", buf, (size_t)need - 1), ERANGE);
	CHECK_EQ(listxattr("f", buf, sizeof(buf)), need);
	CHECK(listed(buf, need, "user.a") && listed(buf, need, "user.b"), "list");
	CHECK_EQ(listxattr("f", big, 200000), need);

	/* Names and sizes. */
	CHECK_ERR(setxattr("f", "", "x", 1, 0), ERANGE);
	CHECK_ERR(getxattr("f", "", buf, sizeof(buf)), ERANGE);
	char name[300] = "user.";
	memset(name + 5, 'n', 250);
	name[255] = 0;	/* 255 bytes: the longest name */
	CHECK_OK(setxattr("f", name, "v", 1, 0));
	CHECK_EQ(getxattr("f", name, buf, sizeof(buf)), 1);
	CHECK_OK(removexattr("f", name));
	memset(name + 5, 'n', 251);
	name[256] = 0;
	CHECK_ERR(setxattr("f", name, "v", 1, 0), ERANGE);
	CHECK_ERR(getxattr("f", name, buf, sizeof(buf)), ERANGE);
	CHECK_ERR(removexattr("f", name), ERANGE);
	CHECK_ERR(setxattr("f", "user.", "v", 1, 0), EINVAL);
	CHECK_ERR(getxattr("f", "user.", buf, sizeof(buf)), EINVAL);
	CHECK_ERR(setxattr("f", "foo.bar", "v", 1, 0), EOPNOTSUPP);
	CHECK_ERR(getxattr("f", "foo.bar", buf, sizeof(buf)), EOPNOTSUPP);
	CHECK_ERR(setxattr("f", "user.big", big, 65537, 0), E2BIG);
	char *volatile bad = (char *)8;
	CHECK_ERR(setxattr("f", bad, "v", 1, 0), EFAULT);
	CHECK_ERR(setxattr("f", "user.c", bad, 1, 0), EFAULT);
	CHECK_ERR(getxattr("f", "user.a", bad, sizeof(buf)), EFAULT);

	/* security.* is kept too. */
	CHECK_OK(setxattr("f", "security.cvisor", "s", 1, 0));
	CHECK_EQ(getxattr("f", "security.cvisor", buf, sizeof(buf)), 1);
	CHECK_OK(removexattr("f", "security.cvisor"));

	/* Remove. */
	CHECK_OK(removexattr("f", "user.b"));
	CHECK_ERR(removexattr("f", "user.b"), ENODATA);
	CHECK_ERR(getxattr("f", "user.b", buf, sizeof(buf)), ENODATA);
	CHECK_EQ(listxattr("f", buf, sizeof(buf)), (ssize_t)sizeof("user.a"));

	/* The fd forms. */
	CHECK_EQ(fgetxattr(fd, "user.a", buf, sizeof(buf)), 3);
	CHECK_OK(fsetxattr(fd, "user.fd", "1", 1, 0));
	CHECK_EQ(getxattr("f", "user.fd", buf, sizeof(buf)), 1);
	CHECK_EQ(flistxattr(fd, buf, sizeof(buf)),
		 (ssize_t)(sizeof("user.a") + sizeof("user.fd")));
	CHECK_OK(fremovexattr(fd, "user.fd"));
	CHECK_ERR(fgetxattr(fd, "user.fd", buf, sizeof(buf)), ENODATA);
	CHECK_ERR(fgetxattr(999, "user.a", buf, sizeof(buf)), EBADF);
	CHECK_ERR(fsetxattr(999, "user.a", "v", 1, 0), EBADF);
	int opath = open("f", O_PATH);
	CHECK_OK(opath);
	CHECK_ERR(fgetxattr(opath, "user.a", buf, sizeof(buf)), EBADF);
	CHECK_ERR(flistxattr(opath, buf, sizeof(buf)), EBADF);
	close(opath);
	/* Read-only fds may still set attributes (permission is by inode). */
	int rd = open("f", O_RDONLY);
	CHECK_OK(rd);
	CHECK_OK(fsetxattr(rd, "user.ro", "1", 1, 0));
	CHECK_OK(fremovexattr(rd, "user.ro"));
	close(rd);

	/* Symlinks: the plain forms follow, the l forms do not; user.* is
	 * refused on the link itself. */
	CHECK_OK(symlink("f", "link"));
	CHECK_EQ(getxattr("link", "user.a", buf, sizeof(buf)), 3);
	CHECK_ERR(lgetxattr("link", "user.a", buf, sizeof(buf)), ENODATA);
	CHECK_ERR(lsetxattr("link", "user.a", "v", 1, 0), EPERM);
	CHECK_ERR(lremovexattr("link", "user.a"), EPERM);
	CHECK_EQ(llistxattr("link", buf, sizeof(buf)), 0);
	CHECK_OK(setxattr("link", "user.via", "1", 1, 0));	/* on f */
	CHECK_EQ(lgetxattr("f", "user.via", buf, sizeof(buf)), 1);
	CHECK_ERR(getxattr("missing", "user.a", buf, sizeof(buf)), ENOENT);
	CHECK_ERR(listxattr("missing", buf, sizeof(buf)), ENOENT);

	/* Directories take user.*, FIFOs do not. */
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(setxattr("d", "user.dir", "dv", 2, 0));
	CHECK_EQ(getxattr("d", "user.dir", buf, sizeof(buf)), 2);
	CHECK_OK(mkfifo("fifo", 0644));
	CHECK_ERR(setxattr("fifo", "user.x", "v", 1, 0), EPERM);
	CHECK_ERR(getxattr("fifo", "user.x", buf, sizeof(buf)), ENODATA);

	/* Attributes follow the inode through a rename and a hard link. */
	CHECK_OK(rename("f", "g"));
	CHECK_OK(link("g", "h"));
	CHECK_EQ(getxattr("h", "user.a", buf, sizeof(buf)), 3);

	free(big);
	close(fd);
	tmpdir_remove();
	PASS();
}
