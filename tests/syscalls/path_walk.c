/* Multi-component paths: stat and open through several directories
 * (first uncached, then cached), ENOENT and ENOTDIR at each position,
 * symlinks mid-path (relative, absolute, dangling, looping), "." and
 * ".." inside, names of 255 and 256 bytes at each position, a path
 * deeper than one gofer walk takes (40 levels), and paths after the
 * tree changed under them. Run on a -v mount too
 * (tests/workloads/volume_syscalls.sh), where each walk goes to the
 * gofer in one WALKN. */
#include "check.h"
#include "tmpdir.h"

#include <stdio.h>

static void put(const char *p, const char *s)
{
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(fd >= 0, "create %s", p);
	CHECK_EQ(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	CHECK_OK(close(fd));
}

/* The file at p holds s (read through a fresh open). */
static void expect(const char *p, const char *s)
{
	char buf[64] = { 0 };
	int fd = open(p, O_RDONLY);
	CHECK(fd >= 0, "open %s", p);
	CHECK_EQ(read(fd, buf, sizeof(buf) - 1), (ssize_t)strlen(s));
	CHECK(strcmp(buf, s) == 0, "%s holds %s", p, buf);
	CHECK_OK(close(fd));
}

/* stat and open of p both fail with err (twice: uncached, cached). */
static void fails(const char *p, int err)
{
	struct stat st;
	for (int i = 0; i < 2; i++) {
		errno = 0;
		CHECK(stat(p, &st) < 0 && errno == err, "stat %s: want errno %d", p, err);
		errno = 0;
		CHECK(open(p, O_RDONLY) < 0 && errno == err, "open %s: want errno %d", p, err);
	}
}

int main(void)
{
	const char *top = tmpdir_make();
	struct stat st;
	CHECK_OK(mkdir("a", 0755));
	CHECK_OK(mkdir("a/b", 0755));
	CHECK_OK(mkdir("a/b/c", 0755));
	put("a/b/c/f", "deep");
	put("a/b/reg", "reg");

	/* Found, twice (the second walk is cached, or revalidated). */
	for (int i = 0; i < 2; i++) {
		CHECK_OK(stat("a/b/c/f", &st));
		CHECK(S_ISREG(st.st_mode) && st.st_size == 4, "a/b/c/f");
		expect("a/b/c/f", "deep");
		expect("./a/./b/../b/c/f", "deep");
	}

	/* ENOENT at each position, ENOTDIR below a file at each. */
	fails("x/b/c/f", ENOENT);
	fails("a/x/c/f", ENOENT);
	fails("a/b/x/f", ENOENT);
	fails("a/b/c/x", ENOENT);
	fails("a/b/reg/c/f", ENOTDIR);
	fails("a/b/reg/f", ENOTDIR);
	fails("a/b/c/f/x", ENOTDIR);
	fails("a/b/c/f/", ENOTDIR);
	fails("a/b/reg/..", ENOTDIR);

	/* Symlinks mid-path: relative, absolute, dangling, a loop. */
	char abs[512];
	snprintf(abs, sizeof(abs), "%s/a/b", top);
	CHECK_OK(symlink("b", "a/rel"));
	CHECK_OK(symlink(abs, "a/abs"));
	CHECK_OK(symlink("nowhere", "a/dang"));
	CHECK_OK(symlink("loop", "a/loop"));
	CHECK_OK(symlink("../c/f", "a/b/c/up"));
	for (int i = 0; i < 2; i++) {
		expect("a/rel/c/f", "deep");
		expect("a/abs/c/f", "deep");
		expect("a/rel/c/up", "deep");
		expect("a/abs/reg", "reg");
		CHECK_OK(lstat("a/rel/c/up", &st));
		CHECK(S_ISLNK(st.st_mode), "a/rel/c/up is a link");
	}
	fails("a/dang/c/f", ENOENT);
	fails("a/rel/x/f", ENOENT);
	fails("a/loop/c/f", ELOOP);
	fails("a/rel/reg/f", ENOTDIR);

	/* Names of 255 bytes work at each position; 256 never. */
	char n255[256], n256[257], p[1024];
	memset(n255, 'n', 255);
	n255[255] = 0;
	memset(n256, 'm', 256);
	n256[256] = 0;
	snprintf(p, sizeof(p), "a/%s", n255);
	CHECK_OK(mkdir(p, 0755));
	snprintf(p, sizeof(p), "a/%s/%s", n255, n255);
	put(p, "long");
	for (int i = 0; i < 2; i++)
		expect(p, "long");
	snprintf(p, sizeof(p), "a/%s/x", n255);
	fails(p, ENOENT);
	snprintf(p, sizeof(p), "%s/b/c/f", n256);
	fails(p, ENAMETOOLONG);
	snprintf(p, sizeof(p), "a/%s/c/f", n256);
	fails(p, ENAMETOOLONG);
	snprintf(p, sizeof(p), "a/b/c/%s", n256);
	fails(p, ENAMETOOLONG);
	snprintf(p, sizeof(p), "a/%s/%s", n255, n256);
	fails(p, ENAMETOOLONG);

	/* Deeper than one walk of the gofer takes. */
	char deep[256] = "d";
	CHECK_OK(mkdir(deep, 0755));
	for (int i = 1; i < 40; i++) {
		strcat(deep, "/d");
		CHECK_OK(mkdir(deep, 0755));
	}
	snprintf(p, sizeof(p), "%s/f", deep);
	put(p, "bottom");
	for (int i = 0; i < 2; i++)
		expect(p, "bottom");
	snprintf(p, sizeof(p), "%s/x/y", deep);
	fails(p, ENOENT);

	/* The tree changes under cached paths. */
	CHECK_OK(rename("a/b/c", "a/b/c2"));
	fails("a/b/c/f", ENOENT);
	expect("a/b/c2/f", "deep");
	CHECK_OK(mkdir("a/b/c", 0755));
	put("a/b/c/f", "new");
	expect("a/b/c/f", "new");
	expect("a/rel/c2/f", "deep");
	CHECK_OK(unlink("a/b/c/f"));
	CHECK_OK(rmdir("a/b/c"));
	put("a/b/c", "file now");
	fails("a/b/c/f", ENOTDIR);
	expect("a/b/c", "file now");

	tmpdir_remove();
	PASS();
}
