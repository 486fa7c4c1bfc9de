/* Unit tests of the overlay (fs/overlay/) through the VFS: a tmpfs lower
 * (filled first, then never written by the overlay) under a tmpfs upper:
 * reads from below, copy-up on write and chmod, whiteouts on unlink and
 * rename, opaque directories after rmdir + mkdir, ENOTEMPTY for a merged
 * directory with lower entries, EXDEV for renaming a lower directory, and
 * the merged readdir (no duplicates, no whited-out names). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "fs/overlay/overlay.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/mount.h"
#include "fs/vfs/vfs.h"
#include "sentry/mm/memfile.h"

static struct walk_start lower_ws, ws;

static void put(const struct walk_start *w, const char *name, const char *data)
{
	struct file *f;
	cr_assert_eq(vfs_open(w, name, O_WRONLY | O_CREAT | O_TRUNC, 0644, 0, &f), 0, "%s", name);
	int64_t pos = 0;
	cr_assert_eq(f->ops->write(f, data, strlen(data), &pos), (ssize_t)strlen(data));
	file_put(f);
}

static int get(const struct walk_start *w, const char *name, char *buf, size_t len)
{
	struct file *f;
	int r = vfs_open(w, name, O_RDONLY, 0, 0, &f);
	if (r < 0)
		return r;
	int64_t pos = 0;
	ssize_t n = f->ops->read(f, buf, len - 1, &pos);
	file_put(f);
	cr_assert_geq(n, 0);
	buf[n] = 0;
	return 0;
}

static void setup(void)
{
	/* tmpfs file data lives in the memory file. */
	cr_assert_eq(memfile_init(1ULL << 32), 0);
	struct dentry *lower = tmpfs_mount(0755), *upper = tmpfs_mount(0755);
	cr_assert(lower && upper);
	vfs_lock();
	struct mount *lm = mount_attach(lower, NULL, "lower", 0);
	vfs_unlock();
	lower_ws.root.mnt = lm;
	lower_ws.root.dentry = lower;
	lower_ws.dir = lower_ws.root;
	cr_assert_eq(vfs_mkdir(&lower_ws, "/d", 0755), 0);
	cr_assert_eq(vfs_mkdir(&lower_ws, "/d/sub", 0755), 0);
	put(&lower_ws, "/d/a", "lower a");
	put(&lower_ws, "/d/b", "lower b");
	put(&lower_ws, "/top", "top");
	cr_assert_eq(vfs_symlink("d/a", &lower_ws, "/link"), 0);
	struct dentry *o = overlay_mount(dget(lower), upper);
	cr_assert_not_null(o);
	vfs_lock();
	struct mount *om = mount_attach(o, NULL, "overlay", 0);
	vfs_unlock();
	ws.root.mnt = om;
	ws.root.dentry = o;
	ws.dir = ws.root;
}

TestSuite(overlay, .init = setup);

Test(overlay, reads_from_below)
{
	char buf[64];
	cr_assert_eq(get(&ws, "/d/a", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "lower a");
	cr_assert_eq(get(&ws, "/link", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "lower a");
	cr_assert_eq(get(&ws, "/nope", buf, sizeof(buf)), -ENOENT);
}

Test(overlay, copy_up_on_write)
{
	char buf[64];
	put(&ws, "/d/a", "upper a");
	cr_assert_eq(get(&ws, "/d/a", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "upper a");
	cr_assert_eq(get(&lower_ws, "/d/a", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "lower a");
	struct path p;
	cr_assert_eq(vfs_lookup(&ws, "/d/b", 0, &p), 0);
	struct iattr ia = { .valid = ATTR_MODE, .mode = 0600 };
	cr_assert_eq(vfs_setattr(&p, &ia), 0);
	cr_assert_eq(p.dentry->inode->mode & 07777, 0600);
	path_put(&p);
	cr_assert_eq(vfs_lookup(&lower_ws, "/d/b", 0, &p), 0);
	cr_assert_eq(p.dentry->inode->mode & 07777, 0644);
	path_put(&p);
	cr_assert_eq(get(&ws, "/d/b", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "lower b");
}

Test(overlay, whiteouts)
{
	char buf[64];
	cr_assert_eq(vfs_unlink(&ws, "/d/a"), 0);
	cr_assert_eq(get(&ws, "/d/a", buf, sizeof(buf)), -ENOENT);
	cr_assert_eq(get(&lower_ws, "/d/a", buf, sizeof(buf)), 0);
	cr_assert_eq(vfs_unlink(&ws, "/d/a"), -ENOENT);
	put(&ws, "/d/a", "again");
	cr_assert_eq(get(&ws, "/d/a", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "again");
	cr_assert_eq(vfs_rename(&ws, "/d/b", &ws, "/d/c", 0), 0);
	cr_assert_eq(get(&ws, "/d/b", buf, sizeof(buf)), -ENOENT);
	cr_assert_eq(get(&ws, "/d/c", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "lower b");
	cr_assert_eq(vfs_rename(&ws, "/d", &ws, "/e", 0), -EXDEV);
}

struct names {
	struct dir_context ctx;
	char all[512];
};

static bool collect(struct dir_context *c, const char *name, size_t len, uint64_t ino,
		    unsigned type, int64_t next)
{
	(void)ino;
	(void)type;
	(void)next;
	struct names *n = (struct names *)c;
	strncat(n->all, name, len);
	strcat(n->all, " ");
	return true;
}

static void list(const char *dir, char *out)
{
	struct file *f;
	cr_assert_eq(vfs_open(&ws, dir, O_RDONLY | O_DIRECTORY, 0, 0, &f), 0);
	struct names n = { .ctx.emit = collect };
	cr_assert_eq(vfs_iterate(f, &n.ctx), 0);
	file_put(f);
	strcpy(out, n.all);
}

Test(overlay, merged_readdir_and_rmdir)
{
	char all[512];
	put(&ws, "/d/new", "n");
	put(&ws, "/d/a", "copied");
	cr_assert_eq(vfs_unlink(&ws, "/d/b"), 0);
	list("/d", all);
	cr_assert_str_eq(all, ". .. new a sub ");	/* upper first, in creation order */
	cr_assert_eq(vfs_rmdir(&ws, "/d"), -ENOTEMPTY);
	cr_assert_eq(vfs_unlink(&ws, "/d/a"), 0);
	cr_assert_eq(vfs_unlink(&ws, "/d/new"), 0);
	cr_assert_eq(vfs_rmdir(&ws, "/d"), -ENOTEMPTY);	/* sub */
	cr_assert_eq(vfs_rmdir(&ws, "/d/sub"), 0);
	list("/d", all);
	cr_assert_str_eq(all, ". .. ");
	cr_assert_eq(vfs_rmdir(&ws, "/d"), 0);
	cr_assert_eq(vfs_mkdir(&ws, "/d", 0755), 0);
	list("/d", all);
	cr_assert_str_eq(all, ". .. ");	/* opaque: the lower d stays hidden */
	char buf[8];
	cr_assert_eq(get(&lower_ws, "/d/a", buf, sizeof(buf)), 0);
}
