/*
 * tmpdir.h: a fresh scratch directory for the file tests in
 * tests/syscalls/: natively a new directory under /tmp, in the sandbox
 * the same under its tmpfs /tmp (made if missing); under $VOL_DIR
 * instead when that is set (tests/workloads/volume_syscalls.sh runs
 * tests in a -v host directory that way). tmpdir_make() creates it and
 * chdirs into it; tmpdir_remove() deletes it recursively.
 */
#ifndef CVISOR_TESTS_SYSCALLS_TMPDIR_H
#define CVISOR_TESTS_SYSCALLS_TMPDIR_H

#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir_path[256];	/* short: tests build paths on it */

static const char *tmpdir_make(void)
{
	const char *base = getenv("VOL_DIR");
	if (!base) {
		base = "/tmp";
		if (mkdir(base, 01777) < 0)
			CHECK(errno == EEXIST, "mkdir /tmp");
	}
	CHECK(strlen(base) < sizeof(tmpdir_path) - 32, "VOL_DIR too long");
	snprintf(tmpdir_path, sizeof(tmpdir_path), "%s/cvisor-test-XXXXXX", base);
	CHECK(mkdtemp(tmpdir_path) != NULL, "mkdtemp");
	CHECK(chdir(tmpdir_path) == 0, "chdir %s", tmpdir_path);
	return tmpdir_path;
}

static void tmpdir_rm_at(int dfd)
{
	DIR *d = fdopendir(dfd);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			continue;
		int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (sub >= 0)
			tmpdir_rm_at(sub);
		unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

static void tmpdir_remove(void)
{
	if (chdir("/") < 0)
		return;
	int fd = open(tmpdir_path, O_RDONLY | O_DIRECTORY);
	if (fd >= 0)
		tmpdir_rm_at(fd);
	rmdir(tmpdir_path);
}

#endif
