/* fs/procfs/proc_inode.c: the generated-tree machinery of procfs and
 * sysfs (see procfs.h): inodes made from entry tables, lookup and readdir
 * over static and dynamic children, revalidation of per-task dentries,
 * generated files (text made by show() at the first read and again at
 * every read from offset 0, as seq_file does), writes, symlinks and magic
 * links. Sizes are 0, times are those of the lookup, owner root. */
#include "fs/procfs/procfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct proc_sb {
	long magic;
};

static const struct inode_ops proc_dir_iops, proc_file_iops, proc_link_iops, proc_magic_iops;
static const struct file_ops proc_dir_fops, proc_file_fops;

static const struct proc_inode *pi_of(const struct inode *inode)
{
	return inode->priv;
}

/* Stable inode numbers: the same node always gets the same one. */
static uint64_t proc_ino(const struct proc_inode *pi)
{
	uint64_t h = (uint64_t)(uintptr_t)pi->e * 0x9e3779b97f4a7c15ull;
	h ^= ((uint64_t)(uint32_t)pi->tgid << 32 | (uint32_t)pi->tid) * 0xff51afd7ed558ccdull;
	h ^= (uint64_t)(uint32_t)(pi->fd + 1) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (h & 0x7fffffffull) | 0x1000;
}

static struct inode *proc_make_inode(struct super_block *sb, const struct proc_inode *pi)
{
	struct proc_inode *copy = malloc(sizeof(*copy));
	if (!copy)
		return NULL;
	*copy = *pi;
	struct inode *inode = inode_new(sb, pi->e->mode);
	if (!inode) {
		free(copy);
		return NULL;
	}
	inode->priv = copy;
	inode->ino = proc_ino(pi);
	if (pi->tgid)
		proc_task_owner(pi, &inode->uid, &inode->gid);	/* as Linux: the task's */
	else
		inode->uid = inode->gid = 0;
	if (S_ISDIR(pi->e->mode)) {
		inode->nlink = 2;
		inode->iops = &proc_dir_iops;
		inode->fops = &proc_dir_fops;
	} else if (S_ISLNK(pi->e->mode)) {
		inode->iops = pi->e->get_link ? &proc_magic_iops : &proc_link_iops;
	} else {
		inode->iops = &proc_file_iops;
		inode->fops = &proc_file_fops;
	}
	return inode;
}

/* Is a per-task node still about a live (or zombie) task, and an fd
 * node about an open fd? */
static bool proc_node_valid(const struct proc_inode *pi)
{
	if (!pi->tgid)
		return true;
	if (!proc_task_exists(pi->tgid, pi->tid))
		return false;
	if (pi->fd < 0)
		return true;
	struct fdtable *ft = proc_task_files(pi);
	if (!ft)
		return false;
	bool open = fdtable_next_fd(ft, pi->fd) == pi->fd;
	fdtable_put(ft);
	return open;
}

static int proc_revalidate(struct inode *dir, struct dentry *d)
{
	(void)dir;
	if (!d->inode || !proc_node_valid(pi_of(d->inode)))
		return 0;
	const struct proc_inode *pi = pi_of(d->inode);
	if (pi->tgid) {
		/* The owner follows the task's credentials (setuid). */
		uid_t uid;
		gid_t gid;
		proc_task_owner(pi, &uid, &gid);
		pthread_mutex_lock(&d->inode->lock);
		d->inode->uid = uid;
		d->inode->gid = gid;
		pthread_mutex_unlock(&d->inode->lock);
	}
	return 1;
}

static void child_of(const struct proc_inode *dir, const struct proc_entry *e,
		     struct proc_inode *child)
{
	/* The ids go down the tree (fd doubles as sysfs's cpu number). */
	*child = (struct proc_inode){ e, dir->tgid, dir->tid, dir->fd, dir->thread };
}

/* Drop the cached dynamic children of dir that are gone (reaped pids,
 * exited threads, closed fds), so the dcache does not keep every process
 * ever looked at. Under vfs_lock. */
static void proc_prune(struct dentry *dir)
{
	for (struct dentry *c = dir->child_first, *next; c; c = next) {
		next = c->sib_next;
		if (!c->inode)
			continue;
		const struct proc_inode *pi = pi_of(c->inode);
		if ((pi->tgid || pi->fd >= 0) && !proc_node_valid(pi))
			d_invalidate(c);
	}
}

static int proc_lookup(struct inode *dir, struct dentry *d)
{
	const struct proc_inode *dpi = pi_of(dir);
	const struct proc_entry *de = dpi->e;
	if (!proc_node_valid(dpi))
		return -ENOENT;
	if (de->dyn)
		proc_prune(d->parent);
	struct proc_inode child;
	bool found = false;
	for (size_t i = 0; i < de->nchildren; i++) {
		const struct proc_entry *e = &de->children[i];
		if (strlen(e->name) == d->namelen && memcmp(e->name, d->name, d->namelen) == 0) {
			child_of(dpi, e, &child);
			found = true;
			break;
		}
	}
	if (!found && de->dyn && de->dyn->lookup(dpi, d->name, d->namelen, &child) == 0)
		found = true;
	if (!found)
		return -ENOENT;	/* as Linux: no negative dentries here */
	struct inode *inode = proc_make_inode(dir->sb, &child);
	if (!inode)
		return -ENOMEM;
	d_instantiate(d, inode);
	return 0;
}

static int proc_iterate(struct file *f, struct dir_context *ctx)
{
	const struct proc_inode *dpi = pi_of(f->inode);
	const struct proc_entry *de = dpi->e;
	if (!proc_node_valid(dpi))
		return -ENOENT;
	if (ctx->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, f->inode->ino, DT_DIR, 1))
			return 0;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		uint64_t pino = f->path.dentry->parent->inode->ino;
		if (!ctx->emit(ctx, "..", 2, pino, DT_DIR, 2))
			return 0;
		ctx->pos = 2;
	}
	int64_t base = 2 + (int64_t)de->nchildren;
	for (int64_t i = ctx->pos - 2; i >= 0 && i < (int64_t)de->nchildren; i++) {
		const struct proc_entry *e = &de->children[i];
		struct proc_inode child;
		child_of(dpi, e, &child);
		if (!ctx->emit(ctx, e->name, strlen(e->name), proc_ino(&child),
			       IFTODT(e->mode), i + 3))
			return 0;
		ctx->pos = i + 3;
	}
	if (!de->dyn)
		return 0;
	int64_t key = ctx->pos - base;
	if (key < 0)
		key = 0;
	for (;;) {
		struct proc_inode child;
		char name[40];
		if (!de->dyn->next(dpi, &key, &child, name))
			break;
		if (!ctx->emit(ctx, name, strlen(name), proc_ino(&child),
			       IFTODT(child.e->mode), base + key + 1))
			return 0;
		ctx->pos = base + key + 1;
		key++;
	}
	return 0;
}

/* --- generated files ---------------------------------------------------- */

struct proc_file {
	pthread_mutex_t lock;
	struct sbuf sb;
	bool have;	/* sb holds the text of the last generation */
};

static int proc_open(struct inode *inode, struct file *f)
{
	const struct proc_inode *pi = pi_of(inode);
	if ((f->mode & FMODE_WRITE) && !pi->e->write && pi->e->sysctl_ro)
		return -EACCES;
	if ((f->mode & FMODE_READ) && !pi->e->show)
		return -EACCES;
	if (!proc_node_valid(pi))
		return -ENOENT;
	struct proc_file *pf = calloc(1, sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	pthread_mutex_init(&pf->lock, NULL);
	sbuf_init(&pf->sb);
	f->priv = pf;
	return 0;
}

static ssize_t proc_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	const struct proc_inode *pi = pi_of(f->inode);
	struct proc_file *pf = f->priv;
	if (*pos < 0)
		return -EINVAL;
	pthread_mutex_lock(&pf->lock);
	if (!pf->have || *pos == 0) {
		sbuf_reset(&pf->sb);
		pf->have = false;
		int r = pi->e->show(pi, &pf->sb);
		if (r < 0) {
			pthread_mutex_unlock(&pf->lock);
			return r;
		}
		pf->have = true;
	}
	size_t n = 0;
	if ((uint64_t)*pos < pf->sb.len) {
		n = pf->sb.len - (size_t)*pos;
		if (n > len)
			n = len;
		memcpy(buf, pf->sb.buf + *pos, n);
		*pos += (int64_t)n;
	}
	pthread_mutex_unlock(&pf->lock);
	return (ssize_t)n;
}

static ssize_t proc_write(struct file *f, const void *buf, size_t len, int64_t *pos)
{
	const struct proc_inode *pi = pi_of(f->inode);
	if (!pi->e->write)
		return pi->tgid ? -EINVAL : -EIO;
	if (pi->tgid && !proc_task_exists(pi->tgid, pi->tid))
		return -ESRCH;
	ssize_t r = pi->e->write(pi, buf, len);
	if (r > 0)
		*pos += r;
	return r;
}

static void proc_release(struct file *f)
{
	struct proc_file *pf = f->priv;
	if (!pf)
		return;
	sbuf_free(&pf->sb);
	pthread_mutex_destroy(&pf->lock);
	free(pf);
}

/* --- links ---------------------------------------------------------------- */

static ssize_t proc_readlink(struct inode *inode, char *buf, size_t len)
{
	const struct proc_inode *pi = pi_of(inode);
	if (!proc_node_valid(pi))
		return -ENOENT;
	if (pi->e->readlink)
		return pi->e->readlink(pi, buf, len);
	return -EINVAL;
}

static int proc_get_link(struct inode *inode, struct path *out, struct file **fout)
{
	const struct proc_inode *pi = pi_of(inode);
	if (!proc_node_valid(pi))
		return -ENOENT;
	return pi->e->get_link(pi, out, fout);
}

static const struct inode_ops proc_dir_iops = {
	.lookup = proc_lookup,
	.revalidate = proc_revalidate,
};

static const struct inode_ops proc_file_iops = {
	.revalidate = NULL,	/* the directory's revalidate decides */
};

static const struct inode_ops proc_link_iops = {
	.readlink = proc_readlink,
};

/* Magic links need get_link in their ops; plain ones must not have it. */
static const struct inode_ops proc_magic_iops = {
	.readlink = proc_readlink,
	.get_link = proc_get_link,
};

static const struct file_ops proc_dir_fops = {
	.iterate = proc_iterate,
	.llseek = dir_llseek,
};

static const struct file_ops proc_file_fops = {
	.open = proc_open,
	.read = proc_read,
	.write = proc_write,
	.llseek = dir_llseek,	/* SEEK_SET and SEEK_CUR, as seq_lseek */
	.release = proc_release,
};

/* --- the super block ------------------------------------------------------ */

static void proc_evict(struct inode *inode)
{
	free(inode->priv);
	inode->priv = NULL;
}

static int proc_statfs(struct super_block *sb, struct statfs *st)
{
	const struct proc_sb *ps = sb->priv;
	st->f_type = ps->magic;
	st->f_bsize = 4096;
	st->f_frsize = 4096;
	st->f_namelen = 255;
	return 0;
}

static const struct super_ops proc_super_ops = {
	.evict = proc_evict,
	.statfs = proc_statfs,
};

struct dentry *proc_tree_mount(const char *type, const struct proc_entry *root, long magic)
{
	struct super_block *sb = calloc(1, sizeof(*sb));
	struct proc_sb *ps = calloc(1, sizeof(*ps));
	if (!sb || !ps)
		goto fail;
	ps->magic = magic;
	sb->ops = &proc_super_ops;
	sb->type = type;
	sb->dev = super_anon_dev();
	sb->priv = ps;
	struct proc_inode pi = { root, 0, 0, -1, false };
	struct inode *inode = proc_make_inode(sb, &pi);
	if (!inode)
		goto fail;
	inode->ino = 1;
	struct dentry *d = d_make_root(sb, inode);
	if (!d) {
		iput(inode);
		goto fail;
	}
	return d;
fail:
	free(sb);
	free(ps);
	return NULL;
}
