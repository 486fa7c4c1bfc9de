/* Unit tests of the path walk (fs/vfs/namei.c) on the sandbox's initial
 * namespace (tmpfs at /, tmpfs at /tmp, devfs at /dev): components, ".",
 * "..", mount crossing both ways, symlinks (relative, absolute, chains,
 * loops), trailing slashes, the RESOLVE_* restrictions, getcwd. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "fs/vfs/dentry.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/mount.h"
#include "fs/vfs/vfs.h"

static struct walk_start ws;

static void setup(void)
{
	cr_assert_eq(vfs_init(), 0);
	mount_root_path(&ws.root);
	ws.dir = ws.root;
	static int made;
	if (made++)
		return;
	cr_assert_eq(vfs_mkdir(&ws, "/a", 0755), 0);
	cr_assert_eq(vfs_mkdir(&ws, "/a/b", 0755), 0);
	cr_assert_eq(vfs_mknod(&ws, "/a/b/file", S_IFREG | 0644, 0), 0);
	cr_assert_eq(vfs_symlink("b/file", &ws, "/a/rel"), 0);
	cr_assert_eq(vfs_symlink("/a/b", &ws, "/a/abs"), 0);
	cr_assert_eq(vfs_symlink("/tmp", &ws, "/a/tmplink"), 0);
	cr_assert_eq(vfs_symlink("self", &ws, "/a/self"), 0);
	cr_assert_eq(vfs_symlink("../../../../..", &ws, "/a/b/up"), 0);
	cr_assert_eq(vfs_mkdir(&ws, "/tmp/t", 0755), 0);
}

static void teardown(void)
{
	path_put(&ws.root);
}

TestSuite(namei, .init = setup, .fini = teardown);

/* Look name up from ws; 0 and the path, or the errno. */
static int lookup(const char *name, unsigned flags, struct path *out)
{
	return vfs_lookup(&ws, name, flags, out);
}

static int lookup_err(const char *name, unsigned flags)
{
	struct path p;
	int r = lookup(name, flags, &p);
	if (r == 0)
		path_put(&p);
	return r;
}

static mode_t lookup_mode(const char *name, unsigned flags)
{
	struct path p;
	cr_assert_eq(lookup(name, flags, &p), 0, "lookup %s", name);
	mode_t m = p.dentry->inode->mode & S_IFMT;
	path_put(&p);
	return m;
}

Test(namei, components_dot_dotdot)
{
	cr_assert_eq(lookup_mode("/a/b/file", 0), S_IFREG);
	cr_assert_eq(lookup_mode("/a/./b/../b//file", 0), S_IFREG);
	cr_assert_eq(lookup_mode("//a///b", 0), S_IFDIR);
	cr_assert_eq(lookup_err("/a/missing", 0), -ENOENT);
	cr_assert_eq(lookup_err("/a/b/file/x", 0), -ENOTDIR);
	cr_assert_eq(lookup_err("/a/b/file/.", 0), -ENOTDIR);
	cr_assert_eq(lookup_err("/a/b/file/", 0), -ENOTDIR);
	char longname[300];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = 0;
	cr_assert_eq(lookup_err(longname, 0), -ENAMETOOLONG);
}

Test(namei, dotdot_stops_at_root)
{
	struct path p, root;
	mount_root_path(&root);
	cr_assert_eq(lookup("/../../..", 0, &p), 0);
	cr_assert(path_equal(&p, &root));
	path_put(&p);
	path_put(&root);
}

Test(namei, mount_crossing)
{
	struct path tmp, t, up, root;
	cr_assert_eq(lookup("/tmp", 0, &tmp), 0);
	cr_assert_str_eq(tmp.dentry->sb->type, "tmpfs");
	cr_assert_eq(tmp.dentry, tmp.mnt->root, "crossed into the /tmp mount");
	cr_assert_eq(lookup("/tmp/t", 0, &t), 0);
	cr_assert_eq(t.mnt, tmp.mnt);
	cr_assert_eq(lookup("/tmp/t/../..", 0, &up), 0);
	mount_root_path(&root);
	cr_assert(path_equal(&up, &root), ".. leaves the mount");
	/* through a symlink into the mount */
	struct path viasl;
	cr_assert_eq(lookup("/a/tmplink/t", LOOKUP_FOLLOW, &viasl), 0);
	cr_assert(path_equal(&viasl, &t));
	path_put(&viasl);
	/* NO_XDEV refuses to cross */
	struct walk_start w2 = { root, root };
	cr_assert_eq(vfs_lookup(&w2, "tmp/t", LOOKUP_NO_XDEV, &viasl), -EXDEV);
	/* a mountpoint cannot be removed or renamed over */
	cr_assert_eq(vfs_rmdir(&ws, "/tmp"), -EBUSY);
	cr_assert_eq(vfs_rename(&ws, "/a/b/file", &ws, "/tmp/file", 0), -EXDEV);
	path_put(&tmp);
	path_put(&t);
	path_put(&up);
	path_put(&root);
}

Test(namei, symlinks)
{
	cr_assert_eq(lookup_mode("/a/rel", LOOKUP_FOLLOW), S_IFREG);
	cr_assert_eq(lookup_mode("/a/rel", 0), S_IFLNK);
	cr_assert_eq(lookup_mode("/a/abs/file", 0), S_IFREG);
	cr_assert_eq(lookup_mode("/a/abs/", 0), S_IFDIR, "trailing slash follows");
	cr_assert_eq(lookup_err("/a/self", LOOKUP_FOLLOW), -ELOOP);
	cr_assert_eq(lookup_err("/a/self", 0), 0);
	cr_assert_eq(lookup_err("/a/rel", LOOKUP_FOLLOW | LOOKUP_NO_SYMLINKS), -ELOOP);
	cr_assert_eq(lookup_mode("/a/b/up/a/b/file", 0), S_IFREG, "up past / stays at /");
	cr_assert_eq(lookup_err("/a/rel", LOOKUP_FOLLOW | LOOKUP_DIRECTORY), -ENOTDIR);
}

Test(namei, chroot_like_root)
{
	/* A walk whose root is /a/b: absolute links and ".." stay below. */
	struct walk_start w;
	cr_assert_eq(lookup("/a/b", 0, &w.root), 0);
	w.dir = w.root;
	struct path p;
	cr_assert_eq(vfs_lookup(&w, "/../../file", 0, &p), 0);
	cr_assert_eq(p.dentry->inode->mode & S_IFMT, S_IFREG);
	path_put(&p);
	cr_assert_eq(vfs_lookup(&w, "up/file", 0, &p), 0);
	path_put(&p);
	cr_assert_eq(vfs_lookup(&w, "/a", 0, &p), -ENOENT);
	char buf[64];
	cr_assert_eq(lookup("/a/b", 0, &p), 0);
	cr_assert_eq(vfs_getcwd(&w.root, &p, buf, sizeof(buf)), 2);
	cr_assert_str_eq(buf, "/");
	path_put(&p);
	cr_assert_eq(lookup("/tmp/t", 0, &p), 0);
	cr_assert_gt(vfs_getcwd(&w.root, &p, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "(unreachable)/tmp/t");
	cr_assert_gt(vfs_getcwd(&ws.root, &p, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "/tmp/t");
	cr_assert_eq(vfs_getcwd(&ws.root, &p, buf, 4), -ERANGE);
	path_put(&p);
	path_put(&w.root);
}

Test(namei, beneath)
{
	struct walk_start w = { ws.root, { 0 } };
	cr_assert_eq(lookup("/a", 0, &w.dir), 0);
	struct path p;
	cr_assert_eq(vfs_lookup(&w, "b/../rel", LOOKUP_BENEATH, &p), 0);
	path_put(&p);
	cr_assert_eq(vfs_lookup(&w, "..", LOOKUP_BENEATH, &p), -EXDEV);
	cr_assert_eq(vfs_lookup(&w, "abs", LOOKUP_BENEATH | LOOKUP_FOLLOW, &p), -EXDEV);
	cr_assert_eq(vfs_lookup(&w, "/a", LOOKUP_BENEATH, &p), -EXDEV);
	cr_assert_eq(vfs_lookup(&w, "abs/file", LOOKUP_IN_ROOT, &p), -ENOENT,
		     "IN_ROOT: /a/b means <dir>/a/b");
	path_put(&w.dir);
}

Test(namei, create_remove_errors)
{
	cr_assert_eq(vfs_mkdir(&ws, "/a", 0755), -EEXIST);
	cr_assert_eq(vfs_mkdir(&ws, "/a/.", 0755), -EEXIST);
	cr_assert_eq(vfs_mknod(&ws, "/a/new/", S_IFREG | 0644, 0), -ENOENT);
	cr_assert_eq(vfs_unlink(&ws, "/a/b"), -EISDIR);
	cr_assert_eq(vfs_unlink(&ws, "/a/."), -EISDIR);
	cr_assert_eq(vfs_rmdir(&ws, "/a/b/file"), -ENOTDIR);
	cr_assert_eq(vfs_rmdir(&ws, "/a"), -ENOTEMPTY);
	cr_assert_eq(vfs_rmdir(&ws, "/"), -EBUSY);
	cr_assert_eq(vfs_symlink("x", &ws, "/a/rel"), -EEXIST);
	cr_assert_eq(vfs_mknod(&ws, "/a/gone", S_IFREG | 0600, 0), 0);
	cr_assert_eq(vfs_unlink(&ws, "/a/gone"), 0);
	cr_assert_eq(vfs_unlink(&ws, "/a/gone"), -ENOENT);
}
