/* tests/unit/test_procfs.c: procfs's text buffer (growth, the bound,
 * mount-field escaping) and its generated-tree machinery on a small
 * table: lookup of static names, ENOENT for others, a generated file read
 * at every offset and regenerated at offset 0, a write handler, readdir
 * positions. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fs/procfs/procfs.h"
#include "fs/procfs/sbuf.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"
#include "fs/vfs/vfs.h"

Test(sbuf, printf_grows)
{
	struct sbuf sb;
	sbuf_init(&sb);
	for (int i = 0; i < 1000; i++)
		sbuf_printf(&sb, "%d,", i);
	cr_assert(!sb.overflow);
	cr_assert(strncmp(sb.buf, "0,1,2,", 6) == 0);
	cr_assert(strstr(sb.buf, ",999,") != NULL);
	char big[1000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	size_t before = sb.len;
	sbuf_printf(&sb, "%s", big);
	cr_assert_eq(sb.len, before + 999);
	cr_assert_eq(sb.buf[sb.len], 0);
	sbuf_free(&sb);
}

Test(sbuf, bounded)
{
	struct sbuf sb;
	sbuf_init(&sb);
	static char chunk[1 << 20];
	memset(chunk, 'a', sizeof(chunk));
	for (int i = 0; i < 20; i++)
		sbuf_put(&sb, chunk, sizeof(chunk));
	cr_assert(sb.overflow);
	cr_assert(sb.len <= SBUF_MAX);
	size_t len = sb.len;
	sbuf_puts(&sb, "more");
	cr_assert_eq(sb.len, len);
	sbuf_reset(&sb);
	cr_assert(!sb.overflow);
	sbuf_puts(&sb, "ok");
	cr_assert_str_eq(sb.buf, "ok");
	sbuf_free(&sb);
}

Test(sbuf, escaped)
{
	struct sbuf sb;
	sbuf_init(&sb);
	sbuf_put_escaped(&sb, "a b\tc\nd\\e");
	cr_assert_str_eq(sb.buf, "a\\040b\\011c\\012d\\134e");
	sbuf_free(&sb);
}

static int generation;
static char written[32];

static int gen_show(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	sbuf_printf(sb, "generation %d\n", ++generation);
	return 0;
}

static ssize_t gen_write(const struct proc_inode *pi, const char *buf, size_t len)
{
	(void)pi;
	size_t n = len < sizeof(written) - 1 ? len : sizeof(written) - 1;
	memcpy(written, buf, n);
	written[n] = 0;
	return (ssize_t)len;
}

static ssize_t link_readlink(const struct proc_inode *pi, char *buf, size_t len)
{
	(void)pi;
	size_t n = len < 6 ? len : 6;
	memcpy(buf, "target", n);
	return (ssize_t)n;
}

static const struct proc_entry sub_children[] = {
	PROC_REG("inner", gen_show),
};

static const struct proc_entry children[] = {
	PROC_RW("gen", gen_show, gen_write),
	PROC_LNK("link", link_readlink),
	PROC_DIR("sub", sub_children),
};

static const struct proc_entry root_entry = PROC_DIR("/", children);

static struct dentry *lookup(struct dentry *dir, const char *name, int *err)
{
	struct dentry *d = d_alloc(dir, name, strlen(name));
	cr_assert_not_null(d);
	vfs_lock();
	*err = dir->inode->iops->lookup(dir->inode, d);
	vfs_unlock();
	return d;
}

struct names {
	struct dir_context ctx;
	char seen[8][16];
	int n;
};

static bool collect(struct dir_context *c, const char *name, size_t len, uint64_t ino,
		    unsigned type, int64_t next)
{
	(void)ino;
	(void)type;
	(void)next;
	struct names *nm = (struct names *)c;
	if (nm->n >= 2)
		return false;	/* a small buffer: two entries per call */
	snprintf(nm->seen[nm->n++], 16, "%.*s", (int)len, name);
	return true;
}

Test(proc_tree, lookup_read_write_readdir)
{
	struct dentry *root = proc_tree_mount("testfs", &root_entry, 0x1234);
	cr_assert_not_null(root);
	int err;
	struct dentry *d = lookup(root, "nothere", &err);
	cr_assert_eq(err, -ENOENT);
	dput(d);
	struct dentry *link = lookup(root, "link", &err);
	cr_assert_eq(err, 0);
	cr_assert(S_ISLNK(link->inode->mode));
	char buf[64];
	cr_assert_eq(link->inode->iops->readlink(link->inode, buf, 3), 3);
	cr_assert(memcmp(buf, "tar", 3) == 0);
	cr_assert_null(link->inode->iops->get_link);

	struct dentry *gen = lookup(root, "gen", &err);
	cr_assert_eq(err, 0);
	cr_assert(S_ISREG(gen->inode->mode));
	cr_assert_eq(gen->inode->size, 0);
	struct path p = { NULL, gen };
	struct file *f;
	cr_assert_eq(vfs_open_path(&p, O_RDWR, &f), 0);
	int64_t pos = 0;
	cr_assert_eq(f->ops->read(f, buf, 4, &pos), 4);
	cr_assert_eq(f->ops->read(f, buf + 4, sizeof(buf) - 4, &pos), 9);
	buf[13] = 0;
	cr_assert_str_eq(buf, "generation 1\n");
	cr_assert_eq(f->ops->read(f, buf, sizeof(buf), &pos), 0);
	pos = 1000;
	cr_assert_eq(f->ops->read(f, buf, sizeof(buf), &pos), 0);
	pos = 0;	/* regenerated at offset 0 */
	cr_assert_eq(f->ops->read(f, buf, sizeof(buf), &pos), 13);
	cr_assert(memcmp(buf, "generation 2\n", 13) == 0);
	pos = 0;
	cr_assert_eq(f->ops->write(f, "hello", 5, &pos), 5);
	cr_assert_str_eq(written, "hello");
	file_put(f);

	struct path rp = { NULL, root };
	cr_assert_eq(vfs_open_path(&rp, O_RDONLY, &f), 0);
	struct names nm = { .ctx.emit = collect };
	const char *want[] = { ".", "..", "gen", "link", "sub" };
	int got = 0;
	for (int round = 0; round < 4; round++) {
		nm.n = 0;
		cr_assert_eq(f->ops->iterate(f, &nm.ctx), 0);
		for (int i = 0; i < nm.n; i++, got++)
			cr_assert_str_eq(nm.seen[i], want[got]);
	}
	cr_assert_eq(got, 5);
	file_put(f);
	dput(gen);
	dput(link);
}
