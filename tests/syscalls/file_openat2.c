/* openat2: struct open_how checks and the RESOLVE_* restrictions
 * (BENEATH, IN_ROOT, NO_SYMLINKS). */
#include "check.h"
#include "tmpdir.h"

#include <linux/openat2.h>
#include <stdint.h>
#include <sys/syscall.h>

static long openat2_(int dfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
	return syscall(SYS_openat2, dfd, path, &how, sizeof(how));
}

int main(void)
{
	tmpdir_make();
	CHECK_OK(mkdir("root", 0755));
	CHECK_OK(mkdir("root/etc", 0755));
	int fd = open("root/etc/passwd", O_CREAT | O_WRONLY, 0644);
	CHECK_OK(fd);
	close(fd);
	CHECK_OK(symlink("/etc/passwd", "root/abs"));
	CHECK_OK(symlink("etc/passwd", "root/rel"));
	CHECK_OK(symlink("../..", "root/up"));
	int dfd = open("root", O_RDONLY | O_DIRECTORY);
	CHECK_OK(dfd);

	/* how checks */
	struct open_how how = { .flags = O_RDONLY };
	CHECK_ERR(syscall(SYS_openat2, dfd, "rel", &how, 8), EINVAL);
	CHECK_ERR(openat2_(dfd, "rel", O_RDONLY, 0644, 0), EINVAL);
	CHECK_ERR(openat2_(dfd, "rel", 1ULL << 40, 0, 0), EINVAL);
	CHECK_ERR(openat2_(dfd, "rel", O_RDONLY, 0, 1ULL << 30), EINVAL);
	CHECK_ERR(openat2_(dfd, "rel", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT), EINVAL);

	/* plain */
	fd = openat2_(dfd, "rel", O_RDONLY, 0, 0);
	CHECK_OK(fd);
	close(fd);
	/* BENEATH: no escape, no absolute names or links */
	fd = openat2_(dfd, "etc/../rel", O_RDONLY, 0, RESOLVE_BENEATH);
	CHECK_OK(fd);
	close(fd);
	CHECK_ERR(openat2_(dfd, "..", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	CHECK_ERR(openat2_(dfd, "up", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	CHECK_ERR(openat2_(dfd, "abs", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	CHECK_ERR(openat2_(dfd, "/etc/passwd", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	/* IN_ROOT: "/" and ".." are the dirfd */
	fd = openat2_(dfd, "abs", O_RDONLY, 0, RESOLVE_IN_ROOT);
	CHECK_OK(fd);
	close(fd);
	fd = openat2_(dfd, "/../../etc/passwd", O_RDONLY, 0, RESOLVE_IN_ROOT);
	CHECK_OK(fd);
	close(fd);
	fd = openat2_(dfd, "up/etc/passwd", O_RDONLY, 0, RESOLVE_IN_ROOT);
	CHECK_OK(fd);
	close(fd);
	/* NO_SYMLINKS */
	CHECK_ERR(openat2_(dfd, "rel", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
	fd = openat2_(dfd, "etc/passwd", O_RDONLY, 0, RESOLVE_NO_SYMLINKS);
	CHECK_OK(fd);
	close(fd);
	/* O_CREAT through openat2 */
	fd = openat2_(dfd, "new", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH);
	CHECK_OK(fd);
	close(fd);
	close(dfd);
	tmpdir_remove();
	PASS();
}
